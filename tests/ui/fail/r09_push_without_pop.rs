use checked_asm::checked_asm;

fn main() {
    unsafe { checked_asm!("push rax", options(nomem, preserves_flags)) };
}
