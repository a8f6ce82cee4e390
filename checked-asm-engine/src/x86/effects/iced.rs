//! Translation of iced-x86's `InstructionInfo` and per-instruction facts into [`Effects`].
//! This is the instruction-level baseline; `tables` corrects and completes it.

use super::flags::{self, FlagEffects, Flags};
use super::regs::RegAccess;
use super::types::*;
use iced_x86::{
    FlowControl, Instruction, InstructionInfo, InstructionInfoFactory, OpAccess, OpKind, Register,
    UsedMemory,
};
use std::cell::RefCell;

thread_local! {
    /// The factory's two lists are reused from one instruction to the next.
    static FACTORY: RefCell<InstructionInfoFactory> = RefCell::new(InstructionInfoFactory::new());
}

pub(super) fn translate(instr: &Instruction, mode: Mode) -> Effects {
    FACTORY.with_borrow_mut(|factory| translate_info(factory.info(instr), instr, mode))
}

fn translate_info(info: &InstructionInfo, instr: &Instruction, mode: Mode) -> Effects {
    let mut fx = Effects::default();
    fx.regs.reserve(info.used_registers().len());

    for used in info.used_registers() {
        if let Some(access) = RegAccess::from_iced(used.register(), used.access(), mode) {
            add_reg(&mut fx, access);
        }
    }

    let mut explicit_seen = false;
    for mem in info.used_memory() {
        let access = match mem_access(mem.access()) {
            Some(a) => a,
            None => continue,
        };
        if !explicit_seen && is_explicit_operand(instr, mem) {
            explicit_seen = true;
            fx.memory.push(MemEffect {
                class: MemClass::M1,
                access,
                location: Location::Operand(address(mem)),
                why: "memory operand",
            });
        } else if instr.is_stack_instruction()
            && (is_stack_pointer(mem.base()) || is_frame_pointer(mem.base()))
        {
            // push/pop/call/ret/enter address the stack through rsp; `leave` and `enter`'s
            // frame copies through rbp (SS-relative): both are the stack, not M1.
            fx.stack.reads |= access.may_read();
            fx.stack.writes |= access.may_write();
        } else {
            fx.memory.push(MemEffect {
                class: MemClass::M1,
                access,
                location: Location::Implicit(address(mem)),
                why: "implicit memory operand",
            });
        }
    }

    fx.flags = FlagEffects {
        read: Flags::from_iced(instr.rflags_read()),
        written: Flags::from_iced(instr.rflags_written()),
        cleared: Flags::from_iced(instr.rflags_cleared()),
        set: Flags::from_iced(instr.rflags_set()),
        undefined: Flags::from_iced(instr.rflags_undefined()),
    };
    fx.x87.condition_codes = X87ConditionCodes {
        read: flags::x87_cc_from_iced(instr.rflags_read()),
        written: flags::x87_cc_from_iced(instr.rflags_written()),
        cleared: flags::x87_cc_from_iced(instr.rflags_cleared()),
        set: flags::x87_cc_from_iced(instr.rflags_set()),
        undefined: flags::x87_cc_from_iced(instr.rflags_undefined()),
    };
    if flags::uif_from_iced(instr.rflags_read()) {
        push_unique(&mut fx.reads_state, State::Interrupts);
    }
    if flags::uif_from_iced(instr.rflags_modified()) {
        push_unique(&mut fx.writes_state, State::Interrupts);
    }

    // iced's increment is relative to the old rsp; when rsp is also *assigned* from
    // something else (`leave`: rsp := rbp; `pop rsp`; `lss`; `iret`) the change is unknown.
    let assigned = info
        .used_registers()
        .iter()
        .any(|u| is_stack_pointer(u.register()) && u.access() == OpAccess::Write);
    let explicit = !instr.is_stack_instruction()
        && info.used_registers().iter().any(|u| {
            is_stack_pointer(u.register().full_register())
                && matches!(
                    u.access(),
                    OpAccess::Write
                        | OpAccess::CondWrite
                        | OpAccess::ReadWrite
                        | OpAccess::ReadCondWrite
                )
        });
    fx.stack.delta = if explicit {
        explicit_rsp_adjustment(instr, mode)
    } else if assigned {
        None
    } else {
        Some(instr.stack_pointer_increment())
    };

    let fpu = instr.fpu_stack_increment_info();
    if fpu.increment() != 0 {
        fx.x87.top = TopEffect::Moves {
            increment: fpu.increment(),
            conditional: fpu.conditional(),
        };
        fx.x87.tags = TagEffect::Updated;
    } else if fpu.writes_top() {
        fx.x87.top = TopEffect::Loaded;
        fx.x87.tags = TagEffect::Loaded;
    }

    fx.flow = flow(instr);
    fx
}

fn add_reg(fx: &mut Effects, access: RegAccess) {
    if let Some(existing) = fx.regs.iter_mut().find(|r| r.reg == access.reg) {
        existing.access = existing.access.merge(access.access);
    } else {
        fx.regs.push(access);
    }
}

pub(super) fn push_unique<T: PartialEq>(v: &mut Vec<T>, item: T) {
    if !v.contains(&item) {
        v.push(item);
    }
}

