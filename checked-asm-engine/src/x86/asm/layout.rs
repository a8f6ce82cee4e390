//! Addresses, branch relaxation and final encoding. Like LLVM's `MCAssembler`, branches to
//! labels of the block start in their short (rel8) form and grow to rel32 until every
//! displacement fits; branches to symbols outside the block get rel32 (their fixup cannot
//! be resolved at assembly time, so LLVM relaxes them).

use super::error::AsmError;
use super::expr::Value;
use super::matcher::Fixup;
use super::op_code::OpCodeTable;
use super::select::encode_checked;
use super::statement::{PKind, PStmt};
use super::{
    BranchTarget, Data, Directive, DirectiveKind, Instr, Mode, PrefixStmt, Program, Stmt, StmtKind,
    SymbolRef,
};
use crate::hash::FastMap;
use iced_x86::{Decoder, DecoderOptions, FlowControl, OpKind};

/// Long NOPs for alignment padding (Intel SDM Vol. 2B, "NOP", Table 4-12; the sequences
/// LLVM's `X86AsmBackend::writeNopData` emits, up to 10 bytes each). Ten is the maximum
/// for rustc's default CPUs (`x86-64`, `pentium4` for i686), checked against
/// `llvm-mc -mcpu=x86-64 -filetype=obj`; llvm-mc's own `generic` CPU pads with 15-byte NOPs
/// on x86_64 and single-byte NOPs on i686.
const NOPS: [&[u8]; 10] = [
    &[0x90],
    &[0x66, 0x90],
    &[0x0F, 0x1F, 0x00],
    &[0x0F, 0x1F, 0x40, 0x00],
    &[0x0F, 0x1F, 0x44, 0x00, 0x00],
    &[0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00],
    &[0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00],
    &[0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
    &[0x66, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
    &[0x66, 0x2E, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
];

fn padding(addr: u64, alignment: u64, fill: Option<u8>, max: Option<u64>, code: bool) -> Vec<u8> {
    let pad = (alignment - addr % alignment) % alignment;
    if max.is_some_and(|m| pad > m) {
        return Vec::new();
    }
    if let Some(f) = fill {
        return vec![f; pad as usize];
    }
    if !code {
        return vec![0; pad as usize];
    }
    nop_fill(pad as usize)
}

/// `len` bytes of long NOPs, longest first (what `.nops` and code alignment emit).
pub(crate) fn nop_fill(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut left = len;
    while left > 0 {
        let n = left.min(NOPS.len());
        out.extend_from_slice(NOPS[n - 1]);
        left -= n;
    }
    out
}

/// How a symbol name in an operand resolves.
enum Resolution {
    Label(usize),
    External,
}

struct Labels {
    named: FastMap<String, usize>,
    numeric: Vec<(String, usize)>,
}

impl Labels {
    fn resolve(&self, name: &str, at: usize) -> Result<Resolution, String> {
        if let Some(&i) = self.named.get(name) {
            return Ok(Resolution::Label(i));
        }
        let b = name.as_bytes();
        if b.len() > 1
            && b[..b.len() - 1].iter().all(u8::is_ascii_digit)
            && matches!(b[b.len() - 1], b'b' | b'f')
        {
            let num = &name[..name.len() - 1];
            let found = if b[b.len() - 1] == b'b' {
                self.numeric.iter().rev().find(|(n, i)| n == num && *i < at)
            } else {
                self.numeric.iter().find(|(n, i)| n == num && *i > at)
            };
            return match found {
                Some((_, i)) => Ok(Resolution::Label(*i)),
                None => Err(format!(
                    "no local label `{num}:` {} this reference",
                    if b[b.len() - 1] == b'b' {
                        "before"
                    } else {
                        "after"
                    }
                )),
            };
        }
        Ok(Resolution::External)
    }
}

pub(crate) fn lay_out(_src: &str, stmts: Vec<PStmt>) -> Result<Program, Vec<AsmError>> {
    let mut labels = Labels {
        named: FastMap::default(),
        numeric: Vec::new(),
    };
    for (i, s) in stmts.iter().enumerate() {
        if let PKind::Label(l) = &s.kind {
            if l.numeric {
                labels.numeric.push((l.name.clone(), i));
            } else {
                labels.named.insert(l.name.clone(), i);
            }
        }
    }
    let mut errors = Vec::new();
    // Resolve branch targets once: Some(label stmt) when local and in the same section.
    let mut local_target: Vec<Option<usize>> = vec![None; stmts.len()];
    let mut choice: Vec<usize> = vec![0; stmts.len()];
    for (i, s) in stmts.iter().enumerate() {
        let PKind::Instr(p) = &s.kind else { continue };
        let target = p.cands[0].fixups.iter().find_map(|f| match f {
            Fixup::Branch(v) => Some(v.clone()),
            _ => None,
        });
        if let Some(Value { sym: Some(sym), .. }) = &target {
            match labels.resolve(&sym.name, i) {
                Ok(Resolution::Label(l)) if stmts[l].section == s.section => {
                    local_target[i] = Some(l)
                }
                Ok(_) => {}
                Err(msg) => errors.push(AsmError::new(sym.range.clone(), msg)),
            }
        }
        choice[i] = match (local_target[i].is_some(), p.short, p.near) {
            (true, Some(short), _) => short,
            (false, _, Some(near)) => near,
            (_, Some(short), _) => short,
            (_, None, Some(near)) => near,
            _ => 0,
        };
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Relax until every short branch reaches its target.
    let mut addrs = vec![0u64; stmts.len()];
    let mut pads: Vec<Vec<u8>> = vec![Vec::new(); stmts.len()];
    // The location counter of each section, by section id (a block has one or two).
    let sections = stmts.iter().map(|s| s.section + 1).max().unwrap_or(0);
    for _round in 0..64 {
        let mut counters = vec![0u64; sections];
        for (i, s) in stmts.iter().enumerate() {
            let at = &mut counters[s.section];
            addrs[i] = *at;
            let size = match &s.kind {
                PKind::Instr(p) => (p.raw_prefix.len() + p.cands[choice[i]].len) as u64,
                PKind::Data { bytes, .. } => bytes.len() as u64,
                PKind::Prefix { bytes, .. } => bytes.len() as u64,
                PKind::Align {
                    alignment,
                    fill,
                    max,
                    ..
                } => {
                    pads[i] = padding(*at, *alignment, *fill, *max, s.section == 0);
                    pads[i].len() as u64
                }
                PKind::Label(_) | PKind::Directive(_) => 0,
            };
            *at += size;
        }
        let mut changed = false;
        for (i, s) in stmts.iter().enumerate() {
            let (PKind::Instr(p), Some(t)) = (&s.kind, local_target[i]) else {
                continue;
            };
            if Some(choice[i]) != p.short {
                continue;
            }
            let end = addrs[i] + (p.raw_prefix.len() + p.cands[choice[i]].len) as u64;
            let disp = addrs[t] as i64 - end as i64;
            if !(-128..=127).contains(&disp)
                && let Some(near) = p.near
            {
                choice[i] = near;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // Final encoding.
    let sections: Vec<usize> = stmts.iter().map(|s| s.section).collect();
    let mut out = Vec::with_capacity(stmts.len());
    for (i, s) in stmts.into_iter().enumerate() {
        let addr = addrs[i];
        let kind = match s.kind {
            PKind::Label(l) => StmtKind::Label(l),
            PKind::Directive(d) => StmtKind::Directive(d),
            PKind::Prefix {
                prefixes,
                bytes,
                applies_to,
            } => StmtKind::Prefix(PrefixStmt {
                prefixes,
                applies_to,
                bytes,
            }),
            PKind::Align {
                name, alignment, ..
            } => StmtKind::Directive(Directive {
                name,
                kind: DirectiveKind::Align {
                    alignment,
                    padding: std::mem::take(&mut pads[i]),
                },
            }),
            PKind::Data {
                directive,
                mut bytes,
                syms,
            } => {
                let mut symbol_refs = Vec::new();
                let width = match directive.as_str() {
                    ".byte" => 1,
                    ".word" | ".short" | ".hword" | ".2byte" | ".value" => 2,
                    ".long" | ".int" | ".4byte" => 4,
                    _ => 8,
                };
                for (offset, v) in &syms {
                    if let Some(sym) = &v.sym {
                        let local_label = match labels.resolve(&sym.name, i) {
                            Ok(Resolution::Label(l)) => Some(l),
                            Ok(Resolution::External) => None,
                            Err(msg) => {
                                errors.push(AsmError::new(sym.range.clone(), msg));
                                None
                            }
                        };
                        // What the object file holds before linking: 0 with RELA (x86-64),
                        // the addend (plus a same-section label's offset) with REL (i386).
                        let in_place = match (s.mode, local_label) {
                            (Mode::Bits64, _) => 0,
                            (_, Some(l)) if sections[l] == s.section => {
                                addrs[l].wrapping_add(v.num as u64) as i64
                            }
                            _ => v.num,
                        };
                        let end = (offset + width).min(bytes.len());
                        bytes[*offset..end]
                            .copy_from_slice(&in_place.to_le_bytes()[..end - offset]);
                        symbol_refs.push(SymbolRef {
                            name: sym.name.clone(),
                            reloc: sym.reloc.clone(),
                            rip_relative: false,
                            local_label,
                            immediate: true,
                            addend: v.num,
                        });
                    }
                }
                let decoded = decode_all(&bytes, s.mode, addr);
                StmtKind::Data(Data {
                    directive,
                    bytes,
                    mode: s.mode,
                    decoded,
                    symbol_refs,
                })
            }
            PKind::Instr(p) => {
                let c = &p.cands[choice[i]];
                let ip = addr + p.raw_prefix.len() as u64;
                let next_ip = ip + p.cands[choice[i]].len as u64;
                let mut instr = c.instr;
                let mut target = None;
                let mut symbol_refs = Vec::new();
                for f in &c.fixups {
                    match f {
                        Fixup::Branch(v) => {
                            // An unresolved target is a relocation. x86-64 ELF (RELA) leaves
                            // the field 0; i386 (REL) stores the implicit addend, minus the
                            // field size for a PC-relative fixup (`call foo` is E8 FC FF FF FF).
                            let next_ip = if s.mode == Mode::Bits64 {
                                next_ip
                            } else {
                                next_ip.wrapping_sub(branch_field_size(instr.code()))
                            };
                            let (t, addr_of) = match &v.sym {
                                None => (BranchTarget::Absolute(v.num as u64), next_ip),
                                Some(sym) => match labels.resolve(&sym.name, i) {
                                    Ok(Resolution::Label(l)) if local_target[i] == Some(l) => (
                                        BranchTarget::LocalLabel(l),
                                        addrs[l].wrapping_add(v.num as u64),
                                    ),
                                    Ok(Resolution::Label(l)) => {
                                        (BranchTarget::LocalLabel(l), next_ip)
                                    }
                                    _ => (BranchTarget::Symbol(sym.name.clone()), next_ip),
                                },
                            };
                            instr.set_near_branch64(addr_of);
                            target = Some(t);
                        }
                        Fixup::MemSym { rip, value } => {
                            let mut local_label = None;
                            let mut resolved = None;
                            if let Some(sym) = &value.sym {
                                match labels.resolve(&sym.name, i) {
                                    Ok(Resolution::Label(l)) => {
                                        local_label = Some(l);
                                        if sections[l] == s.section {
                                            resolved =
                                                Some(addrs[l].wrapping_add(value.num as u64));
                                        }
                                    }
                                    Ok(Resolution::External) => {}
                                    Err(msg) => errors.push(AsmError::new(sym.range.clone(), msg)),
                                }
                                symbol_refs.push(SymbolRef {
                                    name: sym.name.clone(),
                                    reloc: sym.reloc.clone(),
                                    rip_relative: *rip,
                                    local_label,
                                    immediate: false,
                                    addend: value.num,
                                });
                            }
                            if *rip {
                                // A rip-relative reference to a symbol outside the block is
                                // encoded with displacement 0 plus a relocation, as LLVM does.
                                instr.set_memory_displacement64(match (resolved, &value.sym) {
                                    (Some(a), _) => a,
                                    (None, Some(_)) => next_ip,
                                    (None, None) => next_ip.wrapping_add(value.num as u64),
                                });
                            }
                        }
                        Fixup::ImmSym(v) => {
                            if let Some(sym) = &v.sym {
                                let local_label = match labels.resolve(&sym.name, i) {
                                    Ok(Resolution::Label(l)) => Some(l),
                                    _ => None,
                                };
                                // i386 (REL): a label of this section is written as its
                                // section offset plus the addend.
                                if let (Mode::Bits32 | Mode::Bits16, Some(l)) =
                                    (s.mode, local_label)
                                    && sections[l] == s.section
                                {
                                    let value = addrs[l].wrapping_add(v.num as u64);
                                    for op in 0..instr.op_count() {
                                        if matches!(
                                            instr.op_kind(op),
                                            OpKind::Immediate16 | OpKind::Immediate32
                                        ) {
                                            let _ = instr.try_set_immediate_u64(op, value);
                                        }
                                    }
                                }
                                symbol_refs.push(SymbolRef {
                                    name: sym.name.clone(),
                                    reloc: sym.reloc.clone(),
                                    rip_relative: false,
                                    local_label,
                                    immediate: true,
                                    addend: v.num,
                                });
                            }
                        }
                    }
                }
                let Some(enc) = encode_checked(&instr, s.mode, ip) else {
                    let msg = if target.is_some() {
                        "branch target is out of range for this instruction"
                    } else {
                        "cannot encode this instruction"
                    };
                    errors.push(AsmError::new(s.range.clone(), msg));
                    continue;
                };
                let mut bytes = p.raw_prefix.clone();
                bytes.extend_from_slice(&enc);
                let mut dec =
                    Decoder::with_ip(s.mode.bitness(), &bytes, addr, DecoderOptions::NONE);
                let decoded = if instr.code().op_info().fwait() {
                    // iced decodes `wait` separately; keep the combined instruction.
                    let mut d = instr;
                    // Length first: `set_ip` derives the next IP from the current length.
                    d.set_len(bytes.len());
                    d.set_ip(addr);
                    d
                } else {
                    dec.decode()
                };
                if decoded.is_invalid() || decoded.len() != bytes.len() {
                    errors.push(AsmError::new(
                        s.range.clone(),
                        "the prefixes written do not form a valid instruction with it",
                    ));
                    continue;
                }
                if target.is_none()
                    && matches!(
                        decoded.flow_control(),
                        FlowControl::IndirectBranch | FlowControl::IndirectCall
                    )
                {
                    target = Some(BranchTarget::Indirect);
                }
                let prefixes_written = p.prefixes_written;
                StmtKind::Instr(Instr {
                    instruction: decoded,
                    bytes,
                    mode: s.mode,
                    target,
                    symbol_refs,
                    operand_ranges: p.operand_ranges,
                    prefixes_written,
                })
            }
        };
        out.push(Stmt {
            range: s.range,
            section: s.section,
            address: addr,
            kind,
        });
    }
    if errors.is_empty() {
        decode_data_runs(&mut out);
        Ok(Program { stmts: out })
    } else {
        Err(errors)
    }
}

/// Decodes `bytes` from the start while they form valid instructions.
fn decode_all(bytes: &[u8], mode: Mode, ip: u64) -> Vec<iced_x86::Instruction> {
    let mut dec = Decoder::with_ip(mode.bitness(), bytes, ip, DecoderOptions::NONE);
    let mut out = Vec::new();
    while dec.can_decode() {
        let i = dec.decode();
        if i.is_invalid() {
            break;
        }
        out.push(i);
    }
    out
}

/// Consecutive data statements (`.byte 0x0f; .byte 0x0b`) can spell one instruction between
/// them: decode each run as a whole and give every decoded instruction to the statement its
/// first byte belongs to.
fn decode_data_runs(stmts: &mut [Stmt]) {
    let mut i = 0;
    while i < stmts.len() {
        let StmtKind::Data(first) = &stmts[i].kind else {
            i += 1;
            continue;
        };
        let (section, mode) = (stmts[i].section, first.mode);
        let mut j = i + 1;
        while j < stmts.len()
            && stmts[j].section == section
            && matches!(&stmts[j].kind, StmtKind::Data(d) if d.mode == mode)
        {
            j += 1;
        }
        if j - i > 1 {
            let start = stmts[i].address;
            let bytes: Vec<u8> = stmts[i..j]
                .iter()
                .flat_map(|s| {
                    if let StmtKind::Data(d) = &s.kind {
                        d.bytes.clone()
                    } else {
                        Vec::new()
                    }
                })
                .collect();
            let decoded = decode_all(&bytes, mode, start);
            for s in &mut stmts[i..j] {
                if let StmtKind::Data(d) = &mut s.kind {
                    d.decoded.clear();
                }
            }
            for ins in decoded {
                let owner = (i..j)
                    .rev()
                    .find(|&k| stmts[k].address <= ins.ip())
                    .unwrap_or(i);
                if let StmtKind::Data(d) = &mut stmts[owner].kind {
                    d.decoded.push(ins);
                }
            }
        }
        i = j;
    }
}

/// Size of the displacement field of a near branch (for i386's in-place addend).
fn branch_field_size(code: iced_x86::Code) -> u64 {
    use iced_x86::OpCodeOperandKind as K;
    match code.op_info().op_kinds().iter().find(|k| {
        matches!(
            k,
            K::br16_1
                | K::br32_1
                | K::br64_1
                | K::br16_2
                | K::br32_4
                | K::br64_4
                | K::xbegin_2
                | K::xbegin_4
                | K::brdisp_2
                | K::brdisp_4
        )
    }) {
        Some(K::br16_1 | K::br32_1 | K::br64_1) => 1,
        Some(K::br16_2 | K::xbegin_2 | K::brdisp_2) => 2,
        _ => 4,
    }
}
