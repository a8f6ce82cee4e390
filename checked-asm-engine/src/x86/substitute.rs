//! Placeholder substitution for analysis: every `{...}` of a configured template is
//! replaced by a representative — a concrete register of the operand's class and
//! modifier, an immediate, a symbol or a label name — and every replacement is
//! remembered, so that each register, immediate and symbol of a decoded instruction can
//! be traced back to the operand it stands for, and each assembler error back to the
//! text the user wrote.
//!
//! Representatives are chosen so that none coincides with an explicit operand register
//! or with a register the template names literally; which register the compiler really
//! allocates is analysed symbolically later (spec R05(b)), not decided here.

use super::regs::{Arch, RegClass, RegDef};
use crate::hash::FastSet;
use crate::syntax::{ConfiguredAsm, OperandKind, RegSpec, Segment};
use std::fmt::Write as _;
use std::ops::Range;

/// What a placeholder was replaced with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Representative {
    /// A register, spelled as the assembler reads it (`r8d`, `xmm9`, `k1`).
    Register(String),
    /// The value of a `const` operand, when its expression is an integer literal;
    /// otherwise a stand-in value (`1`) with `known: false`.
    Immediate { value: i128, known: bool },
    /// A `sym` operand: a symbol name of our own.
    Symbol(String),
    /// A `label` operand: the name of a label outside the block.
    Label(String),
}

/// One replaced placeholder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// Byte range in [`Substituted::text`].
    pub range: Range<usize>,
    /// Byte range of the placeholder in [`Substituted::display`].
    pub display_range: Range<usize>,
    /// Index into [`ConfiguredAsm::operands`].
    pub operand: usize,
    /// Index of the template piece, and the `{...}` range in that piece's text.
    pub piece: usize,
    pub piece_range: Range<usize>,
    pub representative: Representative,
}

/// The template ready for the assembler.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Substituted {
    pub text: String,
    /// `text` with each representative written back as the user's placeholder
    /// (`{x:e}`): what messages quote. Offsets map through [`Substituted::display_offset`].
    pub display: String,
    /// Byte range of each piece in `text` (pieces are joined by `\n`).
    pub pieces: Vec<Range<usize>>,
    pub sites: Vec<Site>,
}

impl Substituted {
    /// The site covering a byte offset of `text`, if any.
    pub fn site_at(&self, offset: usize) -> Option<&Site> {
        self.sites.iter().find(|s| s.range.contains(&offset))
    }

    /// The piece containing a byte offset of `text`.
    pub fn piece_at(&self, offset: usize) -> usize {
        self.pieces
            .iter()
            .position(|r| offset < r.end || r.end == self.text.len())
            .unwrap_or(0)
    }

    /// The offset in `display` that corresponds to `offset` in `text`.
    pub fn display_offset(&self, offset: usize) -> usize {
        let mut shift: isize = 0;
        for site in &self.sites {
            if site.range.end <= offset {
                shift += site.display_range.len() as isize - site.range.len() as isize;
            } else if site.range.start <= offset {
                return site.display_range.start;
            }
        }
        (offset as isize + shift).max(0) as usize
    }

    /// The user's spelling of the range `range` of `text` (one statement).
    pub fn display_text(&self, range: Range<usize>) -> &str {
        let start = self.display_offset(range.start).min(self.display.len());
        let end = self
            .display_offset(range.end)
            .clamp(start, self.display.len());
        // A range ending inside a placeholder maps to its start: extend to its end.
        let end = self
            .sites
            .iter()
            .find(|s| s.display_range.start == end && s.range.start < range.end)
            .map_or(end, |s| s.display_range.end);
        self.display.get(start..end).unwrap_or("").trim()
    }

    /// The display line (the user's spelling) containing `offset` of `text`.
    pub fn display_line(&self, offset: usize) -> &str {
        let at = self.display_offset(offset).min(self.display.len());
        let start = self.display[..at].rfind('\n').map_or(0, |i| i + 1);
        let end = self.display[at..]
            .find('\n')
            .map_or(self.display.len(), |i| at + i);
        self.display[start..end].trim()
    }

    /// The symbol name used for `sym` operand `operand`.
    pub fn symbol_name(operand: usize) -> String {
        format!("__checked_asm_sym_{operand}")
    }

    /// The label name used for `label` operand `operand`.
    pub fn label_name(operand: usize) -> String {
        format!("__checked_asm_label_{operand}")
    }
}

