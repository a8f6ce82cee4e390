//! Calls, the stack pointer, flags and the FP environment: R16 and R09 (calls, stack
//! balance), R10 and R11 (flags, DF), R15 (x87/MMX, MXCSR and x87 control).

use super::*;

/// R16 (and R09's alignment and shadow-space parts): opaque calls. Returns the
/// containers only calls write, whose R01 findings this replaces.
pub(super) fn calls(ctx: &Ctx, model: &CallModel, out: &mut Vec<Diagnostic>) -> Vec<Register> {
    let mode = ctx.contract.mode;
    let mut only_calls = Vec::new();
    for n in ctx.reachable().filter(|n| ctx.graph.nodes[*n].opaque_call) {
        let state = ctx.flow.before[n].as_ref().expect("reachable");
        if ctx.contract.abis.is_empty() {
            let missing: Vec<String> = model
                .caller_saved()
                .map(|r| container(r, mode))
                .filter(|c| !ctx.contract.may_change(*c) && c.is_gpr())
                .map(rustc_name)
                .collect();
            if !missing.is_empty() {
                out.push(
                    rule("R16", ctx.span(n), format!("`{}` calls code that may clobber every caller-saved register, but the block declares neither them nor `clobber_abi`", ctx.text(n)))
                        .with_note(format!("not declared: {}", missing.join(", ")))
                        .with_help("add `clobber_abi(\"C\")` (outputs must then name explicit registers, e.g. `out(\"rax\") ret`)"),
                );
            }
            only_calls.extend(model.caller_saved().map(|r| container(r, mode)));
        }
        if ctx.contract.options.contains(AsmOption::Nostack) {
            continue; // R08 reports it.
        }
        if state.switched {
            // On a stack the block switched to, alignment relative to the entry rsp
            // means nothing; the block owns that stack.
            continue;
        }
        match state.rsp {
            Some(d) if d.rem_euclid(i64::from(model.stack_alignment)) != 0 => out.push(
                rule("R09", ctx.span(n), format!("`{}` is made with rsp {} bytes below its entry value, which is not {}-byte aligned", ctx.text(n), -d, model.stack_alignment))
                    .with_note("the block is entered with rsp call-aligned; the callee may use aligned SSE stores on its frame")
                    .with_help(format!("adjust rsp by a multiple of {} before the call (`sub rsp, N`), and restore it after", model.stack_alignment)),
            ),
            Some(d) if model.shadow_space > 0 && -d < i64::from(model.shadow_space) => out.push(
                rule("R09", ctx.span(n), format!("`{}` follows the Win64 convention but only {} bytes of shadow space are reserved", ctx.text(n), -d))
                    .with_note("a Win64 callee may write the 32 bytes above its return address")
                    .with_help("reserve them: `sub rsp, 32` before the call and `add rsp, 32` after it"),
            ),
            None => out.push(
                rule("R09", ctx.span(n), format!("`{}` is made with a stack pointer checked-asm cannot follow", ctx.text(n)))
                    .with_help("keep rsp adjustments to constants (`sub rsp, 8`) on every path to the call"),
            ),
            _ => {}
        }
    }
    only_calls
}

/// R09: rsp at every exit.
pub(super) fn stack_at_exits(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (n, _, state) in &ctx.flow.exits {
        let d = match state.rsp {
            Some(0) => continue,
            Some(d) => rule("R09", ctx.span(*n), format!("the block can end with rsp {} bytes {} its entry value (after `{}`)", d.abs(), if d < 0 { "below" } else { "above" }, ctx.text(*n)))
                .with_note("the compiler addresses its stack frame through rsp after the block")
                .with_help(if d < 0 { "pop or `add rsp` what the block pushed before every exit" } else { "do not pop more than the block pushed" }),
            None if state.switched => rule("R09", ctx.span(*n), format!("the block can end on a different stack (rsp loaded before `{}` is not restored)", ctx.text(*n)))
                .with_help("save rsp in an operand register and restore it before every exit: `mov {saved}, rsp` … `mov rsp, {saved}` with `saved = out(reg) _`"),
            None => rule("R09", ctx.span(*n), format!("the block can end with an rsp checked-asm cannot relate to its entry value (after `{}`)", ctx.text(*n)))
                .with_help("save rsp in an operand register and restore it before every exit"),
        };
        out.push(d);
        return;
    }
}

