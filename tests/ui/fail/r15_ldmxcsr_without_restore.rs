// Spec §6: changing the rounding mode and leaving it changed is undefined behaviour.
use checked_asm::checked_asm;

fn main() {
    let csr: u32 = 0x7f80; // round toward zero... and flush-to-zero
    unsafe { checked_asm!("ldmxcsr [{}]", in(reg) &csr, options(nostack, readonly)) };
}
