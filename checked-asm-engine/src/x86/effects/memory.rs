//! Memory effects and their classes (contract-rules.md §2 "Memory classes").

use iced_x86::{MemorySize, Register};

/// Memory classes of contract-rules.md §2.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MemClass {
    /// Memory accesses: explicit and implicit operands, cache-line flushes, descriptor-table
    /// reads, `ltr`'s busy-bit write. Violates `nomem`; writes violate `readonly`.
    M1,
    /// Inter-thread ordering: `mfence`, `sfence`, `lock`, `xchg` with memory.
    M2,
    /// Changes what memory means or who may access it (translation, caches, FS/GS base,
    /// MSRs, PKRU, SMAP).
    M3,
    /// Compiler-barrier intent: `cli`, `sti`, `popf`, `mov cr8`, `lfence`, port I/O.
    M4,
    /// Opaque transfers (calls, kernel transfers): the memory effect is the user's claim.
    M5,
}

/// How memory is accessed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum MemAccess {
    /// No data access: an ordering or meaning effect (M2–M5 without an operand).
    None,
    Read,
    CondRead,
    Write,
    CondWrite,
    ReadWrite,
    ReadCondWrite,
}

impl MemAccess {
    pub fn may_read(self) -> bool {
        matches!(
            self,
            MemAccess::Read | MemAccess::CondRead | MemAccess::ReadWrite | MemAccess::ReadCondWrite
        )
    }

    pub fn may_write(self) -> bool {
        matches!(
            self,
            MemAccess::Write
                | MemAccess::CondWrite
                | MemAccess::ReadWrite
                | MemAccess::ReadCondWrite
        )
    }
}

/// An address as iced reports it (`UsedMemory`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Address {
    /// Effective segment, `Register::None` where ignored (64-bit mode ES/DS/SS/CS).
    pub segment: Register,
    pub base: Register,
    pub index: Register,
    pub scale: u32,
    pub displacement: i64,
    pub size: MemorySize,
    /// `true` for VSIB (gather/scatter): `index` is a vector register.
    pub vsib: bool,
}

/// Where a memory effect happens.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Location {
    /// The instruction's explicit memory operand.
    Operand(Address),
    /// An implicit operand: string instructions (`[rdi]`, `[rsi]`), `xlat`, `maskmovq`,
    /// `monitor`, `enqcmd`, …
    Implicit(Address),
    /// A GDT/LDT/IDT entry or the TSS (descriptor loads of `lgdt`, `ltr`, far transfers,
    /// `iret`, segment loads; the busy-bit write of `ltr`).
    DescriptorTable,
    /// Memory the instruction touches at an address iced does not report (e.g. a
    /// privileged instruction's control structures, an enclave page).
    Unspecified,
    /// No location: an ordering/meaning effect or an opaque transfer.
    Nowhere,
}

/// One memory effect.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct MemEffect {
    pub class: MemClass,
    pub access: MemAccess,
    pub location: Location,
    /// Why, in words a diagnostic can quote.
    pub why: &'static str,
}
