//! AES-NI: one AES round with `aesenc xmm, xmm`, checked against
//! `std::arch::x86_64::_mm_aesenc_si128`; then a whole AES-128 encryption (key schedule
//! with `aeskeygenassist`, 9 × `aesenc` + `aesenclast` with memory operands) checked
//! against the FIPS-197 Appendix C.1 test vector.
//!
//! Contract choices:
//! - `aes_round`: `state` is read and written (`inout(xmm_reg)`), the round key only read
//!   (`in(xmm_reg)`). AES instructions neither touch memory nor change any flag or MXCSR
//!   (integer SIMD), and the result is a function of the inputs: `pure, nomem, nostack,
//!   preserves_flags`.
//! - `key_step!`: the round constant must be an immediate, so it is a `const` operand.
//!   The scratch registers `t` and `u` are written before `k` is read for the last time,
//!   so they are early `out(xmm_reg) _`: as `lateout` they could share `k`'s register.
//!   `pshufd`, `pslldq`, `pxor` are integer SIMD: flags and MXCSR untouched.
//! - `aes128_encrypt`: the round keys are read from memory (`readonly`, not `nomem`);
//!   the result depends only on the inputs and that memory: `pure`. Legacy-SSE memory
//!   operands must be 16-byte aligned, hence `#[repr(align(16))]`.

#[cfg(target_arch = "x86_64")]
mod imp {
    use checked_asm::checked_asm;
    use std::arch::x86_64::__m128i;

    pub fn to_m128(b: [u8; 16]) -> __m128i {
        // SAFETY: same size, any bit pattern is valid.
        unsafe { std::mem::transmute(b) }
    }

    pub fn from_m128(v: __m128i) -> [u8; 16] {
        // SAFETY: same size, any bit pattern is valid.
        unsafe { std::mem::transmute(v) }
    }

    /// One AES encryption round: ShiftRows, SubBytes, MixColumns, AddRoundKey.
    ///
    /// # Safety
    /// The CPU must support AES-NI.
    pub unsafe fn aes_round(state: __m128i, round_key: __m128i) -> __m128i {
        let mut s = state;
        // SAFETY: the caller checked AES-NI.
        unsafe {
            checked_asm!(
                "aesenc {s}, {k}",
                s = inout(xmm_reg) s,
                k = in(xmm_reg) round_key,
                options(pure, nomem, nostack, preserves_flags),
            )
        };
        s
    }

    /// AES-128 round keys, aligned for legacy-SSE memory operands.
    #[repr(C, align(16))]
    pub struct RoundKeys(pub [[u8; 16]; 11]);

    macro_rules! key_step {
        ($k:ident, $rcon:literal) => {
            // SAFETY: the caller checked AES-NI.
            unsafe {
                checked_asm!(
                    "aeskeygenassist {t}, {k}, {rcon}",
                    "pshufd {t}, {t}, 0xff",
                    "movdqa {u}, {k}",
                    "pslldq {u}, 4",
                    "pxor {k}, {u}",
                    "pslldq {u}, 4",
                    "pxor {k}, {u}",
                    "pslldq {u}, 4",
                    "pxor {k}, {u}",
                    "pxor {k}, {t}",
                    k = inout(xmm_reg) $k,
                    t = out(xmm_reg) _,
                    u = out(xmm_reg) _,
                    rcon = const $rcon,
                    options(pure, nomem, nostack, preserves_flags),
                )
            }
        };
    }

    /// AES-128 key expansion (FIPS-197 §5.2) with `aeskeygenassist`.
    ///
    /// # Safety
    /// The CPU must support AES-NI.
    pub unsafe fn expand_key(key: [u8; 16]) -> RoundKeys {
        let mut k = to_m128(key);
        let mut out = RoundKeys([[0; 16]; 11]);
        out.0[0] = key;
        macro_rules! step {
            ($i:literal, $rcon:literal) => {
                key_step!(k, $rcon);
                out.0[$i] = from_m128(k);
            };
        }
        step!(1, 0x01);
        step!(2, 0x02);
        step!(3, 0x04);
        step!(4, 0x08);
        step!(5, 0x10);
        step!(6, 0x20);
        step!(7, 0x40);
        step!(8, 0x80);
        step!(9, 0x1b);
        step!(10, 0x36);
        out
    }

