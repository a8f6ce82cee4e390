// The last instruction reads the inputs and then writes the late output: sharing a
// register is harmless, and the input need not survive in a late output's register.
use checked_asm::checked_asm;

fn main() {
    let r: u64;
    unsafe { checked_asm!("lea {o}, [{a} + {b}]", o = lateout(reg) r, a = in(reg) 40u64, b = in(reg) 2u64, options(pure, nomem, nostack, preserves_flags)) };
    assert_eq!(r, 42);
    let s: u64;
    unsafe { checked_asm!("mov rax, {a}", "add rax, 1", a = in(reg) 41u64, lateout("rax") s, options(pure, nomem, nostack)) };
    assert_eq!(s, 42);
}
