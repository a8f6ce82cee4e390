use checked_asm::checked_asm;

fn main() {
    unsafe { checked_asm!("lock", options(nomem, nostack, preserves_flags)) };
}
