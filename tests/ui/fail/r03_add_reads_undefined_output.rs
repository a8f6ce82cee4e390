// Spec §6: `add` reads its destination, an `out` operand the block has not written.
use checked_asm::checked_asm;

fn main() {
    let a: u64 = 2;
    let result: u64;
    unsafe { checked_asm!("add {0}, {1}", out(reg) result, in(reg) a, options(pure, nomem, nostack)) };
    println!("{result}");
}
