//! Instances of every iced `Code`, and iced's formatters set up the way LLVM prints x86
//! (`llvm-mc --output-asm-variant=1` for Intel, AT&T with size suffixes).

#![allow(dead_code)]

use checked_asm_engine::x86::asm::Mode;
use iced_x86::{
    Code, Decoder, DecoderOptions, Encoder, EncodingKind, Formatter, GasFormatter, Instruction,
    IntelFormatter, MemorySizeOptions, OpCodeOperandKind as K, OpKind, Register,
};

/// The codes counted for `mode`: those iced's default decoder produces in that mode
/// (so not MVEX/Knights Corner, and not the Cyrix/old-MPX/UMOV opcodes that need a
/// non-default `DecoderOptions`), excluding pseudo-ops (`db`, `INVALID`).
pub fn codes_for(mode: Mode) -> Vec<Code> {
    Code::values()
        .filter(|c| {
            let i = c.op_code();
            i.is_instruction()
                && i.encoding() != EncodingKind::MVEX
                && i.decoder_option() == 0
                && i.is_available_in_mode(mode.bitness())
        })
        .collect()
}

fn reg(base: Register, n: usize) -> Register {
    Register::values()
        .nth(base as usize + n)
        .unwrap_or(Register::None)
}

/// A register for operand `i` of `k`, different for each operand position so that
/// instructions requiring distinct registers (gathers, AMX) can be built.
fn reg_for(k: K, i: usize, mode: Mode) -> Option<Register> {
    let hi = |n: usize| if mode == Mode::Bits64 { n + 8 } else { n };
    Some(match k {
        K::r8_reg | K::r8_opcode | K::r8_or_mem => reg(Register::AL, [1, 2, 3][i % 3]),
        K::r16_reg | K::r16_rm | K::r16_opcode | K::r16_or_mem | K::r16_reg_mem => {
            reg(Register::AX, [1, 2, 3, 6][i % 4])
        }
        K::r32_reg
        | K::r32_rm
        | K::r32_opcode
        | K::r32_vvvv
        | K::r32_or_mem
        | K::r32_or_mem_mpx
        | K::r32_reg_mem => reg(Register::EAX, [1, 2, 3, 6][i % 4]),
        K::r64_reg
        | K::r64_rm
        | K::r64_opcode
        | K::r64_vvvv
        | K::r64_or_mem
        | K::r64_or_mem_mpx
        | K::r64_reg_mem => reg(Register::RAX, [1, 2, 9, 6][i % 4]),
        K::seg_reg => Register::SS,
        K::k_reg | K::k_rm | K::k_vvvv | K::k_or_mem | K::kp1_reg => {
            reg(Register::K0, [2, 4, 6][i % 3])
        }
        K::mm_reg | K::mm_rm | K::mm_or_mem => reg(Register::MM0, 1 + i),
        K::xmm_reg | K::xmm_rm | K::xmm_vvvv | K::xmm_or_mem | K::xmm_is4 | K::xmm_is5 => {
            reg(Register::XMM0, [1, hi(2), 3, 5][i % 4])
        }
        K::xmmp3_vvvv => Register::XMM4,
        K::ymm_reg | K::ymm_rm | K::ymm_vvvv | K::ymm_or_mem | K::ymm_is4 | K::ymm_is5 => {
            reg(Register::YMM0, [1, hi(2), 3, 5][i % 4])
        }
        K::zmm_reg | K::zmm_rm | K::zmm_vvvv | K::zmm_or_mem => {
            reg(Register::ZMM0, [1, hi(2), 3, 5][i % 4])
        }
        K::zmmp3_vvvv => Register::ZMM4,
        K::cr_reg => Register::CR3,
        K::dr_reg => Register::DR1,
        K::tr_reg => Register::TR3,
        K::bnd_reg | K::bnd_or_mem_mpx => Register::BND1,
        K::tmm_reg | K::tmm_rm | K::tmm_vvvv => reg(Register::TMM0, 1 + i),
        K::es => Register::ES,
        K::cs => Register::CS,
        K::ss => Register::SS,
        K::ds => Register::DS,
        K::fs => Register::FS,
        K::gs => Register::GS,
        K::al => Register::AL,
        K::cl => Register::CL,
        K::ax => Register::AX,
        K::dx => Register::DX,
        K::eax => Register::EAX,
        K::rax => Register::RAX,
        K::st0 => Register::ST0,
        K::sti_opcode => Register::ST3,
        _ => return None,
    })
}

