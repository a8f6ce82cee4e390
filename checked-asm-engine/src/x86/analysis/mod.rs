//! The analysis of one assembled block: its CFG, the value analysis over it, and the
//! contract rules of `contract-rules.md` §3 checked against the declared contract.
//!
//! Instructions whose effect depends on the OS (kernel transfers) or on the Windows-like
//! calling convention (calls) make the block be analysed once per OS family; each
//! finding is then gated by the `target_os` under which it holds.

mod alias;
pub mod cfg;
pub mod contract;
pub mod infer;
pub mod reentry;
mod rules;
pub mod sets;
pub mod values;

use super::Finding;
use super::lower::Lowered;
use super::regs::Arch;
use crate::diag::{Code, Diagnostic};
use crate::syntax::{Cfg, ConfiguredAsm};
use crate::x86::asm;
use crate::x86::effects::{self, Mode, Os, TargetAbi};
use iced_x86::{Mnemonic, Register};

/// One analysis run's inputs.
pub struct Ctx<'a> {
    pub asm: &'a ConfiguredAsm,
    pub lowered: &'a Lowered,
    pub graph: &'a cfg::Graph,
    pub flow: &'a values::Flow,
    pub contract: &'a contract::Contract,
    pub arch: Arch,
    pub target: TargetAbi,
    /// How each escaping label is re-entered (context switches).
    pub reentry: &'a [reentry::Plan],
}

impl Ctx<'_> {
    /// rbx and rbp on x86_64, esi and ebp on x86: registers a block cannot declare and
    /// must restore (R05(a)).
    pub(crate) fn is_reserved(&self, reg: Register) -> bool {
        match self.arch {
            Arch::X86_64 => matches!(reg, Register::RBX | Register::RBP),
            Arch::X86 => matches!(reg, Register::ESI | Register::EBP),
        }
    }
}

pub fn effects_mode(mode: asm::Mode) -> Mode {
    match mode {
        asm::Mode::Bits16 => Mode::Bits16,
        asm::Mode::Bits32 => Mode::Bits32,
        asm::Mode::Bits64 => Mode::Bits64,
    }
}

fn os_cfg(names: &[&str]) -> Cfg {
    let opts: Vec<Cfg> = names
        .iter()
        .map(|n| Cfg::Option {
            name: "target_os".into(),
            value: Some((*n).into()),
        })
        .collect();
    if opts.len() == 1 {
        opts.into_iter().next().expect("one")
    } else {
        Cfg::Any(opts)
    }
}

/// The OS families the block must be analysed for, with the cfg of each.
fn os_families(lowered: &Lowered) -> Vec<(Option<Cfg>, Os)> {
    let mut kernel = false;
    let mut calls = false;
    for i in lowered.program.instructions() {
        match i.instruction.mnemonic() {
            Mnemonic::Syscall
            | Mnemonic::Sysenter
            | Mnemonic::Int
            | Mnemonic::Into
            | Mnemonic::Vmcall
            | Mnemonic::Vmmcall => kernel = true,
            Mnemonic::Call => calls = true,
            _ => {}
        }
    }
    let known = ["linux", "android", "freebsd", "windows", "uefi"];
    if kernel {
        vec![
            (Some(os_cfg(&["linux", "android"])), Os::Linux),
            (Some(os_cfg(&["freebsd"])), Os::FreeBSD),
            (Some(super::windows_like()), Os::Windows),
            (Some(Cfg::Not(Box::new(os_cfg(&known)))), Os::Other),
        ]
    } else if calls {
        vec![
            (Some(super::windows_like()), Os::Windows),
            (Some(Cfg::Not(Box::new(super::windows_like()))), Os::Linux),
        ]
    } else {
        vec![(None, Os::Linux)]
    }
}

/// The OS families of `families` that `os` belongs to, each then holding without a cfg.
fn family_of(families: Vec<(Option<Cfg>, Os)>, os: Os) -> Vec<(Option<Cfg>, Os)> {
    families
        .into_iter()
        .filter(|(cfg, _)| {
            cfg.as_ref()
                .is_none_or(|cfg| super::decide_os(cfg, os) == Cfg::Bool(true))
        })
        .map(|(_, family)| (None, family))
        .collect()
}

