//! Symbolic allocation: a class operand may be allocated any register of its class that
//! no operand or clobber holds, reserved registers included (R05(b), RUSTInA's
//! "unicity"), and a late output or `clobber_abi` clobber may share its register with an
//! input (R04). For each such possibility the block is assembled and analysed again with
//! the operand in that register, and what the program observes is compared with the run
//! where the operand has a register of its own:
//! - every read of the operand's placeholder must see the same value;
//! - every output must hold the same value at every exit;
//! - an input-only operand's register must be unchanged at every exit.

use super::contract::{register_by_name, rustc_name};
use super::values::Val;
use super::{Run, rule, run};
use crate::diag::Diagnostic;
use crate::syntax::{ConfiguredAsm, OperandKind, RegSpec};
use crate::x86::asm::StmtKind;
use crate::x86::effects::{TargetAbi, container};
use crate::x86::lower::lower_with;
use crate::x86::regs::{Arch, RegClass, allocatable};
use crate::x86::substitute::literal_registers;
use iced_x86::{InstructionInfoFactory, OpAccess, OpKind, Register};
use std::sync::OnceLock;

/// Why the operand may end up in the register. Only a pure input (`in`) can share a
/// register with a late output or clobber: `inout`/`inlateout` are outputs too, and
/// outputs never share.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reason {
    /// The register is undeclared and the template uses it (R05(b)).
    Undeclared,
    /// The register is a late output or a `clobber_abi` clobber (R04).
    LateOutput,
}

