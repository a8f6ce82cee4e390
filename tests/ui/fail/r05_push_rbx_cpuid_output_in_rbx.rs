// Spec §6: with `o` allocated rbx, `pop rbx` throws the result away.
use checked_asm::checked_asm;

fn main() {
    let o: u32;
    unsafe {
        checked_asm!(
            "push rbx",
            "cpuid",
            "mov {o:e}, ebx",
            "pop rbx",
            o = out(reg) o,
            inout("eax") 0u32 => _,
            out("ecx") _,
            out("edx") _,
            options(nomem, preserves_flags),
        )
    };
    println!("{o}");
}
