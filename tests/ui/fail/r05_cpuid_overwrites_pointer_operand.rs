// Spec §6: the pointer may be allocated rbx, which cpuid overwrites before the store.
use checked_asm::checked_asm;

fn main() {
    let mut ebx = 0u32;
    unsafe {
        checked_asm!(
            "push rbx",
            "cpuid",
            "mov dword ptr [{p}], ebx",
            "pop rbx",
            p = in(reg) &mut ebx,
            inout("eax") 0u32 => _,
            out("ecx") _,
            out("edx") _,
            options(preserves_flags),
        )
    };
    println!("{ebx}");
}
