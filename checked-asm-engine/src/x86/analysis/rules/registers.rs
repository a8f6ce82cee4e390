//! Registers and values at exits: R01 (undeclared writes), R02 (inputs modified),
//! R05(a) (reserved registers restored), R18 (outputs written) and R03 (undefined
//! values and flags).

use super::*;

/// R01, R02, R05(a) at every exit.
pub(super) fn registers_at_exits(ctx: &Ctx, call_regs: &[Register], out: &mut Vec<Diagnostic>) {
    let mut reported: Vec<Register> = Vec::new();
    let mut undeclared: Vec<(usize, Vec<String>)> = Vec::new();
    for (_, _, state) in &ctx.flow.exits {
        for (reg, val) in state.changed() {
            if reported.contains(&reg) || reg == ctx.sp() || !declarable_or_reserved(reg) {
                continue;
            }
            let writers: Vec<u32> = state.writers.of(reg).collect();
            // The instruction that put the value there: a restore from the wrong slot
            // after a re-entry, rather than the re-entry itself.
            let loaded_by = match val {
                Val::Entry(_) => writers
                    .iter()
                    .rev()
                    .copied()
                    .find(|w| ctx.graph.nodes[*w as usize].resume.is_none()),
                _ => None,
            };
            let writer = loaded_by.or_else(|| {
                writers
                    .iter()
                    .copied()
                    .find(|w| !ctx.graph.nodes[*w as usize].opaque_call)
                    .or(writers.first().copied())
            });
            let Some(writer) = writer.map(|w| w as usize) else {
                continue;
            };
            if ctx.graph.nodes[writer].opaque_call && call_regs.contains(&reg) {
                continue; // R16 reports it once.
            }
            if ctx.is_reserved(reg) && !ctx.contract.may_change(reg) {
                reported.push(reg);
                let r = rustc_name(reg);
                let mut d = rule("R05", ctx.span(writer), format!("{} changes {r}, and the block does not restore it", ctx.quoted(writer)))
                    .with_note(format!("{r} cannot be declared as an operand or clobber: LLVM may use it, so the block must give it back unchanged on every path"));
                d = match (val, ctx.resumed_at(writer)) {
                    (Val::Entry(other), _) => d
                        .with_note(format!("`{}` loads the value {} had at entry", ctx.text(writer), rustc_name(other)))
                        .with_help("restore the saved registers in the reverse order of the saves: the last register pushed is the first popped"),
                    (_, Some(label)) => d
                        .with_note("between the switch away and the re-entry, another context runs and leaves its own values in the registers")
                        .with_help(format!("push {r} before the switch and pop it after `{label}:`, in the reverse order of the other saves")),
                    _ => d.with_help(format!("save and restore it (`push {r}` … `pop {r}`), or move the value through a scratch operand: `mov {{tmp:r}}, {r}` … `xchg {{tmp:r}}, {r}`")),
                };
                out.push(d);
                continue;
            }
            if ctx.contract.may_change(reg) {
                continue;
            }
            let name = written_name(ctx, writer, reg);
            reported.push(reg);
            let inputs: Vec<_> = ctx.contract.inputs_in(reg).collect();
            if let Some(input) = inputs.first() {
                let op = &ctx.asm.operands[input.operand];
                // A class operand is known by its placeholder, not by the register the
                // checker happened to assemble it in.
                let name = if input.explicit {
                    name
                } else {
                    ctx.lowered
                        .substituted
                        .sites
                        .iter()
                        .find(|s| s.operand == input.operand)
                        .map(|s| {
                            format!(
                                "`{}`",
                                &ctx.lowered.substituted.display[s.display_range.clone()]
                            )
                        })
                        .unwrap_or(name)
                };
                let fix = match &op.kind {
                    OperandKind::In { reg: spec, expr } => {
                        format!("inout({}) {} => _", spec.as_written(), expr.text)
                    }
                    other => other.describe(),
                };
                out.push(
                    rule("R02", ctx.span(writer), format!("{} overwrites {name}, which holds the input `{}`, but the block does not declare it as an output", ctx.quoted(writer), op.kind.describe()))
                        .with_note("the compiler assumes an input register still holds its value after the block and may reuse it")
                        .with_help(format!("declare it as an output too: `{fix}` (or bind the new value instead of `_`)")),
                );
            } else {
                match undeclared.iter_mut().find(|(w, _)| *w == writer) {
                    Some((_, names)) => names.push(name),
                    None => undeclared.push((writer, vec![name])),
                }
            }
        }
    }
    // R01: one finding per writing instruction, naming all it writes.
    let late = if ctx.contract.inputs.iter().any(|b| !b.explicit) {
        "out"
    } else {
        "lateout"
    };
    for (writer, names) in undeclared {
        let list = match &names[..] {
            [init @ .., last] if !init.is_empty() => format!("{} and {last}", init.join(", ")),
            _ => names.join(""),
        };
        if let Some(label) = ctx.resumed_at(writer) {
            out.push(undeclared_after_reentry(ctx, writer, &label, &names, late));
            continue;
        }
        let fix: Vec<String> = names.iter().map(|n| format!("{late}(\"{n}\") _")).collect();
        out.push(
            rule("R01", ctx.span(writer), format!("`{}` writes {list}, but the block does not declare {}", ctx.text(writer), if names.len() == 1 { "it" } else { "them" }))
                .with_note(format!("the compiler may keep live values in registers the block does not declare; it would read whatever `{}` left there", ctx.mnemonic(writer)))
                .with_help(format!("add `{}`", fix.join(", "))),
        );
    }
}

