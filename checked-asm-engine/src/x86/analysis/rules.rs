//! The contract rules (contract-rules.md §3) over the CFG and the value analysis. Each
//! check names its rule id; each diagnostic names the instruction, the register or
//! option at fault, why it matters, and the fix as text to paste.

use super::Ctx;
use super::cfg::Edge;
use super::contract::rustc_name;
use super::rule;
use super::values::{Df, State, Val};
use crate::diag::{Diagnostic, SpanRange};
use crate::syntax::{AsmOption, ConfiguredAsm, OperandKind};
use crate::x86::asm::StmtKind;
use crate::x86::effects::{
    CallModel, Flags, Flow, Location, MemClass, TagEffect, TopEffect, Unknown, container,
};
use crate::x86::lower::Lowered;
use crate::x86::regs::Arch;
use iced_x86::{OpKind, Register};

/// R21: the model cannot describe an instruction (soundness first: refuse, never assume
/// "no effect").
pub fn unknown_effects(
    asm: &ConfiguredAsm,
    lowered: &Lowered,
    stmt: usize,
    unknown: &Unknown,
) -> Diagnostic {
    let start = lowered.program.stmts.get(stmt).map_or(0, |s| s.range.start);
    let piece = lowered.substituted.piece_at(start);
    let span = asm.pieces.get(piece).map_or(asm.span, |p| p.span);
    rule("R21", span, format!("checked-asm cannot tell what `{}` does: {}", lowered.substituted.display_line(start), unknown.reason))
        .with_note("a checker that guessed \"no effect\" could approve a wrong contract; this block is refused instead")
        .with_help("if you have checked this block by hand, write it with `core::arch::asm!` instead")
}

impl Ctx<'_> {
    fn start(&self, node: usize) -> usize {
        self.lowered.program.stmts[self.graph.nodes[node].stmt]
            .range
            .start
    }

    fn span(&self, node: usize) -> SpanRange {
        let piece = self.lowered.substituted.piece_at(self.start(node));
        self.asm.pieces.get(piece).map_or(self.asm.span, |p| p.span)
    }

    /// The instruction as the user wrote it.
    fn text(&self, node: usize) -> String {
        self.lowered
            .substituted
            .display_line(self.start(node))
            .to_string()
    }

    fn mnemonic(&self, node: usize) -> String {
        format!("{:?}", self.graph.nodes[node].instr.mnemonic()).to_ascii_lowercase()
    }

    fn has(&self, o: AsmOption) -> bool {
        self.asm.has(o)
    }

    fn option_span(&self, o: AsmOption) -> SpanRange {
        self.asm
            .option_span(o)
            .map(SpanRange::single)
            .unwrap_or(self.asm.span)
    }

    fn reachable(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.graph.nodes.len()).filter(|n| self.flow.before[*n].is_some())
    }

    fn is_reserved(&self, reg: Register) -> bool {
        match self.arch {
            Arch::X86_64 => matches!(reg, Register::RBX | Register::RBP),
            Arch::X86 => matches!(reg, Register::ESI | Register::EBP),
        }
    }

    fn sp(&self) -> Register {
        container(Register::RSP, self.contract.mode)
    }
}

pub fn check(ctx: &Ctx, call_model: &CallModel) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    kernel_notes(ctx, &mut out);
    memory_options(ctx, &mut out);
    nostack(ctx, &mut out);
    pure(ctx, &mut out);
    noreturn(ctx, &mut out);
    trailing_prefix(ctx, &mut out);
    directives(ctx, &mut out);
    escaped_labels(ctx, &mut out);
    returns_into_caller_frame(ctx, &mut out);
    let call_regs = calls(ctx, call_model, &mut out);
    registers_at_exits(ctx, &call_regs, &mut out);
    stack_at_exits(ctx, &mut out);
    outputs_written(ctx, &mut out);
    flags(ctx, &mut out);
    undefined_flags(ctx, &mut out);
    undefined_values(ctx, &mut out);
    x87_and_fp_environment(ctx, &mut out);
    out
}

