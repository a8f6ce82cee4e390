//! Operands → iced `Code`: every `Code` of the mnemonic whose `OpCodeInfo` operand kinds
//! accept the written operands becomes a candidate; the layout stage encodes candidates and
//! keeps the shortest encoding, which is what LLVM's matcher and relaxation pick (e.g. the
//! sign-extended `imm8` form of `add`, `B8+r` for `mov r32, imm32`).

use super::Mode;
use super::expr::{SymTerm, Value};
use super::operand::{Mem, Operand, OperandKind};
use iced_x86::{Code, MemorySize, OpCodeInfo, OpCodeOperandKind as K, OpKind, Register};

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
}

fn op_size_bits(mode: Mode) -> u32 {
    match mode {
        Mode::Bits16 => 16,
        Mode::Bits32 => 32,
        Mode::Bits64 => 64,
    }
}

/// Whether a register can be named in `mode` (Intel SDM Vol. 1 §3.4.1.1: REX-only registers
/// and 64-bit GPRs exist only in 64-bit mode).
pub(crate) fn reg_available(r: Register, mode: Mode) -> bool {
    if mode == Mode::Bits64 {
        return true;
    }
    if r.is_gpr64() || r == Register::RIP || r == Register::EIP {
        return false;
    }
    if r.is_gpr8() {
        return (r as u32) <= Register::BH as u32;
    }
    if r.is_gpr() || r.is_xmm() || r.is_ymm() || r.is_zmm() || r.is_cr() || r.is_dr() {
        return r.number() < 8;
    }
    true
}

fn reg_fits(r: Register, k: K) -> bool {
    match k {
        K::r8_reg | K::r8_opcode | K::r8_or_mem => r.is_gpr8(),
        K::r16_reg | K::r16_rm | K::r16_opcode | K::r16_or_mem | K::r16_reg_mem => r.is_gpr16(),
        K::r32_reg
        | K::r32_rm
        | K::r32_opcode
        | K::r32_vvvv
        | K::r32_or_mem
        | K::r32_or_mem_mpx
        | K::r32_reg_mem => r.is_gpr32(),
        K::r64_reg
        | K::r64_rm
        | K::r64_opcode
        | K::r64_vvvv
        | K::r64_or_mem
        | K::r64_or_mem_mpx
        | K::r64_reg_mem => r.is_gpr64(),
        K::seg_reg => r.is_segment_register(),
        K::k_reg | K::k_rm | K::k_vvvv | K::k_or_mem => r.is_k(),
        K::kp1_reg => r.is_k() && r.number().is_multiple_of(2),
        K::mm_reg | K::mm_rm | K::mm_or_mem => r.is_mm(),
        K::xmm_reg | K::xmm_rm | K::xmm_vvvv | K::xmm_or_mem => r.is_xmm(),
        K::xmm_is4 | K::xmm_is5 => r.is_xmm() && r.number() < 16,
        K::xmmp3_vvvv => r.is_xmm() && r.number().is_multiple_of(4),
        K::ymm_reg | K::ymm_rm | K::ymm_vvvv | K::ymm_or_mem => r.is_ymm(),
        K::ymm_is4 | K::ymm_is5 => r.is_ymm() && r.number() < 16,
        K::zmm_reg | K::zmm_rm | K::zmm_vvvv | K::zmm_or_mem => r.is_zmm(),
        K::zmmp3_vvvv => r.is_zmm() && r.number().is_multiple_of(4),
        K::cr_reg => r.is_cr(),
        K::dr_reg => r.is_dr(),
        K::tr_reg => r.is_tr(),
        K::bnd_reg | K::bnd_or_mem_mpx => r.is_bnd(),
        K::tmm_reg | K::tmm_rm | K::tmm_vvvv => r.is_tmm(),
        K::es => r == Register::ES,
        K::cs => r == Register::CS,
        K::ss => r == Register::SS,
        K::ds => r == Register::DS,
        K::fs => r == Register::FS,
        K::gs => r == Register::GS,
        K::al => r == Register::AL,
        K::cl => r == Register::CL,
        K::ax => r == Register::AX,
        K::dx => r == Register::DX,
        K::eax => r == Register::EAX,
        K::rax => r == Register::RAX,
        K::st0 => r == Register::ST0,
        K::sti_opcode => r.is_st(),
        _ => false,
    }
}

