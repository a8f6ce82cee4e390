// Twins of R15: MMX with emms; MXCSR changed and restored in the block.
use checked_asm::checked_asm;

fn main() {
    let r: u64;
    unsafe {
        checked_asm!(
            "movq mm0, {0}",
            "paddq mm0, mm0",
            "movq {0}, mm0",
            "emms",
            inout(reg) 21u64 => r,
            out("mm0") _,
            options(nomem, nostack, preserves_flags),
        )
    };
    assert_eq!(r, 42);
}
