//! The `asm!` grammar as plain data: what the caller wrote, ISA-neutral.
//!
//! [`parse::parse_invocation`] turns tokens into an [`AsmInvocation`]; no later stage
//! looks at tokens again. [`AsmInvocation::configure`] then selects the arguments that
//! are active under one cfg assignment and resolves the template placeholders exactly as
//! rustc does (r[asm.ts-args]), producing a [`ConfiguredAsm`].

pub mod cfg;
mod configure;
mod fast;
mod fast_args;
mod format;
pub mod parse;
mod stringify;
mod template;
#[cfg(test)]
mod test_tokens;

pub use cfg::{Cfg, CfgAssignment};
pub use configure::{ConfiguredAsm, ConfiguredOperand, ConfiguredPiece, Segment, quote_range};
pub use parse::{IncludeResolver, NoIncludes, parse_invocation};

use crate::diag::SpanRange;
use proc_macro2::Span;

/// Which of the three assembly macros was invoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MacroKind {
    /// `asm!`: inline assembly inside a function body.
    Asm,
    /// `naked_asm!`: the whole body of a `#[unsafe(naked)]` function.
    NakedAsm,
    /// `global_asm!`: module-level assembly.
    GlobalAsm,
}

impl MacroKind {
    /// The name of the `core::arch` macro this invocation expands to.
    pub fn core_macro(self) -> &'static str {
        match self {
            MacroKind::Asm => "asm",
            MacroKind::NakedAsm => "naked_asm",
            MacroKind::GlobalAsm => "global_asm",
        }
    }

    /// The path of the macro call the pass-through starts with,
    /// `::core::arch::<core_macro>!`, as text (the proc macro has the compiler lex it).
    pub fn core_path(self) -> &'static str {
        match self {
            MacroKind::Asm => "::core::arch::asm!",
            MacroKind::NakedAsm => "::core::arch::naked_asm!",
            MacroKind::GlobalAsm => "::core::arch::global_asm!",
        }
    }

    /// The name of our macro that checks this kind of invocation.
    pub fn checked_macro(self) -> &'static str {
        match self {
            MacroKind::Asm => "checked_asm",
            MacroKind::NakedAsm => "checked_naked_asm",
            MacroKind::GlobalAsm => "checked_global_asm",
        }
    }
}

/// One whole invocation, every argument kept with its `#[cfg]` and its span.
#[derive(Clone, Debug)]
pub struct AsmInvocation {
    pub kind: MacroKind,
    pub templates: Vec<TemplatePiece>,
    pub operands: Vec<Operand>,
    pub clobber_abis: Vec<ClobberAbi>,
    pub options: Vec<OptionsGroup>,
    /// `#![waive(...)]` markers at the start of the invocation.
    pub waivers: Vec<Waiver>,
    /// The span of the whole argument list, for errors about the invocation as a whole.
    pub span: SpanRange,
}

/// A rule waived for this block, with the mandatory reason (contract-rules.md §5).
#[derive(Clone, Debug)]
pub struct Waiver {
    /// Rule ids (`R10`) with their spans.
    pub rules: Vec<(String, Span)>,
    /// `callee_abi = "sysv64"`: the ABI opaque calls follow, instead of the target's C ABI.
    pub callee_abi: Option<String>,
    /// `kernel_abi = "linux"`: the system-call ABI kernel transfers follow, whatever
    /// `target_os` is.
    pub kernel_abi: Option<String>,
    pub reason: String,
    pub span: SpanRange,
}

impl AsmInvocation {
    /// An invocation with no arguments yet, whose argument list spans `span`.
    pub(crate) fn empty(kind: MacroKind, span: SpanRange) -> AsmInvocation {
        AsmInvocation {
            kind,
            templates: Vec::new(),
            operands: Vec::new(),
            clobber_abis: Vec::new(),
            options: Vec::new(),
            waivers: Vec::new(),
            span,
        }
    }

    pub fn callee_abi(&self) -> Option<&str> {
        self.waivers.iter().find_map(|w| w.callee_abi.as_deref())
    }

    pub fn kernel_abi(&self) -> Option<&str> {
        self.waivers.iter().find_map(|w| w.kernel_abi.as_deref())
    }

    pub fn waives(&self, rule: &str) -> bool {
        self.waivers
            .iter()
            .any(|w| w.rules.iter().any(|(r, _)| r == rule))
    }
}

