// Spec §6: `mfence` orders memory between threads, which `nomem` denies.
use checked_asm::checked_asm;

fn main() {
    unsafe { checked_asm!("mfence", options(nomem, nostack, preserves_flags)) };
}
