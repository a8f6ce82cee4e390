//! Procedural macros of checked-asm; use them through the `checked-asm` crate, whose
//! documentation is the user guide. This crate is a thin adapter: tokens in, engine,
//! tokens out.

use checked_asm_engine::syntax::{CfgAssignment, IncludeResolver, MacroKind, parse_invocation};
use checked_asm_engine::x86::Arch;
use checked_asm_engine::x86::effects::Os;
use checked_asm_engine::{BuildTarget, Expansion};
use proc_macro::{Delimiter, Group, Punct, Spacing, TokenStream, TokenTree};

/// Resolves `include_str!` paths relative to the file that contains the
/// `include_str!` tokens, as rustc does.
struct SourceFiles;

impl IncludeResolver for SourceFiles {
    fn read(&self, span: proc_macro2::Span, path: &str) -> Result<String, String> {
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

fn run(kind: MacroKind, arch: Arch, os: Os, input: TokenStream) -> TokenStream {
    let settings = checked_asm_engine::Settings {
        strict: cfg!(feature = "strict"),
    };
    let target = BuildTarget { arch, os };
    match checked_asm_engine::expand_remembering(kind, input.into(), &SourceFiles, settings, target)
    {
        Expansion::PassThrough { kind, tokens } => pass_through(kind, tokens.into()),
        Expansion::Checked(tokens) => tokens.into(),
    }
}

/// The expansion of a block with nothing to report (found clean now or before),
/// `::core::arch::asm!(<tokens>)`, built as the engine's `Expansion::into_tokens` builds
/// it (the same trees, all at the call site) but with `proc_macro`'s types: the path is lexed by the compiler from its text
/// (`parse`, which gives call-site spans) and the arguments appended. This is most of
/// the work the macro does for such a block: 6,800 instructions, against 10,500 for
/// the path built token by token and 16,700 through proc_macro2, in a macro built
/// without optimisation (cargo's default).
fn pass_through(kind: MacroKind, tokens: TokenStream) -> TokenStream {
    // The paths are valid token streams, so `parse` cannot fail; if the compiler's lexer
    // ever refused one, the expansion would be the bare arguments, which do not compile.
    let mut out: TokenStream = kind.core_path().parse().unwrap_or_default();
    out.extend([TokenTree::Group(Group::new(Delimiter::Parenthesis, tokens))]);
    if kind == MacroKind::GlobalAsm {
        out.extend([TokenTree::Punct(Punct::new(';', Spacing::Alone))]);
    }
    out
}

/// The three macros for one target: the proc macro runs on the host and cannot see the
/// target, so there is one entry point per (architecture, OS family), and the facade,
/// which is compiled for the target, re-exports under `#[cfg]` the ones for it as
/// `checked_asm!`, `checked_naked_asm!` and `checked_global_asm!`. The OS families are
/// the ones whose kernel and calling-convention ABIs the checker tells apart.
macro_rules! entry_points {
    ($($asm:ident $naked:ident $global:ident for $arch:ident $os:ident;)*) => {$(
        /// `core::arch::asm!`, with its contract checked at compile time. See the
        /// `checked-asm` crate for the guide.
        #[proc_macro]
        pub fn $asm(input: TokenStream) -> TokenStream {
            run(MacroKind::Asm, Arch::$arch, Os::$os, input)
        }

        /// `core::arch::naked_asm!`, checked (the body of a `#[unsafe(naked)]`
        /// function). See the `checked-asm` crate for the guide.
        #[proc_macro]
        pub fn $naked(input: TokenStream) -> TokenStream {
            run(MacroKind::NakedAsm, Arch::$arch, Os::$os, input)
        }

        /// `core::arch::global_asm!`, checked. See the `checked-asm` crate for the
        /// guide.
        #[proc_macro]
        pub fn $global(input: TokenStream) -> TokenStream {
            run(MacroKind::GlobalAsm, Arch::$arch, Os::$os, input)
        }
    )*};
}

entry_points! {
    checked_asm_x86_64_linux checked_naked_asm_x86_64_linux checked_global_asm_x86_64_linux
        for X86_64 Linux;
    checked_asm_x86_linux checked_naked_asm_x86_linux checked_global_asm_x86_linux
        for X86 Linux;
    checked_asm_x86_64_freebsd checked_naked_asm_x86_64_freebsd checked_global_asm_x86_64_freebsd
        for X86_64 FreeBSD;
    checked_asm_x86_freebsd checked_naked_asm_x86_freebsd checked_global_asm_x86_freebsd
        for X86 FreeBSD;
    checked_asm_x86_64_windows checked_naked_asm_x86_64_windows checked_global_asm_x86_64_windows
        for X86_64 Windows;
    checked_asm_x86_windows checked_naked_asm_x86_windows checked_global_asm_x86_windows
        for X86 Windows;
    checked_asm_x86_64_other checked_naked_asm_x86_64_other checked_global_asm_x86_64_other
        for X86_64 Other;
    checked_asm_x86_other checked_naked_asm_x86_other checked_global_asm_x86_other
        for X86 Other;
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