fn mem_kind(k: K) -> bool {
    matches!(
        k,
        K::mem
            | K::mem_mpx
            | K::mem_mib
            | K::sibmem
            | K::mem_offs
            | K::r8_or_mem
            | K::r16_or_mem
            | K::r32_or_mem
            | K::r32_or_mem_mpx
            | K::r64_or_mem
            | K::r64_or_mem_mpx
            | K::mm_or_mem
            | K::xmm_or_mem
            | K::ymm_or_mem
            | K::zmm_or_mem
            | K::bnd_or_mem_mpx
            | K::k_or_mem
            | K::mem_vsib32x
            | K::mem_vsib64x
            | K::mem_vsib32y
            | K::mem_vsib64y
            | K::mem_vsib32z
            | K::mem_vsib64z
    )
}

fn vsib_index_ok(k: K, index: Register) -> bool {
    match k {
        K::mem_vsib32x | K::mem_vsib64x => index.is_xmm(),
        K::mem_vsib32y | K::mem_vsib64y => index.is_ymm(),
        K::mem_vsib32z | K::mem_vsib64z => index.is_zmm(),
        _ => index == Register::None || index.is_gpr(),
    }
}

/// Memory sizes LLVM treats as opaque (`opaquemem`/`anymem`): the written size is not
/// checked (`lgdt [rax]`, `fxsave [rax]`, `lea`).
pub(crate) fn opaque_memory(ms: MemorySize) -> bool {
    matches!(
        ms,
        MemorySize::Unknown
            | MemorySize::Fword6
            | MemorySize::Fword10
            | MemorySize::FpuEnv14
            | MemorySize::FpuEnv28
            | MemorySize::FpuState94
            | MemorySize::FpuState108
            | MemorySize::Fxsave_512Byte
            | MemorySize::Fxsave64_512Byte
            | MemorySize::Xsave
            | MemorySize::Xsave64
            | MemorySize::Bound16_WordWord
            | MemorySize::Bound32_DwordDword
            | MemorySize::Tilecfg
            | MemorySize::Tile
            | MemorySize::SegmentDescSelector
            | MemorySize::KLHandleAes128
            | MemorySize::KLHandleAes256
            | MemorySize::Bnd32
            | MemorySize::Bnd64
    ) || ms.size() == 0
        || ms.size() > 64
}

/// The memory size in bytes a code's memory operand has when `broadcast` is (not) used.
pub(crate) fn code_mem_size(info: &OpCodeInfo, broadcast: bool) -> MemorySize {
    if broadcast {
        info.broadcast_memory_size()
    } else {
        info.memory_size()
    }
}

fn imm_fits(k: K, v: i64, second_imm: bool) -> Option<OpKind> {
    let u = v as u64;
    let fits_u8 = (i8::MIN as i64..=u8::MAX as i64).contains(&v);
    Some(match k {
        K::imm8 if fits_u8 => {
            if second_imm {
                OpKind::Immediate8_2nd
            } else {
                OpKind::Immediate8
            }
        }
        K::imm8_const_1 if v == 1 => OpKind::Immediate8,
        K::imm4_m2z if (0..16).contains(&v) => OpKind::Immediate8,
        // Sign-extended imm8 forms: the value must survive sign extension at the operand
        // size, so 0xFFFFFF80..=0xFFFFFFFF also fits `add eax, imm8` (LLVM does the same).
        K::imm8sex16 if (-128..=127).contains(&v) || (0xFF80..=0xFFFF).contains(&u) => {
            OpKind::Immediate8to16
        }
        K::imm8sex32 if (-128..=127).contains(&v) || (0xFFFF_FF80..=0xFFFF_FFFF).contains(&u) => {
            OpKind::Immediate8to32
        }
        K::imm8sex64 if (-128..=127).contains(&v) => OpKind::Immediate8to64,
        K::imm16 if (i16::MIN as i64..=u16::MAX as i64).contains(&v) => OpKind::Immediate16,
        K::imm32 if (i32::MIN as i64..=u32::MAX as i64).contains(&v) => OpKind::Immediate32,
        K::imm32sex64 if (i32::MIN as i64..=i32::MAX as i64).contains(&v) => {
            OpKind::Immediate32to64
        }
        K::imm64 => OpKind::Immediate64,
        _ => return None,
    })
}

fn is_branch_kind(k: K) -> bool {
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
}

