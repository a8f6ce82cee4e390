//! Procedural macros of checked-asm; use them through the `checked-asm` crate, whose
//! documentation is the user guide. This crate is a thin adapter: tokens in, engine,
//! tokens out.

use checked_asm_engine::syntax::{CfgAssignment, IncludeResolver, MacroKind, parse_invocation};
use proc_macro::TokenStream;
use proc_macro2::Span;

/// Resolves `include_str!` paths relative to the file that contains the
/// `include_str!` tokens, as rustc does.
struct SourceFiles;

impl IncludeResolver for SourceFiles {
    fn read(&self, span: Span, path: &str) -> Result<String, String> {
        let base = span.local_file().ok_or_else(|| {
            format!("cannot resolve `include_str!(\"{path}\")`: the calling file is not on disk")
        })?;
        let full = base
            .parent()
            .map(|dir| dir.join(path))
            .unwrap_or_else(|| path.into());
        std::fs::read_to_string(&full)
            .map_err(|e| format!("couldn't read `{}`: {e}", full.display()))
    }
}

fn run(kind: MacroKind, input: TokenStream) -> TokenStream {
    let settings = checked_asm_engine::Settings {
        strict: cfg!(feature = "strict"),
    };
    checked_asm_engine::expand_remembering(kind, input.into(), &SourceFiles, settings).into()
}

/// `core::arch::asm!`, checked. See the `checked-asm` crate for the guide.
#[proc_macro]
pub fn checked_asm(input: TokenStream) -> TokenStream {
    run(MacroKind::Asm, input)
}

/// `core::arch::naked_asm!`, checked.
#[proc_macro]
pub fn checked_naked_asm(input: TokenStream) -> TokenStream {
    run(MacroKind::NakedAsm, input)
}

/// `core::arch::global_asm!`, checked.
#[proc_macro]
pub fn checked_global_asm(input: TokenStream) -> TokenStream {
    run(MacroKind::GlobalAsm, input)
}

/// Test support, not part of the API: expands to the template string the engine
/// resolved for x86_64 with no cfg option set, placeholders written back as
/// `{operand-index}` or `{operand-index:modifier}`, pieces joined with newlines.
#[doc(hidden)]
#[proc_macro]
pub fn __resolved_template(input: TokenStream) -> TokenStream {
    let inv = match parse_invocation(MacroKind::Asm, input.into(), &SourceFiles) {
        Ok(inv) => inv,
        Err(errors) => {
            return errors
                .iter()
                .map(|d| d.to_compile_error())
                .collect::<proc_macro2::TokenStream>()
                .into();
        }
    };
    let assignment = CfgAssignment {
        arch: Some("x86_64"),
        values: inv.cfg_atoms().into_iter().map(|a| (a, false)).collect(),
    };
    let asm = match inv.configure(&assignment) {
        Ok(asm) => asm,
        Err(errors) => {
            return errors
                .iter()
                .map(|d| d.to_compile_error())
                .collect::<proc_macro2::TokenStream>()
                .into();
        }
    };
    let text = asm.render(|op, m| match m {
        Some(m) => format!("{{{op}:{m}}}"),
        None => format!("{{{op}}}"),
    });
    let lit = proc_macro2::Literal::string(&text);
    quote_lit(lit)
}

fn quote_lit(lit: proc_macro2::Literal) -> TokenStream {
    proc_macro2::TokenStream::from(proc_macro2::TokenTree::Literal(lit)).into()
}
