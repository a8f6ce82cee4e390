//! The facts of iced-x86's `OpCodeInfo` that the assembler and the effect model use, read
//! from the table `build.rs` writes. `Code::op_code()` itself builds iced's whole table,
//! with two formatted strings per code, on its first call: about 15 ms in every compiler
//! process when the macro is built without optimisation (see `build.rs`).

use iced_x86::{Code, EncodingKind, MemorySize, OpCodeOperandKind};
use std::sync::OnceLock;

/// 16 bytes per `Code`, in `Code` order; the layout is described in `build.rs`.
const RECORDS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/op_codes.bin"));
const RECORD: usize = 16;

/// Each record decoded on its code's first use: a block touches a few dozen codes, and
/// decoding all 4,936 up front cost some 5 million instructions in an unoptimised macro.
static DECODED: [OnceLock<OpCode>; RECORDS.len() / RECORD] =
    [const { OnceLock::new() }; RECORDS.len() / RECORD];

/// What iced's `OpCodeInfo` says of one `Code`, for the methods of the same names.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OpCode {
    flags: u8,
    modes: u8,
    encoding: EncodingKind,
    operand_size: u8,
    address_size: u8,
    op_count: u8,
    kinds: [OpCodeOperandKind; 5],
    memory_size: MemorySize,
    broadcast_memory_size: MemorySize,
}

/// `code.op_info()`: iced's `code.op_code()` without its set-up cost.
pub(crate) trait OpCodeTable {
    fn op_info(self) -> &'static OpCode;
}

impl OpCodeTable for Code {
    fn op_info(self) -> &'static OpCode {
        // Never out of range: build.rs wrote one record per `Code` of the same iced-x86.
        static NONE: OpCode = OpCode {
            flags: 0,
            modes: 0,
            encoding: EncodingKind::Legacy,
            operand_size: 0,
            address_size: 0,
            op_count: 0,
            kinds: [OpCodeOperandKind::None; 5],
            memory_size: MemorySize::Unknown,
            broadcast_memory_size: MemorySize::Unknown,
        };
        let i = self as usize;
        match (DECODED.get(i), RECORDS.get(i * RECORD..(i + 1) * RECORD)) {
            (Some(slot), Some(record)) => slot.get_or_init(|| decode(record)),
            _ => &NONE,
        }
    }
}

fn decode(r: &[u8]) -> OpCode {
    let kind = |b: u8| OpCodeOperandKind::try_from(b as usize).unwrap_or(OpCodeOperandKind::None);
    let size = |b: u8| MemorySize::try_from(b as usize).unwrap_or(MemorySize::Unknown);
    OpCode {
        flags: r[0],
        modes: r[1],
        encoding: EncodingKind::try_from(r[2] as usize).unwrap_or(EncodingKind::Legacy),
        operand_size: r[3],
        address_size: r[4],
        op_count: r[5].min(5),
        kinds: [kind(r[6]), kind(r[7]), kind(r[8]), kind(r[9]), kind(r[10])],
        memory_size: size(r[11]),
        broadcast_memory_size: size(r[12]),
    }
}

