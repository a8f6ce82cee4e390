// Spec §6: `cpuid` with `out("ebx") _` — rustc rejects rbx on x86_64.
use checked_asm::checked_asm;

fn main() {
    let (a, b, c, d): (u32, u32, u32, u32);
    unsafe {
        checked_asm!("cpuid", inout("eax") 0u32 => a, out("ebx") b, out("ecx") c, out("edx") d);
    }
    println!("{a} {b} {c} {d}");
}
