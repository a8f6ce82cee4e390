//! Diagnostics as values: level, message, primary span, notes and help, rendered in
//! one place ([`Diagnostic::to_compile_error`], and by the CLI in its own way).

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote_spanned};
use std::fmt;

/// A source range as two spans: stable proc macros cannot join spans, but rustc
/// reports an error on `start..end` when the `compile_error!` path carries `start` and
/// its argument group carries `end` (the technique of `syn::Error`).
#[derive(Clone, Copy, Debug)]
pub struct SpanRange {
    pub start: Span,
    pub end: Span,
}

impl SpanRange {
    pub fn single(span: Span) -> SpanRange {
        SpanRange {
            start: span,
            end: span,
        }
    }

    pub fn call_site() -> SpanRange {
        SpanRange::single(Span::call_site())
    }

    /// The range covered by a token stream (its first and last token).
    pub fn of_tokens(tokens: &TokenStream) -> Option<SpanRange> {
        let mut iter = tokens.clone().into_iter();
        let first = iter.next()?;
        let last = iter.last().unwrap_or_else(|| first.clone());
        Some(SpanRange {
            start: first.span(),
            end: last.span(),
        })
    }

    pub fn to(self, other: SpanRange) -> SpanRange {
        SpanRange {
            start: self.start,
            end: other.end,
        }
    }

    /// Line and column (1-based line, 0-based column) of the start, where known.
    pub fn line_column(&self) -> (usize, usize) {
        let lc = self.start.start();
        (lc.line, lc.column)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Error,
    Warning,
    Note,
}

/// Why a diagnostic exists: one of the spec's rules, or a front-end error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// The invocation is not valid `asm!` syntax (rustc rejects it while parsing).
    Syntax,
    /// The template cannot be evaluated (a macro we cannot see through, a missing file).
    Template,
    /// A placeholder in the template is invalid or unresolvable.
    Placeholder,
    /// A rule from `contract-rules.md` (`"R00"`..`"R21"`), or `"asm"` for assembler errors.
    Rule(&'static str),
    /// The template does not assemble: LLVM would reject it too.
    Assembler,
    /// The target is not x86 or x86_64.
    Target,
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Code::Syntax => f.write_str("syntax"),
            Code::Template => f.write_str("template"),
            Code::Placeholder => f.write_str("placeholder"),
            Code::Rule(r) => f.write_str(r),
            Code::Assembler => f.write_str("assembler"),
            Code::Target => f.write_str("target"),
        }
    }
}

/// One finding, ready to be rendered.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub level: Level,
    pub code: Code,
    pub message: String,
    pub span: SpanRange,
    /// Secondary spans with labels (rendered by the CLI; the macro can only show one span).
    pub labels: Vec<(SpanRange, String)>,
    pub notes: Vec<String>,
    /// Paste-ready fixes, each a sentence such as "add `out(\"edx\") _`".
    pub help: Vec<String>,
}

impl Diagnostic {
    pub fn error(code: Code, span: SpanRange, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Error,
            code,
            message: message.into(),
            span,
            labels: Vec::new(),
            notes: Vec::new(),
            help: Vec::new(),
        }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help.push(help.into());
        self
    }

    pub fn with_label(mut self, span: SpanRange, label: impl Into<String>) -> Diagnostic {
        self.labels.push((span, label.into()));
        self
    }

    /// The text of a `compile_error!`: headline, then `= note:` / `= help:` lines laid
    /// out as rustc lays out its own.
    pub fn render_message(&self) -> String {
        let mut text = String::new();
        if let Code::Rule(rule) = self.code {
            text.push_str(&format!("[checked-asm {rule}] "));
        }
        text.push_str(&self.message);
        // A `compile_error!` has one span: secondary labels become notes, after the
        // diagnostic's own notes, so each must read on its own.
        for note in self.notes.iter().chain(self.labels.iter().map(|l| &l.1)) {
            text.push_str(&format!("\n  = note: {}", indent_continuation(note)));
        }
        for help in &self.help {
            text.push_str(&format!("\n  = help: {}", indent_continuation(help)));
        }
        text
    }

    /// `::core::compile_error!{"..."}` spanning the primary range.
    pub fn to_compile_error(&self) -> TokenStream {
        let message = self.render_message();
        let SpanRange { start, end } = self.span;
        let path = quote_spanned!(start=> ::core::compile_error!);
        let arg = quote_spanned!(end=> { #message });
        let mut out = path;
        arg.to_tokens(&mut out);
        out
    }
}

fn indent_continuation(text: &str) -> String {
    text.replace('\n', "\n          ")
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        };
        write!(f, "{level}: {}", self.render_message())
    }
}