/// R01 after a context switch: the registers another context may leave changed. The fix
/// prefers `clobber_abi("C")` for the caller-saved ones when it is not declared yet.
fn undeclared_after_reentry(
    ctx: &Ctx,
    writer: usize,
    label: &str,
    names: &[String],
    late: &str,
) -> Diagnostic {
    let mode = ctx.contract.mode;
    let abi = crate::x86::effects::clobber_abi("C", &ctx.target)
        .map(|abi| crate::x86::effects::call_model(abi, &ctx.target));
    let by_abi = |name: &String| {
        ctx.contract.abis.is_empty()
            && abi.is_some_and(|m| {
                m.caller_saved().any(|r| {
                    super::super::contract::register_by_name(name)
                        .is_some_and(|n| container(r, mode) == container(n, mode))
                })
            })
    };
    let mut fix: Vec<String> = Vec::new();
    if names.iter().any(by_abi) {
        fix.push("clobber_abi(\"C\")".to_string());
    }
    fix.extend(
        names
            .iter()
            .filter(|n| !by_abi(n))
            .map(|n| format!("{late}(\"{n}\") _")),
    );
    let list = match names {
        [one] => one.clone(),
        [init @ .., last] if names.len() <= 6 => format!("{} and {last}", init.join(", ")),
        _ => format!(
            "{} and {} more registers",
            names[..4].join(", "),
            names.len() - 4
        ),
    };
    rule("R01", ctx.span(writer), format!(
        "after re-entry at `{label}:`, {list} hold what the resuming context left there, but the block does not declare {}",
        if names.len() == 1 { "it" } else { "them" }
    ))
    .with_note("between the switch away and the re-entry, another context runs arbitrary code; every register it may change must be declared, or saved before the switch and restored after it")
    .with_help(format!("add `{}`", fix.join(", ")))
}

/// GPRs, vector, mask and tile registers: what R01/R02 range over (x87/MMX are R15's).
pub(super) fn declarable_or_reserved(reg: Register) -> bool {
    reg.is_gpr() || reg.is_vector_register() || reg.is_k() || reg.is_tmm()
}