/// R10 (status flags, MXCSR and x87 exception flags with `preserves_flags`) and R11 (DF
/// at every exit and call).
pub(super) fn flags(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    for (n, _, state) in &ctx.flow.exits {
        if state.df != Df::Clear {
            let setter = ctx.reachable().find(|m| {
                let f = &ctx.graph.nodes[*m].effects.flags;
                (f.set | f.written | f.undefined).contains(Flags::DF)
            });
            let at = setter.unwrap_or(*n);
            let d = if state.df == Df::Set {
                rule(
                    "R11",
                    ctx.span(at),
                    format!(
                        "`{}` sets the direction flag and the block can end with it set",
                        ctx.text(at)
                    ),
                )
            } else {
                rule(
                    "R11",
                    ctx.span(at),
                    format!(
                        "`{}` loads the direction flag from a value not known to have it clear",
                        ctx.text(at)
                    ),
                )
            };
            out.push(
                d.with_note("Rust code and every function it calls assume DF is clear (string instructions count upwards)")
                    .with_help("execute `cld` before every exit"),
            );
            break;
        }
    }
    for n in ctx.reachable().filter(|n| ctx.graph.nodes[*n].opaque_call) {
        if ctx.flow.before[n]
            .as_ref()
            .is_some_and(|s| s.df != Df::Clear)
        {
            out.push(
                rule(
                    "R11",
                    ctx.span(n),
                    format!(
                        "`{}` is made with the direction flag possibly set",
                        ctx.text(n)
                    ),
                )
                .with_help("execute `cld` before the call"),
            );
        }
    }
    if !ctx.has(AsmOption::PreservesFlags) {
        return;
    }
    // Instructions that give the status flags new values, and those the manual only says
    // leave them undefined (MOV to/from CRn/DRn): R10 for the first, R10u for the second.
    let defines_status = |m: usize| {
        let node = &ctx.graph.nodes[m];
        let f = &node.effects.flags;
        (f.written | f.cleared | f.set).intersects(Flags::STATUS)
            || node.opaque_call
            || node.resume.is_some()
    };
    let changed_at_exit = ctx
        .flow
        .exits
        .iter()
        .any(|(_, _, s)| s.flags != Val::EntryFlags);
    if changed_at_exit && let Some(m) = ctx.reachable().find(|m| defines_status(*m)) {
        let what = if ctx.graph.nodes[m].opaque_call {
            format!(
                "`{}` calls a function, which may change the status flags",
                ctx.text(m)
            )
        } else {
            let f = ctx.graph.nodes[m].effects.flags.modified();
            format!(
                "{} changes the status flags ({:?})",
                ctx.quoted(m),
                f & Flags::STATUS
            )
        };
        out.push(
            rule("R10", ctx.span(m), format!("{what}, but the block declares `preserves_flags`"))
                .with_note("with `preserves_flags` the compiler may keep a comparison result in the flags across the block")
                .with_help("remove `preserves_flags`, or save and restore the flags around it: `pushf` … `popf`"),
        );
    } else if changed_at_exit
        && let Some(m) = ctx.reachable().find(|m| {
            ctx.graph.nodes[*m]
                .effects
                .flags
                .undefined
                .intersects(Flags::STATUS)
        })
    {
        let undefined = ctx.graph.nodes[m].effects.flags.undefined & Flags::STATUS;
        let mut w = rule("R10u", ctx.span(m), format!(
            "the manual leaves {undefined:?} undefined after `{}`, but the block declares `preserves_flags`",
            ctx.text(m)
        ))
        .with_note("processors are not known to change them here, but nothing promises it; with `preserves_flags` the compiler may keep a comparison result in the flags across the block")
        .with_help("remove `preserves_flags`, or keep it if you rely on the observed behaviour: allow this warning with `#[allow(deprecated)]` (with the `strict` feature: `#![waive(R10u, reason = \"...\")]`)");
        w.level = crate::diag::Level::Warning;
        out.push(w);
    }
    if ctx
        .flow
        .exits
        .iter()
        .any(|(_, _, s)| s.mxcsr_flags != Val::EntryMxcsr)
        && let Some(m) = ctx
            .reachable()
            .find(|m| ctx.graph.nodes[*m].effects.mxcsr.sets_exception_flags)
    {
        out.push(
            rule("R10", ctx.span(m), format!("{} may set MXCSR exception flags, but the block declares `preserves_flags`", ctx.quoted(m)))
                .with_note("`preserves_flags` also promises the MXCSR exception flags (PE UE OE ZE DE IE) keep their values")
                .with_help("remove `preserves_flags`, or save and restore MXCSR: `stmxcsr [rsp - 4]` … `ldmxcsr [rsp - 4]`"),
        );
    }
    if let Some(m) = ctx.reachable().find(|m| {
        let x = &ctx.graph.nodes[*m].effects.x87;
        x.sets_exception_flags || x.condition_codes.modified() != 0
    }) {
        out.push(
            rule("R10", ctx.span(m), format!("{} changes the x87 status word, but the block declares `preserves_flags`", ctx.quoted(m)))
                .with_help("remove `preserves_flags`, or save and restore the x87 environment: `fnstenv` … `fldenv`"),
        );
    }
}

