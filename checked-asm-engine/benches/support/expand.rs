//! The expansion as the proc macro runs it when building for x86_64 Linux, shared by
//! the `check` benchmark and the `profile` example (included with `#[path]`).

use checked_asm_engine::syntax::{MacroKind, NoIncludes};
use checked_asm_engine::x86::Arch;
use checked_asm_engine::x86::effects::Os;
use checked_asm_engine::{BuildTarget, Settings, expand_for};
use proc_macro2::TokenStream;

/// The whole expansion, as the macro runs it when building for x86_64 Linux.
pub fn expand(block: TokenStream) -> TokenStream {
    let target = BuildTarget {
        arch: Arch::X86_64,
        os: Os::Linux,
    };
    expand_for(
        MacroKind::Asm,
        block,
        &NoIncludes,
        Settings::default(),
        Some(target),
    )
}
