// rdtsc reads the time-stamp counter: not a function of the inputs.
use checked_asm::checked_asm;

fn main() {
    let (lo, hi): (u32, u32);
    unsafe { checked_asm!("rdtsc", out("eax") lo, out("edx") hi, options(pure, nomem, nostack, preserves_flags)) };
    println!("{lo} {hi}");
}
