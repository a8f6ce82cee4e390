// Spec §6: `imul {0}, {0}` with `options(nostack, pure)`.
use checked_asm::checked_asm;

fn main() {
    let mut x: u64 = 7;
    unsafe { checked_asm!("imul {0}, {0}", inout(reg) x, options(nostack, pure)) };
    println!("{x}");
}
