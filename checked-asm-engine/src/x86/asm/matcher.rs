//! Operands → iced `Code`: every `Code` of the mnemonic whose `OpCodeInfo` operand kinds
//! accept the written operands becomes a candidate; the layout stage encodes candidates and
//! keeps the shortest encoding, which is what LLVM's matcher and relaxation pick (e.g. the
//! sign-extended `imm8` form of `add`, `B8+r` for `mov r32, imm32`).

use super::Mode;
use super::expr::Value;
use super::kinds::*;
use super::op_code::OpCodeTable;
use super::operand::{Mem, Operand, OperandKind};
use iced_x86::{Code, OpCodeOperandKind as K, OpKind, Register};

/// What an operand still needs from the layout (addresses are known only after it).
#[derive(Clone, Debug)]
pub(crate) enum Fixup {
    /// A near branch target.
    Branch(Value),
    /// A memory displacement with a symbol, rip-relative or absolute.
    MemSym { rip: bool, value: Value },
    /// An immediate with a symbol (relocated; encoded as its addend).
    ImmSym(Value),
}

#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    pub instr: iced_x86::Instruction,
    pub fixups: Vec<Fixup>,
    /// The encoded length in bytes, once the candidate is validated by encoding it
    /// (0 until then).
    pub len: usize,
}

