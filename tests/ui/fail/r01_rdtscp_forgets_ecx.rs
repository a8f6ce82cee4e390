// rdtscp also writes ecx (IA32_TSC_AUX).
use checked_asm::checked_asm;

fn main() {
    let (lo, hi): (u32, u32);
    unsafe { checked_asm!("rdtscp", out("eax") lo, out("edx") hi, options(nomem, nostack, preserves_flags)) };
    println!("{lo} {hi}");
}
