//! Context switches (contract-rules.md §2, "Exits and divergence"): a local label whose
//! address escapes (pushed on a stack that is switched away, stored, passed to a call,
//! `.quad 2f`) is a re-entry point. Code outside the block resumes there, on the block's
//! own stack, after running arbitrary code of another context.
//!
//! The block is followed through the switch when the suspension is the classic one: the
//! block stores its stack pointer where the resuming code finds it (`mov [rdi], rsp`,
//! `xchg [rdi], rsp`) and then leaves its stack (`mov rsp, rsi`) or the block (`jmp`,
//! `ret`). The resuming code loads that stack pointer and either `ret`s (when the label's
//! address is on top of the saved stack) or jumps to the label. A *resume node* then
//! enters the label with:
//! - rsp at the re-entry delta, the block's stack slots at and above it intact (registers
//!   saved before the suspension can be popped after re-entry);
//! - every register, the status flags, MXCSR and x87 status flags holding the other
//!   context's values, so each must be restored or declared;
//! - DF clear and MMX state clean, as the ABI requires at every call boundary.
//!
//! The ordinary rules then check the re-entered path: registers saved before the switch
//! and restored in reverse order after it are back at their entry values, rsp must be
//! back at its entry value at the exit (R09). Any other escape is "context switch not
//! checkable" (R21).

use super::cfg::{Graph, Node, Resume};
use super::contract::Contract;
use super::values::{self, Flow, State, Val};
use crate::x86::asm::{Program, StmtKind};
use crate::x86::effects::{
    Access, CallModel, Effects, Flags, Location, MemAccess, MemClass, MemEffect, Mode, RegAccess,
    container,
};
use iced_x86::{Instruction, Mnemonic, OpKind, Register};

/// A local label of the block's code whose address the block takes but does not itself
/// jump to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Escape {
    /// The label statement.
    pub label: usize,
    /// The statement that takes its address.
    pub by: usize,
}

/// Every escaping label, first-taken first, each once.
pub fn escaped_labels(program: &Program, graph: &Graph, flow: &Flow) -> Vec<Escape> {
    let stmts = &program.stmts;
    let resolved: Vec<usize> = flow
        .label_jumps
        .iter()
        .filter(|(n, _)| flow.before[*n].is_some())
        .map(|(_, l)| *l)
        .collect();
    let mut taken: Vec<Escape> = Vec::new();
    for (n, node) in graph.nodes.iter().enumerate() {
        if let Some(label) = node.label_ref
            && flow.before[n].is_some()
        {
            taken.push(Escape {
                label,
                by: node.stmt,
            });
        }
    }
    for (i, stmt) in stmts.iter().enumerate() {
        if let StmtKind::Data(d) = &stmt.kind {
            taken.extend(
                d.symbol_refs
                    .iter()
                    .filter_map(|r| r.local_label)
                    .map(|label| Escape { label, by: i }),
            );
        }
    }
    let mut out: Vec<Escape> = Vec::new();
    for e in taken {
        let Some(def) = stmts.get(e.label) else {
            continue;
        };
        if !matches!(def.kind, StmtKind::Label(_)) {
            continue;
        }
        // Only labels of the block's code: a label before data is an address of data.
        let next = stmts[e.label + 1..]
            .iter()
            .find(|s| !matches!(s.kind, StmtKind::Label(_)));
        if def.section != 0
            || matches!(next.map(|s| &s.kind), Some(StmtKind::Data(_)))
            || resolved.contains(&e.label)
            || out.iter().any(|o| o.label == e.label)
        {
            continue;
        }
        out.push(e);
    }
    out
}

/// How the block is re-entered at an escaping label, or why that cannot be followed.
pub struct Plan {
    pub escape: Escape,
    /// rsp at re-entry, and the suspended context's state.
    pub resume: Result<(i64, State), &'static str>,
}

/// The re-entry of every escaping label.
pub fn plan(
    program: &Program,
    graph: &Graph,
    flow: &Flow,
    contract: &Contract,
    call_model: &CallModel,
) -> Vec<Plan> {
    escaped_labels(program, graph, flow)
        .into_iter()
        .map(|escape| Plan {
            escape,
            resume: suspension(program, escape, graph, flow, contract, call_model),
        })
        .collect()
}

