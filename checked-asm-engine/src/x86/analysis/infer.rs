//! The minimal correct contract of a block (contract-rules.md §4): the clobbers its
//! instructions need, the strongest options that hold, the declared clobbers it never
//! writes and the early outputs that could be late. Rendered as paste-ready text for
//! error notes, and compared with the declared contract for refinement warnings.

use super::Ctx;
use super::cfg::Edge;
use super::contract::rustc_name;
use super::values::{Df, Val};
use crate::diag::{Code, Diagnostic, Level};
use crate::syntax::{AsmOption, OperandKind, OptionSet};
use crate::x86::effects::{Flow, Location, MemClass, container};
use iced_x86::Register;

#[derive(Clone, Debug, Default)]
pub struct Inferred {
    /// Options that hold for the block (and that rustc accepts together).
    pub options: OptionSet,
    /// Undeclared containers the block leaves changed (each needs a clobber).
    pub clobbers: Vec<Register>,
    /// Declared `_` outputs (operand indices) whose register the block never writes.
    pub unwritten_clobbers: Vec<usize>,
    /// Early outputs (operand indices) that could be `lateout`.
    pub could_be_late: Vec<usize>,
    /// The block has an M4/M5 effect: never suggest `nomem`/`readonly` (intent).
    pub barrier_intent: bool,
}

pub fn infer(ctx: &Ctx) -> Inferred {
    let mode = ctx.contract.mode;
    let sp = container(Register::RSP, mode);
    let reachable: Vec<usize> = (0..ctx.graph.nodes.len())
        .filter(|n| ctx.flow.before[*n].is_some())
        .collect();
    let mut reads_mem = false;
    let mut writes_mem = false;
    let mut orders = false;
    let mut barrier = false;
    let mut stack = false;
    let mut impure = false;
    for &n in &reachable {
        let node = &ctx.graph.nodes[n];
        let state = ctx.flow.before[n].as_ref().expect("reachable");
        for m in &node.effects.memory {
            let own = matches!(m.location, Location::Operand(a) if a.index == Register::None && a.base.is_gpr() && {
                let b = container(a.base, mode);
                let off = if b == sp { state.rsp } else if let Val::StackAddr(d) = state.get(b) { Some(d) } else { None };
                off.is_some_and(|o| o + a.displacement < 0)
            });
            match m.class {
                MemClass::M1 if own => {}
                MemClass::M1 => {
                    reads_mem |= m.access.may_read();
                    writes_mem |= m.access.may_write();
                }
                MemClass::M2 | MemClass::M3 => orders = true,
                MemClass::M4 | MemClass::M5 => barrier = true,
            }
        }
        let explicit_sp = node.writes_stack_pointer_explicitly(mode);
        stack |= node.opaque_call
            || node.local_call
            || node.effects.stack.delta != Some(0)
            || node.effects.stack.reads
            || node.effects.stack.writes
            || explicit_sp;
        impure |= node.opaque_call
            || matches!(node.effects.flow, Flow::KernelTransfer | Flow::Halt)
            || !node.effects.reads_state.is_empty()
            || !node.effects.writes_state.is_empty()
            || !node.effects.side_effects.is_empty();
        barrier |= node.opaque_call || matches!(node.effects.flow, Flow::KernelTransfer);
    }
    let exits = &ctx.flow.exits;
    let flags_kept = exits.iter().all(|(_, _, s)| {
        s.flags == Val::EntryFlags && s.mxcsr_flags == Val::EntryMxcsr && s.df == Df::Clear
    }) && !reachable.iter().any(|n| {
        let x = &ctx.graph.nodes[*n].effects.x87;
        x.sets_exception_flags || x.condition_codes.modified() != 0
    });
    let falls_through = exits
        .iter()
        .any(|(_, e, _)| matches!(e, Edge::FallThrough | Edge::Label(_)));
    let provably_diverges = !falls_through
        && !reachable.iter().any(|n| {
            ctx.graph.nodes[*n].opaque_call
                || matches!(ctx.graph.nodes[*n].effects.flow, Flow::KernelTransfer)
        });

    let mut options = OptionSet::default();
    if !barrier && !orders {
        if !reads_mem && !writes_mem {
            options.insert(AsmOption::Nomem);
        } else if !writes_mem {
            options.insert(AsmOption::Readonly);
        }
    }
    if !stack {
        options.insert(AsmOption::Nostack);
    }
    if flags_kept {
        options.insert(AsmOption::PreservesFlags);
    }
    let has_output = ctx.asm.operands.iter().any(|o| o.kind.is_real_output());
    if !impure
        && has_output
        && !writes_mem
        && !orders
        && !barrier
        && !exits.is_empty()
        && (options.contains(AsmOption::Nomem) || options.contains(AsmOption::Readonly))
    {
        options.insert(AsmOption::Pure);
    }
    if provably_diverges
        && !ctx.graph.nodes.is_empty()
        && !has_output
        && !ctx.asm.operands.iter().any(|o| o.kind.is_output())
    {
        options.insert(AsmOption::Noreturn);
    }
    for keep in [AsmOption::AttSyntax, AsmOption::Raw] {
        if ctx.asm.has(keep) {
            options.insert(keep);
        }
    }

    let mut clobbers = Vec::new();
    for (_, _, s) in exits {
        for (reg, _) in s.changed() {
            // rbx/rbp (esi/ebp on x86) cannot be declared: R05 asks for a restore instead.
            let reserved = ctx.is_reserved(reg);
            if (reg.is_gpr() || reg.is_vector_register() || reg.is_k())
                && reg != sp
                && !reserved
                && !ctx.contract.may_change(reg)
                && !clobbers.contains(&reg)
            {
                clobbers.push(reg);
            }
        }
    }

    let written: Vec<Register> = exits
        .iter()
        .flat_map(|(_, _, s)| s.writers.keys())
        .collect();
    let unwritten_clobbers = ctx
        .contract
        .outputs
        .iter()
        .filter(|(b, _)| {
            b.explicit
                && matches!(
                    ctx.asm.operands[b.operand].kind,
                    OperandKind::Out { expr: None, .. }
                )
        })
        .filter(|(b, _)| {
            !written.contains(&b.reg)
                && !(Register::ST0..=Register::ST7).contains(&b.reg)
                && !(Register::MM0..=Register::MM7).contains(&b.reg)
        })
        .map(|(b, _)| b.operand)
        .collect();

    let could_be_late = early_outputs_that_could_be_late(ctx);
    Inferred {
        options,
        clobbers,
        unwritten_clobbers,
        could_be_late,
        barrier_intent: barrier,
    }
}

