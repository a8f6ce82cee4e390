//! Reads the CPU vendor string and a few feature bits with `cpuid`.
//!
//! `cpuid` writes ebx, which cannot be an operand on x86_64 (LLVM may keep its own
//! values there), so ebx is saved in a scratch register and swapped back: the idiom
//! `std::arch::x86_64::__cpuid_count` uses.

#[cfg(target_arch = "x86_64")]
pub fn cpuid(leaf: u32, subleaf: u32) -> [u32; 4] {
    use checked_asm::checked_asm;
    let (eax, ebx, ecx, edx): (u32, u32, u32, u32);
    // SAFETY: cpuid is available on every x86_64 CPU and only writes the four
    // registers declared here (rbx is restored by the final xchg).
    unsafe {
        checked_asm!(
            "mov {tmp:r}, rbx",
            "cpuid",
            "xchg {tmp:r}, rbx",
            tmp = out(reg) ebx,
            inout("eax") leaf => eax,
            inout("ecx") subleaf => ecx,
            lateout("edx") edx,
            options(nomem, nostack, preserves_flags),
        );
    }
    [eax, ebx, ecx, edx]
}

#[cfg(target_arch = "x86_64")]
fn main() {
    let [max_leaf, b, c, d] = cpuid(0, 0);
    let vendor: Vec<u8> = [b, d, c].iter().flat_map(|r| r.to_le_bytes()).collect();
    println!("vendor: {}", String::from_utf8_lossy(&vendor));
    println!("max basic leaf: {max_leaf:#x}");

    let [_, _, ecx1, edx1] = cpuid(1, 0);
    let bit = |reg: u32, n: u32| reg >> n & 1 == 1;
    println!("sse2: {}", bit(edx1, 26));
    println!("sse4.2: {}", bit(ecx1, 20));
    println!("aes: {}", bit(ecx1, 25));
    println!("avx: {}", bit(ecx1, 28));
    println!("rdrand: {}", bit(ecx1, 30));
    if max_leaf >= 7 {
        let [_, ebx7, _, _] = cpuid(7, 0);
        println!("avx2: {}", bit(ebx7, 5));
        println!("avx512f: {}", bit(ebx7, 16));
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn main() {
    println!("this example runs on x86_64 only");
}
