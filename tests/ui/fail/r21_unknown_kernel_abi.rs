// `int 0x2e` is no kernel ABI checked-asm knows: refused, not guessed.
use checked_asm::checked_asm;

fn main() {
    unsafe { checked_asm!("int 0x2e", options(nostack)) };
}
