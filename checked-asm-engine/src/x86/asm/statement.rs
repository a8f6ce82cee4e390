//! One statement at a time: labels, directives, prefixes, mnemonic and operands, then the
//! matcher's candidates checked by encoding and decoding them. Produces the plain list the
//! layout stage places at addresses.

use super::directive::{self, DirectiveKind, Parsed};
use super::error::AsmError;
use super::expr::Value;
use super::kinds::reg_available;
use super::lexer::{split_commas, split_statements, trim};
use super::matcher::Candidate;
use super::operand::{Operand, OperandKind};
use super::table::tables;
use super::{Directive, LabelDef, Mode, Syntax, att, intel};
use crate::hash::FastMap;
use iced_x86::Register;
use std::ops::Range;

pub(crate) struct PStmt {
    pub range: Range<usize>,
    pub mode: Mode,
    pub section: usize,
    pub kind: PKind,
}

pub(crate) enum PKind {
    Label(LabelDef),
    Instr(PInstr),
    Data {
        directive: String,
        bytes: Vec<u8>,
        syms: Vec<(usize, Value)>,
    },
    Directive(Directive),
    Align {
        name: String,
        alignment: u64,
        fill: Option<u8>,
        max: Option<u64>,
    },
    Prefix {
        prefixes: Vec<String>,
        bytes: Vec<u8>,
        applies_to: Option<usize>,
    },
}

#[derive(Clone)]
pub(crate) struct PInstr {
    /// Valid candidates, shortest encoding first, each with its encoded length.
    pub cands: Vec<Candidate>,
    /// For branches to be relaxed: index in `cands` of the short (rel8) and near forms.
    pub short: Option<usize>,
    pub near: Option<usize>,
    pub operand_ranges: Vec<Range<usize>>,
    pub prefixes_written: Vec<String>,
    /// Raw prefix bytes (`data16`, `addr32`, ...) placed before the encoding.
    pub raw_prefix: Vec<u8>,
}

const PREFIXES: &[&str] = &[
    "lock", "rep", "repe", "repz", "repne", "repnz", "xacquire", "xrelease", "notrack", "bnd",
    "data16", "data32", "addr16", "addr32", "rex64",
];

pub(crate) struct Parser<'a> {
    pub(crate) src: &'a str,
    pub(crate) syntax: Syntax,
    pub(crate) mode: Mode,
    pub(crate) section: usize,
    pub(crate) section_stack: Vec<usize>,
    pub(crate) previous_section: usize,
    /// Section names by id (`.text` is 0): a block names one or two.
    pub(crate) section_ids: Vec<String>,
    pub(crate) equs: FastMap<String, i64>,
    pub(crate) out: Vec<PStmt>,
    pub(crate) errors: Vec<AsmError>,
    pub(crate) pending_prefix: Option<usize>,
}

pub(crate) fn parse_all(
    src: &str,
    syntax: Syntax,
    mode: Mode,
) -> Result<Vec<PStmt>, Vec<AsmError>> {
    let (clean, ranges) = split_statements(src);
    let mut p = Parser {
        src: &clean,
        syntax,
        mode,
        section: 0,
        section_stack: Vec::new(),
        previous_section: 0,
        section_ids: vec![".text".to_string()],
        equs: FastMap::default(),
        out: Vec::with_capacity(ranges.len()),
        errors: Vec::new(),
        pending_prefix: None,
    };
    for r in ranges {
        if let Err(e) = p.statement(r) {
            p.errors.push(e);
        }
    }
    if p.errors.is_empty() {
        Ok(p.out)
    } else {
        Err(p.errors)
    }
}

