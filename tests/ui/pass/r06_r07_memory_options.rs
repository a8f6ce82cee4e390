// Twins of R06/R07: a fence without nomem/readonly; a load with readonly; lgdt with
// readonly (compiled, not run: privileged).
#![allow(dead_code)]
use checked_asm::checked_asm;

#[repr(C, packed)]
struct Gdtr {
    limit: u16,
    base: u64,
}

unsafe fn load_gdt(g: &Gdtr) {
    unsafe { checked_asm!("lgdt [{}]", in(reg) g, options(readonly, nostack, preserves_flags)) };
}

fn main() {
    unsafe { checked_asm!("mfence", options(nostack, preserves_flags)) };
    let v = 7u64;
    let r: u64;
    unsafe { checked_asm!("mov {0}, qword ptr [{1}]", out(reg) r, in(reg) &v, options(pure, readonly, nostack, preserves_flags)) };
    assert_eq!(r, 7);
}
