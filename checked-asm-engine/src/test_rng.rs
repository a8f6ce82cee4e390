//! The pseudo-random numbers of the randomised unit tests: xorshift64, seeded, so that a
//! failure repeats.

/// Marsaglia's xorshift64 from `seed` (not zero).
pub(crate) fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
    assert_ne!(seed, 0, "xorshift stays at zero");
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}
