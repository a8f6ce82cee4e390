// Waiving R10 leaves R11 (DF loaded by popfq) reported, and a waiver needs a reason.
use checked_asm::checked_asm;

fn main() {
    let saved: u64 = 0x202;
    unsafe {
        checked_asm!(
            #![waive(R10, reason = "deliberate")]
            "push {f}",
            "popfq",
            f = in(reg) saved,
            options(nomem, preserves_flags),
        )
    };
    unsafe { checked_asm!(#![waive(R10)] "nop") };
    unsafe { checked_asm!(#![waive(R99, reason = "x")] "nop") };
}