/// Builds one instance of `code` for `mode`, or `None` when none could be built.
pub fn instance(code: Code, mode: Mode) -> Option<Instruction> {
    let info = code.op_code();
    let mut ins = Instruction::default();
    ins.set_code(code);
    let ip = 0x1000u64;
    let (mut base, mut vbase) = match mode {
        Mode::Bits64 => (Register::RAX, Register::RBX),
        Mode::Bits32 => (Register::EAX, Register::EBX),
        Mode::Bits16 => (Register::BX, Register::SI),
    };
    // `movdir64b r32, m512`: the register gives the address size of the memory operand.
    if info.op_kinds().contains(&K::r32_reg_mem) {
        (base, vbase) = (Register::EAX, Register::EBX);
    } else if info.op_kinds().contains(&K::r16_reg_mem) {
        (base, vbase) = (Register::BX, Register::SI);
    }
    let mut imm_count = 0;
    for (i, &k) in info.op_kinds().iter().enumerate() {
        let i32_ = i as u32;
        if let Some(r) = reg_for(k, i, mode) {
            if matches!(
                k,
                K::r8_or_mem
                    | K::r16_or_mem
                    | K::r32_or_mem
                    | K::r64_or_mem
                    | K::mm_or_mem
                    | K::xmm_or_mem
                    | K::ymm_or_mem
                    | K::zmm_or_mem
                    | K::k_or_mem
                    | K::bnd_or_mem_mpx
                    | K::r32_or_mem_mpx
                    | K::r64_or_mem_mpx
            ) {
                // Prefer the register form: memory forms are covered by the `mem` codes.
            }
            ins.set_op_kind(i32_, OpKind::Register);
            ins.set_op_register(i32_, r);
            continue;
        }
        match k {
            K::mem | K::mem_mpx | K::mem_mib | K::sibmem => {
                ins.set_op_kind(i32_, OpKind::Memory);
                ins.set_memory_base(vbase);
                if matches!(k, K::mem_mib | K::sibmem) {
                    ins.set_memory_index(reg(base, 6));
                    ins.set_memory_index_scale(1);
                }
                ins.set_memory_displacement64(0x10);
                ins.set_memory_displ_size(1);
            }
            K::mem_vsib32x
            | K::mem_vsib64x
            | K::mem_vsib32y
            | K::mem_vsib64y
            | K::mem_vsib32z
            | K::mem_vsib64z => {
                ins.set_op_kind(i32_, OpKind::Memory);
                ins.set_memory_base(vbase);
                let idx = match k {
                    K::mem_vsib32x | K::mem_vsib64x => Register::XMM7,
                    K::mem_vsib32y | K::mem_vsib64y => Register::YMM7,
                    _ => Register::ZMM7,
                };
                ins.set_memory_index(idx);
                ins.set_memory_index_scale(4);
                ins.set_memory_displacement64(0x10);
                ins.set_memory_displ_size(1);
            }
            K::mem_offs => {
                ins.set_op_kind(i32_, OpKind::Memory);
                ins.set_memory_displacement64(0x12345678);
                ins.set_memory_displ_size(mode.bitness() / 8);
            }
            K::imm8
            | K::imm8_const_1
            | K::imm4_m2z
            | K::imm8sex16
            | K::imm8sex32
            | K::imm8sex64
            | K::imm16
            | K::imm32
            | K::imm32sex64
            | K::imm64 => {
                let (kind, v): (OpKind, u64) = match k {
                    K::imm8 if imm_count > 0 => (OpKind::Immediate8_2nd, 0x5),
                    K::imm8 => (OpKind::Immediate8, 0x12),
                    K::imm8_const_1 => (OpKind::Immediate8, 1),
                    K::imm4_m2z => (OpKind::Immediate8, 2),
                    K::imm8sex16 => (OpKind::Immediate8to16, 0x12),
                    K::imm8sex32 => (OpKind::Immediate8to32, 0x12),
                    K::imm8sex64 => (OpKind::Immediate8to64, 0x12),
                    K::imm16 => (OpKind::Immediate16, 0x1234),
                    K::imm32 => (OpKind::Immediate32, 0x12345678),
                    K::imm32sex64 => (OpKind::Immediate32to64, 0x12345678),
                    _ => (OpKind::Immediate64, 0x123456789abcdef0),
                };
                imm_count += 1;
                ins.set_op_kind(i32_, kind);
                ins.try_set_immediate_u64(i32_, v).ok()?;
            }
            K::br16_1
            | K::br32_1
            | K::br64_1
            | K::br16_2
            | K::br32_4
            | K::br64_4
            | K::xbegin_2
            | K::xbegin_4
            | K::brdisp_2
            | K::brdisp_4 => {
                let kind = match k {
                    K::xbegin_2 | K::xbegin_4 => match mode {
                        Mode::Bits64 => OpKind::NearBranch64,
                        Mode::Bits32 => OpKind::NearBranch32,
                        Mode::Bits16 => OpKind::NearBranch16,
                    },
                    K::br16_1 | K::br16_2 | K::brdisp_2 => OpKind::NearBranch16,
                    K::br32_1 | K::br32_4 | K::brdisp_4 => OpKind::NearBranch32,
                    _ => OpKind::NearBranch64,
                };
                ins.set_op_kind(i32_, kind);
                ins.set_near_branch64(ip + 0x10);
            }
            K::farbr2_2 | K::farbr4_2 => {
                ins.set_op_kind(
                    i32_,
                    if k == K::farbr2_2 {
                        OpKind::FarBranch16
                    } else {
                        OpKind::FarBranch32
                    },
                );
                ins.set_far_branch_selector(0x10);
                if k == K::farbr2_2 {
                    ins.set_far_branch16(0x1234);
                } else {
                    ins.set_far_branch32(0x12345678);
                }
            }
            K::seg_rSI | K::es_rDI | K::seg_rDI => {
                let kind = match (k, mode) {
                    (K::seg_rSI, Mode::Bits64) => OpKind::MemorySegRSI,
                    (K::seg_rSI, Mode::Bits32) => OpKind::MemorySegESI,
                    (K::seg_rSI, _) => OpKind::MemorySegSI,
                    (K::es_rDI, Mode::Bits64) => OpKind::MemoryESRDI,
                    (K::es_rDI, Mode::Bits32) => OpKind::MemoryESEDI,
                    (K::es_rDI, _) => OpKind::MemoryESDI,
                    (_, Mode::Bits64) => OpKind::MemorySegRDI,
                    (_, Mode::Bits32) => OpKind::MemorySegEDI,
                    _ => OpKind::MemorySegDI,
                };
                ins.set_op_kind(i32_, kind);
            }
            K::seg_rBX_al => {
                ins.set_op_kind(i32_, OpKind::Memory);
                ins.set_memory_base(match mode {
                    Mode::Bits64 => Register::RBX,
                    Mode::Bits32 => Register::EBX,
                    Mode::Bits16 => Register::BX,
                });
                ins.set_memory_index(Register::AL);
                ins.set_memory_index_scale(1);
            }
            _ => return None,
        }
    }
    if info.require_op_mask_register() {
        ins.set_op_mask(Register::K1);
    }
    let mut enc = Encoder::new(mode.bitness());
    enc.encode(&ins, ip).ok()?;
    let bytes = enc.take_buffer();
    if info.fwait() {
        // `fclex` = `wait; fnclex`: iced's decoder splits it, so keep the built instruction.
        return Some(ins);
    }
    let mut dec = Decoder::with_ip(mode.bitness(), &bytes, ip, DecoderOptions::NONE);
    let back = dec.decode();
    if back.is_invalid() || back.code() != code {
        return None;
    }
    Some(back)
}

