//! "What does this block do, and what contract does it need?": the engine behind
//! `cargo checked-asm infer`. A block is analysed for one target (x86_64 or x86 Linux,
//! every `#[cfg]` inside the invocation off) and described instruction by instruction,
//! with its minimal correct contract and the findings against the declared one.

use crate::diag::Diagnostic;
use crate::syntax::{CfgAssignment, MacroKind, NoIncludes, parse_invocation};
use crate::x86::analysis::{self, Ctx, infer::infer};
use crate::x86::effects::{Os, TargetAbi};
use crate::x86::lower::lower;
use crate::x86::regs::Arch;
use proc_macro2::TokenStream;

/// The description of one block.
#[derive(Clone, Debug)]
pub struct Inference {
    /// The encoded bytes of the block's code.
    pub bytes: Vec<u8>,
    /// Each instruction as written, with its effects.
    pub instructions: Vec<(String, String)>,
    /// Registers the block writes that its contract does not declare.
    pub clobbers: Vec<String>,
    /// The strongest options that hold.
    pub options: Vec<String>,
    /// The minimal contract as paste-ready operand text, for the template as written.
    pub contract: String,
    /// Rules whose errors only a change of the template fixes (`R18` for a `bsr` into a
    /// plain `out`): then no contract makes the block correct, `contract` included.
    pub template_must_change: Vec<&'static str>,
    /// Findings against the declared contract (errors and refinements).
    pub findings: Vec<Diagnostic>,
}

/// Analyses the arguments of an `asm!` invocation (the tokens inside the parentheses).
pub fn infer_invocation(tokens: TokenStream, arch: Arch) -> Result<Inference, Vec<Diagnostic>> {
    let inv = parse_invocation(MacroKind::Asm, tokens, &NoIncludes)?;
    let assignment = CfgAssignment {
        arch: Some(arch.cfg_name()),
        values: inv.cfg_atoms().into_iter().map(|a| (a, false)).collect(),
    };
    let asm = inv.configure(&assignment)?;
    let mut findings: Vec<Diagnostic> = crate::x86::operands::check_operands(&asm, arch);
    if !findings.is_empty() {
        return Err(findings);
    }
    let lowered = lower(&asm, arch)?;
    let target = TargetAbi::new(arch.effects(), Os::Linux);
    let run = analysis::run(&asm, lowered.clone(), &target).map_err(|d| vec![*d])?;
    let ctx = Ctx {
        asm: &asm,
        lowered: &run.lowered,
        graph: &run.graph,
        flow: &run.flow,
        contract: &run.contract,
        arch,
        target,
        reentry: &run.reentry,
    };
    let inferred = infer(&ctx);
    let instructions = run
        .graph
        .nodes
        .iter()
        .map(|n| {
            let range = run.lowered.program.stmts[n.stmt].range.clone();
            let text = run.lowered.substituted.display_text(range);
            let text = match n.resume {
                Some(_) => format!("{text} (re-entry from another context)"),
                None => text.to_string(),
            };
            (text, n.effects.to_string())
        })
        .collect();
    let analysed = analysis::analyse(&asm, lowered, arch, None);
    // The contract shown is Linux's; a template fault of some other OS only is a finding
    // for that OS, not a reason to withhold it.
    let everywhere: Vec<Diagnostic> = analysed
        .iter()
        .filter(|f| f.when.is_none())
        .map(|f| f.diag.clone())
        .collect();
    let template_must_change = analysis::template_must_change(&everywhere);
    findings.extend(analysed.into_iter().map(|f| {
        match f.when {
            None => f.diag,
            Some(cfg) => f
                .diag
                .with_note(format!("found when checking the block for `cfg({cfg})`")),
        }
    }));
    let order = [
        "pure",
        "nomem",
        "readonly",
        "nostack",
        "preserves_flags",
        "noreturn",
        "att_syntax",
        "raw",
    ];
    let mut options: Vec<String> = inferred
        .options
        .iter()
        .map(|o| o.name().to_string())
        .collect();
    options.sort_by_key(|o| order.iter().position(|x| x == o));
    Ok(Inference {
        bytes: run.lowered.program.text_bytes(),
        instructions,
        clobbers: inferred
            .clobbers
            .iter()
            .map(|r| analysis::contract::rustc_name(*r))
            .collect(),
        options,
        contract: inferred.render(&ctx),
        template_must_change,
        findings,
    })
}
