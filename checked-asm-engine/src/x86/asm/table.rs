//! Instruction knowledge as data: iced-x86's `Code`s indexed by the mnemonic LLVM spells
//! them with, and the register names LLVM accepts. `build.rs` writes the index (which codes
//! LLVM assembles, and under which name, is decided there); the operand shapes of a
//! mnemonic's codes are worked out on its first use.

use super::op_code::OpCodeTable;
use iced_x86::{Code, Register};
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/names.rs"));

/// The index, as methods (a unit: the data are statics).
pub(crate) struct Tables;

pub(crate) fn tables() -> &'static Tables {
    &Tables
}

/// Forces the one-time set-up (for benchmarks and for callers that want the cost early):
/// nothing but iced's register and code tables is left to set up, on their first use.
pub fn warm_up() {
    let _ = tables().shapes("mov");
}

/// One `OnceLock` per entry of `MNEMONICS`, filled on that mnemonic's first use.
static SHAPES: [OnceLock<Box<[Shape]>>; MNEMONICS.len()] =
    [const { OnceLock::new() }; MNEMONICS.len()];

/// One `OnceLock` per entry of `MNEMONICS`: its slice of `CODES` as iced's `Code`s,
/// converted on that mnemonic's first use (`build.rs` says why `CODES` holds numbers).
static CODE_LISTS: [OnceLock<Box<[Code]>>; MNEMONICS.len()] =
    [const { OnceLock::new() }; MNEMONICS.len()];

/// `raw` (values `build.rs` took from iced's `Code`s) as `Code`s.
fn codes_of(raw: &[u16]) -> impl Iterator<Item = Code> + '_ {
    raw.iter()
        .filter_map(|&c| Code::try_from(usize::from(c)).ok())
}

impl Tables {
    /// `mnemonic`'s index in `MNEMONICS`.
    fn find(&self, mnemonic: &str) -> Option<usize> {
        MNEMONICS
            .binary_search_by(|(name, _, _)| (*name).cmp(mnemonic))
            .ok()
    }

    /// The codes iced knows for `mnemonic` (lower case, LLVM spelling), in iced's order.
    pub fn codes(&self, mnemonic: &str) -> Option<&'static [Code]> {
        self.codes_at(self.find(mnemonic)?)
    }

    /// The codes of entry `i` of `MNEMONICS`.
    fn codes_at(&self, i: usize) -> Option<&'static [Code]> {
        let (_, start, end) = *MNEMONICS.get(i)?;
        let raw = CODES.get(usize::from(start)..usize::from(end))?;
        Some(CODE_LISTS.get(i)?.get_or_init(|| codes_of(raw).collect()))
    }

    /// Operand-count bounds and first-operand classes of `codes(mnemonic)`, in order.
    pub fn shapes(&self, mnemonic: &str) -> Option<&'static [Shape]> {
        let i = self.find(mnemonic)?;
        let codes = self.codes_at(i)?;
        Some(
            SHAPES
                .get(i)?
                .get_or_init(|| codes.iter().map(|c| shape(*c)).collect()),
        )
    }

    /// The register named `name` (lower case, no `%`), e.g. `rax`, `xmm17`, `st(1)`, `cr3`.
    pub fn register(&self, name: &str) -> Option<Register> {
        register_keyed(name_key(name.as_bytes())?)
    }

    /// The register `text` names in any case, whitespace inside ignored (`ST (1)`).
    /// Lowered on the stack: operands are looked up here one or more times each.
    pub fn register_spelled(&self, text: &str) -> Option<Register> {
        self.register_lowered(text, true)
    }

    /// The register `text` names in any case (`FS`), as written.
    pub fn register_any_case(&self, text: &str) -> Option<Register> {
        self.register_lowered(text, false)
    }

    fn register_lowered(&self, text: &str, squeeze: bool) -> Option<Register> {
        let mut buf = [0u8; 8];
        let mut len = 0;
        for &b in text.as_bytes() {
            if !b.is_ascii() {
                // No register name has other characters, but read them as
                // `to_ascii_lowercase` and `char::is_whitespace` do.
                let lower = text.to_ascii_lowercase();
                if !squeeze {
                    return self.register(&lower);
                }
                let squeezed: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
                return self.register(&squeezed);
            }
            if squeeze && b.is_ascii_whitespace() {
                continue;
            }
            // Longer than any register name.
            let slot = buf.get_mut(len)?;
            *slot = b.to_ascii_lowercase();
            len += 1;
        }
        register_keyed(name_key(&buf[..len])?)
    }
}

/// A register name as `REGISTERS` is ordered: its bytes little-endian, zero padded; `None`
/// for a name longer than any register's (8 bytes, which build.rs checks).
fn name_key(name: &[u8]) -> Option<u64> {
    let mut bytes = [0u8; 8];
    bytes.get_mut(..name.len())?.copy_from_slice(name);
    // A NUL would make a shorter name's key; no register name has one.
    if name.contains(&0) {
        return None;
    }
    Some(u64::from_le_bytes(bytes))
}