/// Tries `code` against the operands; returns the instruction with operands filled in.
pub(crate) fn try_code(code: Code, ops: &[Operand], mode: Mode, movabs: bool) -> Option<Candidate> {
    let info = code.op_info();
    if !info.is_available_in_mode(op_size_bits(mode)) {
        return None;
    }
    let kinds = info.op_kinds();
    if gpr_width_free(code.mnemonic())
        && kinds
            .iter()
            .any(|k| matches!(k, K::r64_reg | K::r64_rm | K::r64_or_mem))
    {
        return None;
    }
    let mut instr = iced_x86::Instruction::default();
    instr.set_code(code);
    let mut fixups = Vec::new();
    // Cheap count check before any allocation: most codes of a mnemonic fail here.
    let written = ops
        .iter()
        .filter(|o| !matches!(o.kind, OperandKind::Rounding(_) | OperandKind::Sae))
        .count();
    let optional = kinds
        .iter()
        .filter(|k| super::kinds::may_be_left_out(**k))
        .count();
    let too_many = if kinds.is_empty() {
        written > 2
    } else {
        written > kinds.len() + 1
    };
    if too_many || written + optional < kinds.len() {
        return None;
    }
    // The written operands without rounding decorators, on the stack (this runs for every
    // code of the mnemonic).
    static FILLER: Operand = Operand {
        kind: OperandKind::Sae,
        range: 0..0,
        mask: Register::None,
        zeroing: false,
        star: false,
    };
    let mut store: [&Operand; 8] = [&FILLER; 8];
    let mut n = 0;
    for o in ops
        .iter()
        .filter(|o| !matches!(o.kind, OperandKind::Rounding(_) | OperandKind::Sae))
    {
        *store.get_mut(n)? = o;
        n += 1;
    }
    let explicit: &[&Operand] = &store[..n];
    if kinds.is_empty() && !explicit.is_empty() {
        // `vmrun rax`, `skinit eax`, `invlpga rax, ecx`: LLVM accepts the implicit registers
        // written out; the first one gives the address size.
        if !implicit_registers_ok(code, explicit) {
            return None;
        }
        return Some(Candidate {
            instr,
            fixups,
            len: 0,
        });
    }
    if movabs && !kinds.iter().any(|k| matches!(k, K::imm64 | K::mem_offs)) {
        return None;
    }
    // SSE4.1 `blendvps`/`pblendvb` and `sha256rnds2` read xmm0 implicitly; LLVM accepts it
    // written as the last operand too.
    let implicit_xmm0 = matches!(
        code,
        Code::Pblendvb_xmm_xmmm128
            | Code::Blendvps_xmm_xmmm128
            | Code::Blendvpd_xmm_xmmm128
            | Code::Sha256rnds2_xmm_xmmm128
    );
    let explicit = if implicit_xmm0
        && explicit.len() == kinds.len() + 1
        && matches!(
            explicit.last().map(|o| &o.kind),
            Some(OperandKind::Reg(Register::XMM0))
        ) {
        &explicit[..kinds.len()]
    } else {
        explicit
    };
    let string_code = kinds.iter().any(|k| matches!(k, K::seg_rSI | K::es_rDI));
    let mut seen_imm = false;
    let mut next = 0usize;
    for (i, &k) in kinds.iter().enumerate() {
        let i = i as u32;
        if matches!(k, K::seg_rSI | K::es_rDI | K::seg_rDI | K::seg_rBX_al) {
            // String operands may be written (`movsb byte ptr [rdi], byte ptr [rsi]`) or
            // left out (`movsb`, `maskmovq mm0, mm1`).
            let written = match explicit.get(next).map(|o| &o.kind) {
                Some(OperandKind::Mem(m)) => Some(m),
                _ => None,
            };
            if let Some(m) = written {
                if !string_memory(&mut instr, i, k, m, info) {
                    return None;
                }
                next += 1;
            } else {
                set_implicit(&mut instr, i, k, mode)?;
            }
            continue;
        }
        // Operands the syntax lets one leave out: the accumulator (and the port of
        // `ins`/`outs`) of string instructions (`stosb byte ptr [rdi]`, `outsb`) and x87's `st(0)` (`fcom st(3)`), when fewer operands
        // remain than kinds.
        let optional = match k {
            K::al => string_code.then_some(Register::AL),
            K::ax => string_code.then_some(Register::AX),
            K::eax => string_code.then_some(Register::EAX),
            K::rax => string_code.then_some(Register::RAX),
            // `insb`/`outsb` leave their port, dx, implicit too.
            K::dx => string_code.then_some(Register::DX),
            K::st0 => Some(Register::ST0),
            _ => None,
        };
        let remaining_kinds = kinds.len() - i as usize;
        if let Some(r) = optional
            && explicit.len() - next < remaining_kinds
        {
            instr.set_op_kind(i, OpKind::Register);
            instr.set_op_register(i, r);
            continue;
        }
        let op = explicit.get(next)?;
        next += 1;
        match &op.kind {
            OperandKind::Reg(r) => {
                if op.star
                    && !matches!(
                        k,
                        K::r16_rm
                            | K::r32_rm
                            | K::r64_rm
                            | K::r16_or_mem
                            | K::r32_or_mem
                            | K::r64_or_mem
                    )
                {
                    return None;
                }
                let r = if selector_r32m16(code)
                    && r.is_gpr16()
                    && matches!(k, K::r32_or_mem | K::r32_reg)
                {
                    // LLVM encodes `ltr ax` without 66h (X86InstrSystem.td `LTRr`), which
                    // is iced's `Ltr_r32m16`; only the low 16 bits are read.
                    r.full_register32()
                } else if r.is_gpr64()
                    && gpr_width_free(code.mnemonic())
                    && matches!(k, K::r32_reg | K::r32_rm | K::r32_or_mem)
                {
                    // `movmskps rax, xmm0`: LLVM assembles the r64 spelling as the r32
                    // encoding (the result is zero-extended either way).
                    r.full_register32()
                } else {
                    *r
                };
                if !reg_fits(r, k) {
                    return None;
                }
                instr.set_op_kind(i, OpKind::Register);
                instr.set_op_register(i, r);
            }
            OperandKind::Mem(m) => {
                if !mem_kind(k) || !vsib_index_ok(k, m.index) {
                    return None;
                }
                if k == K::mem_offs && (m.base != Register::None || m.index != Register::None) {
                    return None;
                }
                if k != K::mem_offs && movabs {
                    return None;
                }
                if m.broadcast.is_some() && !info.can_broadcast() {
                    return None;
                }
                let ms = code_mem_size(info, m.broadcast.is_some());
                if let Some(sz) = m.size
                    && !opaque_memory(ms)
                    && ms.size() as u32 != sz
                    && !(m.size_from_suffix && ms.is_packed())
                {
                    return None;
                }
                if let Some(n) = m.broadcast {
                    let full = info.memory_size().size() as u32;
                    let elem = ms.size() as u32;
                    if elem == 0 || full / elem != n {
                        return None;
                    }
                }
                set_memory(&mut instr, i, m, k, mode, &mut fixups)?;
            }
            OperandKind::Imm(v) | OperandKind::Bare(v) => {
                if is_branch_kind(k) {
                    // A branch target is a label, a symbol or (AT&T) a bare address; LLVM's
                    // Intel parser rejects a plain number (`jmp 0x1000`: "invalid operand").
                    if matches!(op.kind, OperandKind::Imm(_)) {
                        return None;
                    }
                    instr.set_op_kind(i, branch_op_kind(k, mode));
                    fixups.push(Fixup::Branch(v.clone()));
                    continue;
                }
                if matches!(op.kind, OperandKind::Bare(_)) {
                    // A bare symbol is a memory operand (`mov eax, sym` loads from `sym`).
                    if !mem_kind(k) {
                        return None;
                    }
                    let m = Mem {
                        size: None,
                        size_from_suffix: false,
                        seg: Register::None,
                        base: Register::None,
                        index: Register::None,
                        scale: 1,
                        disp: v.clone(),
                        broadcast: None,
                    };
                    set_memory(&mut instr, i, &m, k, mode, &mut fixups)?;
                    continue;
                }
                if v.sym.is_some() {
                    // A relocated immediate needs a field as wide as an address.
                    if !matches!(k, K::imm16 | K::imm32 | K::imm32sex64 | K::imm64) {
                        return None;
                    }
                    fixups.push(Fixup::ImmSym(v.clone()));
                }
                // x86-64 ELF relocations carry the addend (RELA), so the field holds 0, as
                // in LLVM's output; i386 (REL) keeps the addend in place.
                let value = if v.sym.is_some() && mode == Mode::Bits64 {
                    0
                } else {
                    v.num
                };
                let kind = imm_fits(k, value, seen_imm)?;
                seen_imm = true;
                instr.set_op_kind(i, kind);
                instr.try_set_immediate_u64(i, value as u64).ok()?;
            }
            OperandKind::Far { selector, offset } => {
                let kind = match k {
                    K::farbr2_2 => OpKind::FarBranch16,
                    K::farbr4_2 => OpKind::FarBranch32,
                    _ => return None,
                };
                if !(0..=0xFFFF).contains(selector) {
                    return None;
                }
                if kind == OpKind::FarBranch16 && !(0..=0xFFFF).contains(offset) {
                    return None;
                }
                instr.set_op_kind(i, kind);
                instr.set_far_branch_selector(*selector as u16);
                if kind == OpKind::FarBranch16 {
                    instr.set_far_branch16(*offset as u16);
                } else {
                    instr.set_far_branch32(*offset as u32);
                }
            }
            OperandKind::Rounding(_) | OperandKind::Sae => return None,
        }
    }
    if next != explicit.len() {
        return None;
    }
    // Decorators.
    for op in ops {
        match op.kind {
            OperandKind::Rounding(rc) => {
                if !info.can_use_rounding_control() {
                    return None;
                }
                instr.set_rounding_control(rc);
            }
            OperandKind::Sae => {
                if !info.can_suppress_all_exceptions() {
                    return None;
                }
                instr.set_suppress_all_exceptions(true);
            }
            _ => {}
        }
        if op.mask != Register::None {
            if !info.can_use_op_mask_register() {
                return None;
            }
            instr.set_op_mask(op.mask);
        }
        if op.zeroing {
            if !info.can_use_zeroing_masking() {
                return None;
            }
            instr.set_zeroing_masking(true);
        }
        if let OperandKind::Mem(m) = &op.kind
            && m.broadcast.is_some()
        {
            instr.set_is_broadcast(true);
        }
    }
    if info.require_op_mask_register() && instr.op_mask() == Register::None {
        return None;
    }
    Some(Candidate {
        instr,
        fixups,
        len: 0,
    })
}