fn branch_op_kind(k: K, mode: Mode) -> OpKind {
    match (k, mode) {
        // `xbegin`'s target has the mode's width whatever the offset size.
        (K::xbegin_2 | K::xbegin_4, Mode::Bits64) => OpKind::NearBranch64,
        (K::xbegin_2 | K::xbegin_4, Mode::Bits32) => OpKind::NearBranch32,
        (K::xbegin_2 | K::xbegin_4, Mode::Bits16) => OpKind::NearBranch16,
        (K::br16_1 | K::br16_2 | K::brdisp_2, _) => OpKind::NearBranch16,
        (K::br32_1 | K::br32_4 | K::brdisp_4, _) => OpKind::NearBranch32,
        _ => OpKind::NearBranch64,
    }
}

/// Instructions whose GPR operand means the same at 32 and 64 bits (the result is
/// zero-extended, or only the low bits are read); LLVM encodes the r64 spelling without
/// REX.W, so we never pick iced's REX.W `_r64` codes for them.
pub(crate) fn gpr_width_free(m: iced_x86::Mnemonic) -> bool {
    use iced_x86::Mnemonic as M;
    matches!(
        m,
        M::Movmskps
            | M::Movmskpd
            | M::Vmovmskps
            | M::Vmovmskpd
            | M::Pmovmskb
            | M::Vpmovmskb
            | M::Pextrw
            | M::Vpextrw
            | M::Pextrb
            | M::Vpextrb
            | M::Extractps
            | M::Vextractps
            | M::Pinsrw
            | M::Vpinsrw
            | M::Pinsrb
            | M::Vpinsrb
    )
}

/// System instructions that read a 16-bit selector or word from `r32/m16`.
fn selector_r32m16(code: Code) -> bool {
    matches!(
        code,
        Code::Lkgs_r32m16
            | Code::Lldt_r32m16
            | Code::Ltr_r32m16
            | Code::Verr_r32m16
            | Code::Verw_r32m16
            | Code::Lmsw_r32m16
    )
}

fn set_implicit(instr: &mut iced_x86::Instruction, i: u32, k: K, mode: Mode) -> Option<()> {
    if k == K::seg_rBX_al {
        // `xlatb`: iced models it as `[rbx + al]`.
        instr.set_op_kind(i, OpKind::Memory);
        instr.set_memory_base(match mode {
            Mode::Bits64 => Register::RBX,
            Mode::Bits32 => Register::EBX,
            Mode::Bits16 => Register::BX,
        });
        instr.set_memory_index(Register::AL);
        instr.set_memory_index_scale(1);
    } else {
        instr.set_op_kind(i, implicit_kind(k, mode)?);
    }
    Some(())
}

/// A written string operand: `byte ptr [rsi]`, `es:[edi]` (its register picks the
/// address size, as the `67h` prefix does).
fn string_memory(
    instr: &mut iced_x86::Instruction,
    i: u32,
    k: K,
    m: &Mem,
    info: &OpCodeInfo,
) -> bool {
    if m.index != Register::None || m.disp.num != 0 || m.disp.sym.is_some() || m.broadcast.is_some()
    {
        return false;
    }
    if let Some(sz) = m.size
        && info.memory_size().size() as u32 != sz
        && !opaque_memory(info.memory_size())
    {
        return false;
    }
    let mode = match m.base {
        Register::RSI | Register::RDI | Register::RBX => Mode::Bits64,
        Register::ESI | Register::EDI | Register::EBX => Mode::Bits32,
        Register::SI | Register::DI | Register::BX => Mode::Bits16,
        _ => return false,
    };
    let base_ok = match k {
        K::seg_rSI => matches!(m.base, Register::RSI | Register::ESI | Register::SI),
        K::es_rDI => {
            matches!(m.base, Register::RDI | Register::EDI | Register::DI)
                && matches!(m.seg, Register::None | Register::ES)
        }
        K::seg_rDI => matches!(m.base, Register::RDI | Register::EDI | Register::DI),
        _ => matches!(m.base, Register::RBX | Register::EBX | Register::BX),
    };
    if !base_ok || set_implicit(instr, i, k, mode).is_none() {
        return false;
    }
    if k != K::es_rDI && m.seg != Register::None {
        instr.set_segment_prefix(m.seg);
    }
    true
}