impl Parser<'_> {
    fn push(&mut self, range: Range<usize>, kind: PKind) {
        if !matches!(kind, PKind::Instr(_)) {
            self.pending_prefix = None;
        }
        self.out.push(PStmt {
            range,
            mode: self.mode,
            section: self.section,
            kind,
        });
    }

    fn statement(&mut self, range: Range<usize>) -> Result<(), AsmError> {
        let src = self.src;
        let b = src.as_bytes();
        let mut pos = range.start;
        // Labels: `name:` / `2:` at the start, possibly several.
        loop {
            let len = super::lexer::word_len(b, pos, range.end);
            if len == 0 || pos + len >= range.end || b[pos + len] != b':' {
                break;
            }
            let name = &src[pos..pos + len];
            if tables()
                .register(&name.to_ascii_lowercase())
                .is_some_and(|r| r.is_segment_register())
            {
                break;
            }
            let numeric = name.bytes().all(|c| c.is_ascii_digit());
            if !numeric && name.as_bytes()[0].is_ascii_digit() {
                return Err(AsmError::new(
                    pos..pos + len,
                    format!("invalid label name `{name}`"),
                ));
            }
            if !numeric
                && self
                    .out
                    .iter()
                    .any(|s| matches!(&s.kind, PKind::Label(l) if l.name == name))
            {
                return Err(AsmError::new(
                    pos..pos + len,
                    format!("symbol `{name}` is already defined"),
                ));
            }
            self.push(
                pos..pos + len + 1,
                PKind::Label(LabelDef {
                    name: name.to_string(),
                    numeric,
                }),
            );
            pos = trim(src, pos + len + 1..range.end).start;
            if pos >= range.end {
                return Ok(());
            }
        }
        let range = pos..range.end;
        if b[pos] == b'.' {
            return self.directive(range);
        }
        self.instruction(range)
    }

    fn directive(&mut self, range: Range<usize>) -> Result<(), AsmError> {
        let name = self.src[range.clone()]
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match directive::parse(self.src, range.clone(), self.syntax == Syntax::Intel)? {
            Parsed::Data { bytes, syms } => self.push(
                range,
                PKind::Data {
                    directive: name,
                    bytes,
                    syms,
                },
            ),
            Parsed::Align {
                alignment,
                fill,
                max,
            } => self.push(
                range,
                PKind::Align {
                    name,
                    alignment,
                    fill,
                    max,
                },
            ),
            Parsed::Directive(kind) => {
                match &kind {
                    DirectiveKind::Syntax { syntax, .. } => self.syntax = *syntax,
                    DirectiveKind::Code(m) => self.mode = *m,
                    DirectiveKind::Set { name, value } => {
                        self.equs.insert(name.clone(), *value);
                    }
                    DirectiveKind::Section(s) => {
                        let id = self.section_id(s);
                        self.previous_section = self.section;
                        self.section = id;
                    }
                    DirectiveKind::PushSection(s) => {
                        let id = self.section_id(s);
                        self.section_stack.push(self.section);
                        self.section = id;
                    }
                    DirectiveKind::PopSection if name == ".previous" => {
                        std::mem::swap(&mut self.section, &mut self.previous_section);
                    }
                    DirectiveKind::PopSection => match self.section_stack.pop() {
                        Some(s) => self.section = s,
                        None => {
                            return Err(AsmError::new(
                                range,
                                "`.popsection` without a matching `.pushsection`",
                            ));
                        }
                    },
                    _ => {}
                }
                self.push(range, PKind::Directive(Directive { name, kind }));
            }
        }
        Ok(())
    }

    fn section_id(&mut self, name: &str) -> usize {
        let name = if name == ".text" || name.is_empty() {
            ".text"
        } else {
            name
        };
        match self.section_ids.iter().position(|s| s == name) {
            Some(id) => id,
            None => {
                self.section_ids.push(name.to_string());
                self.section_ids.len() - 1
            }
        }
    }

    fn instruction(&mut self, range: Range<usize>) -> Result<(), AsmError> {
        // The choice of encoding depends only on the statement's text, syntax and mode,
        // unless `.set` names or a preceding prefix statement take part: reuse it.
        let key =
            (self.equs.is_empty() && self.pending_prefix.is_none()).then(|| selection_cache::Key {
                mode: self.mode,
                syntax: self.syntax,
                text: &self.src[range.clone()],
            });
        if let Some(key) = key
            && let Some(pinstr) = selection_cache::get(key, range.start)
        {
            self.push(range, PKind::Instr(pinstr));
            return Ok(());
        }
        // `None`: a prefix on its own, already pushed.
        let Some(pinstr) = self.instruction_uncached(range.clone())? else {
            return Ok(());
        };
        if let Some(key) = key {
            selection_cache::put(key, range.start, &pinstr);
        }
        self.push(range, PKind::Instr(pinstr));
        Ok(())
    }

    fn instruction_uncached(&mut self, range: Range<usize>) -> Result<Option<PInstr>, AsmError> {
        let src = self.src;
        let b = src.as_bytes();
        let mut pos = range.start;
        let mut prefixes: Vec<(String, Range<usize>)> = Vec::new();
        let mut mnemonic = None;
        while pos < range.end {
            let mut len = super::lexer::word_len(b, pos, range.end);
            if len == 0 && b[pos] == b'{' {
                // `{vex}`, `{evex}`, `{disp32}` pseudo prefixes.
                len = src[pos..range.end]
                    .find('}')
                    .map_or(range.end - pos, |p| p + 1);
            }
            if len == 0 {
                return Err(AsmError::new(
                    pos..range.end,
                    format!("expected an instruction, found `{}`", &src[pos..range.end]),
                ));
            }
            let word = src[pos..pos + len].to_ascii_lowercase();
            let next = trim(src, pos + len..range.end).start;
            if PREFIXES.contains(&word.as_str()) || word.starts_with('{') {
                prefixes.push((word, pos..pos + len));
                pos = next;
                continue;
            }
            mnemonic = Some((word, pos..pos + len));
            pos = next;
            break;
        }
        let Some((mnemonic, mrange)) = mnemonic else {
            // A prefix on its own: LLVM emits it as a byte; it applies to the next
            // instruction if one follows directly.
            let bytes = prefixes
                .iter()
                .filter_map(|(p, _)| prefix_byte(p))
                .collect();
            let names = prefixes.into_iter().map(|(p, _)| p).collect();
            self.push(
                range,
                PKind::Prefix {
                    prefixes: names,
                    bytes,
                    applies_to: None,
                },
            );
            self.pending_prefix = Some(self.out.len() - 1);
            return Ok(None);
        };
        let operand_text = pos..range.end;
        let mut ops = Vec::new();
        let mut errs = Vec::new();
        for r in split_commas(src, operand_text.clone()) {
            if r.is_empty() {
                errs.push(AsmError::new(
                    operand_text.clone(),
                    "expected an operand between commas",
                ));
                continue;
            }
            let parsed = match self.syntax {
                Syntax::Intel => intel::parse_operand(src, r),
                Syntax::Att => att::parse_operand(src, r),
            };
            match parsed {
                Ok(op) => ops.push(op),
                Err(e) => errs.push(e),
            }
        }
        if let Some(e) = errs.into_iter().next() {
            return Err(e);
        }
        // AT&T lists the destination last (LLVM reverses AT&T operands into Intel order,
        // except for the few instructions whose order GNU as keeps: `enter`, and the
        // two-immediate forms below).
        if self.syntax == Syntax::Att && !att::keeps_operand_order(&mnemonic) {
            ops.reverse();
        }
        if let [OperandKind::Imm(sel), OperandKind::Imm(off)] = [
            &ops.first().map(|o| o.kind.clone()),
            &ops.get(1).map(|o| o.kind.clone()),
        ]
        .map(|k| k.clone().unwrap_or(OperandKind::Sae))
        {
            // `ljmp $0x10, $0x1000`: a far pointer as two immediates.
            if mnemonic.starts_with("ljmp") || mnemonic.starts_with("lcall") {
                let range = ops[0].range.start..ops[1].range.end;
                ops = vec![Operand::new(
                    OperandKind::Far {
                        selector: sel.num,
                        offset: off.num,
                    },
                    range,
                )];
            }
        }
        // GNU as (and LLVM, for compatibility) swap `fsub`/`fsubr` and `fdiv`/`fdivr` in
        // AT&T syntax when the destination is `st(i)`, i != 0 (the "UnixWare" quirk; GNU as
        // manual, i386-Bugs).
        let mut mnemonic = mnemonic;
        if self.syntax == Syntax::Att
            && let [
                Operand {
                    kind: OperandKind::Reg(d),
                    ..
                },
                Operand {
                    kind: OperandKind::Reg(Register::ST0),
                    ..
                },
            ] = ops.as_slice()
            && d.is_st()
            && *d != Register::ST0
        {
            let swapped = match mnemonic.as_str() {
                "fsub" => "fsubr",
                "fsubr" => "fsub",
                "fdiv" => "fdivr",
                "fdivr" => "fdiv",
                "fsubp" => "fsubrp",
                "fsubrp" => "fsubp",
                "fdivp" => "fdivrp",
                "fdivrp" => "fdivp",
                m => m,
            };
            mnemonic = swapped.to_string();
        }
        for op in &mut ops {
            self.substitute_equs(op);
            check_registers(op, self.mode)?;
        }
        if let Some(i) = self.pending_prefix.take() {
            let next = self.out.len();
            if let PKind::Prefix {
                prefixes: p,
                applies_to,
                bytes,
            } = &mut self.out[i].kind
            {
                for (k, name) in p.iter().enumerate() {
                    prefixes.insert(k, (name.clone(), 0..0));
                }
                *applies_to = Some(next);
                bytes.clear();
            }
        }
        self.select(&mnemonic, mrange, ops, &prefixes, range)
            .map(Some)
    }

    fn substitute_equs(&self, op: &mut Operand) {
        let fix = |v: &mut Value| {
            if let Some(s) = &v.sym
                && let Some(&n) = self.equs.get(&s.name)
            {
                v.num = v.num.wrapping_add(n);
                v.sym = None;
            }
        };
        match &mut op.kind {
            OperandKind::Imm(v) => fix(v),
            OperandKind::Bare(v) => {
                fix(v);
                if v.sym.is_none() && self.syntax == Syntax::Intel {
                    op.kind = OperandKind::Imm(v.clone());
                }
            }
            OperandKind::Mem(m) => fix(&mut m.disp),
            _ => {}
        }
    }
}

