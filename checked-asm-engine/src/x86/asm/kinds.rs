//! How written operands fit iced's `OpCodeOperandKind`s: register classes, memory forms,
//! immediate ranges, branch and implicit string operands. Pure functions over iced's tables.

use super::Mode;
use super::op_code::{OpCode, OpCodeTable};
use super::operand::{Mem, Operand, OperandKind};
use iced_x86::{Code, MemorySize, OpCodeOperandKind as K, OpKind, Register};

pub(crate) fn op_size_bits(mode: Mode) -> u32 {
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

pub(crate) fn reg_fits(r: Register, k: K) -> bool {
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

pub(crate) fn mem_kind(k: K) -> bool {
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

pub(crate) fn vsib_index_ok(k: K, index: Register) -> bool {
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
pub(crate) fn code_mem_size(info: &OpCode, broadcast: bool) -> MemorySize {
    if broadcast {
        info.broadcast_memory_size()
    } else {
        info.memory_size()
    }
}

pub(crate) fn imm_fits(k: K, v: i64, second_imm: bool) -> Option<OpKind> {
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

pub(crate) fn is_branch_kind(k: K) -> bool {
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

pub(crate) fn branch_op_kind(k: K, mode: Mode) -> OpKind {
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
pub(crate) fn selector_r32m16(code: Code) -> bool {
    matches!(
        code,
        Code::Lkgs_r32m16
            | Code::Arpl_r32m16_r32
            | Code::Lldt_r32m16
            | Code::Ltr_r32m16
            | Code::Verr_r32m16
            | Code::Verw_r32m16
            | Code::Lmsw_r32m16
    )
}

pub(crate) fn set_implicit(
    instr: &mut iced_x86::Instruction,
    i: u32,
    k: K,
    mode: Mode,
) -> Option<()> {
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
pub(crate) fn string_memory(
    instr: &mut iced_x86::Instruction,
    i: u32,
    k: K,
    m: &Mem,
    info: &OpCode,
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
pub(crate) fn implicit_registers_ok(code: Code, ops: &[&Operand]) -> bool {
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
    let addr = code.op_info().address_size();
    regs[0].is_gpr()
        && regs[0].number() == 0
        && (addr == 0 || regs[0].size() as u32 * 8 == addr)
        && regs[1..].iter().all(|r| *r == Register::ECX)
}

/// Implicit string-instruction operands (`movsb` has `[rsi]`/`[rdi]` operands in iced that
/// Intel syntax does not write).
pub(crate) fn implicit_kind(k: K, mode: Mode) -> Option<OpKind> {
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

/// Coarse operand classes as bits, to skip codes whose first operand cannot match.
pub(crate) mod class {
    pub const GPR8: u32 = 1 << 0;
    pub const GPR16: u32 = 1 << 1;
    pub const GPR32: u32 = 1 << 2;
    pub const GPR64: u32 = 1 << 3;
    pub const SEG: u32 = 1 << 4;
    pub const SYS: u32 = 1 << 5; // cr, dr, tr, bnd, tmm
    pub const K: u32 = 1 << 6;
    pub const MM: u32 = 1 << 7;
    pub const XMM: u32 = 1 << 8;
    pub const YMM: u32 = 1 << 9;
    pub const ZMM: u32 = 1 << 10;
    pub const ST: u32 = 1 << 11;
    pub const MEM: u32 = 1 << 12;
    pub const IMM: u32 = 1 << 13;
    pub const BARE: u32 = 1 << 14;
    pub const FAR: u32 = 1 << 15;
    pub const ALL: u32 = u32::MAX;
}

/// The class bit of a written operand.
pub(crate) fn operand_class(op: &Operand) -> u32 {
    match &op.kind {
        OperandKind::Reg(r) if r.is_gpr8() => class::GPR8,
        OperandKind::Reg(r) if r.is_gpr16() => class::GPR16,
        OperandKind::Reg(r) if r.is_gpr32() => class::GPR32,
        OperandKind::Reg(r) if r.is_gpr64() => class::GPR64,
        OperandKind::Reg(r) if r.is_segment_register() => class::SEG,
        OperandKind::Reg(r) if r.is_k() => class::K,
        OperandKind::Reg(r) if r.is_mm() => class::MM,
        OperandKind::Reg(r) if r.is_xmm() => class::XMM,
        OperandKind::Reg(r) if r.is_ymm() => class::YMM,
        OperandKind::Reg(r) if r.is_zmm() => class::ZMM,
        OperandKind::Reg(r) if r.is_st() => class::ST,
        OperandKind::Reg(_) => class::SYS,
        OperandKind::Mem(_) => class::MEM,
        OperandKind::Imm(_) => class::IMM,
        OperandKind::Bare(_) => class::BARE,
        OperandKind::Far { .. } => class::FAR,
        OperandKind::Rounding(_) | OperandKind::Sae => class::ALL,
    }
}

/// Operand kinds the syntax lets one leave out: the implicit memory operands and the
/// accumulator (and port, `dx`) of string instructions, and x87's `st(0)`.
pub(crate) fn may_be_left_out(k: K) -> bool {
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
            | K::dx
    )
}

/// Classes the first written operand of `code` may have. Generous where `try_code` widens
/// or leaves operands out (`ltr ax`, `movmskps rax`, `stosb [rdi]`, `fcom st(1)`).
pub(crate) fn first_operand_classes(code: Code) -> u32 {
    let kinds = code.op_info().op_kinds();
    let Some(&k) = kinds.first() else {
        return class::ALL;
    };
    classes_of_kind(k)
}

/// Classes the second written operand of `code` may have: those of its second operand
/// kind, or any when the code has fewer than two kinds (a trailing `xmm0`, the SVM
/// registers) or may leave one of its first two out (string instructions, `in`/`out`,
/// x87), so that the written second operand may be another kind.
pub(crate) fn second_operand_classes(code: Code) -> u32 {
    let kinds = code.op_info().op_kinds();
    match kinds {
        [a, b, ..] if !may_be_left_out(*a) && !may_be_left_out(*b) => classes_of_kind(*b),
        _ => class::ALL,
    }
}

/// Classes a written operand may have where `code` has operand kind `k`.
fn classes_of_kind(k: K) -> u32 {
    use class::*;
    let or_mem = MEM | BARE;
    match k {
        K::seg_rSI
        | K::es_rDI
        | K::seg_rDI
        | K::seg_rBX_al
        | K::st0
        | K::al
        | K::ax
        | K::eax
        | K::rax => ALL,
        K::r8_reg | K::r8_opcode => GPR8,
        K::r8_or_mem => GPR8 | or_mem,
        K::r16_reg | K::r16_rm | K::r16_opcode | K::r16_reg_mem => GPR16,
        K::r16_or_mem => GPR16 | or_mem,
        K::r32_reg | K::r32_rm | K::r32_opcode | K::r32_vvvv | K::r32_reg_mem => {
            GPR16 | GPR32 | GPR64
        }
        K::r32_or_mem | K::r32_or_mem_mpx => GPR16 | GPR32 | GPR64 | or_mem,
        K::r64_reg | K::r64_rm | K::r64_opcode | K::r64_vvvv | K::r64_reg_mem => GPR64,
        K::r64_or_mem | K::r64_or_mem_mpx => GPR64 | or_mem,
        K::seg_reg | K::es | K::cs | K::ss | K::ds | K::fs | K::gs => SEG,
        K::cl | K::dx => GPR8 | GPR16,
        K::k_reg | K::kp1_reg | K::k_rm | K::k_vvvv => K,
        K::k_or_mem => K | or_mem,
        K::mm_reg | K::mm_rm => MM,
        K::mm_or_mem => MM | or_mem,
        K::xmm_reg | K::xmm_rm | K::xmm_vvvv | K::xmmp3_vvvv | K::xmm_is4 | K::xmm_is5 => XMM,
        K::xmm_or_mem => XMM | or_mem,
        K::ymm_reg | K::ymm_rm | K::ymm_vvvv | K::ymm_is4 | K::ymm_is5 => YMM,
        K::ymm_or_mem => YMM | or_mem,
        K::zmm_reg | K::zmm_rm | K::zmm_vvvv | K::zmmp3_vvvv => ZMM,
        K::zmm_or_mem => ZMM | or_mem,
        K::sti_opcode => ST,
        K::cr_reg | K::dr_reg | K::tr_reg | K::bnd_reg | K::tmm_reg | K::tmm_rm | K::tmm_vvvv => {
            SYS
        }
        K::bnd_or_mem_mpx => SYS | or_mem,
        K::mem
        | K::mem_mpx
        | K::mem_mib
        | K::sibmem
        | K::mem_offs
        | K::mem_vsib32x
        | K::mem_vsib64x
        | K::mem_vsib32y
        | K::mem_vsib64y
        | K::mem_vsib32z
        | K::mem_vsib64z => or_mem,
        K::imm4_m2z
        | K::imm8
        | K::imm8_const_1
        | K::imm8sex16
        | K::imm8sex32
        | K::imm8sex64
        | K::imm16
        | K::imm32
        | K::imm32sex64
        | K::imm64 => IMM,
        K::br16_1
        | K::br32_1
        | K::br64_1
        | K::br16_2
        | K::br32_4
        | K::br64_4
        | K::xbegin_2
        | K::xbegin_4
        | K::brdisp_2
        | K::brdisp_4 => BARE | IMM,
        K::farbr2_2 | K::farbr4_2 => FAR,
        _ => ALL,
    }
}