/// The registers a class operand may be allocated on `arch`: each family (`bx`, `r8`,
/// `xmm3`, `bpl`) with the container it names. Computed on the first use of each class
/// and architecture (a crate uses one architecture and a few classes).
fn allocatable_containers(class: RegClass, arch: Arch) -> &'static [(&'static str, Register)] {
    const SLOTS: usize = RegClass::ALL.len() * Arch::ALL.len();
    type Containers = Box<[(&'static str, Register)]>;
    static TABLE: [OnceLock<Containers>; SLOTS] = [const { OnceLock::new() }; SLOTS];
    let class_index = RegClass::ALL
        .iter()
        .position(|c| *c == class)
        .expect("a class");
    let arch_index = Arch::ALL.iter().position(|a| *a == arch).expect("an arch");
    TABLE[class_index * Arch::ALL.len() + arch_index].get_or_init(|| {
        allocatable(class, arch)
            .into_iter()
            .filter_map(|family| Some((family, family_container(family, arch)?)))
            .collect()
    })
}

/// A register family (`bx`, `r8`, `xmm3`, `bpl`) as the container it names on `arch`.
fn family_container(family: &str, arch: Arch) -> Option<Register> {
    let full = match family {
        "ax" | "bx" | "cx" | "dx" | "si" | "di" | "bp" | "sp" => {
            if arch == Arch::X86_64 {
                format!("r{family}")
            } else {
                format!("e{family}")
            }
        }
        "bpl" => "rbp".to_string(),
        "sil" => "rsi".to_string(),
        "dil" => "rdi".to_string(),
        f => f
            .strip_suffix('b')
            .filter(|s| s.starts_with('r'))
            .unwrap_or(f)
            .to_string(),
    };
    let mode = if arch == Arch::X86_64 {
        crate::x86::effects::Mode::Bits64
    } else {
        crate::x86::effects::Mode::Bits32
    };
    register_by_name(&full).map(|r| container(r, mode))
}

pub fn check(asm: &ConfiguredAsm, fresh: &Run, arch: Arch, target: &TargetAbi) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Only class operands are allocated: a block of explicit registers (most system
    // instructions) has nothing to try.
    let allocated: Vec<(usize, &crate::syntax::ConfiguredOperand, RegClass)> = asm
        .operands
        .iter()
        .enumerate()
        .filter_map(|(x, op)| match op.kind.reg() {
            Some(RegSpec::Class { name, .. }) => RegClass::from_name(name)
                .filter(|class| !class.clobber_only())
                .map(|class| (x, op, class)),
            _ => None,
        })
        .collect();
    if allocated.is_empty() {
        return out;
    }
    let literal = literal_registers(asm);
    let mode = fresh.contract.mode;
    let written: Vec<Register> = (0..fresh.graph.nodes.len())
        .filter(|n| fresh.flow.before[*n].is_some())
        .flat_map(|n| {
            fresh.graph.nodes[n]
                .effects
                .regs
                .iter()
                .filter(|r| r.access.may_write())
                .map(|r| container(r.reg, mode))
        })
        .collect();
    let explicit_regs: Vec<Register> = fresh
        .contract
        .inputs
        .iter()
        .chain(fresh.contract.outputs.iter().map(|(b, _)| b))
        .filter(|b| b.explicit)
        .map(|b| b.reg)
        .collect();
    let early_outputs: Vec<Register> = fresh
        .contract
        .outputs
        .iter()
        .filter(|(_, late)| !late)
        .map(|(b, _)| b.reg)
        .collect();
    let late_outputs: Vec<(usize, Register)> = fresh
        .contract
        .outputs
        .iter()
        .filter(|(_, late)| *late)
        .map(|(b, _)| (b.operand, b.reg))
        .collect();

    for (x, op, class) in allocated {
        let Some(rep) = fresh
            .contract
            .inputs
            .iter()
            .chain(fresh.contract.outputs.iter().map(|(b, _)| b))
            .find(|b| b.operand == x)
            .map(|b| b.reg)
        else {
            continue;
        };
        // (family, container, reason, other operand placed in the same register)
        let mut candidates: Vec<(String, Register, Reason, Option<usize>)> = Vec::new();
        for &(family, r) in allocatable_containers(class, arch) {
            if r == rep || candidates.iter().any(|c| c.1 == r) {
                continue;
            }
            // Only a register the template names or writes, or (for an input) one a late
            // output or ABI clobber holds, can be a candidate: most registers of the
            // class are neither, and the scans below are skipped for them.
            let named = literal.contains(family_id(family)) || written.contains(&r);
            let shared = matches!(op.kind, OperandKind::In { .. })
                && (fresh.contract.abi_clobbers.contains(&r)
                    || late_outputs.iter().any(|(o, lr)| *o != x && *lr == r));
            if !named && !shared {
                continue;
            }
            let declared = explicit_regs.contains(&r)
                || fresh.contract.may_change(r)
                || fresh.contract.inputs.iter().any(|b| b.reg == r);
            let other_rep = fresh
                .contract
                .inputs
                .iter()
                .chain(fresh.contract.outputs.iter().map(|(b, _)| b))
                .any(|b| !b.explicit && b.reg == r);
            // An undeclared register left changed at an exit is R01's finding; once it is
            // declared, the operand can no longer be allocated there.
            let r01 = fresh
                .flow
                .exits
                .iter()
                .any(|(_, _, s)| s.get(r) != Val::Entry(r));
            if !declared && !other_rep && !r01 && named {
                candidates.push((family.to_string(), r, Reason::Undeclared, None));
            } else if shared
                && !early_outputs.contains(&r)
                && !fresh
                    .contract
                    .inputs
                    .iter()
                    .any(|b| b.explicit && b.reg == r)
            {
                let sharer = late_outputs
                    .iter()
                    .find(|(o, lr)| *o != x && *lr == r)
                    .map(|(o, _)| *o);
                let sharer = sharer.filter(|o| {
                    !asm.operands[*o]
                        .kind
                        .reg()
                        .is_some_and(RegSpec::is_explicit)
                });
                candidates.push((family.to_string(), r, Reason::LateOutput, sharer));
            }
        }
        for (family, r, reason, sharer) in candidates {
            let mut overrides = vec![(x, family.clone())];
            if let Some(o) = sharer {
                overrides.push((o, family.clone()));
            }
            let Ok(lowered) = lower_with(asm, arch, &overrides) else {
                continue;
            };
            let Ok(aliased) = run(asm, lowered, target) else {
                continue;
            };
            if aliased.graph.nodes.len() != fresh.graph.nodes.len()
                || aliased.flow.exits.len() != fresh.flow.exits.len()
            {
                continue;
            }
            if let Some(d) = compare(asm, fresh, &aliased, x, rep, r, reason, sharer) {
                out.push(d);
                break;
            }
        }
    }
    out
}

/// `bpl` → `bp`: the family the literal scan records.
fn family_id(family: &str) -> &str {
    match family {
        "bpl" => "bp",
        other => other,
    }
}

/// A value with the operand's register abstracted: in the fresh run the operand lives in
/// `rep`, in the aliased run in `r`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Canon {
    Operand,
    Entry(Register),
    Node(u32),
    Stack(i64),
    Unknown,
    Other(Val),
}

/// `input`: the operand brings a value. An output-only operand's register holds, at entry,
/// whatever the register held (`mov {o}, rbp` with `{o}` in rbp copies rbp to itself).
fn canon(v: Val, home: Register, input: bool) -> Canon {
    match v {
        Val::Entry(r) if r == home && input => Canon::Operand,
        Val::Entry(r) => Canon::Entry(r),
        Val::Fresh(n, _) => Canon::Node(n),
        Val::StackAddr(d) => Canon::Stack(d),
        Val::Merged => Canon::Unknown,
        other => Canon::Other(other),
    }
}

fn differs(a: Canon, b: Canon) -> bool {
    a != b && !(a == Canon::Unknown && b == Canon::Unknown)
}

#[allow(clippy::too_many_arguments)]
fn compare(
    asm: &ConfiguredAsm,
    fresh: &Run,
    aliased: &Run,
    x: usize,
    rep: Register,
    r: Register,
    reason: Reason,
    sharer: Option<usize>,
) -> Option<Diagnostic> {
    let op = &asm.operands[x];
    let placeholder = aliased
        .lowered
        .substituted
        .sites
        .iter()
        .find(|s| s.operand == x)
        .map(|s| aliased.lowered.substituted.display[s.display_range.clone()].to_string())
        .unwrap_or_else(|| format!("{{{x}}}"));
    let shown = |operand: usize| -> String {
        aliased
            .lowered
            .substituted
            .sites
            .iter()
            .find(|s| s.operand == operand)
            .map(|s| aliased.lowered.substituted.display[s.display_range.clone()].to_string())
            .unwrap_or_else(|| asm.operands[operand].kind.describe())
    };
    // Where the operand is put: a named register, or "the register of the late output".
    let rname = match sharer {
        Some(o) => format!("the register of the late output `{}`", shown(o)),
        None => rustc_name(r),
    };
    let ctx_text = |n: usize| -> String {
        let stmt = aliased.graph.nodes[n].stmt;
        aliased
            .lowered
            .substituted
            .display_line(aliased.lowered.program.stmts[stmt].range.start)
            .to_string()
    };
    // The instruction whose value is in the shared register, as the user wrote it; when
    // paths merge (a loop), the first writer in program order: on the first iteration it
    // is the one that destroys the operand.
    let last_writer = |state: &super::values::State| -> String {
        let mut writers = state.writers.of(r);
        let writer = match state.get(r) {
            Val::Fresh(n, _) => Some(n),
            Val::Merged => writers.min(),
            // A value copied in (`pop rbx` restoring the entry value): the copy.
            _ => writers.next_back(),
        };
        writer
            .map(|w| ctx_text(w as usize))
            .unwrap_or_else(|| "the block".into())
    };
    let span_of = |n: usize| {
        let start = aliased.lowered.program.stmts[aliased.graph.nodes[n].stmt]
            .range
            .start;
        let piece = aliased.lowered.substituted.piece_at(start);
        asm.pieces.get(piece).map_or(asm.span, |p| p.span)
    };
    let late_what = if let Some(o) = sharer {
        format!("`{}` is a late output", shown(o))
    } else if fresh.contract.abi_clobbers.contains(&r)
        && !fresh.contract.outputs.iter().any(|(b, _)| b.reg == r)
    {
        let abis: Vec<String> = fresh
            .contract
            .abis
            .iter()
            .map(|(n, _)| format!("\"{n}\""))
            .collect();
        format!("`clobber_abi({})` clobbers {rname}", abis.join(", "))
    } else if let Some((b, _)) = fresh
        .contract
        .outputs
        .iter()
        .find(|(b, late)| *late && b.reg == r && b.operand != x)
    {
        format!(
            "`{}` is a late output",
            asm.operands[b.operand].kind.describe()
        )
    } else {
        format!("a late output uses {rname}")
    };
    let why = match reason {
        Reason::Undeclared => format!(
            "the compiler may allocate `{placeholder}` to {rname}: a `{}` operand can receive any register of its class that no operand or clobber declares, {rname} included",
            class_name(op)
        ),
        Reason::LateOutput => format!(
            "{late_what}, and the compiler may give a late output the register of an input such as `{placeholder}`"
        ),
    };
    let direction = if op.kind.is_input() { "in" } else { "out" };
    let (id, help) = match reason {
        Reason::Undeclared if !reserved(r) => (
            "R05",
            format!(
                "declare {rname} instead of saving it (`out(\"{rname}\") _`): no operand is then allocated to it; or give `{placeholder}` an explicit register the template does not touch (e.g. `{direction}(\"rdi\") ...`)"
            ),
        ),
        Reason::Undeclared => (
            "R05",
            format!(
                "give `{placeholder}` an explicit register the template does not touch (e.g. `{direction}(\"rdi\") ...`), or keep {rname} out of the template: save it through a scratch operand (`mov {{tmp:r}}, {rname}` … `xchg {{tmp:r}}, {rname}`)"
            ),
        ),
        Reason::LateOutput => (
            "R04",
            match sharer {
                Some(o) => format!(
                    "make `{}` an early output (`out` instead of `lateout`): an early output never shares a register with an input",
                    shown(o)
                ),
                // An explicit late output of the register: make it early.
                None if fresh
                    .contract
                    .outputs
                    .iter()
                    .any(|(b, late)| *late && b.reg == r && b.operand != x) =>
                {
                    let o = fresh
                        .contract
                        .outputs
                        .iter()
                        .find(|(b, late)| *late && b.reg == r && b.operand != x)
                        .map(|(b, _)| b.operand)
                        .expect("checked");
                    let late = asm.operands[o].kind.describe();
                    let early = late
                        .replacen("inlateout(", "inout(", 1)
                        .replacen("lateout(", "out(", 1);
                    format!(
                        "make `{late}` an early output, `{early}`: an early output never shares a register with an input"
                    )
                }
                None => format!(
                    "give `{placeholder}` an explicit register (for a call argument, the register it is moved to: the compiler then cannot place it in another one the template overwrites first), or declare `out(\"{}\") _`, an early clobber, instead of relying on `clobber_abi` for it",
                    rustc_name(r)
                ),
            },
        ),
    };
    let factory_info = |n: usize, i: u32| -> bool {
        let instr = &aliased.graph.nodes[n].instr;
        let mut factory = InstructionInfoFactory::new();
        let info = factory.info(instr);
        matches!(
            info.op_access(i),
            OpAccess::Read | OpAccess::ReadWrite | OpAccess::ReadCondWrite | OpAccess::CondRead
        ) || instr.op_kind(i) == OpKind::Memory
    };
    // Reads of the operand's placeholder.
    for n in 0..aliased.graph.nodes.len() {
        let (Some(fs), Some(as_)) = (&fresh.flow.before[n], &aliased.flow.before[n]) else {
            continue;
        };
        let StmtKind::Instr(ins) = &aliased.lowered.program.stmts[aliased.graph.nodes[n].stmt].kind
        else {
            continue;
        };
        if is_self_move(&aliased.graph.nodes[n].instr) {
            // `xchg {t}, rbx` with `{t}` in rbx moves nothing: what matters is where the
            // values end up, which the exit comparison below checks.
            continue;
        }
        let sites: Vec<_> = aliased
            .lowered
            .substituted
            .sites
            .iter()
            .filter(|s| s.operand == x)
            .collect();
        for (i, range) in ins.operand_ranges.iter().enumerate() {
            if !sites
                .iter()
                .any(|s| s.range.start >= range.start && s.range.end <= range.end)
            {
                continue;
            }
            if !factory_info(n, i as u32) {
                continue;
            }
            let (vf, va) = (
                canon(fs.get(rep), rep, true),
                canon(as_.get(r), r, op.kind.is_input()),
            );
            if differs(vf, va) {
                let writer = last_writer(as_);
                return Some(
                    rule(id, span_of(n), format!("if `{placeholder}` is in {rname}, `{writer}` overwrites it before `{}` reads it", ctx_text(n)))
                        .with_note(why)
                        .with_help(help),
                );
            }
        }
    }
    // Hard-coded reads of the register (RUSTInA's "unicity"): an instruction that computes
    // with the register the template names must see the value the template put there,
    // not the operand. Copies (`mov`, `xchg`, `push`, `pop`) only move the value; where
    // it ends up is compared above and below.
    if reason == Reason::Undeclared {
        let mode = fresh.contract.mode;
        for n in 0..fresh.graph.nodes.len() {
            let (Some(fs), Some(as_)) = (&fresh.flow.before[n], &aliased.flow.before[n]) else {
                continue;
            };
            let node = &fresh.graph.nodes[n];
            if is_copy(&node.instr) || fs.is_undef(r) {
                continue;
            }
            let reads_r = node
                .effects
                .regs
                .iter()
                .any(|a| a.access.may_read() && container(a.reg, mode) == r);
            if reads_r
                && differs(
                    canon(fs.get(r), rep, true),
                    canon(as_.get(r), r, op.kind.is_input()),
                )
            {
                let writer = last_writer(as_);
                return Some(
                    rule(id, span_of(n), format!("if `{placeholder}` is in {rname}, `{writer}` replaces the value of {rname} that `{}` reads", ctx_text(n)))
                        .with_note(why)
                        .with_help(help),
                );
            }
        }
    }
    // Outputs at exits, and an input-only operand's register.
    for (k, (n, _, fs)) in fresh.flow.exits.iter().enumerate() {
        let (_, _, as_) = &aliased.flow.exits[k];
        if op.kind.is_real_output()
            && differs(
                canon(fs.get(rep), rep, true),
                canon(as_.get(r), r, op.kind.is_input()),
            )
        {
            let writer = last_writer(as_);
            return Some(
                rule(id, span_of(*n), format!("if the output `{placeholder}` is in {rname}, `{writer}` replaces its value before the block ends"))
                    .with_note(why)
                    .with_help(help),
            );
        }
        // A late output's register is the output's at the end: the input need not survive
        // there. Only an undeclared register must come back unchanged.
        if reason == Reason::Undeclared
            && !op.kind.is_output()
            && as_.get(r) != Val::Entry(r)
            && fs.get(rep) == Val::Entry(rep)
        {
            let writer = last_writer(as_);
            return Some(
                rule(id, span_of(*n), format!("if the input `{placeholder}` is in {rname}, `{writer}` changes it, and the compiler assumes inputs survive the block"))
                    .with_note(why)
                    .with_help(help),
            );
        }
    }
    None
}

/// rbx and rbp (esi and ebp on x86): registers that cannot be declared.
fn reserved(r: Register) -> bool {
    matches!(
        r,
        Register::RBX | Register::RBP | Register::ESI | Register::EBP
    )
}

/// Instructions that only move a whole register's value around.
fn is_copy(instr: &iced_x86::Instruction) -> bool {
    use iced_x86::Mnemonic::{Mov, Pop, Push, Xchg};
    match instr.mnemonic() {
        Push | Pop => true,
        Mov | Xchg => (0..instr.op_count())
            .all(|i| instr.op_kind(i) != OpKind::Register || instr.op_register(i).is_gpr()),
        _ => false,
    }
}

/// `mov r, r` or `xchg r, r` once the operand sits in `r`.
fn is_self_move(instr: &iced_x86::Instruction) -> bool {
    matches!(
        instr.mnemonic(),
        iced_x86::Mnemonic::Mov | iced_x86::Mnemonic::Xchg
    ) && instr.op_count() == 2
        && instr.op0_kind() == OpKind::Register
        && instr.op1_kind() == OpKind::Register
        && instr.op0_register() == instr.op1_register()
}

fn class_name(op: &crate::syntax::ConfiguredOperand) -> String {
    match &op.kind {
        OperandKind::Const { .. } | OperandKind::Sym { .. } | OperandKind::Label { .. } => {
            String::new()
        }
        k => k.reg().map(RegSpec::as_written).unwrap_or_default(),
    }
}