/// A write of `reg` followed, on some path, by a read of an input: `(writer, reader)`.
/// The writer itself reads before it writes, so only its successors count.
pub fn input_read_after_write(ctx: &Ctx, reg: Register) -> Option<(usize, usize)> {
    let mode = ctx.contract.mode;
    let n = ctx.graph.nodes.len();
    let reads_input = |node: usize| -> bool {
        let fx = &ctx.graph.nodes[node].effects;
        ctx.contract.inputs.iter().any(|b| {
            fx.regs
                .iter()
                .any(|r| r.access.may_read() && container(r.reg, mode) == b.reg)
        })
    };
    let writes = |m: usize| {
        ctx.graph.nodes[m]
            .effects
            .regs
            .iter()
            .any(|r| r.access.may_write() && container(r.reg, mode) == reg)
    };
    for w in (0..n).filter(|m| ctx.flow.before[*m].is_some() && writes(*m)) {
        let mut seen = vec![false; n];
        let mut work: Vec<usize> = ctx.graph.nodes[w]
            .succ
            .iter()
            .filter_map(|e| {
                if let Edge::Node(m) = e {
                    Some(*m)
                } else {
                    None
                }
            })
            .collect();
        while let Some(m) = work.pop() {
            if std::mem::replace(&mut seen[m], true) {
                continue;
            }
            if reads_input(m) {
                return Some((w, m));
            }
            work.extend(ctx.graph.nodes[m].succ.iter().filter_map(|e| {
                if let Edge::Node(k) = e {
                    Some(*k)
                } else {
                    None
                }
            }));
        }
    }
    None
}

/// An early output is needed only when some input is read after the output's register
/// is written; otherwise `lateout` lets the compiler reuse an input register.
fn early_outputs_that_could_be_late(ctx: &Ctx) -> Vec<usize> {
    ctx.contract
        .outputs
        .iter()
        .filter(|(bound, late)| {
            !late
                && matches!(
                    ctx.asm.operands[bound.operand].kind,
                    OperandKind::Out { .. }
                )
        })
        .filter(|(bound, _)| input_read_after_write(ctx, bound.reg).is_none())
        .map(|(bound, _)| bound.operand)
        .collect()
}

