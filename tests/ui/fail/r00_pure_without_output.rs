use checked_asm::checked_asm;

fn main() {
    unsafe { checked_asm!("nop", options(pure, nomem)) };
}
