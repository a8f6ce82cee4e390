//! Register accesses.

use super::types::Mode;
use iced_x86::{OpAccess, Register};

/// How an instruction uses a register, iced's `OpAccess` refined by write extent.
///
/// A *full* write defines every bit of the register's [`container`]: writing `eax` in
/// 64-bit mode zero-extends into `rax` (SDM Vol. 1 §3.4.1.1), a VEX/EVEX write of `xmm0`
/// zeroes the upper bits of `zmm0` (SDM Vol. 1 §14.1.3). A *partial* write defines only the
/// named bits and preserves the rest: `ax`, `al`, `ah`, a legacy-SSE write of `xmm0`, a
/// 16-bit write in any mode.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    Read,
    /// May or may not be read (`cpuid` ecx, `rep movsb` rsi when rcx = 0…).
    CondRead,
    /// Writes the whole container.
    Write,
    /// Writes the named bits; the rest of the container is preserved.
    PartialWrite,
    /// May be written (cmovcc, masked stores, `cmpxchg` eax…); if written, as `Write`
    /// when the register is its container, else as `PartialWrite`.
    CondWrite,
    /// Reads, then writes the whole container.
    ReadWrite,
    /// Reads, then writes the named bits only.
    ReadPartialWrite,
    /// Reads, then may write.
    ReadCondWrite,
    /// May read, then writes the whole container (a kernel's argument register that it
    /// also clobbers).
    CondReadWrite,
    /// May read, then may write (`rep movsb` rsi/rdi: untouched when rcx = 0).
    CondReadCondWrite,
}

impl Access {
    pub fn may_read(self) -> bool {
        matches!(
            self,
            Access::Read
                | Access::CondRead
                | Access::ReadWrite
                | Access::ReadPartialWrite
                | Access::ReadCondWrite
                | Access::CondReadWrite
                | Access::CondReadCondWrite
        )
    }

    /// Reads on every execution.
    pub fn always_reads(self) -> bool {
        matches!(
            self,
            Access::Read | Access::ReadWrite | Access::ReadPartialWrite | Access::ReadCondWrite
        )
    }

    pub fn may_write(self) -> bool {
        matches!(
            self,
            Access::Write
                | Access::PartialWrite
                | Access::CondWrite
                | Access::ReadWrite
                | Access::ReadPartialWrite
                | Access::ReadCondWrite
                | Access::CondReadWrite
                | Access::CondReadCondWrite
        )
    }

    /// Writes on every execution (some bits at least).
    pub fn always_writes(self) -> bool {
        matches!(
            self,
            Access::Write
                | Access::PartialWrite
                | Access::ReadWrite
                | Access::ReadPartialWrite
                | Access::CondReadWrite
        )
    }

    /// Writes on every execution and defines the whole container.
    pub fn defines_container(self) -> bool {
        matches!(
            self,
            Access::Write | Access::ReadWrite | Access::CondReadWrite
        )
    }

    /// Combines two accesses to the same register (iced sometimes lists a register twice,
    /// e.g. `rep movsb` rdi `CondRead` then `CondWrite`). Never loses a possible read or
    /// write; a conditional read merged with a partial write is over-approximated as an
    /// unconditional read.
    pub fn merge(self, other: Access) -> Access {
        #[derive(PartialEq, PartialOrd)]
        enum Level {
            No,
            Maybe,
            Always,
        }
        let level = |may: bool, always: bool| {
            if always {
                Level::Always
            } else if may {
                Level::Maybe
            } else {
                Level::No
            }
        };
        let read = level(
            self.may_read() || other.may_read(),
            self.always_reads() || other.always_reads(),
        );
        let write = level(
            self.may_write() || other.may_write(),
            self.always_writes() || other.always_writes(),
        );
        let full = self.defines_container() || other.defines_container();
        match (read, write) {
            (Level::Maybe, Level::No) => Access::CondRead,
            (_, Level::No) => Access::Read,
            (Level::No, Level::Always) if full => Access::Write,
            (Level::No, Level::Always) => Access::PartialWrite,
            (Level::No, Level::Maybe) => Access::CondWrite,
            (Level::Always, Level::Always) if full => Access::ReadWrite,
            (Level::Maybe, Level::Always) if full => Access::CondReadWrite,
            (_, Level::Always) => Access::ReadPartialWrite,
            (Level::Always, Level::Maybe) => Access::ReadCondWrite,
            (Level::Maybe, Level::Maybe) => Access::CondReadCondWrite,
        }
    }
}

/// One register access.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct RegAccess {
    /// As iced names it: `EAX` for a read of eax, `RAX` for a 64-bit-mode write of eax,
    /// `ZMM0` for a VEX write of xmm0, `XMM0` for a legacy-SSE write.
    pub reg: Register,
    pub access: Access,
}

impl RegAccess {
    pub const fn new(reg: Register, access: Access) -> Self {
        Self { reg, access }
    }

    /// From iced's `OpAccess`, deciding full vs partial writes by the container.
    /// `None` for `OpAccess::None`/`NoMemAccess`.
    pub fn from_iced(reg: Register, access: OpAccess, mode: Mode) -> Option<Self> {
        if reg == Register::None {
            return None;
        }
        let full = container(reg, mode) == reg;
        let access = match access {
            OpAccess::None | OpAccess::NoMemAccess => return None,
            OpAccess::Read => Access::Read,
            OpAccess::CondRead => Access::CondRead,
            OpAccess::Write if full => Access::Write,
            OpAccess::Write => Access::PartialWrite,
            OpAccess::CondWrite => Access::CondWrite,
            OpAccess::ReadWrite if full => Access::ReadWrite,
            OpAccess::ReadWrite => Access::ReadPartialWrite,
            OpAccess::ReadCondWrite => Access::ReadCondWrite,
        };
        Some(Self { reg, access })
    }
}

/// The register that holds `reg`'s bits and whose value a write to `reg` may change:
/// `rax` for `al`/`ah`/`ax`/`eax` in 64-bit mode (`eax` outside it), `zmm0` for
/// `xmm0`/`ymm0`, the register itself otherwise (mm, st, k, tmm, segment, CR, DR…).
pub fn container(reg: Register, mode: Mode) -> Register {
    if reg.is_gpr() {
        match mode {
            Mode::Bits64 => reg.full_register(),
            Mode::Bits16 | Mode::Bits32 => reg.full_register32(),
        }
    } else if reg.is_vector_register() {
        reg.full_register()
    } else {
        reg
    }
}