fn mem_access(access: OpAccess) -> Option<MemAccess> {
    Some(match access {
        OpAccess::None | OpAccess::NoMemAccess => return None,
        OpAccess::Read => MemAccess::Read,
        OpAccess::CondRead => MemAccess::CondRead,
        OpAccess::Write => MemAccess::Write,
        OpAccess::CondWrite => MemAccess::CondWrite,
        OpAccess::ReadWrite => MemAccess::ReadWrite,
        OpAccess::ReadCondWrite => MemAccess::ReadCondWrite,
    })
}

fn address(mem: &UsedMemory) -> Address {
    Address {
        segment: mem.segment(),
        base: mem.base(),
        index: mem.index(),
        scale: mem.scale(),
        displacement: mem.displacement() as i64,
        size: mem.memory_size(),
        vsib: mem.vsib_size() != 0,
    }
}

fn is_stack_pointer(reg: Register) -> bool {
    matches!(reg, Register::RSP | Register::ESP | Register::SP)
}

/// `add rsp, imm`, `sub rsp, imm`, `lea rsp, [rsp + disp]`: a known adjustment.
fn explicit_rsp_adjustment(instr: &Instruction, mode: Mode) -> Option<i32> {
    use iced_x86::Mnemonic;
    let sp = instr.op0_register();
    if !is_stack_pointer(sp) || super::regs::container(sp, mode) != sp {
        return None;
    }
    let imm = || match instr.op1_kind() {
        OpKind::Immediate8to64 | OpKind::Immediate32to64 => Some(instr.immediate(1) as i64),
        OpKind::Immediate8to32 | OpKind::Immediate32 => {
            Some(instr.immediate(1) as u32 as i32 as i64)
        }
        _ => None,
    };
    let delta = match instr.mnemonic() {
        Mnemonic::Add => imm()?,
        Mnemonic::Sub => imm()?.checked_neg()?,
        Mnemonic::Lea
            if instr.memory_base() == instr.op0_register()
                && instr.memory_index() == Register::None =>
        {
            match mode {
                Mode::Bits64 => instr.memory_displacement64() as i64,
                Mode::Bits16 | Mode::Bits32 => instr.memory_displacement64() as u32 as i32 as i64,
            }
        }
        _ => return None,
    };
    i32::try_from(delta).ok()
}

fn is_frame_pointer(reg: Register) -> bool {
    matches!(reg, Register::RBP | Register::EBP | Register::BP)
}

/// Whether `mem` is the instruction's explicit `[..]` operand rather than an implicit one.
fn is_explicit_operand(instr: &Instruction, mem: &UsedMemory) -> bool {
    let has_explicit = (0..instr.op_count()).any(|i| instr.op_kind(i) == OpKind::Memory);
    if !has_explicit {
        return false;
    }
    if instr.is_ip_rel_memory_operand() {
        return mem.index() == instr.memory_index()
            && (mem.base() == Register::None || mem.base() == instr.memory_base())
            && (mem.displacement() == instr.ip_rel_memory_address()
                || mem.displacement() == instr.memory_displacement64());
    }
    mem.base() == instr.memory_base()
        && mem.index() == instr.memory_index()
        && mem.displacement() == instr.memory_displacement64()
}

fn target(instr: &Instruction) -> Target {
    match instr.op0_kind() {
        OpKind::NearBranch16 | OpKind::NearBranch32 | OpKind::NearBranch64 => {
            Target::Near(instr.near_branch_target())
        }
        OpKind::FarBranch16 | OpKind::FarBranch32 => Target::Far {
            selector: instr.far_branch_selector(),
            offset: instr.far_branch32(),
        },
        _ => Target::Indirect,
    }
}

fn flow(instr: &Instruction) -> Flow {
    match instr.flow_control() {
        FlowControl::Next => Flow::Next,
        FlowControl::UnconditionalBranch | FlowControl::IndirectBranch => Flow::Branch {
            target: target(instr),
            conditional: false,
        },
        FlowControl::ConditionalBranch => Flow::Branch {
            target: target(instr),
            conditional: true,
        },
        FlowControl::Return => Flow::Return,
        // `call` near/far. iced also files `syscall`, `sysenter`, `vmcall`, `vmlaunch`… here;
        // those are replaced by the kernel table or refused before we get here.
        FlowControl::Call | FlowControl::IndirectCall => Flow::Call {
            target: target(instr),
        },
        FlowControl::Interrupt => Flow::KernelTransfer,
        // `xbegin` branches to its abort handler with the state of the `xbegin` point
        // restored (SDM Vol. 1 §16.3.5); `xabort`/`xend` then fall through on the
        // non-aborting path, and their aborting path is `xbegin`'s branch.
        FlowControl::XbeginXabortXend => match instr.op0_kind() {
            OpKind::NearBranch16 | OpKind::NearBranch32 | OpKind::NearBranch64 => Flow::Branch {
                target: target(instr),
                conditional: true,
            },
            _ => Flow::Next,
        },
        FlowControl::Exception => Flow::Exception,
    }
}
