// Spec §6: `call {0}` with `sym f` and `options(nostack)`: R08 and R16.
use checked_asm::checked_asm;

extern "C" fn f() {}

fn main() {
    unsafe { checked_asm!("call {0}", sym f, options(nostack)) };
}
