//! Which CPUID leaves read a subleaf from ecx (R03: `cpuid` with a constant leaf).
//!
//! The instruction-level model says `cpuid` *may* read ecx (iced: `CondRead`); the
//! analysis, when it knows the constant in eax, asks [`leaf_reads_ecx`]. Sources: Intel SDM
//! Vol. 2A CPUID, Table 3-8 ("Information Returned by CPUID Instruction": leaves 04H, 07H,
//! 0BH, 0DH, 0FH, 10H, 12H, 14H, 17H, 18H, 1BH, 1DH, 1EH, 1FH, 20H, 23H, 24H take a subleaf
//! in ECX); AMD APM Vol. 3 Appendix E (8000_001Dh, 8000_0020h, 8000_0026h take a subleaf).

/// Leaves whose output depends on the subleaf in ecx.
pub static SUBLEAF_LEAVES: &[u32] = &[
    0x4,
    0x7,
    0xB,
    0xD,
    0xF,
    0x10,
    0x12,
    0x14,
    0x17,
    0x18,
    0x1B,
    0x1D,
    0x1E,
    0x1F,
    0x20,
    0x23,
    0x24,
    0x8000_001D,
    0x8000_0020,
    0x8000_0026,
];

/// Leaves documented without a subleaf (ecx ignored).
pub static PLAIN_LEAVES: &[u32] = &[
    0x0,
    0x1,
    0x2,
    0x3,
    0x5,
    0x6,
    0x9,
    0xA,
    0x15,
    0x16,
    0x19,
    0x1A,
    0x1C,
    0x21,
    0x8000_0000,
    0x8000_0001,
    0x8000_0002,
    0x8000_0003,
    0x8000_0004,
    0x8000_0005,
    0x8000_0006,
    0x8000_0007,
    0x8000_0008,
];

/// `Some(true)`: `cpuid` with this leaf reads ecx; `Some(false)`: it ignores ecx; `None`:
/// unknown (treat as a conditional read).
pub fn leaf_reads_ecx(leaf: u32) -> Option<bool> {
    if SUBLEAF_LEAVES.contains(&leaf) {
        Some(true)
    } else if PLAIN_LEAVES.contains(&leaf) {
        Some(false)
    } else {
        None
    }
}