/// Every contract finding for `asm`, assembled as `lowered`, on `arch`; on every OS, or
/// on `os` only when the target is known.
pub fn analyse(asm: &ConfiguredAsm, lowered: Lowered, arch: Arch, os: Option<Os>) -> Vec<Finding> {
    // A `kernel_abi` override (§5): every target runs that kernel's system-call ABI.
    let families = match asm.kernel_abi.as_deref() {
        Some("freebsd") => vec![(None, Os::FreeBSD)],
        Some(_) => vec![(None, Os::Linux)],
        None => match os {
            Some(os) => family_of(os_families(&lowered), os),
            None => os_families(&lowered),
        },
    };
    let total = families.len();
    // Findings with the same headline at the same place are one finding, whatever the
    // families they hold for; notes and help that differ between families say which.
    let mut grouped: Vec<Vec<(Option<Cfg>, Diagnostic)>> = Vec::new();
    // Each family's run owns its lowering: the last one takes this one.
    let mut lowered = Some(lowered);
    for (i, (cfg, os)) in families.into_iter().enumerate() {
        let target = TargetAbi::new(arch.effects(), os);
        let own = if i + 1 == total {
            lowered.take()
        } else {
            lowered.clone()
        };
        let own = own.expect("taken by the last family only");
        for d in analyse_for(asm, own, arch, target) {
            let same = |(_, g): &(Option<Cfg>, Diagnostic)| {
                g.code == d.code
                    && g.level == d.level
                    && g.message == d.message
                    && format!("{:?}", g.span.start) == format!("{:?}", d.span.start)
            };
            match grouped.iter_mut().find(|g| same(&g[0])) {
                Some(group) => group.push((cfg.clone(), d)),
                None => grouped.push(vec![(cfg.clone(), d)]),
            }
        }
    }
    grouped
        .into_iter()
        .map(|group| {
            let cfgs: Vec<Cfg> = group.iter().filter_map(|(c, _)| c.clone()).collect();
            Finding {
                when: if cfgs.len() == total || cfgs.is_empty() {
                    None
                } else if cfgs.len() == 1 {
                    cfgs.into_iter().next()
                } else {
                    Some(Cfg::Any(cfgs).simplified())
                },
                diag: merge_family_variants(group),
            }
        })
        .collect()
}

/// One diagnostic from its per-family variants (same headline and span): a note or help
/// line every variant has is kept as is, the others are prefixed with the family's cfg.
fn merge_family_variants(group: Vec<(Option<Cfg>, Diagnostic)>) -> Diagnostic {
    let mut base = group[0].1.clone();
    if group.len() == 1 {
        return base;
    }
    let merge = |lines: &dyn Fn(&Diagnostic) -> &Vec<String>| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (cfg, d) in &group {
            for line in lines(d) {
                let everywhere = group.iter().all(|(_, o)| lines(o).contains(line));
                let text = match cfg {
                    Some(cfg) if !everywhere => format!("for `cfg({cfg})`: {line}"),
                    _ => line.clone(),
                };
                if !out.contains(&text) {
                    out.push(text);
                }
            }
        }
        out
    };
    base.notes = merge(&|d: &Diagnostic| &d.notes);
    base.help = merge(&|d: &Diagnostic| &d.help);
    base
}

/// One analysed lowering: the graph, the declared contract and the value analysis.
pub struct Run {
    pub lowered: Lowered,
    pub graph: cfg::Graph,
    pub contract: contract::Contract,
    pub call_model: effects::CallModel,
    pub flow: values::Flow,
    pub reentry: Vec<reentry::Plan>,
}

