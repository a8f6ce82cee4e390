//! `memcpy` with `rep movsb` and `memset` with `rep stosb` (fast on CPUs with ERMSB).
//!
//! Contract choices:
//! - The string instructions use fixed registers: rcx (count), rsi (source), rdi
//!   (destination), al (fill byte). They are explicit register operands.
//! - `rep` counts rcx down to 0 and advances rsi/rdi, so these are
//!   `inout("rcx"/"rsi"/"rdi") value => _`: an input the block modifies must also be an
//!   output (a plain `in` would let the compiler reuse the register believing it still
//!   holds the pointer). al is only read: `in("al")`.
//! - No `nomem`/`readonly`: the block writes memory.
//! - `nostack`: nothing is pushed.
//! - `preserves_flags`: `rep movsb`/`rep stosb` do not change the status flags. They
//!   *read* DF, which the Rust ABI guarantees clear at the block's entry, so the copy goes
//!   forwards.

#[cfg(target_arch = "x86_64")]
mod imp {
    use checked_asm::checked_asm;

    /// Copies `src` into `dst` (same length) with `rep movsb`.
    pub fn memcpy(dst: &mut [u8], src: &[u8]) {
        assert_eq!(dst.len(), src.len(), "memcpy: lengths differ");
        // SAFETY: both slices are valid for `len` bytes and cannot overlap (`&mut`).
        unsafe {
            checked_asm!(
                "rep movsb",
                inout("rcx") src.len() => _,
                inout("rsi") src.as_ptr() => _,
                inout("rdi") dst.as_mut_ptr() => _,
                options(nostack, preserves_flags),
            )
        };
    }

    /// Fills `dst` with `byte` using `rep stosb`.
    pub fn memset(dst: &mut [u8], byte: u8) {
        // SAFETY: `dst` is valid for writes of `dst.len()` bytes.
        unsafe {
            checked_asm!(
                "rep stosb",
                inout("rcx") dst.len() => _,
                inout("rdi") dst.as_mut_ptr() => _,
                in("al") byte,
                options(nostack, preserves_flags),
            )
        };
    }
}

#[cfg(target_arch = "x86_64")]
pub use imp::*;

#[cfg(target_arch = "x86_64")]
fn main() {
    let src = b"checked-asm copies this with rep movsb";
    let mut dst = [0u8; 38];
    memcpy(&mut dst, src);
    println!("memcpy: {:?}", String::from_utf8_lossy(&dst));

    let mut buf = [0u8; 16];
    memset(&mut buf[4..12], 0xAB);
    println!("memset: {buf:02x?}");

    // A larger copy, checked byte for byte.
    let big: Vec<u8> = (0..1_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut out = vec![0u8; big.len()];
    memcpy(&mut out, &big);
    println!("memcpy of {} bytes identical: {}", big.len(), out == big);
}

#[cfg(not(target_arch = "x86_64"))]
fn main() {
    println!("this example runs on x86_64 only");
}
