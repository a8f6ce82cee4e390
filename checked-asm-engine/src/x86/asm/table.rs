//! Instruction knowledge as data: iced-x86's `Code`/`OpCodeInfo` tables, indexed once by
//! mnemonic, and the register names LLVM accepts. Built on first use behind a `OnceLock`.

use super::op_code::OpCodeTable;
use crate::hash::FastMap as HashMap;
use iced_x86::{Code, EncodingKind, Mnemonic, Register};
use std::sync::OnceLock;

pub(crate) struct Tables {
    /// Per mnemonic (lower case, LLVM spelling): its codes in iced's order and, parallel
    /// to them, how many operands each code can be written with (implicit
    /// string/x87/accumulator operands may be left out, a trailing xmm0 or the implicit
    /// SVM registers may be written).
    by_mnemonic: HashMap<String, (Vec<Code>, Vec<Shape>)>,
    registers: HashMap<String, Register>,
}

pub(crate) fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(Tables::build)
}

/// Forces the one-time set-up (for benchmarks and for callers that want the cost early).
pub fn warm_up() {
    let _ = tables();
}

/// The mnemonic whose LLVM spelling names `m`'s codes. iced names most mnemonics exactly
/// as Intel's SDM and LLVM do; the few that differ are mapped here.
fn llvm_mnemonic(m: Mnemonic) -> Mnemonic {
    match m {
        // iced's reserved-NOP codes (0F 0D and 0F 18–1F /r) are `nop` to LLVM.
        Mnemonic::Reservednop => Mnemonic::Nop,
        _ => m,
    }
}

/// LLVM's spelling of an iced mnemonic (after `llvm_mnemonic`).
fn llvm_name(m: Mnemonic) -> String {
    format!("{m:?}").to_ascii_lowercase()
}

impl Tables {
    fn build() -> Tables {
        // Grouped by the `Mnemonic` LLVM spells them with (an index, not a hashed name),
        // then named once per group.
        let mut grouped: Vec<(Vec<Code>, Vec<Shape>)> = Vec::new();
        grouped.resize_with(Mnemonic::values().len(), Default::default);
        for code in Code::values() {
            let info = code.op_info();
            if !info.is_instruction()
                || info.encoding() == EncodingKind::MVEX
                // Codes that only decode with a non-default `DecoderOptions` (Cyrix, KNC,
                // old MPX, UMOV, ...) are not what LLVM assembles either.
                || info.needs_decoder_option()
            {
                continue;
            }
            let m = code.mnemonic();
            // LLVM assembles `sal` as `shl` (/4) and never emits the /6 alias.
            if m == Mnemonic::Sal {
                continue;
            }
            // BSWAP of a 16-bit register is undefined (Intel SDM Vol. 2A, BSWAP) and LLVM
            // rejects it.
            if code == Code::Bswap_r16 {
                continue;
            }
            if let Some((codes, shapes)) = grouped.get_mut(llvm_mnemonic(m) as usize) {
                codes.push(code);
                shapes.push(shape(code));
            }
        }
        // Every name once: `llvm_mnemonic` folded the mnemonics LLVM spells alike into
        // one group, in `Code` order.
        let by_mnemonic: HashMap<String, (Vec<Code>, Vec<Shape>)> = Mnemonic::values()
            .zip(grouped)
            .filter(|(_, (codes, _))| !codes.is_empty())
            .map(|(m, group)| (llvm_name(m), group))
            .collect();
        let mut registers = HashMap::default();
        for reg in Register::values() {
            if reg == Register::None {
                continue;
            }
            let name = format!("{reg:?}").to_ascii_lowercase();
            registers.insert(name, reg);
        }
        // LLVM spells the low bytes of r8..r15 `r8b`; iced and GNU as also accept `r8l`.
        for (i, reg) in [
            Register::R8L,
            Register::R9L,
            Register::R10L,
            Register::R11L,
            Register::R12L,
            Register::R13L,
            Register::R14L,
            Register::R15L,
        ]
        .into_iter()
        .enumerate()
        {
            registers.insert(format!("r{}b", i + 8), reg);
        }
        for i in 0..8u32 {
            let st = reg_add(Register::ST0, i);
            registers.insert(format!("st({i})"), st);
        }
        registers.insert("st".to_string(), Register::ST0);
        Tables {
            by_mnemonic,
            registers,
        }
    }

    /// The codes iced knows for `mnemonic` (lower case, LLVM spelling), in iced's order.
    pub fn codes(&self, mnemonic: &str) -> Option<&[Code]> {
        self.by_mnemonic
            .get(mnemonic)
            .map(|(codes, _)| codes.as_slice())
    }

    /// Operand-count bounds and first-operand classes of `codes(mnemonic)`, in order.
    pub fn shapes(&self, mnemonic: &str) -> Option<&[Shape]> {
        self.by_mnemonic
            .get(mnemonic)
            .map(|(_, shapes)| shapes.as_slice())
    }