/// The tokens after any leading `#![...]` markers: what `asm!` receives.
pub fn strip_waivers(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    use proc_macro2::TokenTree;
    let tts: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i + 2 < tts.len()
        && matches!(&tts[i], TokenTree::Punct(p) if p.as_char() == '#')
        && matches!(&tts[i + 1], TokenTree::Punct(p) if p.as_char() == '!')
        && matches!(&tts[i + 2], TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::Bracket)
    {
        i += 3;
    }
    tts.into_iter().skip(i).collect()
}

/// One template string argument after evaluation of the expression that produced it.
#[derive(Clone, Debug)]
pub struct TemplatePiece {
    pub cfg: Option<Cfg>,
    /// The string value, as rustc sees it.
    pub text: String,
    /// How it was written, which matters for error messages.
    pub origin: TemplateOrigin,
    pub span: SpanRange,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateOrigin {
    /// A string literal, cooked or raw, possibly through a macro_rules fragment.
    Literal,
    /// `concat!(...)`, `stringify!(...)` or `include_str!(...)` (the outermost macro).
    Macro(String),
}

/// An operand, `in(reg) x` or `name = out("eax") _` or `const N` etc.
#[derive(Clone, Debug)]
pub struct Operand {
    pub cfg: Option<Cfg>,
    pub name: Option<Name>,
    pub kind: OperandKind,
    pub span: SpanRange,
    /// Position in the argument list (templates count), for ordering rules.
    pub index: usize,
}

#[derive(Clone, Debug)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

/// The Rust expression of an operand, kept as text (for "same value" comparisons, r[asm.operand-type.supported-operands.in])
/// and span (for diagnostics).
#[derive(Clone, Debug)]
pub struct ExprRef {
    pub text: String,
    pub span: SpanRange,
}

impl PartialEq for ExprRef {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum OperandKind {
    In {
        reg: RegSpec,
        expr: ExprRef,
    },
    /// `out` (early) or `lateout` (late); `expr` is `None` for `_`.
    Out {
        reg: RegSpec,
        expr: Option<ExprRef>,
        late: bool,
    },
    /// `inout(reg) x` or `inlateout(reg) x`.
    InOut {
        reg: RegSpec,
        expr: ExprRef,
        late: bool,
    },
    /// `inout(reg) x => y`; `out_expr` is `None` for `=> _`.
    SplitInOut {
        reg: RegSpec,
        in_expr: ExprRef,
        out_expr: Option<ExprRef>,
        late: bool,
    },
    Const {
        expr: ExprRef,
    },
    Sym {
        path: ExprRef,
    },
    Label {
        block: ExprRef,
    },
}

impl OperandKind {
    pub fn reg(&self) -> Option<&RegSpec> {
        match self {
            OperandKind::In { reg, .. }
            | OperandKind::Out { reg, .. }
            | OperandKind::InOut { reg, .. }
            | OperandKind::SplitInOut { reg, .. } => Some(reg),
            _ => None,
        }
    }

    /// The operand as written, without its name: `in("eax") x`, `out(reg) _`.
    pub fn describe(&self) -> String {
        let reg = self
            .reg()
            .map(|r| format!("({})", r.as_written()))
            .unwrap_or_default();
        let value = match self {
            OperandKind::In { expr, .. } | OperandKind::InOut { expr, .. } => expr.text.clone(),
            OperandKind::Out { expr, .. } => expr.as_ref().map_or("_".into(), |e| e.text.clone()),
            OperandKind::SplitInOut {
                in_expr, out_expr, ..
            } => format!(
                "{} => {}",
                in_expr.text,
                out_expr.as_ref().map_or("_".into(), |e| e.text.clone())
            ),
            OperandKind::Const { expr } => expr.text.clone(),
            OperandKind::Sym { path } => path.text.clone(),
            OperandKind::Label { .. } => "{ ... }".into(),
        };
        format!("{}{reg} {value}", self.keyword())
    }

    /// The keyword the operand was written with.
    pub fn keyword(&self) -> &'static str {
        match self {
            OperandKind::In { .. } => "in",
            OperandKind::Out { late: false, .. } => "out",
            OperandKind::Out { late: true, .. } => "lateout",
            OperandKind::InOut { late: false, .. }
            | OperandKind::SplitInOut { late: false, .. } => "inout",
            OperandKind::InOut { late: true, .. } | OperandKind::SplitInOut { late: true, .. } => {
                "inlateout"
            }
            OperandKind::Const { .. } => "const",
            OperandKind::Sym { .. } => "sym",
            OperandKind::Label { .. } => "label",
        }
    }

    pub fn is_input(&self) -> bool {
        matches!(
            self,
            OperandKind::In { .. } | OperandKind::InOut { .. } | OperandKind::SplitInOut { .. }
        )
    }

