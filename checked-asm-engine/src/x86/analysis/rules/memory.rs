//! R06, R07 (`nomem`, `readonly`), R08 (`nostack`) and R12 (`pure`): what the block does
//! to memory and the stack, against the options that promise it does not.

use super::*;

/// R06, R07: memory effects against `nomem`/`readonly`. M4 (compiler-barrier intent) and
/// M5 (opaque transfers) are not errors.
pub(super) fn memory_options(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let nomem = ctx.has(AsmOption::Nomem);
    let readonly = ctx.has(AsmOption::Readonly);
    if !nomem && !readonly {
        return;
    }
    // `readonly` is the fix for `nomem` only if nothing in the block writes memory or has
    // an ordering or meaning effect (`ltr` both reads and writes the GDT).
    let beyond_reads = ctx.reachable().any(|n| {
        let state = ctx.flow.before[n].as_ref().expect("reachable");
        ctx.graph.nodes[n].effects.memory.iter().any(|m| match m.class {
            MemClass::M1 => {
                m.access.may_write()
                    && !matches!(m.location, Location::Operand(a) if is_own_scratch(ctx, state, a.base, a.index, a.displacement))
            }
            MemClass::M2 | MemClass::M3 => true,
            MemClass::M4 | MemClass::M5 => false,
        })
    });
    for n in ctx.reachable() {
        let state = ctx.flow.before[n].as_ref().expect("reachable");
        // Writes first: they are what `readonly` would not fix either.
        let mut effects: Vec<_> = ctx.graph.nodes[n].effects.memory.iter().collect();
        effects.sort_by_key(|m| !m.access.may_write());
        for m in effects {
            let own_scratch = matches!(m.location, Location::Operand(a) if is_own_scratch(ctx, state, a.base, a.index, a.displacement));
            let (violates, what) = match m.class {
                MemClass::M1 if own_scratch => continue,
                MemClass::M1 if nomem && (m.access.may_read() || m.access.may_write()) => (
                    true,
                    if m.access.may_write() {
                        "accesses memory"
                    } else {
                        "reads memory"
                    },
                ),
                MemClass::M1 if readonly && m.access.may_write() => (true, "writes memory"),
                MemClass::M2 => (true, "orders memory between threads"),
                MemClass::M3 => (true, "changes what memory means or who may access it"),
                MemClass::M4 => {
                    // Compiler-barrier intent: a warning, never an error (§2, M4).
                    let option = if nomem { "nomem" } else { "readonly" };
                    let mut w = rule(if nomem { "R06" } else { "R07" }, ctx.span(n), format!(
                        "`{}` ({}) usually needs the compiler to keep memory accesses in order around it, but the block declares `{option}`",
                        ctx.text(n),
                        m.why
                    ))
                    .with_note("port I/O, `cli`/`sti`, `popf`, `mov cr8` and `lfence` mark points that memory accesses must not cross (a device reads what the caller wrote, a critical section relies on the order); with `nomem`/`readonly` the compiler may move accesses past the block")
                    .with_help(format!("remove `{option}` unless the block is known not to interact with memory"));
                    w.level = crate::diag::Level::Warning;
                    out.push(w);
                    break;
                }
                MemClass::M5 => {
                    // Opaque transfers: the memory effect is the user's claim (§2, M5).
                    let option = if nomem { "nomem" } else { "readonly" };
                    let why = m.why.split_once(": ").map_or(m.why, |(_, w)| w);
                    let mut note = rule(if nomem { "R06" } else { "R07" }, ctx.span(n), format!(
                        "`{option}` is a claim checked-asm cannot check here: {why} ({})",
                        ctx.quoted(n)
                    ))
                    .with_note(format!("checked-asm cannot see what the code behind it does to memory; if it {} memory the compiler may keep stale values in registers across the block", if nomem { "touches" } else { "writes" }));
                    note.level = crate::diag::Level::Note;
                    out.push(note);
                    break;
                }
                _ => (false, ""),
            };
            if !violates {
                continue;
            }
            let (id, option) = if nomem {
                ("R06", "nomem")
            } else {
                ("R07", "readonly")
            };
            let mut d = rule(id, ctx.span(n), format!("`{}` {what} ({}), but the block declares `{option}`", ctx.text(n), m.why))
                .with_note(format!(
                    "with `{option}` the compiler may keep memory values in registers across the block or move loads and stores over it"
                ));
            d = if m.class == MemClass::M1 && nomem && !beyond_reads {
                d.with_help("declare `readonly` instead of `nomem`: the block only reads memory")
            } else {
                d.with_help(format!("remove `{option}` from `options(...)`"))
            };
            out.push(d);
            break;
        }
    }
}