/// Warnings the kernel-ABI table attaches (`int 0x80` from 64-bit code truncates
/// pointer arguments to 32 bits).
fn kernel_notes(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
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

/// R06, R07: memory effects against `nomem`/`readonly`. M4 (compiler-barrier intent) and
/// M5 (opaque transfers) are not errors.
fn memory_options(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let nomem = ctx.has(AsmOption::Nomem);
    let readonly = ctx.has(AsmOption::Readonly);
    if !nomem && !readonly {
        return;
    }
    for n in ctx.reachable() {
        let state = ctx.flow.before[n].as_ref().expect("reachable");
        for m in &ctx.graph.nodes[n].effects.memory {
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
            d = if m.class == MemClass::M1 && nomem && !m.access.may_write() {
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
fn is_own_scratch(ctx: &Ctx, state: &State, base: Register, index: Register, disp: i64) -> bool {
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
fn nostack(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    if !ctx.has(AsmOption::Nostack) {
        return;
    }
    for n in ctx.reachable() {
        let state = ctx.flow.before[n].as_ref().expect("reachable");
        if state.switched {
            continue;
        }
        let node = &ctx.graph.nodes[n];
        let instr = &node.instr;
        let explicit_rsp =
            instr.op_count() > 0
                && instr.op_kind(0) == OpKind::Register
                && container(instr.op_register(0), ctx.contract.mode) == ctx.sp()
                && node.effects.regs.iter().any(|r| {
                    r.access.may_write() && container(r.reg, ctx.contract.mode) == ctx.sp()
                });
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
fn pure(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
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

/// R13: `noreturn` blocks must not reach their fall-through end.
fn noreturn(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
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
fn trailing_prefix(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
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
fn directives(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
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

/// R21 (context switches): a local label of the block's code whose address the block
/// takes but does not itself jump to (through `ret` or `jmp r`) is a re-entry point: the
/// address escapes (pushed on a stack that is switched away, stored, passed to a call)
/// and code from outside resumes there. What runs after re-entry depends on state the
/// block cannot see, so the block is refused rather than approved (contract-rules.md §2,
/// "Exits and divergence").
fn escaped_labels(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let stmts = &ctx.lowered.program.stmts;
    let resolved: Vec<usize> = ctx
        .flow
        .label_jumps
        .iter()
        .filter(|(n, _)| ctx.flow.before[*n].is_some())
        .map(|(_, l)| *l)
        .collect();
    let mut taken: Vec<(usize, usize)> = Vec::new(); // (label stmt, node or stmt that takes it)
    for n in ctx.reachable() {
        if let Some(l) = ctx.graph.nodes[n].label_ref {
            taken.push((l, ctx.graph.nodes[n].stmt));
        }
    }
    for (i, stmt) in stmts.iter().enumerate() {
        if let StmtKind::Data(d) = &stmt.kind {
            taken.extend(
                d.symbol_refs
                    .iter()
                    .filter_map(|r| r.local_label)
                    .map(|l| (l, i)),
            );
        }
    }
    for (label, by) in taken {
        let Some(def) = stmts.get(label) else {
            continue;
        };
        let StmtKind::Label(name) = &def.kind else {
            continue;
        };
        // Only labels of the block's code: a label before data is an address of data.
        let next = stmts[label + 1..]
            .iter()
            .find(|s| !matches!(s.kind, StmtKind::Label(_)));
        if def.section != 0
            || matches!(next.map(|s| &s.kind), Some(StmtKind::Data(_)))
            || resolved.contains(&label)
        {
            continue;
        }
        let at = stmts[by].range.start;
        let piece = ctx.lowered.substituted.piece_at(at);
        let span = ctx.asm.pieces.get(piece).map_or(ctx.asm.span, |p| p.span);
        out.push(
            rule("R21", span, format!(
                "context switch not checkable: the address of `{}:` leaves the block (`{}`), and code from outside resumes there",
                name.name,
                ctx.lowered.substituted.display_line(at)
            ))
            .with_note("what holds in registers, flags and the stack after re-entry depends on the code that resumes the context, which checked-asm cannot see")
            .with_help("if the switch saves and restores everything the other context may change, waive the check with the reason: `#![waive(R21, reason = \"...\")]`"),
        );
        return;
    }
}

/// R14: `ret`/`iret` while rsp is back at its entry value would pop the compiler's
/// frame (the block's caller is not a function that called it).
fn returns_into_caller_frame(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
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

/// R16 (and R09's alignment and shadow-space parts): opaque calls. Returns the
/// containers only calls write, whose R01 findings this replaces.
fn calls(ctx: &Ctx, model: &CallModel, out: &mut Vec<Diagnostic>) -> Vec<Register> {
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

/// R01, R02, R05(a) at every exit.
fn registers_at_exits(ctx: &Ctx, call_regs: &[Register], out: &mut Vec<Diagnostic>) {
    let mut reported: Vec<Register> = Vec::new();
    let mut undeclared: Vec<(usize, Vec<String>)> = Vec::new();
    for (_, _, state) in &ctx.flow.exits {
        for (reg, _val) in state.changed() {
            if reported.contains(&reg) || reg == ctx.sp() || !declarable_or_reserved(reg) {
                continue;
            }
            let writers = state.writers.get(&reg).cloned().unwrap_or_default();
            let writer = writers
                .iter()
                .copied()
                .find(|w| !ctx.graph.nodes[*w as usize].opaque_call)
                .or(writers.first().copied());
            let Some(writer) = writer.map(|w| w as usize) else {
                continue;
            };
            if ctx.graph.nodes[writer].opaque_call && call_regs.contains(&reg) {
                continue; // R16 reports it once.
            }
            if ctx.is_reserved(reg) && !ctx.contract.may_change(reg) {
                reported.push(reg);
                out.push(
                    rule("R05", ctx.span(writer), format!("`{}` changes {}, and the block does not restore it", ctx.text(writer), rustc_name(reg)))
                        .with_note(format!("{} cannot be declared as an operand or clobber: LLVM may use it, so the block must give it back unchanged on every path", rustc_name(reg)))
                        .with_help(format!("save and restore it (`push {r}` … `pop {r}`), or move the value through a scratch operand: `mov {{tmp:r}}, {r}` … `xchg {{tmp:r}}, {r}`", r = rustc_name(reg))),
                );
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
                    rule("R02", ctx.span(writer), format!("`{}` overwrites {name}, which holds the input `{}`, but the block does not declare it as an output", ctx.text(writer), op.kind.describe()))
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
        let list = names.join(" and ");
        let fix: Vec<String> = names.iter().map(|n| format!("{late}(\"{n}\") _")).collect();
        out.push(
            rule("R01", ctx.span(writer), format!("`{}` writes {list}, but the block does not declare {}", ctx.text(writer), if names.len() == 1 { "it" } else { "them" }))
                .with_note(format!("the compiler may keep live values in registers the block does not declare; it would read whatever `{}` left there", ctx.mnemonic(writer)))
                .with_help(format!("add `{}`", fix.join(", "))),
        );
    }
}

/// GPRs, vector, mask and tile registers: what R01/R02 range over (x87/MMX are R15's).
fn declarable_or_reserved(reg: Register) -> bool {
    reg.is_gpr() || reg.is_vector_register() || reg.is_k() || reg.is_tmm()
}

/// The name of `container` as the writer's instruction spells it (`edx` for cpuid).
fn written_name(ctx: &Ctx, writer: usize, reg: Register) -> String {
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
fn outputs_written(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
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

/// R09: rsp at every exit.
fn stack_at_exits(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
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
fn flags(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
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
    let status_writer = |ctx: &Ctx| {
        ctx.reachable().find(|m| {
            ctx.graph.nodes[*m]
                .effects
                .flags
                .modified()
                .intersects(Flags::STATUS)
                || ctx.graph.nodes[*m].opaque_call
        })
    };
    if ctx
        .flow
        .exits
        .iter()
        .any(|(_, _, s)| s.flags != Val::EntryFlags)
        && let Some(m) = status_writer(ctx)
    {
        let what = if ctx.graph.nodes[m].opaque_call {
            format!(
                "`{}` calls a function, which may change the status flags",
                ctx.text(m)
            )
        } else {
            let f = ctx.graph.nodes[m].effects.flags.modified();
            format!(
                "`{}` changes the status flags ({:?})",
                ctx.text(m),
                Flags(f.0 & Flags::STATUS.0)
            )
        };
        out.push(
            rule("R10", ctx.span(m), format!("{what}, but the block declares `preserves_flags`"))
                .with_note("with `preserves_flags` the compiler may keep a comparison result in the flags across the block")
                .with_help("remove `preserves_flags`, or save and restore the flags around it: `pushf` … `popf`"),
        );
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
            rule("R10", ctx.span(m), format!("`{}` may set MXCSR exception flags, but the block declares `preserves_flags`", ctx.text(m)))
                .with_note("`preserves_flags` also promises the MXCSR exception flags (PE UE OE ZE DE IE) keep their values")
                .with_help("remove `preserves_flags`, or save and restore MXCSR: `stmxcsr [rsp - 4]` … `ldmxcsr [rsp - 4]`"),
        );
    }
    if let Some(m) = ctx.reachable().find(|m| {
        let x = &ctx.graph.nodes[*m].effects.x87;
        x.sets_exception_flags || x.condition_codes.modified() != 0
    }) {
        out.push(
            rule("R10", ctx.span(m), format!("`{}` changes the x87 status word, but the block declares `preserves_flags`", ctx.text(m)))
                .with_help("remove `preserves_flags`, or save and restore the x87 environment: `fnstenv` … `fldenv`"),
        );
    }
}

/// R03 for flags: a flag user (`jcc`, `setcc`, `cmovcc`, `adc`, `sbb`, `rcl`, `rcr`,
/// `lahf`…) consuming a status flag that no earlier instruction defined on some path.
/// The word `pushf` pushes counts as defined (its system flags are real state).
fn undefined_flags(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
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
fn undefined_values(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
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
        match super::values::reads_undefined(state, &ctx.graph.nodes[m], mode) {
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
        if stores && let Some(r) = super::values::reads_undefined(state, node, mode) {
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

/// R15: x87/MMX state and the FP control environment.
fn x87_and_fp_environment(ctx: &Ctx, out: &mut Vec<Diagnostic>) {
    let mode = ctx.contract.mode;
    let x87_clobbered = ctx.contract.x87_clobbered();
    if !x87_clobbered
        && let Some(m) = ctx.reachable().find(|m| {
            let fx = &ctx.graph.nodes[*m].effects;
            fx.x87.top != TopEffect::Unchanged
                || fx.x87.tags != TagEffect::Unchanged
                || fx.regs.iter().any(|r| {
                    r.access.may_write() && {
                        let c = container(r.reg, mode);
                        (Register::ST0..=Register::ST7).contains(&c)
                            || (Register::MM0..=Register::MM7).contains(&c)
                    }
                })
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
fn words(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}