/// Codes without operands whose implicit registers LLVM lets one write (AMD SVM, `clzero`).
fn implicit_registers_ok(code: Code, ops: &[&Operand]) -> bool {
    use iced_x86::Mnemonic as M;
    let count = match code.mnemonic() {
        M::Vmrun | M::Vmload | M::Vmsave | M::Clzero | M::Skinit => 1,
        M::Invlpga => 2,
        M::Pvalidate | M::Invlpgb => 1,
        _ => return false,
    };
    if ops.len() != count {
        return false;
    }
    let regs: Option<Vec<Register>> = ops
        .iter()
        .map(|o| {
            if let OperandKind::Reg(r) = o.kind {
                Some(r)
            } else {
                None
            }
        })
        .collect();
    let Some(regs) = regs else { return false };
    let addr = code.op_code().address_size();
    regs[0].is_gpr()
        && regs[0].number() == 0
        && (addr == 0 || regs[0].size() as u32 * 8 == addr)
        && regs[1..].iter().all(|r| *r == Register::ECX)
}

/// Implicit string-instruction operands (`movsb` has `[rsi]`/`[rdi]` operands in iced that
/// Intel syntax does not write).
fn implicit_kind(k: K, mode: Mode) -> Option<OpKind> {
    let bits = op_size_bits(mode);
    Some(match (k, bits) {
        (K::seg_rSI, 64) => OpKind::MemorySegRSI,
        (K::seg_rSI, 32) => OpKind::MemorySegESI,
        (K::seg_rSI, _) => OpKind::MemorySegSI,
        (K::es_rDI, 64) => OpKind::MemoryESRDI,
        (K::es_rDI, 32) => OpKind::MemoryESEDI,
        (K::es_rDI, _) => OpKind::MemoryESDI,
        (K::seg_rDI, 64) => OpKind::MemorySegRDI,
        (K::seg_rDI, 32) => OpKind::MemorySegEDI,
        (K::seg_rDI, _) => OpKind::MemorySegDI,
        _ => return None,
    })
}