/// Registers in the order representatives are tried: in 64-bit mode r8–r15 first,
/// which no common instruction uses implicitly.
///
/// The registers rustc reserves (rbx, rbp, rsp on x86_64; esi, ebp, esp on x86) are
/// never representatives: that a class operand *may* be allocated one of them is
/// analysed separately (R05(b)).
const GPR_ORDER_64: [&str; 13] = [
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "si", "di", "cx", "dx", "ax",
];
const GPR_ORDER_32: [&str; 5] = ["di", "bx", "cx", "dx", "ax"];
const ABCD_64: [&str; 3] = ["cx", "dx", "ax"];
const ABCD_32: [&str; 4] = ["bx", "cx", "dx", "ax"];

/// Substitutes every placeholder of `asm` for `arch`.
pub fn substitute(asm: &ConfiguredAsm, arch: Arch) -> Substituted {
    substitute_with(asm, arch, &[])
}

/// [`substitute`], with some operands forced to a register family (`bx`, `r8`, `xmm3`):
/// how the analysis asks "what if the compiler allocated this operand there?".
pub fn substitute_with(
    asm: &ConfiguredAsm,
    arch: Arch,
    overrides: &[(usize, String)],
) -> Substituted {
    // In AT&T syntax rustc expands register placeholders with the `%` prefix.
    let register_prefix = if asm.has(crate::syntax::AsmOption::AttSyntax) {
        "%"
    } else {
        ""
    };
    let taken = literal_and_explicit_registers(asm);
    let mut chooser = Chooser {
        arch,
        taken,
        assigned: overrides.to_vec(),
    };
    // Sized for the template as written: a register name is about as long as its
    // placeholder, so the text rarely grows past it.
    let written: usize = asm.pieces.iter().map(|p| p.text.len() + 1).sum();
    let mut text = String::with_capacity(written + 16);
    let mut display = String::with_capacity(written);
    let mut pieces = Vec::with_capacity(asm.pieces.len());
    let mut sites = Vec::new();
    for (p, piece) in asm.pieces.iter().enumerate() {
        if p > 0 {
            text.push('\n');
            display.push('\n');
        }
        let start = text.len();
        for seg in &piece.segments {
            match seg {
                Segment::Text(_) => {
                    let t = piece.text_of(seg);
                    text.push_str(t);
                    display.push_str(t);
                }
                Segment::Placeholder {
                    operand,
                    modifier,
                    range,
                } => {
                    let representative = chooser.representative(asm, *operand, *modifier);
                    let at = text.len();
                    match &representative {
                        Representative::Register(r) => {
                            text.push_str(register_prefix);
                            text.push_str(r);
                        }
                        Representative::Immediate { value, .. } => {
                            let _ = write!(text, "{value}");
                        }
                        Representative::Symbol(s) | Representative::Label(s) => text.push_str(s),
                    }
                    let shown = display.len();
                    display.push_str(piece.text.get(range.clone()).unwrap_or("{}"));
                    sites.push(Site {
                        range: at..text.len(),
                        display_range: shown..display.len(),
                        operand: *operand,
                        piece: p,
                        piece_range: range.clone(),
                        representative,
                    });
                }
            }
        }
        pieces.push(start..text.len());
    }
    Substituted {
        text,
        display,
        pieces,
        sites,
    }
}

/// Register families (`ax`, `r8`, `xmm3`, `k1`) the template text names literally.
pub fn literal_registers(asm: &ConfiguredAsm) -> FastSet<&'static str> {
    let mut found = FastSet::default();
    for piece in &asm.pieces {
        for seg in &piece.segments {
            if let Segment::Text(_) = seg {
                let t = piece.text_of(seg);
                // The words are the runs of ASCII letters and digits, read byte by byte
                // (this runs for every lowering of every block, in a macro cargo builds
                // without optimisation, where `str::split` with a closure costs a call
                // per character).
                let bytes = t.as_bytes();
                let mut i = 0;
                while i < bytes.len() {
                    if !bytes[i].is_ascii_alphanumeric() {
                        i += 1;
                        continue;
                    }
                    let start = i;
                    while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                        i += 1;
                    }
                    // Register names are 2 to 5 characters (`al` … `zmm31`) and start
                    // with one of these letters: the other words (mnemonics, labels,
                    // numbers) are skipped before they are lowered and matched.
                    let word = &bytes[start..i];
                    if !(2..=5).contains(&word.len())
                        || !matches!(
                            word[0].to_ascii_lowercase(),
                            b'a' | b'b' | b'c' | b'd' | b's' | b'r' | b'x' | b'y' | b'z' | b'k'
                        )
                    {
                        continue;
                    }
                    let mut lower = [0u8; 5];
                    for (l, b) in lower.iter_mut().zip(word) {
                        *l = b.to_ascii_lowercase();
                    }
                    let lower = std::str::from_utf8(&lower[..word.len()]).expect("ASCII");
                    if let Some(id) = register_id_of_word(lower) {
                        found.insert(id);
                    }
                }
            }
        }
    }
    found
}

