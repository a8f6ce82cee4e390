//! Detects whether AVX (and AVX2, AVX-512F) can be used: the CPU must support it
//! (`cpuid`) *and* the OS must save the ymm/zmm state on context switches (`xgetbv`
//! reads XCR0), which is what `is_x86_feature_detected!` checks too.
//!
//! Contract choices:
//! - `cpuid` reads eax (leaf) and ecx (subleaf; leaf 7 takes one) and writes eax, ebx,
//!   ecx, edx. rbx cannot be an operand on x86_64, so it is saved in a scratch class
//!   register and swapped back (`mov {tmp:r}, rbx` … `xchg {tmp:r}, rbx`, the stdarch
//!   idiom); `tmp` ends up holding ebx's result. `tmp` must be an early `out`: it is
//!   written before `cpuid` reads eax/ecx. edx is written by `cpuid`, after every input
//!   was read, and is an explicit register, so `lateout("edx")` is safe.
//! - `xgetbv` reads ecx (the XCR number) and writes edx:eax; explicit registers never
//!   alias each other, so both outputs are `lateout`.
//! - `nomem`: neither instruction touches memory (serialising is not a fence).
//!   `nostack`, `preserves_flags`: no stack use, no flag changes.
//! - Not `pure`: the results depend on machine state, not only on the inputs (and
//!   `xgetbv` faults unless CPUID.1:ECX.OSXSAVE is set, so it must not be hoisted above
//!   that check).

#[cfg(target_arch = "x86_64")]
mod imp {
    use checked_asm::checked_asm;

    /// `cpuid` with leaf and subleaf: `[eax, ebx, ecx, edx]`.
    pub fn cpuid(leaf: u32, subleaf: u32) -> [u32; 4] {
        let (eax, ebx, ecx, edx): (u32, u32, u32, u32);
        // SAFETY: cpuid exists on every x86_64 CPU; rbx is restored by the xchg.
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
            )
        };
        [eax, ebx, ecx, edx]
    }

    /// `xgetbv(xcr)`.
    ///
    /// # Safety
    /// CPUID.1:ECX.OSXSAVE (bit 27) must be set, else `xgetbv` raises #UD.
    pub unsafe fn xgetbv(xcr: u32) -> u64 {
        let (lo, hi): (u32, u32);
        // SAFETY: the caller checked OSXSAVE.
        unsafe {
            checked_asm!(
                "xgetbv",
                in("ecx") xcr,
                lateout("eax") lo,
                lateout("edx") hi,
                options(nomem, nostack, preserves_flags),
            )
        };
        u64::from(hi) << 32 | u64::from(lo)
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Avx {
        pub osxsave: bool,
        pub cpu_avx: bool,
        pub xcr0: Option<u64>,
        /// CPU supports AVX and the OS saves xmm (XCR0 bit 1) and ymm (bit 2) state.
        pub avx: bool,
        /// As `avx`, plus CPUID.(7,0):EBX bit 5.
        pub avx2: bool,
        /// CPUID.(7,0):EBX bit 16 and XCR0 bits 1, 2, 5, 6, 7 (opmask, zmm0-15 high,
        /// zmm16-31).
        pub avx512f: bool,
    }

    pub fn detect() -> Avx {
        let bit = |r: u32, n: u32| r >> n & 1 == 1;
        let max_leaf = cpuid(0, 0)[0];
        let ecx1 = cpuid(1, 0)[2];
        let osxsave = bit(ecx1, 27);
        let cpu_avx = bit(ecx1, 28);
        // SAFETY: only called when OSXSAVE is set.
        let xcr0 = osxsave.then(|| unsafe { xgetbv(0) });
        let os_ymm = xcr0.is_some_and(|x| x & 0b110 == 0b110);
        let os_zmm = xcr0.is_some_and(|x| x & 0xe6 == 0xe6);
        let ebx7 = if max_leaf >= 7 { cpuid(7, 0)[1] } else { 0 };
        let avx = cpu_avx && os_ymm;
        Avx {
            osxsave,
            cpu_avx,
            xcr0,
            avx,
            avx2: avx && bit(ebx7, 5),
            avx512f: avx && os_zmm && bit(ebx7, 16),
        }
    }
}

#[cfg(target_arch = "x86_64")]
pub use imp::*;

#[cfg(target_arch = "x86_64")]
fn main() {
    let d = detect();
    println!(
        "CPUID.1:ECX.OSXSAVE = {}, CPUID.1:ECX.AVX = {}",
        d.osxsave, d.cpu_avx
    );
    match d.xcr0 {
        Some(x) => println!(
            "XCR0 = {x:#x} (x87 {}, SSE {}, AVX {}, AVX-512 {})",
            x & 1,
            x >> 1 & 1,
            x >> 2 & 1,
            u8::from(x & 0xe0 == 0xe0)
        ),
        None => println!("XCR0 not readable (OSXSAVE clear)"),
    }
    let std_avx = is_x86_feature_detected!("avx");
    let std_avx2 = is_x86_feature_detected!("avx2");
    let std_avx512f = is_x86_feature_detected!("avx512f");
    println!(
        "avx:     ours {:5}  is_x86_feature_detected {std_avx}",
        d.avx
    );
    println!(
        "avx2:    ours {:5}  is_x86_feature_detected {std_avx2}",
        d.avx2
    );
    println!(
        "avx512f: ours {:5}  is_x86_feature_detected {std_avx512f}",
        d.avx512f
    );
    let agree = d.avx == std_avx && d.avx2 == std_avx2 && d.avx512f == std_avx512f;
    println!("agree with std: {agree}");
}

#[cfg(not(target_arch = "x86_64"))]
fn main() {
    println!("this example runs on x86_64 only");
}
