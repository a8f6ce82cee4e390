// Twins of R14, R19, R20: ret to a pushed local label, numeric labels, pushsection
// restored, and a lock prefix with its instruction.
use checked_asm::checked_asm;

fn main() {
    let x: u64;
    unsafe {
        checked_asm!(
            "lea {t}, [rip + 2f]",
            "push {t}",
            "ret",
            "2:",
            "mov {x}, 3",
            ".pushsection .rodata",
            ".quad 0",
            ".popsection",
            t = out(reg) _,
            x = out(reg) x,
            options(preserves_flags),
        )
    };
    assert_eq!(x, 3);
    let mut v = 1u64;
    unsafe { checked_asm!("lock add qword ptr [{}], 1", in(reg) &mut v, options(nostack)) };
    assert_eq!(v, 2);
}