/// Builds the CFG and runs the value analysis; an instruction without a model is R21.
pub fn run(
    asm: &ConfiguredAsm,
    lowered: Lowered,
    target: &TargetAbi,
) -> Result<Run, Box<Diagnostic>> {
    let mode = effects_mode(lowered.mode);
    let graph = match cfg::build(&lowered.program, &lowered.substituted, |i| {
        effects::effects(i, mode, target)
    }) {
        Ok(g) => g,
        Err((stmt, unknown)) => {
            return Err(Box::new(rules::unknown_effects(
                asm, &lowered, stmt, &unknown,
            )));
        }
    };
    let mut graph = graph;
    let contract = contract::Contract::new(asm, &lowered.substituted, mode, target);
    let call_model = opaque_call_model(asm, &contract, target);
    // A `ret` or `jmp` to the address of a local label the block computed is a jump to
    // that label (contract-rules.md §2): add the edge and analyse again. A label whose
    // address escapes is re-entered from another context: add a resume node seeded with
    // the suspended state (`reentry.rs`). Repeat until stable.
    let mut seeds: Vec<(usize, values::State)> = Vec::new();
    let mut flow = values::analyse(&graph, &contract, &call_model, &seeds);
    let mut reentry = Vec::new();
    for _ in 0..6 {
        let mut changed = false;
        for &(n, label) in &flow.label_jumps {
            let edge = graph.label_edge(label);
            if !graph.nodes[n].succ.contains(&edge) {
                graph.nodes[n].succ.push(edge);
                graph.nodes[n].end = None;
                changed = true;
            }
        }
        reentry = reentry::plan(&lowered.program, &graph, &flow, &contract, &call_model);
        for plan in &reentry {
            let Ok((rsp, state)) = &plan.resume else {
                continue;
            };
            let label = plan.escape.label;
            let node = reentry::resume_node(&graph, label, *rsp, contract.mode);
            let id = match graph
                .nodes
                .iter()
                .position(|n| n.resume.is_some_and(|r| r.label == label))
            {
                Some(id) => {
                    if graph.nodes[id].resume != node.resume {
                        graph.nodes[id] = node;
                        changed = true;
                    }
                    id
                }
                None => {
                    graph.nodes.push(node);
                    changed = true;
                    graph.nodes.len() - 1
                }
            };
            match seeds.iter_mut().find(|(n, _)| *n == id) {
                Some((_, seed)) if seed == state => {}
                Some((_, seed)) => {
                    *seed = state.clone();
                    changed = true;
                }
                None => {
                    seeds.push((id, state.clone()));
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
        flow = values::analyse(&graph, &contract, &call_model, &seeds);
    }
    Ok(Run {
        lowered,
        graph,
        contract,
        call_model,
        flow,
        reentry,
    })
}

fn analyse_for(
    asm: &ConfiguredAsm,
    lowered: Lowered,
    arch: Arch,
    target: TargetAbi,
) -> Vec<Diagnostic> {
    let fresh = match run(asm, lowered, &target) {
        Ok(r) => r,
        Err(d) => return vec![*d],
    };
    let ctx = Ctx {
        asm,
        lowered: &fresh.lowered,
        graph: &fresh.graph,
        flow: &fresh.flow,
        contract: &fresh.contract,
        arch,
        target,
        reentry: &fresh.reentry,
    };
    let inferred = infer::infer(&ctx);
    let mut out = rules::check(&ctx, &fresh.call_model);
    out.extend(alias::check(asm, &fresh, arch, &target));
    // The R04 warning (no sharing possible) says nothing new next to an R04 error.
    if out
        .iter()
        .any(|d| d.code == Code::Rule("R04") && d.level == crate::diag::Level::Error)
    {
        out.retain(|d| !(d.code == Code::Rule("R04") && d.level == crate::diag::Level::Warning));
    }
    match out
        .iter_mut()
        .find(|d| d.level == crate::diag::Level::Error)
    {
        None => out.extend(inferred.refinements(&ctx)),
        Some(first) => {
            if matches!(first.code, Code::Rule(id) if DECLARATION_RULES.contains(&id)) {
                first.notes.push(format!(
                    "the minimal contract for this block: `{}`",
                    inferred.render(&ctx)
                ));
            }
        }
    }
    out
}

/// Rules whose errors are mistakes in the declarations, which the minimal contract
/// fixes. For a template that must change (R03, R04, R05, R13, R14, R18–R21…) the
/// minimal contract of the template as written would mislead.
const DECLARATION_RULES: [&str; 8] = ["R01", "R02", "R06", "R07", "R08", "R10", "R12", "R16"];

/// The rules of `findings` whose errors the template itself must fix: no contract makes
/// it correct as written.
pub fn template_must_change(findings: &[Diagnostic]) -> Vec<&'static str> {
    let mut rules = Vec::new();
    for d in findings {
        if let Code::Rule(id) = d.code
            && d.level == crate::diag::Level::Error
            && !DECLARATION_RULES.contains(&id)
            && !rules.contains(&id)
        {
            rules.push(id);
        }
    }
    rules
}

/// What an opaque `call` may clobber: the ABIs named in `clobber_abi` (all of them), else
/// the target's C ABI.
fn opaque_call_model(
    asm: &ConfiguredAsm,
    contract: &contract::Contract,
    target: &TargetAbi,
) -> effects::CallModel {
    // A `callee_abi` override (§5) names the convention the callee really follows.
    if let Some(abi) = asm
        .callee_abi
        .as_deref()
        .and_then(|name| effects::clobber_abi(name, target))
    {
        return effects::call_model(abi, target);
    }
    match contract.abis.first() {
        Some((_, model)) => *model,
        None => effects::tables::calls::default_call_model(target),
    }
}

pub(crate) fn rule(
    id: &'static str,
    span: crate::diag::SpanRange,
    message: impl Into<String>,
) -> Diagnostic {
    Diagnostic::error(Code::Rule(id), span, message)
}