/// The name of `container` as the writer's instruction spells it (`edx` for cpuid).
pub(super) fn written_name(ctx: &Ctx, writer: usize, reg: Register) -> String {
    let mode = ctx.contract.mode;
    let named = ctx.graph.nodes[writer]
        .effects
        .regs
        .iter()
        .find(|r| r.access.may_write() && container(r.reg, mode) == reg)
        .map(|r| r.reg);
    let r = match named {
        Some(r) if r.is_gpr() && r.size() >= 4 => r,
        Some(r) if r.is_vector_register() => {
            let n = r.number();
            return if n < 16 {
                format!("xmm{n}")
            } else {
                format!("zmm{n}")
            };
        }
        _ => reg,
    };
    rustc_name(r)
}

/// R18: every output that reaches a Rust place must be written on every path to every
/// exit, unless its register is tied to an input (`inout`, or an explicit input of the
/// same register).
pub(super) fn outputs_written(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (bound, _) in &ctx.contract.outputs {
        let op = &ctx.asm.operands[bound.operand];
        if !op.kind.is_real_output()
            || matches!(
                op.kind,
                OperandKind::InOut { .. } | OperandKind::SplitInOut { .. }
            )
        {
            continue;
        }
        if ctx.contract.inputs.iter().any(|i| i.reg == bound.reg) {
            continue;
        }
        let Some((n, _, _)) = ctx
            .flow
            .exits
            .iter()
            .find(|(_, _, s)| !s.written.contains(&bound.reg))
        else {
            continue;
        };
        let conditional = ctx
            .flow
            .exits
            .iter()
            .any(|(_, _, s)| s.writers.contains_key(&bound.reg));
        let what = op.kind.describe();
        let d = rule(
            "R18",
            ctx.span(*n),
            if conditional {
                format!("the output `{what}` is not written on every path to the end of the block (after `{}`)", ctx.text(*n))
            } else {
                format!("the output `{what}` is never written by the block")
            },
        )
        .with_note("its Rust place receives whatever the register held: an unspecified value");
        out.push(if conditional {
            d.with_help("write it on every path, or declare it `inout` with a starting value (`inout(...) init => x`)")
        } else {
            d.with_help("write the register in the template, or remove the output")
        });
    }
}

/// R03 for flags: a flag user (`jcc`, `setcc`, `cmovcc`, `adc`, `sbb`, `rcl`, `rcr`,
/// `lahf`…) consuming a status flag that no earlier instruction defined on some path.
/// The word `pushf` pushes counts as defined (its system flags are real state).
pub(super) fn undefined_flags(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    use iced_x86::Mnemonic::{Pushf, Pushfd, Pushfq};
    for n in ctx.reachable() {
        let node = &ctx.graph.nodes[n];
        if matches!(node.instr.mnemonic(), Pushf | Pushfd | Pushfq) {
            continue;
        }
        let state = ctx.flow.before[n].as_ref().expect("reachable");
        let read = Flags(node.effects.flags.read.0 & Flags::STATUS.0 & state.undefined_flags.0);
        if read.is_empty() {
            continue;
        }
        out.push(
            rule("R03", ctx.span(n), format!("`{}` reads {read:?}, which the block has not set on every path to it", ctx.text(n)))
                .with_note("at entry the status flags hold whatever the compiler's code left there; after some instructions the manual leaves them undefined")
                .with_help("compute the flag first in the block (`cmp`, `test`, `clc`/`stc`, ...)"),
        );
        return;
    }
}