pub fn intel_formatter() -> IntelFormatter {
    let mut f = IntelFormatter::new();
    let o = f.options_mut();
    o.set_hex_prefix("0x");
    o.set_hex_suffix("");
    o.set_uppercase_hex(false);
    o.set_space_after_operand_separator(true);
    o.set_memory_size_options(MemorySizeOptions::Always);
    o.set_rip_relative_addresses(true);
    o.set_show_branch_size(false);
    o.set_branch_leading_zeros(false);
    o.set_displacement_leading_zeros(false);
    o.set_leading_zeros(false);
    o.set_small_hex_numbers_in_decimal(false);
    o.set_space_between_memory_add_operators(true);
    f
}

pub fn gas_formatter() -> GasFormatter {
    let mut f = GasFormatter::new();
    let o = f.options_mut();
    o.set_hex_prefix("0x");
    o.set_hex_suffix("");
    o.set_uppercase_hex(false);
    o.set_space_after_operand_separator(true);
    o.set_rip_relative_addresses(true);
    o.set_show_branch_size(false);
    o.set_branch_leading_zeros(false);
    o.set_displacement_leading_zeros(false);
    o.set_leading_zeros(false);
    o.set_small_hex_numbers_in_decimal(false);
    o.set_gas_naked_registers(false);
    o.set_gas_show_mnemonic_size_suffix(true);
    f
}

pub fn format(f: &mut dyn Formatter, i: &Instruction) -> String {
    let mut s = String::new();
    f.format(i, &mut s);
    s
}

