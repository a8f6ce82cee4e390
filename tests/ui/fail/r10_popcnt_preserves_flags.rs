// Spec §6: `popcnt` writes ZF (and clears the other status flags).
use checked_asm::checked_asm;

fn main() {
    let (x, n): (u64, u64) = (0xff, 0);
    let _ = n;
    let out: u64;
    unsafe { checked_asm!("popcnt {0}, {1}", out(reg) out, in(reg) x, options(nomem, nostack, pure, preserves_flags)) };
    println!("{out}");
}
