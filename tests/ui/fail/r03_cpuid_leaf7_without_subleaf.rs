// cpuid leaf 7 reads its subleaf from ecx; without an ecx input the result is that of a
// random subleaf.
use checked_asm::checked_asm;

fn main() {
    let (ebx, ecx): (u32, u32);
    unsafe {
        checked_asm!(
            "mov {t:r}, rbx",
            "cpuid",
            "xchg {t:r}, rbx",
            t = out(reg) ebx,
            inout("eax") 7u32 => _,
            lateout("ecx") ecx,
            lateout("edx") _,
            options(nomem, nostack, preserves_flags),
        )
    };
    println!("{ebx} {ecx}");
}
