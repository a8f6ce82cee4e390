// Twins of the R05 failures: rbx restored on every path, and the cpuid result moved out
// through a scratch register while rbx is restored (stdarch's idiom).
use checked_asm::checked_asm;

fn main() {
    let x: u64;
    // An explicit output: a `reg` output could be allocated rbx and be lost at `pop rbx`.
    unsafe { checked_asm!("push rbx", "mov rbx, 41", "lea rax, [rbx + 1]", "pop rbx", out("rax") x, options(nomem, preserves_flags)) };
    assert_eq!(x, 42);
    let ebx: u32;
    unsafe {
        checked_asm!(
            "mov {t:r}, rbx",
            "cpuid",
            "xchg {t:r}, rbx",
            t = out(reg) ebx,
            inout("eax") 0u32 => _,
            out("ecx") _,
            out("edx") _,
            options(nomem, nostack, preserves_flags),
        )
    };
    assert_ne!(ebx, 0);
}
