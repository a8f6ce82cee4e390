// Spec §6: `jc` as the first instruction reads a carry flag the block never set.
use checked_asm::checked_asm;

fn main() {
    let mut x: u64 = 1;
    unsafe { checked_asm!("jc 2f", "inc {0}", "2:", inout(reg) x, options(nomem, nostack)) };
    println!("{x}");
}
