// Twin of r01_cpuid_missing_clobbers: every register cpuid writes is declared.
use checked_asm::checked_asm;

fn main() {
    let (eax, ebx, ecx, edx): (u32, u32, u32, u32);
    unsafe {
        checked_asm!(
            "mov {tmp:r}, rbx",
            "cpuid",
            "xchg {tmp:r}, rbx",
            tmp = out(reg) ebx,
            inout("eax") 0u32 => eax,
            inout("ecx") 0u32 => ecx,
            out("edx") edx,
            options(nomem, nostack, preserves_flags),
        )
    };
    assert!(eax > 0 && ebx != 0 && ecx != 0 && edx != 0);
}
