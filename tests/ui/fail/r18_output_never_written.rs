use checked_asm::checked_asm;

fn main() {
    let (lo, hi): (u32, u32);
    unsafe { checked_asm!("rdtsc", out("eax") lo, out("ecx") hi, out("edx") _, options(nomem, nostack, preserves_flags)) };
    println!("{lo} {hi}");
}