/// A memory operand in the block's own scratch stack (below the entry rsp, `nostack`
/// absent): not memory in the sense of `nomem` (contract-rules.md §2, M1).
pub(super) fn is_own_scratch(
    ctx: &Ctx,
    state: &State,
    base: Register,
    index: Register,
    disp: i64,
) -> bool {
    if ctx.has(AsmOption::Nostack) || index != Register::None {
        return false;
    }
    let offset = if base.is_gpr() && container(base, ctx.contract.mode) == ctx.sp() {
        state.rsp.map(|d| d + disp)
    } else if base.is_gpr() {
        match state.get(container(base, ctx.contract.mode)) {
            Val::StackAddr(d) => Some(d + disp),
            _ => None,
        }
    } else {
        None
    };
    offset.is_some_and(|o| o < 0)
}

/// R08: the stack with `nostack`. Pushes after a stack switch are exempt.
pub(super) fn nostack(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    if !ctx.has(AsmOption::Nostack) {
        return;
    }
    for n in ctx.reachable() {
        let state = ctx.flow.before[n].as_ref().expect("reachable");
        if state.switched {
            continue;
        }
        let node = &ctx.graph.nodes[n];
        let explicit_rsp = node.writes_stack_pointer_explicitly(ctx.contract.mode);
        let below = node.effects.memory.iter().any(|m| {
            matches!(m.location, Location::Operand(a) if a.base.is_gpr() && container(a.base, ctx.contract.mode) == ctx.sp() && a.displacement < 0)
        });
        let why = if node.opaque_call || node.local_call {
            "calls, which pushes a return address"
        } else if node.effects.stack.uses_stack() {
            "uses the stack"
        } else if explicit_rsp {
            "moves the stack pointer"
        } else if below {
            "writes below the stack pointer"
        } else {
            continue;
        };
        out.push(
            rule("R08", ctx.span(n), format!("`{}` {why}, but the block declares `nostack`", ctx.text(n)))
                .with_note("with `nostack` the compiler may keep live data in the red zone below rsp, which this overwrites")
                .with_help("remove `nostack` from `options(...)`"),
        );
        return;
    }
}

/// R12: `pure` blocks must be functions of their inputs without side effects.
pub(super) fn pure(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    if !ctx.has(AsmOption::Pure) {
        return;
    }
    for n in ctx.reachable() {
        let node = &ctx.graph.nodes[n];
        let fx = &node.effects;
        let why = if node.opaque_call {
            Some("calls code outside the block".to_string())
        } else if matches!(fx.flow, Flow::KernelTransfer) {
            Some("transfers to the kernel".to_string())
        } else if matches!(fx.flow, Flow::Halt) {
            Some("halts the processor".to_string())
        } else if let Some(state) = fx.reads_state.first() {
            Some(format!(
                "reads the {}, which is not an input",
                words(&format!("{state:?}"))
            ))
        } else if !fx.writes_state.is_empty() || !fx.side_effects.is_empty() {
            Some("has side effects".to_string())
        } else if fx
            .memory
            .iter()
            .any(|m| m.class != MemClass::M1 || m.access.may_write())
        {
            Some("writes memory or orders it".to_string())
        } else {
            None
        };
        if let Some(why) = why {
            out.push(
                rule("R12", ctx.span(n), format!("`{}` {why}, but the block declares `pure`", ctx.text(n)))
                    .with_note("with `pure` the compiler may run the block once for two calls with equal inputs, hoist it out of a loop, or delete it when its outputs are unused")
                    .with_help("remove `pure` from `options(...)`"),
            );
            return;
        }
    }
    if ctx.flow.exits.is_empty() && !ctx.graph.nodes.is_empty() {
        out.push(
            rule(
                "R12",
                ctx.option_span(AsmOption::Pure),
                "the block declares `pure`, but no path reaches its end",
            )
            .with_help("remove `pure` from `options(...)`"),
        );
    }
}
