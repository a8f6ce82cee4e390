// Spec §6: `hlt` resumes after an interrupt, so `cli; hlt` can fall through.
use checked_asm::checked_asm;

#[allow(dead_code)]
fn halt() -> ! {
    unsafe { checked_asm!("cli", "hlt", options(noreturn, nomem, nostack)) }
}

fn main() {}
