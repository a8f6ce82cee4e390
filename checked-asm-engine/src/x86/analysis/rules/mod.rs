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
use iced_x86::Register;

mod control;
mod machine_state;
mod memory;
mod registers;

use control::*;
use machine_state::*;
use memory::*;
use registers::*;

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

    /// The instruction in backquotes, or for a resume node, the re-entry it stands for.
    fn quoted(&self, node: usize) -> String {
        match self.resumed_at(node) {
            Some(label) => format!("the context that resumes the block at `{label}:`"),
            None => format!("`{}`", self.text(node)),
        }
    }

    /// The label a resume node enters.
    fn resumed_at(&self, node: usize) -> Option<String> {
        let resume = self.graph.nodes[node].resume?;
        match &self.lowered.program.stmts[resume.label].kind {
            StmtKind::Label(name) => Some(name.name.clone()),
            _ => Some(String::new()),
        }
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
    frame_accesses(ctx, &mut out);
    outputs_written(ctx, &mut out);
    flags(ctx, &mut out);
    undefined_flags(ctx, &mut out);
    undefined_values(ctx, &mut out);
    cpuid_subleaf(ctx, &mut out);
    late_output_before_last_read(ctx, &mut out);
    x87_and_fp_environment(ctx, &mut out);
    out
}
