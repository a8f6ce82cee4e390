// R10u is a warning: allowed for one block, or waived (the form that also works with the
// `strict` feature). A debug-register read with `preserves_flags` is the same case.
#![deny(deprecated)]
use checked_asm::checked_asm;

#[allow(dead_code)]
unsafe fn load_page_table(root: u64) {
    #[allow(deprecated)]
    unsafe {
        checked_asm!("mov cr3, {}", in(reg) root, options(nostack, preserves_flags))
    };
}

#[allow(dead_code)]
unsafe fn dr7() -> u64 {
    let v: u64;
    unsafe {
        checked_asm!(
            #![waive(R10u, reason = "no processor changes the flags on MOV from DRn; the caller keeps a flag live across this read")]
            "mov {}, dr7",
            lateout(reg) v,
            options(nomem, nostack, preserves_flags),
        )
    };
    v
}

fn main() {}