fn register_keyed(key: u64) -> Option<Register> {
    REGISTERS
        .binary_search_by_key(&key, |(k, _)| *k)
        .ok()
        .map(|i| REGISTERS[i].1)
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

#[cfg(test)]
mod tests {
    use super::*;
    use iced_x86::{EncodingKind, Mnemonic};

    /// Binary search needs both indexes sorted without repeats: `MNEMONICS` by name,
    /// `REGISTERS` by `name_key`, which no name maps to 0.
    #[test]
    fn the_indexes_are_sorted() {
        assert!(MNEMONICS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(REGISTERS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(REGISTERS.iter().filter(|(k, _)| *k == 0).count(), 0);
        assert!(MNEMONICS.iter().all(|(_, start, end)| start < end));
        assert_eq!(
            MNEMONICS.last().map(|m| usize::from(m.2)),
            Some(CODES.len())
        );
    }

    /// Every register name build.rs listed (from iced's names, plus LLVM's `r8b` and
    /// `st(1)`) is found, in any case and with spaces for the spelled form; a name with
    /// a NUL, an empty or an overlong one is not.
    #[test]
    fn registers_are_found_by_name() {
        let t = tables();
        for r in iced_x86::Register::values().filter(|r| *r != Register::None) {
            let name = format!("{r:?}").to_ascii_lowercase();
            if name.starts_with("dontuse") {
                continue;
            }
            assert_eq!(t.register(&name), Some(r), "{name}");
            assert_eq!(
                t.register_any_case(&name.to_ascii_uppercase()),
                Some(r),
                "{name}"
            );
            let spaced: String = name.chars().flat_map(|c| [c, ' ']).collect();
            assert_eq!(t.register_spelled(&spaced), Some(r), "{spaced}");
            assert_eq!(t.register_any_case(&spaced), None, "{spaced}");
        }
        assert_eq!(t.register("r9b"), Some(Register::R9L));
        assert_eq!(t.register_spelled("ST (3)"), Some(Register::ST3));
        assert_eq!(t.register("st"), Some(Register::ST0));
        for bad in ["", "ax\0", "a\0x", "raxraxrax", "xmm32"] {
            assert_eq!(t.register(bad), None, "{bad:?}");
            assert_eq!(t.register_spelled(bad), None, "{bad:?}");
        }
        // Any whitespace `char::is_whitespace` knows is squeezed out, as before.
        assert_eq!(t.register_spelled("r\u{2003}ax\u{a0}"), Some(Register::RAX));
        assert_eq!(t.register("rax\u{a0}"), None);
    }

    /// Every code LLVM can assemble is listed once, under its own mnemonic (lower case),
    /// and nothing else is.
    #[test]
    fn every_assemblable_code_is_indexed_once() {
        let mut seen = vec![0u8; Code::values().len()];
        for (name, start, end) in MNEMONICS {
            let raw = &CODES[usize::from(start)..usize::from(end)];
            assert_eq!(
                codes_of(raw).count(),
                raw.len(),
                "{name}: a number that is no Code"
            );
            for code in codes_of(raw) {
                seen[code as usize] += 1;
                let m = match code.mnemonic() {
                    Mnemonic::Reservednop => Mnemonic::Nop,
                    m => m,
                };
                assert_eq!(format!("{m:?}").to_ascii_lowercase(), name, "{code:?}");
            }
        }
        for code in Code::values() {
            let info = code.op_code();
            let expected = info.is_instruction()
                && info.encoding() != EncodingKind::MVEX
                && info.decoder_option() == 0
                && code.mnemonic() != Mnemonic::Sal
                && code != Code::Bswap_r16;
            assert_eq!(seen[code as usize], u8::from(expected), "{code:?}");
        }
    }

    #[test]
    fn lookups() {
        let t = tables();
        assert_eq!(t.codes("bswap").map(|c| c.len()), Some(2));
        assert!(t.codes("sal").is_none());
        assert!(
            t.codes("nop")
                .is_some_and(|c| c.contains(&Code::Reservednop_rm32_r32_0F1D))
        );
        assert_eq!(
            t.shapes("mov").map(|s| s.len()),
            t.codes("mov").map(|c| c.len())
        );
        assert_eq!(t.register("rax"), Some(Register::RAX));
        assert_eq!(t.register("r8b"), Some(Register::R8L));
        assert_eq!(t.register("r8l"), Some(Register::R8L));
        assert_eq!(t.register("st(3)"), Some(Register::ST3));
        assert_eq!(t.register("st"), Some(Register::ST0));
        assert_eq!(t.register("cr3"), Some(Register::CR3));
        assert_eq!(t.register("dontuse0"), None);
        assert_eq!(t.register("RAX"), None);
    }
}