/// Tries `code` against the operands; returns the instruction with operands filled in.
pub(crate) fn try_code(code: Code, ops: &[Operand], mode: Mode, movabs: bool) -> Option<Candidate> {
    let info = code.op_code();
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
        .filter(|k| {
            matches!(
                k,
                K::seg_rSI
                    | K::es_rDI
                    | K::seg_rDI
                    | K::seg_rBX_al
                    | K::st0
                    | K::al
                    | K::ax
                    | K::eax
                    | K::rax
            )
        })
        .count();
    let too_many = if kinds.is_empty() {
        written > 2
    } else {
        written > kinds.len() + 1
    };
    if too_many || written + optional < kinds.len() {
        return None;
    }
    let explicit: Vec<&Operand> = ops
        .iter()
        .filter(|o| !matches!(o.kind, OperandKind::Rounding(_) | OperandKind::Sae))
        .collect();
    if kinds.is_empty() && !explicit.is_empty() {
        // `vmrun rax`, `skinit eax`, `invlpga rax, ecx`: LLVM accepts the implicit registers
        // written out; the first one gives the address size.
        if !implicit_registers_ok(code, &explicit) {
            return None;
        }
        return Some(Candidate { instr, fixups });
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
        explicit[..kinds.len()].to_vec()
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
        // Operands the syntax lets one leave out: the accumulator of string instructions
        // (`stosb byte ptr [rdi]`) and x87's `st(0)` (`fcom st(3)`), when fewer operands
        // remain than kinds.
        let optional = match k {
            K::al => string_code.then_some(Register::AL),
            K::ax => string_code.then_some(Register::AX),
            K::eax => string_code.then_some(Register::EAX),
            K::rax => string_code.then_some(Register::RAX),
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
                let r = if selector_r32m16(code) && r.is_gpr16() && k == K::r32_or_mem {
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
    Some(Candidate { instr, fixups })
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

/// The reason no code matched, in words; used when every candidate was rejected.
pub(crate) fn explain_mismatch(
    mnemonic: &str,
    codes: &[Code],
    ops: &[Operand],
    mode: Mode,
) -> (String, Option<String>) {
    let n = ops
        .iter()
        .filter(|o| !matches!(o.kind, OperandKind::Rounding(_) | OperandKind::Sae))
        .count();
    let bits = op_size_bits(mode);
    let in_mode: Vec<Code> = codes
        .iter()
        .copied()
        .filter(|c| c.op_code().is_available_in_mode(bits))
        .collect();
    if in_mode.is_empty() {
        return (
            format!("`{mnemonic}` is not available in {bits}-bit mode"),
            None,
        );
    }
    let counts: Vec<usize> = {
        let mut v: Vec<usize> = in_mode
            .iter()
            .map(|c| c.op_code().op_count() as usize)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let string_only = n == 0
        && in_mode.iter().any(|c| {
            c.op_code()
                .op_kinds()
                .iter()
                .all(|k| matches!(k, K::seg_rSI | K::es_rDI | K::seg_rDI | K::seg_rBX_al))
        });
    if !counts.contains(&n) && !string_only {
        let expected = counts
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(" or ");
        return (
            format!("`{mnemonic}` takes {expected} operand(s), not {n}"),
            None,
        );
    }
    // A written memory size that no form of the instruction takes with these operands
    // (`mov eax, byte ptr [rax]`).
    if let Some((i, size)) = ops.iter().enumerate().find_map(|(i, o)| match &o.kind {
        OperandKind::Mem(m) if !m.size_from_suffix => m.size.map(|s| (i, s)),
        _ => None,
    }) {
        let mut unsized_ops = ops.to_vec();
        if let OperandKind::Mem(m) = &mut unsized_ops[i].kind {
            m.size = None;
        }
        if in_mode
            .iter()
            .any(|&c| try_code(c, &unsized_ops, mode, false).is_some())
        {
            let keyword = match size {
                1 => "byte",
                2 => "word",
                4 => "dword",
                6 => "fword",
                8 => "qword",
                10 => "tbyte",
                16 => "xmmword",
                32 => "ymmword",
                _ => "zmmword",
            };
            return (
                format!(
                    "invalid operand for instruction: `{keyword} ptr` does not match the operand size of `{mnemonic}` here"
                ),
                Some("drop the size keyword or make it agree with the register operand".into()),
            );
        }
    }
    let mems = ops
        .iter()
        .filter(|o| matches!(o.kind, OperandKind::Mem(_)))
        .count();
    if mems >= 2 {
        return (
            format!(
                "invalid operand for instruction: `{mnemonic}` cannot take two memory operands"
            ),
            Some("load one of them into a register first".into()),
        );
    }
    if matches!(
        mnemonic,
        "shl" | "shr" | "sar" | "sal" | "rol" | "ror" | "rcl" | "rcr"
    ) && n == 2
        && let OperandKind::Reg(r) = ops[1].kind
        && r != Register::CL
    {
        return (
            format!("`{mnemonic}` takes its count in `cl` or as an immediate"),
            None,
        );
    }
    if matches!(mnemonic, "in" | "out") {
        return (
            format!(
                "invalid operand for instruction: `{mnemonic}` takes the port in `dx` or as an 8-bit immediate and the data in `al`, `ax` or `eax`"
            ),
            None,
        );
    }
    let sizes: Vec<usize> = ops
        .iter()
        .filter_map(|o| {
            if let OperandKind::Reg(r) = o.kind {
                if r.is_gpr() { Some(r.size()) } else { None }
            } else {
                None
            }
        })
        .collect();
    if sizes.len() >= 2
        && sizes.iter().any(|s| *s != sizes[0])
        && !matches!(
            mnemonic,
            "movzx" | "movsx" | "movsxd" | "crc32" | "in" | "out"
        )
    {
        return (
            format!(
                "invalid operand for instruction: the register operands of `{mnemonic}` must have the same size"
            ),
            None,
        );
    }
    for o in ops {
        if let OperandKind::Imm(Value { num, sym: None }) = o.kind {
            let fits_any = in_mode.iter().any(|c| {
                c.op_code()
                    .op_kinds()
                    .iter()
                    .any(|&k| imm_fits(k, num, false).is_some())
            });
            if !fits_any
                && in_mode.iter().any(|c| {
                    c.op_code().op_kinds().iter().any(|&k| {
                        matches!(
                            k,
                            K::imm8 | K::imm16 | K::imm32 | K::imm32sex64 | K::imm64 | K::imm8sex32
                        )
                    })
                })
            {
                return (
                    format!("immediate `{num:#x}` does not fit in the operand of `{mnemonic}`"),
                    None,
                );
            }
        }
        if let OperandKind::Imm(Value {
            sym: Some(SymTerm { ref name, .. }),
            ..
        }) = o.kind
            && !in_mode.iter().any(|c| {
                c.op_code()
                    .op_kinds()
                    .iter()
                    .any(|k| matches!(k, K::imm16 | K::imm32 | K::imm32sex64 | K::imm64))
            })
        {
            return (
                format!(
                    "invalid operand for instruction: `{mnemonic}` cannot take the address of `{name}` as an immediate"
                ),
                None,
            );
        }
    }
    (
        format!("invalid operand for instruction `{mnemonic}`"),
        Some("check the operand kinds and sizes against the instruction's forms".into()),
    )
}