    /// The register named `name` (lower case, no `%`), e.g. `rax`, `xmm17`, `st(1)`, `cr3`.
    pub fn register(&self, name: &str) -> Option<Register> {
        self.registers.get(name).copied()
    }
}

/// `base + i` in iced's register numbering (registers of one class are contiguous).
pub(crate) fn reg_add(base: Register, i: u32) -> Register {
    Register::values()
        .nth(base as usize + i as usize)
        .unwrap_or(Register::None)
}

/// Mnemonic spellings LLVM accepts that iced does not use, mapped to iced's spelling.
/// Condition-code synonyms follow the Intel SDM Vol. 2 tables for Jcc/SETcc/CMOVcc.
pub(crate) fn intel_alias(m: &str) -> Option<String> {
    const CC: &[(&str, &str)] = &[
        ("z", "e"),
        ("nz", "ne"),
        ("c", "b"),
        ("nae", "b"),
        ("nc", "ae"),
        ("nb", "ae"),
        ("na", "be"),
        ("nbe", "a"),
        ("nge", "l"),
        ("nl", "ge"),
        ("ng", "le"),
        ("nle", "g"),
        ("pe", "p"),
        ("po", "np"),
    ];
    // CMPccXADD: iced names the conditions b/be/l/le/nb/nbe/nl/nle/nz/z...
    if let Some(cc) = m.strip_prefix("cmp").and_then(|r| r.strip_suffix("xadd")) {
        const XADD_CC: &[(&str, &str)] = &[
            ("a", "nbe"),
            ("ae", "nb"),
            ("e", "z"),
            ("ne", "nz"),
            ("g", "nle"),
            ("ge", "nl"),
            ("c", "b"),
            ("nae", "b"),
            ("nc", "nb"),
            ("na", "be"),
            ("nge", "l"),
            ("ng", "le"),
            ("pe", "p"),
            ("po", "np"),
        ];
        if let Some((_, canon)) = XADD_CC.iter().find(|(a, _)| *a == cc) {
            return Some(format!("cmp{canon}xadd"));
        }
    }
    for prefix in ["j", "set", "cmov"] {
        if let Some(cc) = m.strip_prefix(prefix)
            && let Some((_, canon)) = CC.iter().find(|(a, _)| *a == cc)
        {
            return Some(format!("{prefix}{canon}"));
        }
    }
    let fixed = match m {
        // LLVM assembles `sal` as `shl` (/4), never the /6 alias (X86InstrInfo.td InstAlias).
        "sal" => "shl",
        "xlat" => "xlatb",
        "retn" => "ret",
        "lret" | "lretq" | "lretl" | "lretw" | "retfq" | "retfl" | "retfw" => "retf",
        "iretl" => "iretd",
        "iretw" => "iret",
        "icebp" => "int1",
        "fwait" => "wait",
        "sysretl" => "sysret",
        "sysexitl" => "sysexit",
        "pushfw" => "pushf",
        "popfw" => "popf",
        "pushaw" => "pusha",
        "popaw" => "popa",
        "pushal" => "pushad",
        "popal" => "popad",
        "movabs" => "mov",
        "smovb" => "movsb",
        "cmpxchg16b" => "cmpxchg16b",
        "ud2a" => "ud2",
        "ud2b" => "ud1",
        "int3" => "int3",
        "hlt" => "hlt",
        "setalc" => "salc",
        "loopz" => "loope",
        "loopnz" => "loopne",
        "ljmp" => "jmp",
        "lcall" => "call",
        "wrmsrns" => "wrmsrns",
        _ => return None,
    };
    Some(fixed.to_string())
}

/// What a code's written operands can look like, checked before the full match.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shape {
    pub min: u8,
    pub max: u8,
    /// `kinds::OperandClass` bits the first written operand may have.
    pub first: u32,
    /// And the second.
    pub second: u32,
}

/// How many operands `code` can be written with (the same rule `matcher::try_code` applies)
/// and which operand classes its first operand accepts.
fn shape(code: Code) -> Shape {
    let (min, max) = operand_bounds(code);
    Shape {
        min,
        max,
        first: super::kinds::first_operand_classes(code),
        second: super::kinds::second_operand_classes(code),
    }
}

/// How many operands `code` can be written with (the same rule `matcher::try_code` applies).
fn operand_bounds(code: Code) -> (u8, u8) {
    let kinds = code.op_info().op_kinds();
    let optional = kinds
        .iter()
        .filter(|k| super::kinds::may_be_left_out(**k))
        .count();
    let n = kinds.len();
    if n == 0 {
        (0, 2)
    } else {
        ((n - optional) as u8, (n + 1) as u8)
    }
}