fn prefix_byte(p: &str) -> Option<u8> {
    Some(match p {
        "lock" => 0xF0,
        "rep" | "repe" | "repz" | "xrelease" => 0xF3,
        "repne" | "repnz" | "xacquire" | "bnd" => 0xF2,
        "data16" | "data32" => 0x66,
        "addr16" | "addr32" => 0x67,
        "notrack" => 0x3E,
        "rex64" => 0x48,
        _ => return None,
    })
}

fn check_registers(op: &Operand, mode: Mode) -> Result<(), AsmError> {
    let regs = match &op.kind {
        OperandKind::Reg(r) => [*r, Register::None],
        OperandKind::Mem(m) => [m.base, m.index],
        _ => [Register::None; 2],
    };
    for r in regs {
        if r != Register::None && !reg_available(r, mode) {
            return Err(AsmError::new(
                op.range.clone(),
                format!(
                    "`{}` is not available in {}-bit mode",
                    format!("{r:?}").to_ascii_lowercase(),
                    mode.bitness()
                ),
            ));
        }
    }
    Ok(())
}

/// Encodings chosen for statements already assembled in this process (a compiler runs the
/// macro for every block of a crate, and re-assembles a block for each register an
/// operand may be allocated: most statements recur). A selection depends only on the
/// statement's text, syntax and mode (the caller bypasses the cache when `.set` names or
/// a prefix statement take part); symbols in it, branch targets included, are resolved
/// later by layout. Entries keep their source ranges relative to the statement, so that
/// an entry is exactly what assembling the text again would give.
mod selection_cache {
    use super::{Mode, PInstr, Syntax};
    use crate::hash::FastMap;
    use crate::x86::asm::matcher::Fixup;
    use std::cell::RefCell;
    use std::ops::Range;

