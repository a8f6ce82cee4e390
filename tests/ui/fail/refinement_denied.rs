// A correct but weaker-than-needed contract is a warning (here denied, so the snapshot
// shows it): rdtsc touches no memory, no stack and no flags.
#![deny(deprecated)]
use checked_asm::checked_asm;

fn main() {
    let (lo, hi): (u32, u32);
    unsafe { checked_asm!("rdtsc", out("eax") lo, out("edx") hi) };
    println!("{lo} {hi}");
    // Allowed per block:
    #[allow(deprecated)]
    unsafe {
        checked_asm!("rdtsc", out("eax") _, out("edx") _)
    };
}
