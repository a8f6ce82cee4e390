//! "The same instruction": same mnemonic, same operands, same decorators, regardless of
//! which of several encodings was chosen (`89 /r` vs `8B /r`, VEX vs EVEX, `imm8` vs
//! `imm32`). Used to validate our encodings by decoding them back and by the round-trip and
//! LLVM differential tests.

use super::op_code::OpCodeTable;
use iced_x86::{Instruction, OpKind};

/// An operand reduced to what it means, not how it is encoded.
#[derive(Debug, PartialEq, Eq)]
enum Meaning {
    Reg(iced_x86::Register),
    RegNum(usize),
    Imm(u64),
    Branch(u64),
    Far(u16, u32),
    Mem {
        seg: iced_x86::Register,
        base: iced_x86::Register,
        index: iced_x86::Register,
        scale: u32,
        disp: u64,
        size: usize,
    },
    Implicit(OpKind, iced_x86::Register),
}

/// `lldt`/`ltr`/`verr`/`verw`/`lmsw` read only a 16-bit selector or word: `ltr ax`
/// (66h) and `ltr eax` (no prefix, what LLVM emits for `ltr ax`) are the same instruction.
fn selector_word(i: &Instruction) -> bool {
    use iced_x86::Mnemonic as M;
    // A segment-register load reads 16 bits of the GPR (`mov ds, ax` with or without 66h);
    // a store to a register is the form LLVM picks for the spelling (`mov cx, ss`).
    let sreg_store = i.mnemonic() == M::Mov
        && i.op_count() == 2
        && i.op_kind(1) == OpKind::Register
        && i.op1_register().is_segment_register();
    let sreg_load = i.mnemonic() == M::Mov
        && i.op_count() == 2
        && i.op_kind(0) == OpKind::Register
        && i.op0_register().is_segment_register();
    sreg_load
        || sreg_store
        || matches!(
            i.mnemonic(),
            M::Lldt | M::Ltr | M::Verr | M::Verw | M::Lmsw | M::Lkgs | M::Arpl
        )
        || (crate::x86::asm::kinds::gpr_width_free(i.mnemonic()))
}

/// `sal` is `shl` (Intel SDM Vol. 2B, "SAL/SAR/SHL/SHR": the same operation); iced keeps
/// the /6 encoding apart.
fn canonical(m: iced_x86::Mnemonic) -> iced_x86::Mnemonic {
    if m == iced_x86::Mnemonic::Sal {
        iced_x86::Mnemonic::Shl
    } else {
        m
    }
}

/// Operand `op` of `i`; `selector` is `selector_word(i)`, worked out once per instruction.
fn meaning(i: &Instruction, op: u32, selector: bool) -> Meaning {
    match i.op_kind(op) {
        OpKind::Register if selector && i.op_register(op).is_gpr() => {
            Meaning::RegNum(i.op_register(op).number())
        }
        OpKind::Register => Meaning::Reg(i.op_register(op)),
        OpKind::NearBranch16 | OpKind::NearBranch32 | OpKind::NearBranch64 => {
            Meaning::Branch(i.near_branch_target())
        }
        OpKind::FarBranch16 | OpKind::FarBranch32 => Meaning::Far(
            i.far_branch_selector(),
            i.far_branch32().max(i.far_branch16() as u32),
        ),
        OpKind::Memory => {
            let scale = if i.memory_index() == iced_x86::Register::None {
                1
            } else {
                i.memory_index_scale()
            };
            let disp = if i.memory_base().is_ip() {
                i.memory_displacement64()
            } else {
                // Displacements wrap at the address size.
                match i.memory_displ_size() {
                    2 => i.memory_displacement64() & 0xFFFF,
                    4 => i.memory_displacement64() & 0xFFFF_FFFF,
                    _ => i.memory_displacement64(),
                }
            };
            let disp = if i.memory_base() == iced_x86::Register::None
                && i.memory_index() == iced_x86::Register::None
            {
                disp & 0xFFFF_FFFF
            } else {
                disp
            };
            Meaning::Mem {
                seg: i.segment_prefix(),
                base: i.memory_base(),
                index: i.memory_index(),
                scale,
                disp,
                size: i.memory_size().size(),
            }
        }
        k @ (OpKind::Immediate8
        | OpKind::Immediate8_2nd
        | OpKind::Immediate16
        | OpKind::Immediate32
        | OpKind::Immediate64
        | OpKind::Immediate8to16
        | OpKind::Immediate8to32
        | OpKind::Immediate8to64
        | OpKind::Immediate32to64) => {
            let v = i.immediate(op);
            // Compare at the operand size so `imm8` sign-extended and `imm32` agree.
            let bits = match i.code().op_info().operand_size() {
                16 => 16,
                32 => 32,
                64 => 64,
                _ => match k {
                    OpKind::Immediate8 | OpKind::Immediate8_2nd => 8,
                    OpKind::Immediate16 => 16,
                    OpKind::Immediate32 => 32,
                    _ => 64,
                },
            };
            Meaning::Imm(if bits == 64 {
                v
            } else {
                v & ((1u64 << bits) - 1)
            })
        }
        k => Meaning::Implicit(k, i.segment_prefix()),
    }
}

/// Whether `a` and `b` are the same instruction in meaning.
pub fn same_instruction(a: &Instruction, b: &Instruction) -> bool {
    if a.code() == b.code() || canonical(a.mnemonic()) == canonical(b.mnemonic()) {
        if a.op_count() != b.op_count() {
            return false;
        }
    } else {
        return false;
    }
    if a.op_mask() != b.op_mask()
        || a.zeroing_masking() != b.zeroing_masking()
        || a.is_broadcast() != b.is_broadcast()
        || a.suppress_all_exceptions() != b.suppress_all_exceptions()
        || a.rounding_control() != b.rounding_control()
        || a.has_lock_prefix() != b.has_lock_prefix()
        || a.has_rep_prefix() != b.has_rep_prefix()
        || a.has_repne_prefix() != b.has_repne_prefix()
    {
        return false;
    }
    // Operand size matters when no operand shows it (`pushfq` vs `pushfw`, `iretq`).
    let sized_by_operands =
        (0..a.op_count()).any(|op| matches!(a.op_kind(op), OpKind::Register | OpKind::Memory));
    if a.code() != b.code()
        && !sized_by_operands
        && a.code().op_info().operand_size() != b.code().op_info().operand_size()
    {
        return false;
    }
    let (sa, sb) = (selector_word(a), selector_word(b));
    if a.mnemonic() == iced_x86::Mnemonic::Xchg && a.op_count() == 2 {
        // `xchg` is symmetric: `xchg cl, dl` and `xchg dl, cl` are one instruction.
        let (a0, a1) = (meaning(a, 0, sa), meaning(a, 1, sa));
        let (b0, b1) = (meaning(b, 0, sb), meaning(b, 1, sb));
        return (a0 == b0 && a1 == b1) || (a0 == b1 && a1 == b0);
    }
    // An index loop: this runs for every candidate encoding of every new statement, and
    // `all` with a closure costs several calls per operand in a macro built without
    // optimisation (cargo's default).
    let mut op = 0;
    while op < a.op_count() {
        if meaning(a, op, sa) != meaning(b, op, sb) {
            return false;
        }
        op += 1;
    }
    true
}
