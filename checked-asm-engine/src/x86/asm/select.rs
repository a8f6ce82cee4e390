//! Choosing the instruction: the written mnemonic's resolutions, their matching `Code`s,
//! LLVM's size preferences, and validation of every candidate by encoding it with iced and
//! decoding it back.

use super::Mode;
use super::Syntax;
use super::diagnose::explain_mismatch;
use super::error::AsmError;
use super::expr::Value;
use super::kinds::{code_mem_size, opaque_memory};
use super::matcher::{Candidate, Fixup, try_code};
use super::mnemonic::{Resolved, resolve};
use super::op_code::OpCodeTable;
use super::operand::{Operand, OperandKind};
use super::statement::{PInstr, Parser};
use super::table::tables;
use iced_x86::{Decoder, DecoderOptions, Encoder, OpCodeOperandKind as K, Register};
use std::ops::Range;

impl Parser<'_> {
    pub(crate) fn select(
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
        for res in resolutions.iter() {
            let hinted = data_size.filter(|_| res.size.is_none()).map(|s| Resolved {
                size: Some(s),
                ..res.clone()
            });
            let res = hinted.as_ref().unwrap_or(res);
            match self.try_resolution(res, mnemonic, &ops, prefixes) {
                Ok(Some(mut p)) => {
                    let honoured = data_size
                        .is_some_and(|s| p.cands[0].instr.code().op_info().operand_size() == s * 8);
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
        // `aam`/`aad` without an operand use base 10 (Intel SDM Vol. 2A, AAM).
        if matches!(res.name.as_str(), "aam" | "aad") && ops.is_empty() {
            ops.push(Operand::new(OperandKind::Imm(Value::from(10)), 0..0));
        }
        // LLVM moves between a segment register and a 16-bit GPR without 66h in one
        // direction per syntax (llvm-mc 22): AT&T `movw %ax, %ds` is 8E D8, Intel
        // `mov cx, ss` is `mov ecx, ss` (8C D1, which writes all of ECX); the other
        // direction keeps 66h. Follow it, since those bytes are what runs.
        if res.name == "mov" && ops.len() == 2 {
            let widen = match (&ops[0].kind, &ops[1].kind, self.syntax) {
                (OperandKind::Reg(s), OperandKind::Reg(g), Syntax::Att)
                    if s.is_segment_register() && g.is_gpr16() =>
                {
                    Some(1)
                }
                (OperandKind::Reg(g), OperandKind::Reg(s), Syntax::Intel)
                    if s.is_segment_register() && g.is_gpr16() =>
                {
                    Some(0)
                }
                _ => None,
            };
            if let Some(i) = widen
                && let OperandKind::Reg(g) = ops[i].kind
            {
                ops[i].kind = OperandKind::Reg(g.full_register32());
            }
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
        let written = ops
            .iter()
            .filter(|o| !matches!(o.kind, OperandKind::Rounding(_) | OperandKind::Sae))
            .count();
        let shapes = tables().shapes(&res.name).unwrap_or(&[]);
        for o in swapped_ops.iter().chain(std::iter::once(&ops)) {
            // The table's operand-count bounds and first- and second-operand classes
            // spare most codes of a mnemonic (`mov` has ~60) the full `try_code` match.
            let mut classes = o
                .iter()
                .filter(|o| !matches!(o.kind, OperandKind::Rounding(_) | OperandKind::Sae))
                .map(super::kinds::operand_class);
            let all = super::kinds::class::ALL;
            let first = classes.next().unwrap_or(all);
            let second = classes.next().unwrap_or(all);
            for (&code, shape) in codes.iter().zip(shapes) {
                if (shape.min as usize..=shape.max as usize).contains(&written)
                    && shape.first & first != 0
                    && shape.second & second != 0
                    && let Some(cand) = try_code(code, o, self.mode, res.movabs)
                {
                    cands.push(cand);
                }
            }
        }
        // LLVM assembles `xchg rax, rax` as the one-byte NOP 90 (no REX.W needed for a no-op).
        if res.name == "xchg"
            && self.mode == Mode::Bits64
            && matches!(
                ops.as_slice(),
                [
                    Operand {
                        kind: OperandKind::Reg(Register::RAX),
                        ..
                    },
                    Operand {
                        kind: OperandKind::Reg(Register::RAX),
                        ..
                    }
                ]
            )
        {
            cands = vec![Candidate {
                instr: iced_x86::Instruction::with(iced_x86::Code::Nopd),
                fixups: Vec::new(),
                len: 0,
            }];
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
                len: 0,
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
                        .op_info()
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
                .any(|c| c.instr.code().op_info().operand_size() == bits)
            {
                cands.retain(|c| c.instr.code().op_info().operand_size() == bits);
            } else if ops.is_empty() {
                // Nothing else can carry the size: `pushfq` in 32-bit mode is not
                // `pushfw` (llvm-mc 22: "instruction requires: 64-bit mode").
                cands.clear();
            } else {
                retain_if_any(&mut cands, |c| mem_size_is(c, size));
            }
        }
        // Outside 16-bit mode an unsized form never means the 66h-prefixed 16-bit operation
        // (`push 1000` is `pushq`, `xbegin` takes rel32), unless a suffix or `data16` asks.
        if self.mode != Mode::Bits16 && res.size.is_none() {
            retain_if_any(&mut cands, |c| {
                c.instr.code().op_info().operand_size() != 16
            });
        }
        // In `.code16`, LLVM assembles an unsuffixed `call`/`ret` as `calll`/`retl` (66h,
        // 32-bit return address; llvm-mc 22), while `jmp` and `push` stay 16-bit.
        if self.mode == Mode::Bits16
            && res.size.is_none()
            && matches!(res.name.as_str(), "call" | "ret")
        {
            retain_if_any(&mut cands, |c| {
                c.instr.code().op_info().operand_size() == 32
            });
        }
        // Branches: the mode's natural operand size (`jmp rel32` in 32-bit mode, not the
        // `66`-prefixed rel16 form), as LLVM assembles them.
        if cands.iter().any(has_branch) && res.size.is_none() && self.mode != Mode::Bits16 {
            let bits = self.mode.bitness();
            retain_if_any(&mut cands, |c| {
                matches!(c.instr.code().op_info().operand_size(), 0)
                    || c.instr.code().op_info().operand_size() == bits
            });
        }
        // `{vex}`/`{vex3}`/`{evex}` pseudo prefixes choose the encoding (LLVM's X86AsmParser
        // `ForcedVEXEncoding`).
        // `{disp32}` forces a 32-bit displacement (LLVM `ForcedDispEncoding`).
        if prefixes.iter().any(|(p, _)| p == "{disp32}") {
            for c in &mut cands {
                let base = c.instr.memory_base();
                let has_mem =
                    (0..c.instr.op_count()).any(|i| c.instr.op_kind(i) == iced_x86::OpKind::Memory);
                if has_mem && base != Register::None && !base.is_ip() {
                    c.instr.set_memory_displ_size(if base.is_gpr64() {
                        8
                    } else if base.is_gpr16() {
                        2
                    } else {
                        4
                    });
                }
            }
        }
        for (p, _) in prefixes {
            let want = match p.as_str() {
                "{vex}" | "{vex2}" | "{vex3}" => iced_x86::EncodingKind::VEX,
                "{evex}" => iced_x86::EncodingKind::EVEX,
                _ => continue,
            };
            cands.retain(|c| c.instr.code().op_info().encoding() == want);
        }
        let cands_before_prefixes = if prefixes.is_empty() {
            Vec::new()
        } else {
            cands.clone()
        };
        // Apply prefixes, then validate every candidate by encoding and decoding it.
        let mut valid: Vec<Candidate> = Vec::with_capacity(cands.len());
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
                c.len = len;
                valid.push(c);
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
            let mut sizes: Vec<usize> = valid.iter().filter_map(mem_operand_size).collect();
            sizes.sort_unstable();
            sizes.dedup();
            if sizes.len() > 1 {
                let ptr = (self.mode.bitness() / 8) as usize;
                let base = res.name.as_str();
                if matches!(base, "call" | "jmp" | "push" | "pop") && sizes.contains(&ptr) {
                    valid.retain(|c| mem_operand_size(c).is_none_or(|s| s == ptr));
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
        // Shortest first; among equal lengths LLVM prefers the sign-extended imm8 form
        // (`add ax, 0xffff` is 66 83 C0 FF, not 66 05 FF FF).
        valid.sort_by_key(|c| {
            let imm8 = (0..c.instr.op_count()).any(|i| {
                matches!(
                    c.instr.op_kind(i),
                    iced_x86::OpKind::Immediate8to16
                        | iced_x86::OpKind::Immediate8to32
                        | iced_x86::OpKind::Immediate8to64
                )
            });
            (c.len, !imm8)
        });
        let cands = valid;
        let (short, near) = if cands.iter().any(has_branch) {
            let short = cands.iter().position(|c| {
                c.instr
                    .code()
                    .op_info()
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
            short,
            near,
            operand_ranges: Vec::new(),
            prefixes_written: Vec::new(),
            raw_prefix: Vec::new(),
        }))
    }
}

fn has_branch(c: &Candidate) -> bool {
    c.fixups.iter().any(|f| matches!(f, Fixup::Branch(_)))
}

fn is_far(code: iced_x86::Code) -> bool {
    let info = code.op_info();
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
    let info = c.instr.code().op_info();
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
    with_checked_encoding(&instr, mode, IP, <[u8]>::len)
}

/// Encodes `instr` at `ip`; `None` unless it decodes back to the same instruction.
pub(crate) fn encode_checked(
    instr: &iced_x86::Instruction,
    mode: Mode,
    ip: u64,
) -> Option<Vec<u8>> {
    with_checked_encoding(instr, mode, ip, <[u8]>::to_vec)
}

/// Encodes and validates `instr`, handing the bytes to `f` without allocating: one encoder
/// per thread and mode is reused (`Encoder::new` allocates, and this runs for every
/// candidate of every instruction).
fn with_checked_encoding<T>(
    instr: &iced_x86::Instruction,
    mode: Mode,
    ip: u64,
    f: impl FnOnce(&[u8]) -> T,
) -> Option<T> {
    thread_local! {
        static ENCODERS: std::cell::RefCell<[Option<Encoder>; 3]> = const { std::cell::RefCell::new([None, None, None]) };
    }
    let slot = match mode {
        Mode::Bits16 => 0,
        Mode::Bits32 => 1,
        Mode::Bits64 => 2,
    };
    ENCODERS.with(|cell| {
        let mut encoders = cell.borrow_mut();
        let enc = encoders[slot].get_or_insert_with(|| Encoder::new(mode.bitness()));
        let result = enc.encode(instr, ip);
        let mut bytes = enc.take_buffer();
        let out = result
            .ok()
            .filter(|&len| valid_encoding(instr, mode, ip, &bytes, len))
            .map(|_| f(&bytes));
        bytes.clear();
        enc.set_buffer(bytes);
        out
    })
}

/// Whether `bytes` decode back to `instr`.
fn valid_encoding(
    instr: &iced_x86::Instruction,
    mode: Mode,
    ip: u64,
    bytes: &[u8],
    len: usize,
) -> bool {
    let mut dec = Decoder::with_ip(mode.bitness(), bytes, ip, DecoderOptions::NONE);
    let back = dec.decode();
    if instr.code().op_info().fwait() {
        // `fclex` is `wait; fnclex` (9B DB E2); iced's decoder returns the two separately.
        let rest = dec.decode();
        return back.code() == iced_x86::Code::Wait
            && !rest.is_invalid()
            && back.len() + rest.len() == len;
    }
    !back.is_invalid()
        && back.len() == len
        && (super::same_instruction(&back, instr) || xchg_is_nop(&back, instr, mode))
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