impl Inferred {
    /// The block's minimal contract as paste-ready operand and option text.
    pub fn render(&self, ctx: &Ctx) -> String {
        let mut parts: Vec<String> = Vec::new();
        for (i, op) in ctx.asm.operands.iter().enumerate() {
            if self.unwritten_clobbers.contains(&i) {
                continue;
            }
            let mut text = op.kind.describe();
            if self.could_be_late.contains(&i)
                && !ctx.contract.inputs.is_empty()
                && let Some(rest) = text.strip_prefix("out(")
            {
                text = format!("lateout({rest}");
            }
            parts.push(match &op.name {
                Some(n) => format!("{n} = {text}"),
                None => text,
            });
        }
        let late = if ctx.contract.inputs.iter().any(|b| !b.explicit) {
            "out"
        } else {
            "lateout"
        };
        // A call to outside code without `clobber_abi`: the ABI clobbers, not a list.
        let calls = ctx
            .graph
            .nodes
            .iter()
            .enumerate()
            .any(|(n, node)| node.opaque_call && ctx.flow.before[n].is_some());
        let needs_abi = calls && ctx.asm.clobber_abis.is_empty();
        let mode = ctx.contract.mode;
        let default_model = crate::x86::effects::default_call_model(&ctx.target);
        for r in &self.clobbers {
            if needs_abi
                && default_model
                    .caller_saved()
                    .any(|c| container(c, mode) == *r)
            {
                continue;
            }
            parts.push(format!("{late}(\"{}\") _", rustc_name(*r)));
        }
        let mut abis: Vec<String> = ctx
            .asm
            .clobber_abis
            .iter()
            .map(|(a, _)| format!("\"{a}\""))
            .collect();
        if needs_abi {
            abis.push("\"C\"".into());
        }
        if !abis.is_empty() {
            parts.push(format!("clobber_abi({})", abis.join(", ")));
        }
        let order = [
            AsmOption::Pure,
            AsmOption::Nomem,
            AsmOption::Readonly,
            AsmOption::Nostack,
            AsmOption::PreservesFlags,
            AsmOption::Noreturn,
            AsmOption::AttSyntax,
            AsmOption::Raw,
        ];
        let opts: Vec<&str> = order
            .iter()
            .filter(|o| self.options.contains(**o))
            .map(|o| o.name())
            .collect();
        if !opts.is_empty() {
            parts.push(format!("options({})", opts.join(", ")));
        }
        parts.join(", ")
    }

    /// Refinements (the declared contract is correct but could be stronger), as one
    /// warning per block. Never `nomem`/`readonly` for blocks with barrier intent
    /// (M4/M5), never `noreturn` (it changes the block's type), never `pure` with
    /// `noreturn`.
    pub fn refinements(&self, ctx: &Ctx) -> Vec<Diagnostic> {
        let span = ctx.asm.pieces.first().map_or(ctx.asm.span, |p| p.span);
        let mut addable: Vec<&str> = Vec::new();
        for o in [
            AsmOption::Pure,
            AsmOption::Nomem,
            AsmOption::Readonly,
            AsmOption::Nostack,
            AsmOption::PreservesFlags,
        ] {
            if !self.options.contains(o) || ctx.asm.has(o) {
                continue;
            }
            if (o == AsmOption::Readonly && ctx.asm.has(AsmOption::Nomem))
                || (matches!(o, AsmOption::Nomem | AsmOption::Readonly | AsmOption::Pure)
                    && self.barrier_intent)
                || (o == AsmOption::Pure && ctx.asm.has(AsmOption::Noreturn))
            {
                continue;
            }
            addable.push(o.name());
        }
        if addable.contains(&"nomem") {
            addable.retain(|o| *o != "readonly");
        }
        let mut points: Vec<String> = Vec::new();
        if !addable.is_empty() {
            points.push(format!("it also satisfies `{}`", addable.join("`, `")));
        }
        for &i in &self.unwritten_clobbers {
            points.push(format!(
                "it never writes the register of `{}`",
                ctx.asm.operands[i].kind.describe()
            ));
        }
        // Late outputs matter only when there are inputs to share a register with.
        if !ctx.contract.inputs.is_empty() {
            for &i in &self.could_be_late {
                points.push(format!(
                    "`{}` is written after the last read of every input, so it can be `lateout`",
                    ctx.asm.operands[i].kind.describe()
                ));
            }
        }
        if points.is_empty() {
            return Vec::new();
        }
        vec![Diagnostic {
            level: Level::Warning,
            code: Code::Rule("refinement"),
            message: format!("this block's contract is correct but could be stronger: {}", points.join("; ")),
            span,
            labels: Vec::new(),
            notes: vec!["a stronger contract lets the compiler optimise more around the block; allow this warning with `#[allow(deprecated)]` on the statement, function or crate".into()],
            help: vec![format!("the minimal contract: `{}`", self.render(ctx))],
        }]
    }
}