/// R03 for values: an undefined value (an output read before the block writes it, a
/// register no input provides) reaching an output, an address, a stored value or a
/// condition. Reads that only move the value around (`push rbx` … `pop rbx`,
/// `xchg {t}, rbx`) are not uses.
pub(super) fn undefined_values(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let mode = ctx.contract.mode;
    let sp = ctx.sp();
    let describe = |reg: Register| -> String {
        let output = ctx
            .contract
            .outputs
            .iter()
            .find(|(b, _)| b.reg == reg && !ctx.contract.inputs.iter().any(|i| i.reg == reg));
        match output {
            Some((b, _)) => {
                let shown = ctx
                    .lowered
                    .substituted
                    .sites
                    .iter()
                    .find(|s| s.operand == b.operand)
                    .map(|s| ctx.lowered.substituted.display[s.display_range.clone()].to_string())
                    .unwrap_or_else(|| rustc_name(reg));
                format!("`{shown}`, an output the block has not written yet")
            }
            None => format!("{}, which no input provides", rustc_name(reg)),
        }
    };
    let cause = |m: usize| -> String {
        let state = ctx.flow.before[m].as_ref().expect("reachable");
        match crate::x86::analysis::values::reads_undefined(state, &ctx.graph.nodes[m], mode) {
            Some(r) => format!("`{}` reads {}", ctx.text(m), describe(r)),
            None => format!("`{}` computes it from an undefined value", ctx.text(m)),
        }
    };
    let help = "give the value a defined start: make the operand `inout` with an initial value, write it before reading it, or pass the register you read as an input (`in(\"rcx\") value`)";
    // Outputs at exits.
    for (bound, _) in &ctx.contract.outputs {
        let op = &ctx.asm.operands[bound.operand];
        if !op.kind.is_real_output() || op.kind.is_input() {
            continue;
        }
        for (n, _, s) in &ctx.flow.exits {
            // Not written on some path: R18's finding, reported there.
            if !s.is_undef(bound.reg) || !s.written.contains(&bound.reg) {
                continue;
            }
            let (at, why) = match s.get(bound.reg) {
                Val::Fresh(m, _) => (m as usize, cause(m as usize)),
                Val::Entry(x) => (
                    *n,
                    format!(
                        "it holds {}'s value at entry, and no input provides one",
                        rustc_name(x)
                    ),
                ),
                _ => (
                    *n,
                    "it may hold an undefined value on some path".to_string(),
                ),
            };
            out.push(
                rule(
                    "R03",
                    ctx.span(at),
                    format!(
                        "the output `{}` can receive an undefined value: {why}",
                        op.kind.describe()
                    ),
                )
                .with_help(help),
            );
            return;
        }
    }
    for n in ctx.reachable() {
        let node = &ctx.graph.nodes[n];
        let state = ctx.flow.before[n].as_ref().expect("reachable");
        // Addresses.
        for m in &node.effects.memory {
            let (Location::Operand(a) | Location::Implicit(a)) = m.location else {
                continue;
            };
            for r in [a.base, a.index] {
                if r == Register::None || !r.is_gpr() {
                    continue;
                }
                let c = container(r, mode);
                if c != sp && state.is_undef(c) {
                    out.push(
                        rule("R03", ctx.span(n), format!("`{}` uses {} as an address", ctx.text(n), describe(c)))
                            .with_note("the address is whatever the register held: the access may touch any memory")
                            .with_help(help),
                    );
                    return;
                }
            }
        }
        // Conditions computed from undefined values.
        if node.effects.flags.read.intersects(Flags::STATUS)
            && let Val::Fresh(m, _) = state.flags
            && state.tainted.contains(&m)
        {
            out.push(
                rule(
                    "R03",
                    ctx.span(n),
                    format!(
                        "`{}` depends on flags computed from an undefined value: {}",
                        ctx.text(n),
                        cause(m as usize)
                    ),
                )
                .with_help(help),
            );
            return;
        }
        // Stores of undefined values.
        let stores = node.effects.memory.iter().any(|m| m.class == MemClass::M1 && m.access.may_write() && !matches!(m.location, Location::Operand(a) if is_own_scratch(ctx, state, a.base, a.index, a.displacement)));
        if stores && let Some(r) = crate::x86::analysis::values::reads_undefined(state, node, mode)
        {
            out.push(
                rule(
                    "R03",
                    ctx.span(n),
                    format!("`{}` stores to memory {}", ctx.text(n), describe(r)),
                )
                .with_help(help),
            );
            return;
        }
    }
}

