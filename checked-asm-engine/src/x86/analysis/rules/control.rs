//! Control flow and assembler state: R13 (`noreturn`), R14 (returns into the caller's
//! frame), R19 (directives), R20 (trailing prefix), R21 (escaped re-entry labels) and
//! the kernel-ABI warnings.

use super::*;

/// R13: `noreturn` blocks must not reach their fall-through end.
pub(super) fn noreturn(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    if !ctx.has(AsmOption::Noreturn) {
        return;
    }
    let Some((n, _, _)) = ctx
        .flow
        .exits
        .iter()
        .find(|(_, e, _)| *e == Edge::FallThrough)
    else {
        return;
    };
    let node = &ctx.graph.nodes[*n];
    let opaque = node.opaque_call || matches!(node.effects.flow, Flow::KernelTransfer);
    let mut d = rule(
        "R13",
        ctx.span(*n),
        format!("the block declares `noreturn`, but execution can continue past `{}` to the end of the block", ctx.text(*n)),
    )
    .with_note("rustc assumes a `noreturn` block never ends: the code after it is treated as unreachable");
    d = if opaque {
        d.with_note(format!("`{}` returns control here if the callee or the kernel returns (seccomp or ptrace can make even `exit_group` return)", ctx.mnemonic(*n)))
            .with_help("end the block with `ud2`")
    } else if matches!(node.effects.flow, Flow::Halt) {
        d.with_note("`hlt` resumes at the next instruction after an interrupt")
            .with_help("loop on it: `2: hlt`, `jmp 2b`")
    } else {
        d.with_help("end every path with a jump, `ud2`, or a transfer that does not return")
    };
    out.push(d);
}

/// R20: a prefix at the very end attaches to the compiler's next instruction.
pub(super) fn trailing_prefix(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let last = ctx
        .lowered
        .program
        .stmts
        .iter()
        .rev()
        .find(|s| s.section == 0 && !matches!(s.kind, StmtKind::Label(_)));
    if let Some(stmt) = last
        && let StmtKind::Prefix(p) = &stmt.kind
        && p.applies_to.is_none()
    {
        let piece = ctx.lowered.substituted.piece_at(stmt.range.start);
        let span = ctx.asm.pieces.get(piece).map_or(ctx.asm.span, |p| p.span);
        out.push(
            rule("R20", span, format!("the block ends with the prefix `{}`", p.prefixes.join(" ")))
                .with_note("a prefix with no instruction after it attaches to whatever instruction the compiler places after the block")
                .with_help("put the instruction the prefix belongs to in the same block"),
        );
    }
}

/// R19: directives whose effect outlives the block: sections, syntax and mode left
/// switched, and named labels in `asm!` (inlining or unrolling duplicates the block, and
/// the symbol with it).
pub(super) fn directives(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    use crate::syntax::MacroKind;
    use crate::x86::asm::DirectiveKind;
    if ctx.asm.kind == MacroKind::GlobalAsm {
        return;
    }
    let stmts = &ctx.lowered.program.stmts;
    let span_of = |start: usize| {
        let piece = ctx.lowered.substituted.piece_at(start);
        ctx.asm.pieces.get(piece).map_or(ctx.asm.span, |p| p.span)
    };
    let line = |start: usize| ctx.lowered.substituted.display_line(start).to_string();
    let mut pushed: Vec<usize> = Vec::new();
    let mut switched_section: Option<usize> = None;
    let mut syntax_switch: Option<usize> = None;
    let mut mode_switch: Option<usize> = None;
    for stmt in stmts {
        let at = stmt.range.start;
        match &stmt.kind {
            StmtKind::Label(l)
                if !l.numeric
                    && ctx.asm.kind == MacroKind::Asm
                    && !l.name.starts_with("__checked_asm_") =>
            {
                out.push(
                    rule("R19", span_of(at), format!("the block defines the named label `{}`", l.name))
                        .with_note("the compiler may emit an inline `asm!` block more than once (inlining, loop unrolling); the second copy defines the symbol again and fails to assemble, or jumps into the wrong copy")
                        .with_help("use a numeric local label (`2:`, referenced as `2b` or `2f`)"),
                );
            }
            StmtKind::Directive(d) => match &d.kind {
                DirectiveKind::PushSection(_) => pushed.push(at),
                DirectiveKind::PopSection => {
                    pushed.pop();
                }
                DirectiveKind::Section(name) if name == ".previous" => switched_section = None,
                DirectiveKind::Section(_) if pushed.is_empty() => switched_section = Some(at),
                DirectiveKind::Syntax { syntax: s, .. } => {
                    syntax_switch = (*s != ctx.lowered.syntax).then_some(at)
                }
                DirectiveKind::Code(m) => mode_switch = (*m != ctx.lowered.mode).then_some(at),
                _ => {}
            },
            _ => {}
        }
    }
    for (at, what, fix) in [
        (
            pushed.last().copied(),
            "switches section with `.pushsection` and does not `.popsection`",
            "end with `.popsection`",
        ),
        (
            switched_section,
            "switches section and does not switch back",
            "use `.pushsection` … `.popsection` instead of `.section`",
        ),
        (
            syntax_switch,
            "switches assembler syntax and does not switch back",
            "switch back before the end of the block (or use `options(att_syntax)` for the whole block)",
        ),
        (
            mode_switch,
            "switches the code mode (`.code16/32/64`) and does not switch back",
            "switch back to the block's mode before the end",
        ),
    ] {
        if let Some(at) = at {
            out.push(
                rule("R19", span_of(at), format!("the block {what} (`{}`)", line(at)))
                    .with_note("the assembler state carries over into the code the compiler emits after the block")
                    .with_help(fix),
            );
        }
    }
}

