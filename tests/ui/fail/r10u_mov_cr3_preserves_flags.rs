// The manual leaves the status flags undefined after MOV to CR3: with `preserves_flags`
// that is the separately named R10u warning (denied here so that the snapshot shows it),
// not an R10 error.
#![deny(deprecated)]
use checked_asm::checked_asm;

#[allow(dead_code)]
unsafe fn load_page_table(root: u64) {
    unsafe { checked_asm!("mov cr3, {}", in(reg) root, options(nostack, preserves_flags)) };
}

fn main() {}