    /// Encrypts one block with AES-128.
    ///
    /// # Safety
    /// The CPU must support AES-NI.
    pub unsafe fn aes128_encrypt(keys: &RoundKeys, block: [u8; 16]) -> [u8; 16] {
        let mut s = to_m128(block);
        // SAFETY: the caller checked AES-NI; `keys` is 176 readable, 16-aligned bytes.
        unsafe {
            checked_asm!(
                "pxor {s}, xmmword ptr [{rk}]",
                "aesenc {s}, xmmword ptr [{rk} + 16]",
                "aesenc {s}, xmmword ptr [{rk} + 32]",
                "aesenc {s}, xmmword ptr [{rk} + 48]",
                "aesenc {s}, xmmword ptr [{rk} + 64]",
                "aesenc {s}, xmmword ptr [{rk} + 80]",
                "aesenc {s}, xmmword ptr [{rk} + 96]",
                "aesenc {s}, xmmword ptr [{rk} + 112]",
                "aesenc {s}, xmmword ptr [{rk} + 128]",
                "aesenc {s}, xmmword ptr [{rk} + 144]",
                "aesenclast {s}, xmmword ptr [{rk} + 160]",
                s = inout(xmm_reg) s,
                rk = in(reg) keys.0.as_ptr(),
                options(pure, readonly, nostack, preserves_flags),
            )
        };
        from_m128(s)
    }

    pub const FIPS197_KEY: [u8; 16] =
        *b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f";
    pub const FIPS197_PLAIN: [u8; 16] =
        *b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff";
    pub const FIPS197_CIPHER: [u8; 16] =
        *b"\x69\xc4\xe0\xd8\x6a\x7b\x04\x30\xd8\xcd\xb7\x80\x70\xb4\xc5\x5a";

    /// Deterministic pseudo-random 16-byte blocks (xorshift) for the round comparison.
    pub fn blocks(n: usize) -> Vec<[u8; 16]> {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        (0..n)
            .map(|_| {
                let mut b = [0u8; 16];
                for chunk in b.chunks_mut(8) {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    chunk.copy_from_slice(&x.to_le_bytes());
                }
                b
            })
            .collect()
    }
}

#[cfg(target_arch = "x86_64")]
pub use imp::*;

#[cfg(target_arch = "x86_64")]
fn main() {
    use std::arch::x86_64::_mm_aesenc_si128;
    if !is_x86_feature_detected!("aes") {
        println!("this CPU has no AES-NI; nothing to show");
        return;
    }
    let hex = |b: [u8; 16]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let bs = blocks(1000);
    let mut agree = 0;
    for pair in bs.chunks(2) {
        let (s, k) = (to_m128(pair[0]), to_m128(pair[1]));
        // SAFETY: AES-NI checked above.
        let (ours, std) = unsafe { (aes_round(s, k), _mm_aesenc_si128(s, k)) };
        agree += usize::from(from_m128(ours) == from_m128(std));
    }
    // SAFETY: AES-NI checked above.
    let one = unsafe { aes_round(to_m128(FIPS197_PLAIN), to_m128(FIPS197_KEY)) };
    println!(
        "aesenc(state {}, key {}) = {}",
        hex(FIPS197_PLAIN),
        hex(FIPS197_KEY),
        hex(from_m128(one))
    );
    println!(
        "aesenc agrees with _mm_aesenc_si128 on {agree} of {} random pairs",
        bs.len() / 2
    );
    // SAFETY: AES-NI checked above.
    let c = unsafe { aes128_encrypt(&expand_key(FIPS197_KEY), FIPS197_PLAIN) };
    println!(
        "AES-128(key {}, {}) = {}",
        hex(FIPS197_KEY),
        hex(FIPS197_PLAIN),
        hex(c)
    );
    println!(
        "FIPS-197 C.1 expects               {}: {}",
        hex(FIPS197_CIPHER),
        c == FIPS197_CIPHER
    );
}

#[cfg(not(target_arch = "x86_64"))]
fn main() {
    println!("this example runs on x86_64 only");
}