/// R03 for cpuid: with a constant leaf that takes a subleaf (4, 7, 0xB, 0xD, ...), cpuid
/// reads ecx on every execution; an ecx no input provides selects a random subleaf.
pub(super) fn cpuid_subleaf(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    use crate::x86::effects::tables::cpuid::leaf_reads_ecx;
    let mode = ctx.contract.mode;
    let (eax, ecx) = (
        container(Register::RAX, mode),
        container(Register::RCX, mode),
    );
    for n in ctx.reachable() {
        if ctx.graph.nodes[n].instr.mnemonic() != iced_x86::Mnemonic::Cpuid {
            continue;
        }
        let state = ctx.flow.before[n].as_ref().expect("reachable");
        // The leaf is known when eax still holds an input written as an integer literal.
        if state.get(eax) != Val::Entry(eax) {
            continue;
        }
        let Some(input) = ctx.contract.inputs.iter().find(|b| b.reg == eax) else {
            continue;
        };
        let leaf = match &ctx.asm.operands[input.operand].kind {
            OperandKind::In { expr, .. }
            | OperandKind::InOut { expr, .. }
            | OperandKind::SplitInOut { in_expr: expr, .. } => {
                crate::x86::substitute::parse_int(&expr.text)
            }
            _ => None,
        };
        let Some(leaf) = leaf.and_then(|l| u32::try_from(l).ok()) else {
            // A leaf only known at run time may be one that takes a subleaf (§3 R03: a
            // refinement note, not an error).
            if state.is_undef(ecx) {
                let mut note = rule("R03", ctx.span(n), "`cpuid` reads ecx as the subleaf for some leaves (4, 7, 0xB, 0xD, 0xF, 0x10, 0x12, 0x14, 0x17, 0x18, 0x1D, 0x1F, 0x20, 0x8000001D...), and the leaf here is not a constant")
                    .with_note("if the leaf can be one of them, the result depends on whatever the compiler left in ecx")
                    .with_help("pass the subleaf: `inout(\"ecx\") 0 => ecx` (or `=> _`)");
                note.level = crate::diag::Level::Note;
                out.push(note);
                return;
            }
            continue;
        };
        if leaf_reads_ecx(leaf) == Some(true) && state.is_undef(ecx) {
            out.push(
                rule("R03", ctx.span(n), format!("`cpuid` with leaf {leaf:#x} reads ecx as the subleaf, and no input provides it"))
                    .with_note("the result then depends on whatever the compiler left in ecx: a different subleaf on every call site")
                    .with_help("pass the subleaf: `inout(\"ecx\") 0 => ecx` (or `=> _`)"),
            );
            return;
        }
    }
}

/// R04's warning: a late output written before an input is read, even where no
/// register sharing is possible. LLVM once miscompiled exactly this (LLVM issue 57550,
/// in stdarch's cpuid); an early `out` costs nothing here.
pub(super) fn late_output_before_last_read(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (bound, late) in &ctx.contract.outputs {
        let op = &ctx.asm.operands[bound.operand];
        if !late
            || ctx.contract.abi_clobbers.contains(&bound.reg)
                && !op.kind.reg().is_some_and(|r| r.is_explicit())
        {
            continue;
        }
        if let Some((writer, reader)) =
            crate::x86::analysis::infer::input_read_after_write(ctx, bound.reg)
        {
            let mut w = rule(
                "R04",
                ctx.span(writer),
                format!("the late output `{}` is written by `{}` before `{}` reads an input", op.kind.describe(), ctx.text(writer), ctx.text(reader)),
            )
            .with_note("no input can share its register here, but LLVM once miscompiled exactly this pattern (LLVM issue 57550)")
            .with_help("make it an early output: `out` instead of `lateout`");
            w.level = crate::diag::Level::Warning;
            out.push(w);
            return;
        }
    }
}