    /// A bound on the memory a pathological crate (or the fuzzer) can make it hold.
    const CAPACITY: usize = 8192;

    /// The statement's text, with the syntax and mode it is assembled in.
    #[derive(Clone, Copy)]
    pub(super) struct Key<'a> {
        pub mode: Mode,
        pub syntax: Syntax,
        pub text: &'a str,
    }

    impl Key<'_> {
        /// Which of the maps holds statements of this mode and syntax.
        fn map(self) -> usize {
            let mode = match self.mode {
                Mode::Bits16 => 0,
                Mode::Bits32 => 1,
                Mode::Bits64 => 2,
            };
            let syntax = match self.syntax {
                Syntax::Intel => 0,
                Syntax::Att => 1,
            };
            mode * 2 + syntax
        }
    }

    /// Statements by text, one map per mode and syntax, so that a lookup takes the
    /// text as it is in the template instead of a copy.
    type Maps = [FastMap<String, PInstr>; 6];

    thread_local! {
        static CACHE: RefCell<Maps> = RefCell::new(Default::default());
    }

    /// The selection for the statement `key` starting at `start` in the source.
    pub(super) fn get(key: Key<'_>, start: usize) -> Option<PInstr> {
        let mut pinstr = CACHE.with_borrow(|maps| maps[key.map()].get(key.text).cloned())?;
        shift(&mut pinstr, start as isize);
        Some(pinstr)
    }

    pub(super) fn put(key: Key<'_>, start: usize, pinstr: &PInstr) {
        let mut relative = pinstr.clone();
        shift(&mut relative, -(start as isize));
        CACHE.with_borrow_mut(|maps| {
            if maps.iter().map(|m| m.len()).sum::<usize>() >= CAPACITY {
                maps.iter_mut().for_each(|m| m.clear());
            }
            maps[key.map()].insert(key.text.to_string(), relative);
        });
    }

    /// Moves the entry's source ranges by `by`: the operands' and those of the symbols
    /// its fixups name (the label of `jnz 2b`, the `foo` of `call foo`), which layout
    /// quotes when it cannot resolve them.
    fn shift(pinstr: &mut PInstr, by: isize) {
        let moved =
            |r: &Range<usize>| r.start.wrapping_add_signed(by)..r.end.wrapping_add_signed(by);
        for r in &mut pinstr.operand_ranges {
            *r = moved(r);
        }
        for fixup in pinstr.cands.iter_mut().flat_map(|c| c.fixups.iter_mut()) {
            let (Fixup::Branch(value) | Fixup::ImmSym(value) | Fixup::MemSym { value, .. }) = fixup;
            if let Some(sym) = &mut value.sym {
                sym.range = moved(&sym.range);
            }
        }
    }
}
