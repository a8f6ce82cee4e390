// Spec §6: `call {f}` with `clobber_abi("C"), options(nostack)`: R08 only.
use checked_asm::checked_asm;

extern "C" fn f() {}

fn main() {
    unsafe { checked_asm!("call {f}", f = sym f, clobber_abi("C"), options(nostack)) };
}
