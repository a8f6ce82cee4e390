//! Reads the time-stamp counter with `rdtsc` and `rdtscp` around a short busy loop.
//!
//! `rdtsc` writes edx:eax; `rdtscp` also writes ecx (the processor id), a register
//! contracts often forget. Neither touches memory or flags.

#[cfg(target_arch = "x86_64")]
pub fn rdtsc() -> u64 {
    use checked_asm::checked_asm;
    let (lo, hi): (u32, u32);
    // SAFETY: rdtsc is unprivileged unless CR4.TSD is set, which Linux does not do.
    unsafe {
        checked_asm!("rdtsc", out("eax") lo, out("edx") hi, options(nomem, nostack, preserves_flags))
    };
    u64::from(hi) << 32 | u64::from(lo)
}

#[cfg(target_arch = "x86_64")]
pub fn rdtscp() -> (u64, u32) {
    use checked_asm::checked_asm;
    let (lo, hi, aux): (u32, u32, u32);
    // SAFETY: as for rdtsc; rdtscp also writes IA32_TSC_AUX into ecx.
    unsafe {
        checked_asm!(
            "rdtscp",
            out("eax") lo,
            out("edx") hi,
            out("ecx") aux,
            options(nomem, nostack, preserves_flags),
        )
    };
    (u64::from(hi) << 32 | u64::from(lo), aux)
}

#[cfg(target_arch = "x86_64")]
fn main() {
    let start = rdtsc();
    let mut acc = 0u64;
    for i in 0..100_000u64 {
        acc = std::hint::black_box(acc.wrapping_add(i));
    }
    let end = rdtsc();
    println!(
        "rdtsc: {} cycles for 100000 additions (sum {acc})",
        end.wrapping_sub(start)
    );
    let (t, aux) = rdtscp();
    println!("rdtscp: tsc {t}, IA32_TSC_AUX {aux} (Linux stores the CPU number there)");
    println!("monotonic: {}", t >= end);
}

#[cfg(not(target_arch = "x86_64"))]
fn main() {
    println!("this example runs on x86_64 only");
}
