// Twins of R08, R09, R16: push/pop without nostack, balanced; a Win64 call with shadow
// space; a call with clobber_abi.
use checked_asm::checked_asm;

extern "win64" fn forty_two() -> u64 {
    42
}

extern "C" fn seven() -> u64 {
    7
}

fn main() {
    let x: u64;
    unsafe { checked_asm!("push 5", "pop {}", out(reg) x, options(nomem, preserves_flags)) };
    assert_eq!(x, 5);
    let y: u64;
    unsafe { checked_asm!("sub rsp, 32", "call {f}", "add rsp, 32", f = sym forty_two, out("rax") y, clobber_abi("win64")) };
    assert_eq!(y, 42);
    let z: u64;
    unsafe { checked_asm!("call {f}", f = sym seven, out("rax") z, clobber_abi("C")) };
    assert_eq!(z, 7);
}
