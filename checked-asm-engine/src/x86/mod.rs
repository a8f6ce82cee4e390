//! Everything specific to x86 and x86_64: registers and classes, operand rules, and
//! (in later stages) the template assembler, the effect model and the analysis.

pub mod analysis;
pub mod asm;
pub mod effects;
pub mod lower;
pub mod operands;
pub mod regs;
pub mod substitute;

pub use regs::Arch;

use crate::diag::Diagnostic;
use crate::syntax::{Cfg, ConfiguredAsm};

/// A finding that may hold only on some targets of the architecture (an OS ABI).
#[derive(Clone, Debug)]
pub struct Finding {
    /// `None`: on every target of the architecture.
    pub when: Option<Cfg>,
    pub diag: Diagnostic,
}

impl From<Diagnostic> for Finding {
    fn from(diag: Diagnostic) -> Finding {
        Finding { when: None, diag }
    }
}

/// `cfg(any(target_os = "windows", target_os = "uefi"))`: the targets rustc treats as
/// Windows-like (`Target::is_like_windows`) for `clobber_abi("C")` and calls.
pub fn windows_like() -> Cfg {
    Cfg::Any(vec![
        Cfg::Option {
            name: "target_os".into(),
            value: Some("windows".into()),
        },
        Cfg::Option {
            name: "target_os".into(),
            value: Some("uefi".into()),
        },
    ])
}

/// Every finding for one configured block on one architecture, for every OS or, when
/// the target is known, for its OS only.
pub fn check(asm: &ConfiguredAsm, arch: Arch, os: Option<effects::Os>) -> Vec<Finding> {
    let mut findings = check_all(asm, arch, os);
    if let Some(os) = os {
        // Findings that hold only on some OS are decided for this one.
        findings.retain_mut(|f| match f.when.as_ref().map(|w| decide_os(w, os)) {
            Some(Cfg::Bool(false)) => false,
            Some(Cfg::Bool(true)) => {
                f.when = None;
                true
            }
            decided => {
                f.when = decided;
                true
            }
        });
    }
    findings
}

fn check_all(asm: &ConfiguredAsm, arch: Arch, os: Option<effects::Os>) -> Vec<Finding> {
    let mut findings: Vec<Finding> = operands::check_operands(asm, arch)
        .into_iter()
        .map(Finding::from)
        .collect();
    findings.extend(operands::check_duplicate_abis(asm, arch));
    if findings.iter().any(|f| f.when.is_none()) {
        // The operands are not valid asm!: there is no block to analyse.
        return findings;
    }
    match lower::lower(asm, arch) {
        // The contract rules are about a block inside a function: `naked_asm!` is the
        // whole function and `global_asm!` is not in one, so for them the template is
        // assembled (and assembler errors reported) but not held to an operand contract.
        Ok(lowered) if asm.kind == crate::syntax::MacroKind::Asm => {
            findings.extend(analysis::analyse(asm, lowered, arch, os))
        }
        Ok(_) => {}
        Err(errors) => findings.extend(errors.into_iter().map(Finding::from)),
    }
    findings
}

/// `cfg` with its `target_os` options decided for `os` ([`effects::Os::Other`] is
/// none of the names).
pub(crate) fn decide_os(cfg: &Cfg, os: effects::Os) -> Cfg {
    cfg.decide(&|name, v| (name == "target_os").then(|| Some(v) == os.target_os()))
}