fn set_memory(
    instr: &mut iced_x86::Instruction,
    i: u32,
    m: &Mem,
    k: K,
    mode: Mode,
    fixups: &mut Vec<Fixup>,
) -> Option<()> {
    instr.set_op_kind(i, OpKind::Memory);
    let mut base = m.base;
    let mut index = m.index;
    // `[rsp]`-like operands written as index only with scale 1 can swap (LLVM does so for
    // `[rax*1]`? no: only a lone register is a base). A register after `*` stays index.
    if base == Register::RSP || base == Register::ESP {
        // fine: rsp can only be a base.
    } else if index == Register::RSP || index == Register::ESP {
        if m.scale != 1 {
            return None;
        }
        std::mem::swap(&mut base, &mut index);
    }
    let rip = base == Register::RIP || base == Register::EIP;
    instr.set_memory_base(base);
    instr.set_memory_index(index);
    instr.set_memory_index_scale(if index == Register::None { 1 } else { m.scale });
    instr.set_segment_prefix(m.seg);
    let addr_bytes = if base.is_gpr64() || index.is_gpr64() || rip {
        8
    } else if base.is_gpr32() || index.is_gpr32() {
        4
    } else if base.is_gpr16() || index.is_gpr16() {
        2
    } else {
        op_size_bits(mode) / 8
    };
    if k == K::mem_offs {
        instr.set_memory_displ_size(addr_bytes);
        instr.set_memory_displacement64(m.disp.num as u64);
        if m.disp.sym.is_some() {
            fixups.push(Fixup::MemSym {
                rip: false,
                value: m.disp.clone(),
            });
        }
        return Some(());
    }
    if m.disp.sym.is_some() || rip {
        fixups.push(Fixup::MemSym {
            rip,
            value: m.disp.clone(),
        });
        instr.set_memory_displ_size(if rip { 8 } else { addr_bytes });
        // RELA on x86-64: the addend lives in the relocation, the field is 0.
        let in_place = if mode == Mode::Bits64 { 0 } else { m.disp.num };
        instr.set_memory_displacement64(in_place as u64);
        return Some(());
    }
    let disp = m.disp.num;
    if addr_bytes == 2 {
        if !(-0x8000..=0xFFFF).contains(&disp) {
            return None;
        }
    } else if !(i32::MIN as i64..=u32::MAX as i64).contains(&disp)
        || (addr_bytes == 8 && disp > i32::MAX as i64)
    {
        return None;
    }
    let disp = if addr_bytes == 4 {
        disp as u32 as u64
    } else if addr_bytes == 2 {
        disp as u16 as u64
    } else {
        disp as u64
    };
    instr.set_memory_displacement64(disp);
    // displ_size 1 lets iced's encoder pick disp8 (with EVEX disp8*N compression) when the
    // value fits, as LLVM does; without a base the encoding always has a full displacement.
    instr.set_memory_displ_size(if base == Register::None {
        addr_bytes
    } else if disp == 0 {
        0
    } else {
        1
    });
    Some(())
}