/// Register ids (`ax`, `r8`, `xmm3`...) that must not serve as representatives.
fn literal_and_explicit_registers(asm: &ConfiguredAsm) -> FastSet<&'static str> {
    let mut taken = literal_registers(asm);
    for op in &asm.operands {
        if let Some(RegSpec::Explicit { name, .. }) = op.kind.reg()
            && let Some(def) = RegDef::lookup(name)
        {
            taken.extend(def.overlapping());
        }
    }
    taken
}

/// The vector and mask register families, by number.
const XMM_FAMILIES: [&str; 32] = [
    "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
    "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20",
    "xmm21", "xmm22", "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30",
    "xmm31",
];
const K_FAMILIES: [&str; 8] = ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"];

/// The register family (`ax` for `al`/`eax`/`rax`, `r8` for `r8d`, `xmm3` for `ymm3`)
/// of a word in the template, if it names one. Families are static names: the sets of
/// them are built for every lowering of every block.
fn register_id_of_word(word: &str) -> Option<&'static str> {
    const R: [&str; 8] = ["r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];
    let word = word.trim_start_matches('%');
    let family = match word {
        "al" | "ah" | "ax" | "eax" | "rax" => "ax",
        "bl" | "bh" | "bx" | "ebx" | "rbx" => "bx",
        "cl" | "ch" | "cx" | "ecx" | "rcx" => "cx",
        "dl" | "dh" | "dx" | "edx" | "rdx" => "dx",
        "sil" | "si" | "esi" | "rsi" => "si",
        "dil" | "di" | "edi" | "rdi" => "di",
        "bpl" | "bp" | "ebp" | "rbp" => "bp",
        "spl" | "sp" | "esp" | "rsp" => "sp",
        _ => {
            // `r8`..`r15` with a size suffix, `xmm0`..`xmm31` (or their ymm/zmm names),
            // `k0`..`k7`, written canonically; other spellings name no register an
            // operand could be allocated.
            if let Some(rest) = word.strip_prefix('r') {
                let digits = &rest[..rest.bytes().take_while(u8::is_ascii_digit).count()];
                let suffix = &rest[digits.len()..];
                if matches!(suffix, "" | "b" | "w" | "d" | "l") {
                    return R.iter().copied().find(|r| r[1..] == *digits);
                }
            }
            for prefix in ["xmm", "ymm", "zmm"] {
                if let Some(n) = word.strip_prefix(prefix) {
                    return XMM_FAMILIES.iter().copied().find(|x| x[3..] == *n);
                }
            }
            return K_FAMILIES.iter().copied().find(|k| *k == word);
        }
    };
    Some(family)
}

struct Chooser {
    arch: Arch,
    taken: FastSet<&'static str>,
    /// (operand, register id) already chosen: one operand keeps one register.
    assigned: Vec<(usize, String)>,
}

impl Chooser {
    fn representative(
        &mut self,
        asm: &ConfiguredAsm,
        operand: usize,
        modifier: Option<char>,
    ) -> Representative {
        let op = &asm.operands[operand];
        match &op.kind {
            OperandKind::Const { expr } => match parse_int(&expr.text) {
                Some(value) => Representative::Immediate { value, known: true },
                None => Representative::Immediate {
                    value: 1,
                    known: false,
                },
            },
            OperandKind::Sym { .. } => Representative::Symbol(Substituted::symbol_name(operand)),
            OperandKind::Label { .. } => Representative::Label(Substituted::label_name(operand)),
            kind => {
                let class = match kind.reg() {
                    Some(RegSpec::Class { name, .. }) => {
                        RegClass::from_name(name).unwrap_or(RegClass::Reg)
                    }
                    _ => RegClass::Reg,
                };
                let id = self.register_for(operand, class);
                Representative::Register(spell(&id, class, modifier, self.arch))
            }
        }
    }