    pub fn is_output(&self) -> bool {
        matches!(
            self,
            OperandKind::Out { .. } | OperandKind::InOut { .. } | OperandKind::SplitInOut { .. }
        )
    }

    /// An output whose value reaches a Rust place (not `_`).
    pub fn is_real_output(&self) -> bool {
        matches!(
            self,
            OperandKind::Out { expr: Some(_), .. }
                | OperandKind::InOut { .. }
                | OperandKind::SplitInOut {
                    out_expr: Some(_),
                    ..
                }
        )
    }

    pub fn is_late(&self) -> bool {
        matches!(
            self,
            OperandKind::Out { late: true, .. }
                | OperandKind::InOut { late: true, .. }
                | OperandKind::SplitInOut { late: true, .. }
        )
    }
}

/// `reg` (a register class) or `"eax"` (an explicit register). Equality ignores spans.
#[derive(Clone, Debug)]
pub enum RegSpec {
    Class { name: String, span: Span },
    Explicit { name: String, span: Span },
}

impl PartialEq for RegSpec {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (RegSpec::Class { name: a, .. }, RegSpec::Class { name: b, .. })
            | (RegSpec::Explicit { name: a, .. }, RegSpec::Explicit { name: b, .. }) => a == b,
            _ => false,
        }
    }
}

impl RegSpec {
    pub fn span(&self) -> Span {
        match self {
            RegSpec::Class { span, .. } | RegSpec::Explicit { span, .. } => *span,
        }
    }

    pub fn is_explicit(&self) -> bool {
        matches!(self, RegSpec::Explicit { .. })
    }

    /// As written in the operand: `reg` or `"eax"`.
    pub fn as_written(&self) -> String {
        match self {
            RegSpec::Class { name, .. } => name.clone(),
            RegSpec::Explicit { name, .. } => format!("\"{name}\""),
        }
    }
}

/// One `clobber_abi("C", "system")` argument.
#[derive(Clone, Debug)]
pub struct ClobberAbi {
    pub cfg: Option<Cfg>,
    pub abis: Vec<(String, Span)>,
    pub span: SpanRange,
    pub index: usize,
}

/// One `options(...)` argument.
#[derive(Clone, Debug)]
pub struct OptionsGroup {
    pub cfg: Option<Cfg>,
    pub options: Vec<(AsmOption, Span)>,
    pub span: SpanRange,
    pub index: usize,
}

/// The options of r[asm.options].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AsmOption {
    Pure,
    Nomem,
    Readonly,
    PreservesFlags,
    Noreturn,
    Nostack,
    AttSyntax,
    Raw,
    MayUnwind,
}

impl AsmOption {
    pub const ALL: [AsmOption; 9] = [
        AsmOption::Pure,
        AsmOption::Nomem,
        AsmOption::Readonly,
        AsmOption::PreservesFlags,
        AsmOption::Noreturn,
        AsmOption::Nostack,
        AsmOption::AttSyntax,
        AsmOption::Raw,
        AsmOption::MayUnwind,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AsmOption::Pure => "pure",
            AsmOption::Nomem => "nomem",
            AsmOption::Readonly => "readonly",
            AsmOption::PreservesFlags => "preserves_flags",
            AsmOption::Noreturn => "noreturn",
            AsmOption::Nostack => "nostack",
            AsmOption::AttSyntax => "att_syntax",
            AsmOption::Raw => "raw",
            AsmOption::MayUnwind => "may_unwind",
        }
    }

    pub fn from_name(name: &str) -> Option<AsmOption> {
        AsmOption::ALL.into_iter().find(|o| o.name() == name)
    }

    /// r[asm.options.global_asm-restriction]: `global_asm!` and `naked_asm!` accept
    /// only these.
    pub fn allowed_outside_functions(self) -> bool {
        matches!(self, AsmOption::AttSyntax | AsmOption::Raw)
    }
}

/// A set of options, as a small bit set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct OptionSet(u16);

impl OptionSet {
    pub fn contains(self, o: AsmOption) -> bool {
        self.0 & (1 << o as u16) != 0
    }

    pub fn insert(&mut self, o: AsmOption) {
        self.0 |= 1 << o as u16;
    }

    pub fn remove(&mut self, o: AsmOption) {
        self.0 &= !(1 << o as u16);
    }

    pub fn iter(self) -> impl Iterator<Item = AsmOption> {
        AsmOption::ALL
            .into_iter()
            .filter(move |o| self.contains(*o))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl FromIterator<AsmOption> for OptionSet {
    fn from_iter<I: IntoIterator<Item = AsmOption>>(iter: I) -> Self {
        let mut set = OptionSet::default();
        for o in iter {
            set.insert(o);
        }
        set
    }
}
