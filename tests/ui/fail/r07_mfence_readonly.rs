// Spec §6: `readonly` also promises no synchronisation.
use checked_asm::checked_asm;

fn main() {
    unsafe { checked_asm!("mfence", options(readonly, nostack, preserves_flags)) };
}
