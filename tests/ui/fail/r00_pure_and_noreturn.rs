use checked_asm::checked_asm;

fn main() {
    unsafe { checked_asm!("ud2", options(pure, nomem, noreturn)) };
}
