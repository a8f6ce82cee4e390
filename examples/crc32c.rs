//! CRC32C (Castagnoli, the iSCSI/ext4/Btrfs checksum) with the SSE4.2 `crc32`
//! instruction, 8 bytes per step then 1 byte per step, checked against a table-driven
//! software implementation.
//!
//! Contract choices:
//! - `crc32c_u64_step`/`crc32c_u8_step` work on registers only: `nomem`. `crc32` changes
//!   no flags (SDM: "Flags Affected: None"): `preserves_flags`. The result depends only on
//!   the inputs and the block has no side effect: `pure`, so the compiler may merge or
//!   drop calls like any arithmetic. `crc` is read and written by `crc32`, so it is
//!   `inout`; `lateout` would be wrong for a register that is also read.
//! - `crc32c_hw` loops over a buffer inside one block: it reads memory (`readonly`, not
//!   `nomem`) and writes none. The loop's exit depends only on the inputs (the lengths),
//!   so `pure` is still honest: same pointer, lengths and memory contents give the same
//!   result. The pointer and counters are advanced in place: `inout(reg) … => _`.
//!   `add`/`dec`/`test` change the status flags, so no `preserves_flags`.
//! - `nostack` throughout.

#[cfg(target_arch = "x86_64")]
mod imp {
    use checked_asm::checked_asm;

    /// One 8-byte step.
    ///
    /// # Safety
    /// The CPU must support SSE4.2.
    pub unsafe fn crc32c_u64_step(crc: u32, data: u64) -> u32 {
        let mut c = u64::from(crc);
        // SAFETY: the caller checked SSE4.2.
        unsafe {
            checked_asm!(
                "crc32 {c}, {d}",
                c = inout(reg) c,
                d = in(reg) data,
                options(pure, nomem, nostack, preserves_flags),
            )
        };
        c as u32
    }

    /// One 1-byte step.
    ///
    /// # Safety
    /// The CPU must support SSE4.2.
    pub unsafe fn crc32c_u8_step(crc: u32, data: u8) -> u32 {
        let mut c = crc;
        // SAFETY: the caller checked SSE4.2.
        unsafe {
            checked_asm!(
                "crc32 {c:e}, {d}",
                c = inout(reg) c,
                d = in(reg_byte) data,
                options(pure, nomem, nostack, preserves_flags),
            )
        };
        c
    }

    /// CRC32C of `buf` with the loop in assembly: qwords first, then the tail bytes.
    ///
    /// # Safety
    /// The CPU must support SSE4.2.
    pub unsafe fn crc32c_hw(buf: &[u8]) -> u32 {
        let mut crc: u64 = 0xffff_ffff;
        // SAFETY: the caller checked SSE4.2; the block reads exactly `buf.len()` bytes
        // from `buf` (unaligned qword loads are fine on x86).
        unsafe {
            checked_asm!(
                "test {n8}, {n8}",
                "jz 2f",
                "3:",
                "crc32 {crc}, qword ptr [{p}]",
                "add {p}, 8",
                "dec {n8}",
                "jnz 3b",
                "2:",
                "test {n1}, {n1}",
                "jz 5f",
                "4:",
                "crc32 {crc:e}, byte ptr [{p}]",
                "inc {p}",
                "dec {n1}",
                "jnz 4b",
                "5:",
                crc = inout(reg) crc,
                p = inout(reg) buf.as_ptr() => _,
                n8 = inout(reg) buf.len() / 8 => _,
                n1 = inout(reg) buf.len() % 8 => _,
                options(pure, readonly, nostack),
            )
        };
        !(crc as u32)
    }

    /// CRC32C using the single-step functions from Rust.
    ///
    /// # Safety
    /// The CPU must support SSE4.2.
    pub unsafe fn crc32c_steps(buf: &[u8]) -> u32 {
        let mut crc = !0u32;
        let mut chunks = buf.chunks_exact(8);
        for c in &mut chunks {
            crc = unsafe { crc32c_u64_step(crc, u64::from_le_bytes(c.try_into().unwrap())) };
        }
        for &b in chunks.remainder() {
            crc = unsafe { crc32c_u8_step(crc, b) };
        }
        !crc
    }

    /// Table-driven software CRC32C (reflected polynomial 0x82F63B78).
    pub fn crc32c_sw(buf: &[u8]) -> u32 {
        const TABLE: [u32; 256] = {
            let mut t = [0u32; 256];
            let mut i = 0;
            while i < 256 {
                let mut c = i as u32;
                let mut k = 0;
                while k < 8 {
                    c = if c & 1 != 0 {
                        c >> 1 ^ 0x82F6_3B78
                    } else {
                        c >> 1
                    };
                    k += 1;
                }
                t[i] = c;
                i += 1;
            }
            t
        };
        !buf.iter().fold(!0u32, |c, &b| {
            TABLE[((c ^ u32::from(b)) & 0xff) as usize] ^ c >> 8
        })
    }

    /// Known answers: "123456789" from the CRC catalogue, the rest from RFC 3720 B.4.
    pub fn test_vectors() -> Vec<(String, Vec<u8>, u32)> {
        vec![
            ("\"\"".into(), vec![], 0),
            ("\"123456789\"".into(), b"123456789".to_vec(), 0xE306_9283),
            ("32 x 0x00".into(), vec![0; 32], 0x8A91_36AA),
            ("32 x 0xff".into(), vec![0xff; 32], 0x62A8_AB43),
            ("0, 1, ..., 31".into(), (0..32).collect(), 0x46DD_794E),
            (
                "31, 30, ..., 0".into(),
                (0..32).rev().collect(),
                0x113F_DB5C,
            ),
        ]
    }
}

#[cfg(target_arch = "x86_64")]
pub use imp::*;

#[cfg(target_arch = "x86_64")]
fn main() {
    if !is_x86_feature_detected!("sse4.2") {
        println!("this CPU has no SSE4.2 (crc32 instruction); nothing to show");
        return;
    }
    for (name, data, want) in test_vectors() {
        // SAFETY: SSE4.2 checked above.
        let (hw, steps) = unsafe { (crc32c_hw(&data), crc32c_steps(&data)) };
        let sw = crc32c_sw(&data);
        println!(
            "crc32c({name}) = {hw:#010x} (steps {steps:#010x}, table {sw:#010x}, expected {want:#010x}) {}",
            if hw == want && steps == want && sw == want {
                "ok"
            } else {
                "MISMATCH"
            }
        );
    }
    let big: Vec<u8> = (0..100_003u32).map(|i| (i * 31 + i / 7) as u8).collect();
    // SAFETY: SSE4.2 checked above.
    let hw = unsafe { crc32c_hw(&big) };
    println!(
        "crc32c of {} bytes: {hw:#010x}, table {:#010x}",
        big.len(),
        crc32c_sw(&big)
    );
}

#[cfg(not(target_arch = "x86_64"))]
fn main() {
    println!("this example runs on x86_64 only");
}