    fn register_for(&mut self, operand: usize, class: RegClass) -> String {
        if let Some((_, id)) = self.assigned.iter().find(|(o, _)| *o == operand) {
            return id.clone();
        }
        const XMM_64: [&str; 16] = [
            "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm0", "xmm1",
            "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
        ];
        const XMM_32: [&str; 8] = [
            "xmm7", "xmm6", "xmm5", "xmm4", "xmm3", "xmm2", "xmm1", "xmm0",
        ];
        const MM: [&str; 8] = ["mm0", "mm1", "mm2", "mm3", "mm4", "mm5", "mm6", "mm7"];
        const TMM: [&str; 8] = [
            "tmm0", "tmm1", "tmm2", "tmm3", "tmm4", "tmm5", "tmm6", "tmm7",
        ];
        let candidates: &[&str] = match (class, self.arch) {
            (RegClass::Reg | RegClass::RegByte, Arch::X86_64) => &GPR_ORDER_64,
            (RegClass::Reg, Arch::X86) => &GPR_ORDER_32,
            // Without REX only al, cl, dl, bl are byte registers in 32-bit mode.
            (RegClass::RegByte, Arch::X86) | (RegClass::RegAbcd, Arch::X86) => &ABCD_32,
            (RegClass::RegAbcd, Arch::X86_64) => &ABCD_64,
            (RegClass::XmmReg | RegClass::YmmReg | RegClass::ZmmReg, Arch::X86_64) => &XMM_64,
            (RegClass::XmmReg | RegClass::YmmReg | RegClass::ZmmReg, Arch::X86) => &XMM_32,
            (RegClass::Kreg, _) => &K_FAMILIES[1..],
            (RegClass::Kreg0, _) => &K_FAMILIES[..1],
            (RegClass::X87Reg, _) => &["st0"],
            (RegClass::MmxReg, _) => &MM,
            (RegClass::TmmReg, _) => &TMM,
        };
        let used = |c: &str| self.assigned.iter().any(|(_, id)| id == c);
        let pick = candidates
            .iter()
            .find(|c| !self.taken.contains(**c) && !used(c))
            .or_else(|| candidates.iter().find(|c| !used(c)))
            .or_else(|| candidates.first())
            .map_or_else(|| "r8".to_string(), |c| c.to_string());
        self.assigned.push((operand, pick.clone()));
        pick
    }
}

/// The spelling of register family `id` for a class and modifier
/// (rustc_target `X86InlineAsmReg::emit`).
fn spell(id: &str, class: RegClass, modifier: Option<char>, arch: Arch) -> String {
    let default = match class {
        RegClass::XmmReg => 'x',
        RegClass::YmmReg => 'y',
        RegClass::ZmmReg => 'z',
        RegClass::RegByte => 'l',
        _ if arch == Arch::X86_64 => 'r',
        _ => 'e',
    };
    let m = modifier.unwrap_or(default);
    if let Some(n) = id.strip_prefix("xmm") {
        return format!("{}mm{n}", m);
    }
    if let Some(root) = ["ax", "bx", "cx", "dx"]
        .iter()
        .find(|r| **r == id)
        .map(|r| &r[..1])
    {
        return match m {
            'l' => format!("{root}l"),
            'h' => format!("{root}h"),
            'x' => format!("{root}x"),
            'e' => format!("e{root}x"),
            _ => format!("r{root}x"),
        };
    }
    if matches!(id, "si" | "di" | "bp" | "sp") {
        return match m {
            'l' => format!("{id}l"),
            'x' => id.to_string(),
            'e' => format!("e{id}"),
            _ => format!("r{id}"),
        };
    }
    if id.starts_with('r') && id[1..].parse::<u8>().is_ok() {
        return match m {
            'l' => format!("{id}b"),
            'x' => format!("{id}w"),
            'e' => format!("{id}d"),
            _ => id.to_string(),
        };
    }
    id.to_string()
}

