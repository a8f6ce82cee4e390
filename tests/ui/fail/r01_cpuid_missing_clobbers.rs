// cpuid writes eax, ebx, ecx and edx; this contract forgets ecx and edx.
use checked_asm::checked_asm;

fn main() {
    let (eax, ebx): (u32, u32);
    unsafe {
        checked_asm!(
            "mov {tmp:r}, rbx",
            "cpuid",
            "xchg {tmp:r}, rbx",
            tmp = out(reg) ebx,
            inout("eax") 0u32 => eax,
            options(nomem, nostack, preserves_flags),
        )
    };
    println!("{eax} {ebx}");
}
