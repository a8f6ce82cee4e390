// `sub rsp, 8` before a call leaves rsp 8 bytes below the entry value: the callee runs
// on a misaligned stack (the block is entered with rsp call-aligned).
use checked_asm::checked_asm;

extern "C" fn callee() {}

fn main() {
    unsafe {
        checked_asm!(
            "sub rsp, 8",
            "call {f}",
            "add rsp, 8",
            f = sym callee,
            clobber_abi("C"),
        )
    };
}
