// Twins of the r00_* failures: each written the way rustc accepts, and run.
use checked_asm::checked_asm;

extern "C" fn seven() -> u64 {
    7
}

fn main() {
    // r00_pure_without_nomem / r00_pure_without_output: `pure` with `nomem` and an output.
    let x: u64;
    unsafe { checked_asm!("imul {0}, {0}", inout(reg) 6u64 => x, options(pure, nomem, nostack)) };
    assert_eq!(x, 36);

    // r00_invalid_modifier: `e` and `x` are modifiers of `reg` on x86_64.
    let (lo, w): (u32, u16);
    unsafe {
        checked_asm!(
            "mov {lo:e}, {v:e}",
            "mov {w:x}, {v:x}",
            v = in(reg) 0x1234_5678u64,
            // Early: `lo` is written before the second `mov` reads `v`.
            lo = out(reg) lo,
            w = lateout(reg) w,
            options(pure, nomem, nostack, preserves_flags),
        )
    };
    assert_eq!((lo, w), (0x1234_5678, 0x5678));

    // r00_clobber_abi_class_output / r00_clobber_abi_invalid_and_duplicate: one valid ABI,
    // outputs in explicit registers.
    let r: u64;
    unsafe {
        checked_asm!(
            "call {f}",
            f = sym seven,
            out("rax") r,
            clobber_abi("C"),
        )
    };
    assert_eq!(r, 7);

    // r00_reserved_registers / r00_cpuid_ebx_operand: rbx through a scratch operand.
    let (eax, ebx): (u32, u32);
    unsafe {
        checked_asm!(
            "mov {t:r}, rbx",
            "cpuid",
            "xchg {t:r}, rbx",
            t = out(reg) ebx,
            inout("eax") 0u32 => eax,
            inout("ecx") 0u32 => _,
            lateout("edx") _,
            options(nomem, nostack, preserves_flags),
        )
    };
    assert!(eax >= 1 && ebx != 0);

    // r00_clobber_only_class: x87 registers only as clobbers.
    unsafe { checked_asm!("fldz", "fstp st(0)", out("st(0)") _, options(nomem, nostack)) };
}
