//! The syntax-neutral operand model both parsers produce and the matcher consumes.

use super::expr::Value;
use iced_x86::{Register, RoundingControl};
use std::ops::Range;

#[derive(Clone, Debug)]
pub(crate) struct Mem {
    /// Size in bytes from `dword ptr` / an AT&T suffix; `None` when unsized.
    pub size: Option<u32>,
    /// The size came from an AT&T mnemonic suffix (a hint, not a hard constraint for
    /// operands whose size the instruction fixes, e.g. `lgdt`).
    pub size_from_suffix: bool,
    pub seg: Register,
    pub base: Register,
    pub index: Register,
    pub scale: u32,
    pub disp: Value,
    /// `{1toN}`.
    pub broadcast: Option<u32>,
}

#[derive(Clone, Debug)]
pub(crate) enum OperandKind {
    Reg(Register),
    Mem(Mem),
    /// An immediate: Intel number or `offset sym`, AT&T `$expr`.
    Imm(Value),
    /// A bare expression: a branch target for branches, else an absolute memory operand
    /// (Intel `mov eax, sym` and AT&T `mov sym, %eax` both load from `sym`).
    Bare(Value),
    /// `sel:off` (Intel `jmp 0x10:0x1000`) or AT&T `ljmp $sel, $off`.
    Far {
        selector: i64,
        offset: i64,
    },
    /// `{rn-sae}` .. `{rz-sae}`.
    Rounding(RoundingControl),
    /// `{sae}`.
    Sae,
}

#[derive(Clone, Debug)]
pub(crate) struct Operand {
    pub kind: OperandKind,
    pub range: Range<usize>,
    /// `{k1}` written after the operand.
    pub mask: Register,
    /// `{z}`.
    pub zeroing: bool,
    /// AT&T `*` (indirect branch operand).
    pub star: bool,
}

impl Operand {
    pub fn new(kind: OperandKind, range: Range<usize>) -> Self {
        Operand {
            kind,
            range,
            mask: Register::None,
            zeroing: false,
            star: false,
        }
    }
}

/// Memory size keywords of LLVM's Intel parser (`X86AsmParser::IdentifyIntelInlineAsmSize`).
pub(crate) fn ptr_size(word: &str) -> Option<u32> {
    Some(match word {
        "byte" => 1,
        "word" => 2,
        "dword" => 4,
        "fword" => 6,
        "qword" | "mmword" => 8,
        "tbyte" | "tword" => 10,
        "xmmword" | "oword" => 16,
        "ymmword" => 32,
        "zmmword" => 64,
        _ => return None,
    })
}

/// `{rn-sae}` etc. and `{sae}` (AVX-512 static rounding, Intel SDM Vol. 1 §15.6.4).
pub(crate) fn rounding(text: &str) -> Option<OperandKind> {
    Some(match text {
        "rn-sae" => OperandKind::Rounding(RoundingControl::RoundToNearest),
        "rd-sae" => OperandKind::Rounding(RoundingControl::RoundDown),
        "ru-sae" => OperandKind::Rounding(RoundingControl::RoundUp),
        "rz-sae" => OperandKind::Rounding(RoundingControl::RoundTowardZero),
        "sae" => OperandKind::Sae,
        _ => return None,
    })
}

pub(crate) fn is_segment(r: Register) -> bool {
    matches!(
        r,
        Register::ES | Register::CS | Register::SS | Register::DS | Register::FS | Register::GS
    )
}
