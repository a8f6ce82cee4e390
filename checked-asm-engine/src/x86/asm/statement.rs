//! One statement at a time: labels, directives, prefixes, mnemonic and operands, then the
//! matcher's candidates checked by encoding and decoding them. Produces the plain list the
//! layout stage places at addresses.

use super::directive::{self, DirectiveKind, Parsed};
use super::error::AsmError;
use super::expr::Value;
use super::lexer::{split_commas, split_statements, trim};
use super::matcher::{
    Candidate, Fixup, code_mem_size, explain_mismatch, opaque_memory, reg_available, try_code,
};
use super::mnemonic::{Resolved, resolve};
use super::operand::{Operand, OperandKind};
use super::table::tables;
use super::{Directive, LabelDef, Mode, Syntax, att, intel};
use iced_x86::{Decoder, DecoderOptions, Encoder, OpCodeOperandKind as K, Register};
use std::collections::HashMap;
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

pub(crate) struct PInstr {
    /// Valid candidates, shortest encoding first.
    pub cands: Vec<Candidate>,
    /// Encoded length of each candidate.
    pub lens: Vec<usize>,
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

struct Parser<'a> {
    src: &'a str,
    syntax: Syntax,
    mode: Mode,
    section: usize,
    section_stack: Vec<usize>,
    previous_section: usize,
    section_ids: HashMap<String, usize>,
    equs: HashMap<String, i64>,
    out: Vec<PStmt>,
    errors: Vec<AsmError>,
    pending_prefix: Option<usize>,
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
        section_ids: HashMap::from([(".text".to_string(), 0)]),
        equs: HashMap::new(),
        out: Vec::new(),
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
        let next = self.section_ids.len();
        *self.section_ids.entry(name.to_string()).or_insert(next)
    }

    fn instruction(&mut self, range: Range<usize>) -> Result<(), AsmError> {
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
            return Ok(());
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
        let pinstr = self.select(&mnemonic, mrange, ops, &prefixes, range.clone())?;
        self.push(range, PKind::Instr(pinstr));
        Ok(())
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

    fn select(
        &mut self,
        mnemonic: &str,
        mrange: Range<usize>,
        ops: Vec<Operand>,
        prefixes: &[(String, Range<usize>)],
        range: Range<usize>,
    ) -> Result<PInstr, AsmError> {
        let resolutions = resolve(mnemonic, self.syntax);
        if resolutions.is_empty() {
            return Err(AsmError::new(
                mrange,
                format!("unknown instruction `{mnemonic}`"),
            ));
        }
        let mut raw_prefix = Vec::new();
        for (p, r) in prefixes {
            match p.as_str() {
                "data16" => raw_prefix.push(0x66),
                "data32" => raw_prefix.push(0x66),
                "addr16" | "addr32" => raw_prefix.push(0x67),
                "rex64" => raw_prefix.push(0x48),
                "{vex}" | "{vex2}" | "{vex3}" | "{evex}" | "{disp8}" | "{disp32}" | "{load}"
                | "{store}" => {}
                p if p.starts_with('{') => {
                    return Err(AsmError::new(
                        r.clone(),
                        format!("unknown pseudo prefix `{p}`"),
                    ));
                }
                _ => {}
            }
        }
        // `data16`/`data32` select the other operand size where the instruction has a form
        // for it (`data16 jmp` is iced's `Jmp_rel16`); otherwise they are a raw 66h byte.
        let data_size = prefixes
            .iter()
            .find_map(|(p, _)| match (p.as_str(), self.mode) {
                ("data16", Mode::Bits32 | Mode::Bits64) => Some(2),
                ("data32", Mode::Bits16) => Some(4),
                _ => None,
            });
        let mut last_err = None;
        for res in &resolutions {
            let hinted = data_size.filter(|_| res.size.is_none()).map(|s| Resolved {
                size: Some(s),
                ..res.clone()
            });
            let res = hinted.as_ref().unwrap_or(res);
            match self.try_resolution(res, mnemonic, &ops, prefixes) {
                Ok(Some(mut p)) => {
                    let honoured = data_size
                        .is_some_and(|s| p.cands[0].instr.code().op_code().operand_size() == s * 8);
                    p.raw_prefix = if honoured {
                        let mut r = raw_prefix.clone();
                        if let Some(pos) = r.iter().position(|b| *b == 0x66) {
                            r.remove(pos);
                        }
                        r
                    } else {
                        raw_prefix.clone()
                    };
                    p.operand_ranges = ops
                        .iter()
                        .filter(|o| !o.range.is_empty())
                        .map(|o| o.range.clone())
                        .collect();
                    p.prefixes_written = prefixes.iter().map(|(p, _)| p.clone()).collect();
                    return Ok(p);
                }
                Ok(None) => {}
                Err(e) => last_err = Some(e),
            }
        }
        if let Some(e) = last_err {
            return Err(e);
        }
        let codes: Vec<_> = resolutions
            .iter()
            .filter_map(|r| tables().codes(&r.name))
            .flatten()
            .copied()
            .collect();
        let (msg, help) = explain_mismatch(mnemonic, &codes, &ops, self.mode);
        let mut e = AsmError::new(range, msg);
        e.help = help;
        Err(e)
    }

    fn try_resolution(
        &self,
        res: &Resolved,
        mnemonic: &str,
        ops: &[Operand],
        prefixes: &[(String, Range<usize>)],
    ) -> Result<Option<PInstr>, AsmError> {
        let Some(codes) = tables().codes(&res.name) else {
            return Ok(None);
        };
        let mut ops = ops.to_vec();
        if let Some(imm) = res.imm {
            ops.push(Operand::new(
                OperandKind::Imm(Value::from(imm as i64)),
                0..0,
            ));
        }
        let unsized_mem = ops
            .iter()
            .any(|o| matches!(&o.kind, OperandKind::Mem(m) if m.size.is_none()));
        // `sar eax` shifts by one (LLVM's X86InstrInfo.td one-operand aliases).
        if matches!(
            res.name.as_str(),
            "shl" | "shr" | "sar" | "sal" | "rol" | "ror" | "rcl" | "rcr"
        ) && ops.len() == 1
        {
            ops.push(Operand::new(OperandKind::Imm(Value::from(1)), 0..0));
        }
        // `xchg` is symmetric; LLVM puts the first register in ModRM.rm's partner
        // (`xchg cl, dl` is 86 CA) and uses the one-byte 90+r form with the accumulator.
        let mut swapped_ops = None;
        if res.name == "xchg" && ops.len() == 2 {
            let mut s = ops.clone();
            s.swap(0, 1);
            swapped_ops = Some(s);
        }
        let mut cands: Vec<Candidate> = Vec::new();
        for o in swapped_ops.iter().chain(std::iter::once(&ops)) {
            cands.extend(
                codes
                    .iter()
                    .filter_map(|&c| try_code(c, o, self.mode, res.movabs)),
            );
        }
        // LLVM assembles `int 3` as the one-byte `int3` (X86InstrInfo.td InstAlias).
        if res.name == "int"
            && matches!(
                ops.as_slice(),
                [Operand {
                    kind: OperandKind::Imm(Value { num: 3, sym: None }),
                    ..
                }]
            )
        {
            cands = vec![Candidate {
                instr: iced_x86::Instruction::with(iced_x86::Code::Int3),
                fixups: Vec::new(),
            }];
        }
        if res.far {
            cands.retain(|c| is_far(c.instr.code()));
        } else if !matches!(res.name.as_str(), "retf") {
            cands.retain(|c| {
                !is_far(c.instr.code())
                    || ops
                        .iter()
                        .any(|o| matches!(o.kind, OperandKind::Far { .. }))
                    || explicit_far_size(&ops)
            });
        }
        if res.far && res.size.is_none() {
            // `lcall *(%rax)`/`ljmp *(%rax)` without a suffix: m16:32 (LLVM FARCALL32m).
            retain_if_any(&mut cands, |c| {
                c.instr.op_count() == 0
                    || mem_size_is(c, 6)
                    || c.instr
                        .code()
                        .op_code()
                        .op_kinds()
                        .iter()
                        .any(|k| matches!(k, K::farbr4_2 | K::farbr2_2))
            });
        }
        if let Some(size) = res.size {
            // The suffix names the operation size (`lcalll` = m16:32, `addl`); where no
            // candidate has that operation size it names the memory size (`movzbl`, `flds`).
            let bits = size * 8;
            if cands
                .iter()
                .any(|c| c.instr.code().op_code().operand_size() == bits)
            {
                cands.retain(|c| c.instr.code().op_code().operand_size() == bits);
            } else {
                retain_if_any(&mut cands, |c| mem_size_is(c, size));
            }
        }
        // Outside 16-bit mode an unsized form never means the 66h-prefixed 16-bit operation
        // (`push 1000` is `pushq`, `xbegin` takes rel32), unless a suffix or `data16` asks.
        if self.mode != Mode::Bits16 && res.size.is_none() {
            retain_if_any(&mut cands, |c| {
                c.instr.code().op_code().operand_size() != 16
            });
        }
        // Branches: the mode's natural operand size (`jmp rel32` in 32-bit mode, not the
        // `66`-prefixed rel16 form), as LLVM assembles them.
        if cands.iter().any(has_branch) && res.size.is_none() {
            let bits = self.mode.bitness();
            retain_if_any(&mut cands, |c| {
                matches!(c.instr.code().op_code().operand_size(), 0)
                    || c.instr.code().op_code().operand_size() == bits
            });
        }
        let cands_before_prefixes = if prefixes.is_empty() {
            Vec::new()
        } else {
            cands.clone()
        };
        // Apply prefixes, then validate every candidate by encoding and decoding it.
        let mut valid: Vec<(usize, Candidate)> = Vec::new();
        for mut c in cands {
            for (p, _) in prefixes {
                match p.as_str() {
                    "lock" => c.instr.set_has_lock_prefix(true),
                    "rep" | "repe" | "repz" => c.instr.set_has_repe_prefix(true),
                    "repne" | "repnz" | "bnd" => c.instr.set_has_repne_prefix(true),
                    "xacquire" => c.instr.set_has_xacquire_prefix(true),
                    "xrelease" => c.instr.set_has_xrelease_prefix(true),
                    "notrack" => c.instr.set_segment_prefix(Register::DS),
                    _ => {}
                }
            }
            if let Some(len) = trial_encode(&c, self.mode) {
                valid.push((len, c));
            }
        }
        if valid.is_empty() {
            // Say so when only the prefix is wrong (`lock nop`, `rep add`).
            let without: Vec<&Candidate> = cands_before_prefixes
                .iter()
                .filter(|c| trial_encode(c, self.mode).is_some())
                .collect();
            if let (false, Some((p, r))) = (
                without.is_empty(),
                prefixes.iter().find(|(p, _)| {
                    matches!(
                        p.as_str(),
                        "lock"
                            | "rep"
                            | "repe"
                            | "repz"
                            | "repne"
                            | "repnz"
                            | "xacquire"
                            | "xrelease"
                            | "bnd"
                            | "notrack"
                    )
                }),
            ) {
                let range = if r.is_empty() { 0..0 } else { r.clone() };
                return Err(AsmError::new(range, format!("`{p}` cannot be used with `{mnemonic}`")).with_help("see the instruction's description in the Intel SDM for the prefixes it accepts"));
            }
            return Ok(None);
        }
        // Unsized memory: LLVM tries each size and reports an ambiguity when more than one
        // matches (X86AsmParser::MatchAndEmitIntelInstruction), except for the
        // pointer-sized `call`/`jmp`/`push`/`pop`.
        if unsized_mem {
            let mut sizes: Vec<usize> = valid
                .iter()
                .filter_map(|(_, c)| mem_operand_size(c))
                .collect();
            sizes.sort_unstable();
            sizes.dedup();
            if sizes.len() > 1 {
                let ptr = (self.mode.bitness() / 8) as usize;
                let base = res.name.as_str();
                if matches!(base, "call" | "jmp" | "push" | "pop") && sizes.contains(&ptr) {
                    valid.retain(|(_, c)| mem_operand_size(c).is_none_or(|s| s == ptr));
                } else {
                    let range = ops
                        .iter()
                        .find(|o| matches!(o.kind, OperandKind::Mem(_)))
                        .map_or(0..0, |o| o.range.clone());
                    let help = match self.syntax {
                        Syntax::Intel => {
                            "say how much memory it accesses, e.g. `dword ptr [...]`".to_string()
                        }
                        Syntax::Att => format!("add a size suffix, e.g. `{mnemonic}l`"),
                    };
                    return Err(AsmError::new(
                        range,
                        format!("ambiguous operand size for instruction `{mnemonic}`"),
                    )
                    .with_help(help));
                }
            }
        }
        valid.sort_by_key(|(len, _)| *len);
        let lens: Vec<usize> = valid.iter().map(|(l, _)| *l).collect();
        let cands: Vec<Candidate> = valid.into_iter().map(|(_, c)| c).collect();
        let (short, near) = if cands.iter().any(has_branch) {
            let short = cands.iter().position(|c| {
                c.instr
                    .code()
                    .op_code()
                    .op_kinds()
                    .iter()
                    .any(|k| matches!(k, K::br16_1 | K::br32_1 | K::br64_1))
            });
            let near = cands
                .iter()
                .enumerate()
                .position(|(i, c)| has_branch(c) && Some(i) != short);
            (short, near)
        } else {
            (None, None)
        };
        Ok(Some(PInstr {
            cands,
            lens,
            short,
            near,
            operand_ranges: Vec::new(),
            prefixes_written: Vec::new(),
            raw_prefix: Vec::new(),
        }))
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

fn has_branch(c: &Candidate) -> bool {
    c.fixups.iter().any(|f| matches!(f, Fixup::Branch(_)))
}

fn is_far(code: iced_x86::Code) -> bool {
    let info = code.op_code();
    info.op_kinds()
        .iter()
        .any(|k| matches!(k, K::farbr2_2 | K::farbr4_2))
        || matches!(
            info.memory_size(),
            iced_x86::MemorySize::SegPtr16
                | iced_x86::MemorySize::SegPtr32
                | iced_x86::MemorySize::SegPtr64
        ) && matches!(
            code.mnemonic(),
            iced_x86::Mnemonic::Jmp | iced_x86::Mnemonic::Call
        )
}

fn explicit_far_size(ops: &[Operand]) -> bool {
    ops.iter().any(|o| matches!(&o.kind, OperandKind::Mem(m) if matches!(m.size, Some(6 | 10)) && !m.size_from_suffix))
}

fn mem_operand_size(c: &Candidate) -> Option<usize> {
    let info = c.instr.code().op_code();
    (0..c.instr.op_count())
        .any(|i| c.instr.op_kind(i) == iced_x86::OpKind::Memory)
        .then(|| {
            let ms = code_mem_size(info, c.instr.is_broadcast());
            if opaque_memory(ms) { 0 } else { ms.size() }
        })
}

fn mem_size_is(c: &Candidate, size: u32) -> bool {
    mem_operand_size(c) == Some(size as usize)
}

fn check_registers(op: &Operand, mode: Mode) -> Result<(), AsmError> {
    let regs: Vec<Register> = match &op.kind {
        OperandKind::Reg(r) => vec![*r],
        OperandKind::Mem(m) => vec![m.base, m.index],
        _ => vec![],
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

/// Encodes a candidate at a trial address with trial fixups, decodes it back and checks it
/// is the same instruction; returns its length.
fn trial_encode(c: &Candidate, mode: Mode) -> Option<usize> {
    const IP: u64 = 0x1000;
    let mut instr = c.instr;
    for f in &c.fixups {
        match f {
            Fixup::Branch(_) => instr.set_near_branch64(IP),
            Fixup::MemSym { rip: true, .. } => instr.set_memory_displacement64(IP),
            Fixup::MemSym { rip: false, .. } | Fixup::ImmSym(_) => {}
        }
    }
    encode_checked(&instr, mode, IP).map(|b| b.len())
}

/// Encodes `instr` at `ip`; `None` unless it decodes back to the same instruction.
pub(crate) fn encode_checked(
    instr: &iced_x86::Instruction,
    mode: Mode,
    ip: u64,
) -> Option<Vec<u8>> {
    // One encoder per thread and mode: `Encoder::new` allocates, and this runs for every
    // candidate of every instruction.
    thread_local! {
        static ENCODERS: std::cell::RefCell<[Option<Encoder>; 3]> = const { std::cell::RefCell::new([None, None, None]) };
    }
    let slot = match mode {
        Mode::Bits16 => 0,
        Mode::Bits32 => 1,
        Mode::Bits64 => 2,
    };
    let (len, bytes) = ENCODERS.with(|cell| {
        let mut encoders = cell.borrow_mut();
        let enc = encoders[slot].get_or_insert_with(|| Encoder::new(mode.bitness()));
        let result = enc.encode(instr, ip);
        let bytes = enc.take_buffer();
        enc.set_buffer(Vec::with_capacity(16));
        result.ok().map(|len| (len, bytes))
    })?;
    let mut dec = Decoder::with_ip(mode.bitness(), &bytes, ip, DecoderOptions::NONE);
    let back = dec.decode();
    if instr.code().op_code().fwait() {
        // `fclex` is `wait; fnclex` (9B DB E2); iced's decoder returns the two separately.
        let rest = dec.decode();
        return (back.code() == iced_x86::Code::Wait
            && !rest.is_invalid()
            && back.len() + rest.len() == len)
            .then_some(bytes);
    }
    if back.is_invalid()
        || back.len() != len
        || !(super::same_instruction(&back, instr) || xchg_is_nop(&back, instr, mode))
    {
        return None;
    }
    Some(bytes)
}

/// `xchg ax, ax` is `66 90`, which decodes as `nop` (Intel SDM Vol. 2B, "XCHG": 90 is the
/// one-byte NOP); LLVM emits it for `xchg ax, ax`, `xchg rax, rax` and, outside 64-bit mode,
/// `xchg eax, eax`. In 64-bit mode `xchg eax, eax` zero-extends, so 90 would be wrong.
fn xchg_is_nop(back: &iced_x86::Instruction, instr: &iced_x86::Instruction, mode: Mode) -> bool {
    use iced_x86::Code as C;
    let pair = matches!(
        (instr.code(), back.code()),
        (C::Xchg_r16_AX, C::Nopw) | (C::Xchg_r64_RAX, C::Nopq) | (C::Xchg_r32_EAX, C::Nopd)
    );
    pair && instr.op0_register() == instr.op1_register()
        && !(mode == Mode::Bits64 && instr.code() == C::Xchg_r32_EAX)
}

/// Keeps the candidates matching `keep` if there are any (a preference, not a filter).
fn retain_if_any(cands: &mut Vec<Candidate>, keep: impl Fn(&Candidate) -> bool) {
    if cands.iter().any(&keep) {
        cands.retain(keep);
    }
}