/// R15: x87/MMX state and the FP control environment.
pub(super) fn x87_and_fp_environment(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let mode = ctx.contract.mode;
    let x87_clobbered = ctx.contract.x87_clobbered();
    if !x87_clobbered
        && let Some(m) = ctx.reachable().find(|m| {
            let fx = &ctx.graph.nodes[*m].effects;
            let writes_registers = fx.regs.iter().any(|r| {
                r.access.may_write() && {
                    let c = container(r.reg, mode);
                    (Register::ST0..=Register::ST7).contains(&c)
                        || (Register::MM0..=Register::MM7).contains(&c)
                }
            });
            // `fninit`, `fnsave`, `emms` leave every register empty, as the stack already
            // is at entry: rustc requires an empty x87 stack around undeclared blocks.
            let only_empties = fx.x87.tags == TagEffect::AllEmpty;
            !only_empties
                && (fx.x87.top != TopEffect::Unchanged
                    || fx.x87.tags != TagEffect::Unchanged
                    || writes_registers)
        })
    {
        out.push(
            rule("R15", ctx.span(m), format!("`{}` changes x87/MMX registers, which the block does not declare", ctx.text(m)))
                .with_note("declaring any x87 or MMX register clobbers all eight; the x87 stack is then empty at entry and must be empty (after `emms` for MMX code) at every exit")
                .with_help("add `out(\"st(0)\") _` (with `emms` at the end for MMX code)"),
        );
    }
    if x87_clobbered && let Some((n, _, _)) = ctx.flow.exits.iter().find(|(_, _, s)| s.mmx_dirty) {
        out.push(
            rule("R15", ctx.span(*n), "the block can end with MMX state pending: the x87 stack is full until `emms`")
                .with_note("Rust code after the block may use the x87 stack (f64 on x86 returns in st(0)); it would overflow")
                .with_help("execute `emms` before every exit"),
        );
    }
    if ctx
        .flow
        .exits
        .iter()
        .any(|(_, _, s)| s.mxcsr_control != Val::EntryMxcsr)
        && let Some(m) = ctx
            .reachable()
            .find(|m| ctx.graph.nodes[*m].effects.mxcsr.written)
    {
        out.push(
            rule("R15", ctx.span(m), format!("`{}` changes the MXCSR control fields (rounding, masks, FZ/DAZ) and the block does not restore them", ctx.text(m)))
                .with_note("compiled Rust assumes the default FP environment; leaving it changed is undefined behaviour (see the docs of `_mm_setcsr`)")
                .with_help("save MXCSR first and restore it before every exit: `stmxcsr [rsp - 4]` … `ldmxcsr [rsp - 4]`"),
        );
    }
    if let Some(m) = ctx
        .reachable()
        .find(|m| ctx.graph.nodes[*m].effects.x87.control_word_written)
        && !ctx
            .reachable()
            .any(|k| ctx.graph.nodes[k].effects.x87.control_word_read)
    {
        out.push(
            rule(
                "R15",
                ctx.span(m),
                format!(
                    "`{}` changes the x87 control word and the block does not save it",
                    ctx.text(m)
                ),
            )
            .with_help(
                "save it first and restore it before every exit: `fnstcw [m]` … `fldcw [m]`",
            ),
        );
    }
}

/// `TimeStampCounter` → `time stamp counter`.
pub(super) fn words(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// R09 (frame accesses): memory at or above the entry rsp, addressed through rsp or a
/// register derived from it, is the compiler's frame, whose layout is not part of the
/// contract. Paths that end in a divergent transfer are exempt (r[asm.rules.only-on-exit]),
/// and so is a stack the block switched to.
pub(super) fn frame_accesses(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let mode = ctx.contract.mode;
    let n = ctx.graph.nodes.len();
    // Nodes from which an exit is reachable.
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (m, node) in ctx.graph.nodes.iter().enumerate() {
        for e in &node.succ {
            if let Edge::Node(k) = e {
                preds[*k].push(m);
            }
        }
    }
    let mut to_exit = vec![false; n];
    let mut work: Vec<usize> = ctx.flow.exits.iter().map(|(m, _, _)| *m).collect();
    while let Some(m) = work.pop() {
        if std::mem::replace(&mut to_exit[m], true) {
            continue;
        }
        work.extend(preds[m].iter().copied());
    }
    for m in ctx.reachable().filter(|m| to_exit[*m]) {
        let state = ctx.flow.before[m].as_ref().expect("reachable");
        if state.switched {
            continue;
        }
        for e in &ctx.graph.nodes[m].effects.memory {
            let Location::Operand(a) = e.location else {
                continue;
            };
            if a.index != Register::None || !a.base.is_gpr() {
                continue;
            }
            let base = container(a.base, mode);
            let offset = if base == ctx.sp() {
                state.rsp
            } else if let Val::StackAddr(d) = state.get(base) {
                Some(d)
            } else {
                None
            };
            if let Some(off) = offset.map(|d| d + a.displacement)
                && off >= 0
            {
                out.push(
                    rule("R09", ctx.span(m), format!("`{}` accesses the compiler's stack frame ({off} bytes above the entry rsp)", ctx.text(m)))
                        .with_note("what lies above rsp at entry belongs to the surrounding function; its layout changes with every compilation")
                        .with_help("pass the value in or out through an operand instead"),
                );
                return;
            }
        }
    }
}
