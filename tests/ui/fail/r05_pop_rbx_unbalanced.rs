// rbx cannot be declared, so the block must restore it.
use checked_asm::checked_asm;

fn main() {
    let x: u64;
    unsafe { checked_asm!("mov rbx, 1", "mov {}, rbx", out(reg) x, options(nomem, nostack, preserves_flags)) };
    println!("{x}");
}
