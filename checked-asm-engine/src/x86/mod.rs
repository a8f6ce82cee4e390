//! Everything specific to x86 and x86_64: registers and classes, operand rules, and
//! (in later stages) the template assembler, the effect model and the analysis.

pub mod operands;
pub mod regs;

pub use regs::Arch;

use crate::diag::Diagnostic;
use crate::syntax::ConfiguredAsm;

/// Every finding for one configured block on one architecture.
pub fn check(asm: &ConfiguredAsm, arch: Arch) -> Vec<Diagnostic> {
    operands::check_operands(asm, arch)
}