/// R21 (context switches): a local label of the block's code whose address escapes is a
/// re-entry point. When the suspension is one `reentry.rs` can follow, the re-entered
/// path is analysed like any other and nothing is reported here; otherwise what runs
/// after re-entry depends on state the block cannot see, and the block is refused rather
/// than approved (contract-rules.md §2, "Exits and divergence").
pub(super) fn escaped_labels(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let stmts = &ctx.lowered.program.stmts;
    for plan in ctx.reentry {
        let Err(why) = plan.resume else {
            continue;
        };
        let StmtKind::Label(name) = &stmts[plan.escape.label].kind else {
            continue;
        };
        let at = stmts[plan.escape.by].range.start;
        let piece = ctx.lowered.substituted.piece_at(at);
        let span = ctx.asm.pieces.get(piece).map_or(ctx.asm.span, |p| p.span);
        out.push(
            rule("R21", span, format!(
                "context switch not checkable: the address of `{}:` leaves the block (`{}`), and code from outside resumes there",
                name.name,
                ctx.lowered.substituted.display_line(at)
            ))
            .with_note(format!("checked-asm follows a switch that stores rsp (`mov [{{save}}], rsp`) and then leaves its stack or the block; here {why}"))
            .with_help("if the switch saves and restores everything the other context may change, waive the check with the reason: `#![waive(R21, reason = \"...\")]`"),
        );
        return;
    }
}

/// R14: `ret`/`iret` while rsp is back at its entry value would pop the compiler's
/// frame (the block's caller is not a function that called it).
pub(super) fn returns_into_caller_frame(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    use iced_x86::Mnemonic::{Iret, Iretd, Iretq, Ret, Retf};
    for n in ctx.reachable() {
        let node = &ctx.graph.nodes[n];
        if !matches!(node.instr.mnemonic(), Ret | Retf | Iret | Iretd | Iretq) {
            continue;
        }
        if ctx.flow.before[n]
            .as_ref()
            .is_some_and(|s| s.rsp == Some(0) && !s.switched)
        {
            out.push(
                rule("R14", ctx.span(n), format!("`{}` returns with rsp at its entry value: it pops the return address of the function that contains the block", ctx.text(n)))
                    .with_note("an `asm!` block is not a function; its end is where control goes back to the compiler's code")
                    .with_help("push the target address first (`push {target}` or `lea {tmp}, [rip + 2f]` / `push {tmp}`), or end the block by falling through"),
            );
            return;
        }
    }
}

/// Warnings the kernel-ABI table attaches (`int 0x80` from 64-bit code truncates
/// pointer arguments to 32 bits).
pub(super) fn kernel_notes(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for n in ctx.reachable() {
        if ctx.graph.nodes[n].effects.kernel_note.is_some() {
            let mut w = rule("R21", ctx.span(n), format!("`{}` enters the 32-bit system-call ABI from 64-bit code", ctx.text(n)))
                .with_note("`int 0x80` takes its arguments in ebx, ecx, edx, esi, edi, ebp: pointers above 4 GiB (the stack, most heap) are truncated")
                .with_help("use `syscall` with the x86_64 system-call numbers");
            w.level = crate::diag::Level::Warning;
            out.push(w);
            return;
        }
    }
}