/// An integer literal as rustc reads it in a `const` operand: decimal, hex, octal or
/// binary, underscores and an integer suffix allowed, optionally negated.
pub(crate) fn parse_int(text: &str) -> Option<i128> {
    let text = text.replace(' ', "");
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let body = body.replace('_', "");
    let (radix, digits) = if let Some(h) = body.strip_prefix("0x") {
        (16, h)
    } else if let Some(o) = body.strip_prefix("0o") {
        (8, o)
    } else if let Some(b) = body.strip_prefix("0b") {
        (2, b)
    } else {
        (10, body.as_str())
    };
    const SUFFIXES: [&str; 12] = [
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
    ];
    let digits = SUFFIXES
        .iter()
        .find_map(|s| digits.strip_suffix(s))
        .unwrap_or(digits);
    let value = i128::from_str_radix(digits, radix).ok()?;
    Some(if neg { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{CfgAssignment, MacroKind, NoIncludes, parse_invocation};
    use std::str::FromStr;

    fn configured(src: &str) -> ConfiguredAsm {
        let tokens = proc_macro2::TokenStream::from_str(src).unwrap();
        let inv = parse_invocation(MacroKind::Asm, tokens, &NoIncludes).unwrap();
        inv.configure(&CfgAssignment {
            arch: Some("x86_64"),
            ..Default::default()
        })
        .unwrap()
    }

    /// The word filter of `literal_registers` drops no register name: every name iced
    /// knows, in lower and upper case, gives the family it gives unfiltered.
    #[test]
    fn the_word_filter_keeps_every_register_name() {
        let names: Vec<String> = iced_x86::Register::values()
            .map(|r| format!("{r:?}").to_ascii_lowercase())
            .flat_map(|n| [n.to_ascii_uppercase(), n])
            .collect();
        let text = names.join(" ");
        let expected: FastSet<&'static str> = text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter_map(|w| register_id_of_word(&w.to_ascii_lowercase()))
            .collect();
        for id in ["ax", "sp", "r8", "r15", "xmm0", "xmm31", "k7"] {
            assert!(expected.contains(id), "{id}");
        }
        assert_eq!(
            literal_registers(&configured(&format!("\"{text}\""))),
            expected
        );
    }

    #[test]
    fn representatives_avoid_literal_and_explicit_registers() {
        let asm = configured(
            r#""mov r8, {a}", "add {b:e}, {a:e}", a = in(reg) 1u64, b = out(reg) _, in("r9") 2u64"#,
        );
        let s = substitute(&asm, Arch::X86_64);
        assert_eq!(s.text, "mov r8, r10\nadd r11d, r10d");
        assert_eq!(s.sites.len(), 3);
        assert_eq!(s.sites[0].operand, 0);
        assert_eq!(s.sites[0].range, 8..11);
        assert_eq!(s.sites[0].piece_range, 8..11);
        assert_eq!(s.sites[1].operand, 1);
        assert_eq!(s.pieces, vec![0..11, 12..26]);
        assert_eq!(s.display, "mov r8, {a}\nadd {b:e}, {a:e}");
        assert_eq!(s.display_line(14), "add {b:e}, {a:e}");
        assert_eq!(s.display_offset(22), 23);
    }

    #[test]
    fn modifiers_and_classes_are_spelled_as_rustc_emits_them() {
        let asm = configured(
            r#""{0:l} {0:x} {0:e} {0:r} {1:h} {2} {2:y} {3} {4}", in(reg) 1u64, in(reg_abcd) 2u16, in(xmm_reg) x, in(reg_byte) 3u8, in(kreg) m"#,
        );
        let s = substitute(&asm, Arch::X86_64);
        assert_eq!(s.text, "r8b r8w r8d r8 ch xmm8 ymm8 r9b k1");
        let asm32 = configured(
            r#""{0:x} {0:e} {0} {1:h} {2} {3}", in(reg) 1u32, in(reg_abcd) 2u16, in(xmm_reg) x, in(reg_byte) 3u8"#,
        );
        assert_eq!(substitute(&asm32, Arch::X86).text, "di edi edi bh xmm7 cl");
    }

    #[test]
    fn const_sym_and_label_operands() {
        let asm = configured(
            r#""int {0}; mov eax, {1}; call {2}; jmp {3}", const 0x80, const N + 1, sym f, label { }"#,
        );
        let s = substitute(&asm, Arch::X86_64);
        assert_eq!(
            s.text,
            "int 128; mov eax, 1; call __checked_asm_sym_2; jmp __checked_asm_label_3"
        );
        assert_eq!(
            s.sites[0].representative,
            Representative::Immediate {
                value: 128,
                known: true
            }
        );
        assert_eq!(
            s.sites[1].representative,
            Representative::Immediate {
                value: 1,
                known: false
            }
        );
    }

    #[test]
    fn integer_literals() {
        assert_eq!(parse_int("0x80"), Some(128));
        assert_eq!(parse_int("- 1_000i64"), Some(-1000));
        assert_eq!(parse_int("0b101u8"), Some(5));
        assert_eq!(parse_int("N"), None);
    }
}