fn suspension(
    program: &Program,
    escape: Escape,
    graph: &Graph,
    flow: &Flow,
    contract: &Contract,
    call_model: &CallModel,
) -> Result<(i64, State), &'static str> {
    // `.quad 2f`: exception tables and jump tables, entered with the state of whatever
    // instruction faulted or jumped, not a saved context.
    if matches!(program.stmts[escape.by].kind, StmtKind::Data(_)) {
        return Err(
            "its address is data (`.quad`), which code outside the block may use at any point",
        );
    }
    let mode = contract.mode;
    let sp = container(Register::RSP, mode);
    let on_own_stack = |n: usize| {
        flow.before[n]
            .as_ref()
            .filter(|s| s.rsp.is_some() && !s.switched && graph.nodes[n].resume.is_none())
    };
    // Where the stack pointer is saved: stores of rsp (or of a register holding a stack
    // address) to memory that is not the block's own stack.
    let mut saved: Vec<i64> = Vec::new();
    for (n, node) in graph.nodes.iter().enumerate() {
        let Some(state) = on_own_stack(n) else {
            continue;
        };
        if let Some(d) = saved_stack_pointer(state, &node.instr, mode, sp)
            && !saved.contains(&d)
        {
            saved.push(d);
        }
    }
    let [saved] = saved[..] else {
        return Err(if saved.is_empty() {
            "the block does not store its stack pointer, so where the resuming code puts rsp is unknown"
        } else {
            "the block stores its stack pointer at more than one depth"
        });
    };
    // The suspended state: where the block leaves its stack (loads rsp from elsewhere)
    // or leaves the block while still on it.
    let mut suspended: Option<State> = None;
    for (n, node) in graph.nodes.iter().enumerate() {
        let Some(state) = on_own_stack(n) else {
            continue;
        };
        let leaves_stack = values::after(state, node, n, contract, call_model).switched;
        if leaves_stack || node.end.is_some() {
            suspended = Some(match suspended {
                None => state.clone(),
                Some(s) => s.join(state),
            });
        }
    }
    let Some(suspended) = suspended else {
        return Err("the block never leaves its stack or the block after saving it");
    };
    // Resumed by `ret` when the label's address is on top of the saved stack, else by a
    // jump with rsp as saved.
    let rsp = if suspended.slot(saved) == Some(Val::LabelAddr(escape.label)) {
        saved + values::stack_width(mode)
    } else {
        saved
    };
    Ok((rsp, suspended))
}

/// The offset of the stack pointer `instr` stores to memory outside the block's stack.
fn saved_stack_pointer(
    state: &State,
    instr: &Instruction,
    mode: Mode,
    sp: Register,
) -> Option<i64> {
    if !matches!(instr.mnemonic(), Mnemonic::Mov | Mnemonic::Xchg) || instr.op_count() != 2 {
        return None;
    }
    let reg = match (instr.op0_kind(), instr.op1_kind()) {
        (OpKind::Memory, OpKind::Register) => instr.op1_register(),
        (OpKind::Register, OpKind::Memory) if instr.mnemonic() == Mnemonic::Xchg => {
            instr.op0_register()
        }
        _ => return None,
    };
    if values::stack_slot(state, instr, mode).is_some() {
        return None;
    }
    let c = container(reg, mode);
    if c != reg {
        return None;
    }
    if c == sp {
        return state.rsp;
    }
    match state.get(c) {
        Val::StackAddr(d) => Some(d),
        _ => None,
    }
}

/// The resume node for `plan`: enters the label's node with every register, the flags
/// and the FP status written by the other context.
pub fn resume_node(graph: &Graph, label: usize, rsp: i64, mode: Mode) -> Node {
    let mut effects = Effects {
        regs: every_register(mode)
            .map(|r| RegAccess::new(r, Access::Write))
            .collect(),
        ..Default::default()
    };
    effects.flags.written = Flags::STATUS;
    effects.flags.cleared = Flags::DF;
    effects.mxcsr.sets_exception_flags = true;
    effects.x87.sets_exception_flags = true;
    effects.memory.push(MemEffect {
        class: MemClass::M5,
        access: MemAccess::None,
        location: Location::Nowhere,
        why: "context switch: the other context's memory effect is unknown",
    });
    Node {
        stmt: label,
        instr: Instruction::default(),
        effects,
        // A label at the very end re-enters at the block's exit.
        succ: vec![graph.label_edge(label)],
        end: None,
        opaque_call: false,
        local_call: false,
        label_ref: None,
        resume: Some(Resume { label, rsp }),
    }
}

/// What another context may leave different: the general-purpose registers but the
/// stack pointer (which the resuming code restores), the vector and mask registers.
/// AMX tiles are left out: no stable Rust code keeps values in them across a block.
fn every_register(mode: Mode) -> impl Iterator<Item = Register> {
    let (gprs, vectors): (&[Register], usize) = match mode {
        Mode::Bits64 => (
            &[
                Register::RAX,
                Register::RCX,
                Register::RDX,
                Register::RBX,
                Register::RBP,
                Register::RSI,
                Register::RDI,
                Register::R8,
                Register::R9,
                Register::R10,
                Register::R11,
                Register::R12,
                Register::R13,
                Register::R14,
                Register::R15,
            ],
            32,
        ),
        Mode::Bits32 | Mode::Bits16 => (
            &[
                Register::EAX,
                Register::ECX,
                Register::EDX,
                Register::EBX,
                Register::EBP,
                Register::ESI,
                Register::EDI,
            ],
            8,
        ),
    };
    gprs.iter()
        .copied()
        .chain(Register::values().filter(move |r| {
            (Register::ZMM0..=Register::ZMM31).contains(r)
                && (*r as usize - Register::ZMM0 as usize) < vectors
        }))
        .chain(Register::values().filter(|r| r.is_k()))
}