/// `same_instruction`, ignoring branch targets and rip-relative displacements: a reference
/// to a label or symbol is a fixup whose bytes `llvm-mc -show-encoding` leaves at 0, while we
/// resolve labels of the block.
pub fn same_ignoring_targets(a: &Instruction, b: &Instruction) -> bool {
    let mut a = *a;
    let mut b = *b;
    for x in [&mut a, &mut b] {
        for op in 0..x.op_count() {
            if matches!(
                x.op_kind(op),
                OpKind::NearBranch16 | OpKind::NearBranch32 | OpKind::NearBranch64
            ) {
                x.set_near_branch64(0);
            }
            if x.op_kind(op) == OpKind::Memory && x.memory_base().is_ip() {
                x.set_memory_displacement64(0);
            }
        }
    }
    checked_asm_engine::x86::asm::same_instruction(&a, &b)
}

/// Rewrites iced's Intel output where it differs from LLVM's Intel syntax (checked with
/// llvm-mc 22): x87 forms with an implicit `st` operand, gathers printing the op mask as an
/// operand, iced's memory-size names for FPU environments, far memory branches.
pub fn llvm_intel(ins: &Instruction, text: &str) -> String {
    let mut t = text.to_string();
    if matches!(ins.op0_kind(), OpKind::FarBranch16 | OpKind::FarBranch32) {
        // iced prints `call far off, sel`; LLVM's Intel syntax is `lcall sel, off`.
        let off = if ins.op0_kind() == OpKind::FarBranch16 {
            ins.far_branch16() as u32
        } else {
            ins.far_branch32()
        };
        let m = if ins.mnemonic() == iced_x86::Mnemonic::Call {
            "lcall"
        } else {
            "ljmp"
        };
        let prefix = t
            .split("call")
            .next()
            .unwrap_or("")
            .split("jmp")
            .next()
            .unwrap_or("");
        return format!("{prefix}{m} {:#x}, {off:#x}", ins.far_branch_selector());
    }
    if ins.op_mask() != Register::None && !t.contains("{k") {
        for k in 1..8 {
            let pat = format!(", k{k}, ");
            let end = format!(", k{k}");
            if t.contains(&pat) {
                t = t.replacen(&pat, &format!(" {{k{k}}}, "), 1);
                break;
            } else if t.ends_with(&end) {
                t = format!("{} {{k{k}}}", &t[..t.len() - end.len()]);
                break;
            }
        }
    }
    if ins.op_count() == 1
        && format!("{:?}", ins.mnemonic()).starts_with('F')
        && let Some((m, ops)) = t.split_once(' ')
    {
        let ops = ops
            .strip_prefix("st, ")
            .or_else(|| ops.strip_suffix(", st"))
            .unwrap_or(ops);
        t = format!("{m} {ops}");
    }
    t = t.replace("prefetch_exclusive ", "prefetch ");
    // iced prints the 66h-prefixed forms without their size; LLVM's bare `pushf` is the
    // mode's natural size.
    match ins.code() {
        iced_x86::Code::Pushfw => t = t.replace("pushf", "pushfw"),
        iced_x86::Code::Popfw => t = t.replace("popf", "popfw"),
        iced_x86::Code::Pushaw => t = t.replace("pusha", "pushaw"),
        iced_x86::Code::Popaw => t = t.replace("popa", "popaw"),
        _ => {}
    }
    if (0..ins.op_count()).any(|op| {
        matches!(
            ins.op_kind(op),
            OpKind::NearBranch16 | OpKind::NearBranch32 | OpKind::NearBranch64
        )
    }) {
        // LLVM's Intel syntax takes a label or symbol as a branch target, not a number.
        let target = format!("{:#x}", ins.near_branch_target());
        if let Some(pos) = t.rfind(&target) {
            t.replace_range(pos..pos + target.len(), "foo");
        }
    }
    for name in [
        "fpuenv14 ptr ",
        "fpuenv28 ptr ",
        "fpustate94 ptr ",
        "fpustate108 ptr ",
        "mem384 ptr ",
        "mem512 ptr ",
    ] {
        t = t.replace(name, "");
    }
    t = t
        .replace("call far ", "lcall ")
        .replace("jmp far ", "ljmp ");
    t = t
        .replace("data16 ret far", "lretw")
        .replace("data64 ret far", "retfq")
        .replace("ret far", "retf");
    t
}

/// Rewrites iced's GAS output where it differs from LLVM's AT&T syntax.
pub fn llvm_att(ins: &Instruction, text: &str) -> String {
    let _ = ins;
    text.replace("rex.w lcall", "lcallq")
        .replace("rex.w ljmp", "ljmpq")
}