impl OpCode {
    fn flag(&self, bit: u8) -> bool {
        self.flags & (1 << bit) != 0
    }
    /// Only the test reads it: `build.rs` leaves the codes that are not instructions out
    /// of the assembler's index.
    #[cfg(test)]
    pub(crate) fn is_instruction(&self) -> bool {
        self.flag(0)
    }
    pub(crate) fn fwait(&self) -> bool {
        self.flag(1)
    }
    pub(crate) fn can_broadcast(&self) -> bool {
        self.flag(2)
    }
    pub(crate) fn can_use_rounding_control(&self) -> bool {
        self.flag(3)
    }
    pub(crate) fn can_suppress_all_exceptions(&self) -> bool {
        self.flag(4)
    }
    pub(crate) fn can_use_op_mask_register(&self) -> bool {
        self.flag(5)
    }
    pub(crate) fn can_use_zeroing_masking(&self) -> bool {
        self.flag(6)
    }
    pub(crate) fn require_op_mask_register(&self) -> bool {
        self.flag(7)
    }
    pub(crate) fn is_available_in_mode(&self, bitness: u32) -> bool {
        match bitness {
            16 => self.modes & 1 != 0,
            32 => self.modes & 2 != 0,
            64 => self.modes & 4 != 0,
            _ => false,
        }
    }
    /// iced decodes the code only with a non-default `DecoderOptions` (Cyrix, KNC,
    /// old MPX, UMOV...): `decoder_option() != 0`.
    pub(crate) fn needs_decoder_option(&self) -> bool {
        self.modes & 8 != 0
    }
    pub(crate) fn encoding(&self) -> EncodingKind {
        self.encoding
    }
    pub(crate) fn operand_size(&self) -> u32 {
        self.operand_size as u32
    }
    pub(crate) fn address_size(&self) -> u32 {
        self.address_size as u32
    }
    pub(crate) fn op_count(&self) -> u32 {
        self.op_count as u32
    }
    pub(crate) fn op_kinds(&self) -> &[OpCodeOperandKind] {
        &self.kinds[..self.op_count as usize]
    }
    pub(crate) fn memory_size(&self) -> MemorySize {
        self.memory_size
    }
    pub(crate) fn broadcast_memory_size(&self) -> MemorySize {
        self.broadcast_memory_size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every fact agrees with iced's own `OpCodeInfo`, for every `Code`: a table written
    /// by another iced-x86 than the one linked, or a field read from the wrong byte,
    /// fails here.
    #[test]
    fn every_code_agrees_with_iced() {
        assert_eq!(RECORDS.len(), RECORD * Code::values().len());
        for code in Code::values() {
            let (ours, iced) = (code.op_info(), code.op_code());
            let r = &RECORDS[code as usize * RECORD..][..RECORD];
            assert_eq!(
                u16::from_le_bytes([r[13], r[14]]),
                code.mnemonic() as u16,
                "{code:?}"
            );
            assert_eq!(ours.is_instruction(), iced.is_instruction(), "{code:?}");
            assert_eq!(ours.fwait(), iced.fwait(), "{code:?}");
            assert_eq!(ours.can_broadcast(), iced.can_broadcast(), "{code:?}");
            assert_eq!(
                ours.can_use_rounding_control(),
                iced.can_use_rounding_control(),
                "{code:?}"
            );
            assert_eq!(
                ours.can_suppress_all_exceptions(),
                iced.can_suppress_all_exceptions(),
                "{code:?}"
            );
            assert_eq!(
                ours.can_use_op_mask_register(),
                iced.can_use_op_mask_register(),
                "{code:?}"
            );
            assert_eq!(
                ours.can_use_zeroing_masking(),
                iced.can_use_zeroing_masking(),
                "{code:?}"
            );
            assert_eq!(
                ours.require_op_mask_register(),
                iced.require_op_mask_register(),
                "{code:?}"
            );
            for bits in [16, 32, 64, 8] {
                assert_eq!(
                    ours.is_available_in_mode(bits),
                    iced.is_available_in_mode(bits),
                    "{code:?} in {bits}-bit mode"
                );
            }
            assert_eq!(
                ours.needs_decoder_option(),
                iced.decoder_option() != 0,
                "{code:?}"
            );
            assert_eq!(ours.encoding(), iced.encoding(), "{code:?}");
            assert_eq!(ours.operand_size(), iced.operand_size(), "{code:?}");
            assert_eq!(ours.address_size(), iced.address_size(), "{code:?}");
            assert_eq!(ours.op_count(), iced.op_count(), "{code:?}");
            assert_eq!(ours.op_kinds(), iced.op_kinds(), "{code:?}");
            assert_eq!(ours.memory_size(), iced.memory_size(), "{code:?}");
            assert_eq!(
                ours.broadcast_memory_size(),
                iced.broadcast_memory_size(),
                "{code:?}"
            );
        }
    }
}
