//! Hardware random numbers with `rdrand`, retrying while the DRNG reports "no data"
//! (CF = 0), as Intel's DRNG guide recommends (up to 10 tries).
//!
//! Contract choices:
//! - `rdrand` writes its destination and the status flags (CF = success, the others
//!   cleared), so no `preserves_flags`. `setc` copies CF into a byte register.
//! - `nomem`: `rdrand` reads an internal generator, not memory. Not `pure`: two calls
//!   must return different values, so the compiler must neither merge nor hoist them
//!   (reading machine state that is not an input makes a block impure).
//! - `nostack`: nothing is pushed.
//! - `rdrand64_retry` has no inputs at all, so a late output has nothing to share a
//!   register with: every output, including the counter scratch `tries`, is `lateout`.
//!   The loop exits either through `jc` (CF = 1) or when `dec` reaches 0; `dec` leaves CF
//!   alone, so at `3:` CF is still the last `rdrand`'s verdict and `setc` reads it.
//! - `rdrand64_once` is the single-attempt block (the retry loop is then in Rust).

#[cfg(target_arch = "x86_64")]
mod imp {
    use checked_asm::checked_asm;

    /// One `rdrand` attempt: `Some(value)` if the CPU delivered one.
    ///
    /// # Safety
    /// The CPU must support RDRAND.
    pub unsafe fn rdrand64_once() -> Option<u64> {
        let (v, ok): (u64, u8);
        // SAFETY: the caller checked RDRAND.
        unsafe {
            checked_asm!(
                "rdrand {v}",
                "setc {ok}",
                v = lateout(reg) v,
                ok = lateout(reg_byte) ok,
                options(nomem, nostack),
            )
        };
        (ok == 1).then_some(v)
    }

    /// Up to 10 attempts in Rust around [`rdrand64_once`].
    ///
    /// # Safety
    /// The CPU must support RDRAND.
    pub unsafe fn rdrand64_rust_retry() -> Option<u64> {
        (0..10).find_map(|_| unsafe { rdrand64_once() })
    }

    /// Up to 10 attempts in one asm block; returns `(value, success, attempts used)`.
    ///
    /// # Safety
    /// The CPU must support RDRAND.
    pub unsafe fn rdrand64_retry() -> Option<(u64, u32)> {
        let (v, ok, left): (u64, u8, u32);
        // SAFETY: the caller checked RDRAND.
        unsafe {
            checked_asm!(
                "mov {tries:e}, 10",
                "2:",
                "rdrand {v}",
                "jc 3f",
                "dec {tries:e}",
                "jnz 2b",
                "3:",
                "setc {ok}",
                v = lateout(reg) v,
                ok = lateout(reg_byte) ok,
                tries = lateout(reg) left,
                options(nomem, nostack),
            )
        };
        (ok == 1).then_some((v, 11 - left))
    }
}

#[cfg(target_arch = "x86_64")]
pub use imp::*;

#[cfg(target_arch = "x86_64")]
fn main() {
    if !is_x86_feature_detected!("rdrand") {
        println!("this CPU has no RDRAND; nothing to show");
        return;
    }
    for _ in 0..4 {
        // SAFETY: RDRAND checked above.
        match unsafe { rdrand64_retry() } {
            Some((v, n)) => println!("rdrand (asm retry loop): {v:#018x} after {n} attempt(s)"),
            None => println!("rdrand (asm retry loop): no value after 10 attempts"),
        }
    }
    for _ in 0..2 {
        // SAFETY: RDRAND checked above.
        match unsafe { rdrand64_rust_retry() } {
            Some(v) => println!("rdrand (Rust retry loop): {v:#018x}"),
            None => println!("rdrand (Rust retry loop): no value after 10 attempts"),
        }
    }
    // SAFETY: RDRAND checked above.
    let vals: Vec<u64> = (0..1000)
        .filter_map(|_| unsafe { rdrand64_retry() }.map(|(v, _)| v))
        .collect();
    let mut distinct = vals.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let ones: u32 = vals.iter().map(|v| v.count_ones()).sum();
    println!(
        "1000 calls: {} succeeded, {} distinct, {:.4} of the bits set (expect ~0.5)",
        vals.len(),
        distinct.len(),
        f64::from(ones) / (vals.len() as f64 * 64.0)
    );
}

#[cfg(not(target_arch = "x86_64"))]
fn main() {
    println!("this example runs on x86_64 only");
}
