//! The engine of checked-asm: everything between the tokens of an `asm!` invocation and
//! the verdict on its contract. The proc-macro crate and the CLI are thin adapters
//! around it.
//!
//! ```text
//! tokens --parse--> AsmInvocation --configure--> ConfiguredAsm
//!        --assemble--> Program --effects/analysis--> Vec<Diagnostic> --expand--> tokens
//! ```

pub mod diag;
pub mod expand;
pub mod hash;
pub mod syntax;
#[cfg(test)]
mod test_rng;
pub mod x86;

pub use expand::{
    BuildTarget, Expansion, Settings, Verdicts, check, expand, expand_for, expand_remembering,
};
pub mod infer;
