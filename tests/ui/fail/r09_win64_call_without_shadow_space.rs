// Spec §6: a Win64 callee may write 32 bytes above its return address.
use checked_asm::checked_asm;

extern "win64" fn f() {}

fn main() {
    unsafe { checked_asm!("call {f}", f = sym f, clobber_abi("win64")) };
}
