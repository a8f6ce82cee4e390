//! One cfg configuration of an invocation: the active arguments, rustc's validity rules
//! on them (the checks of `validate_asm_args` and `expand_preparsed_asm` in
//! compiler/rustc_builtin_macros/src/asm.rs), and the resolved template.

use super::format::{FormatError, Piece, Position, parse_pieces};
use super::*;
use crate::diag::{Code, Diagnostic, SpanRange};
use crate::hash::FastMap;
use std::ops::Range;

/// An invocation with its `#[cfg]`s decided and its template resolved: what the later
/// stages analyse.
#[derive(Clone, Debug)]
pub struct ConfiguredAsm {
    pub kind: MacroKind,
    pub pieces: Vec<ConfiguredPiece>,
    pub operands: Vec<ConfiguredOperand>,
    pub options: OptionSet,
    pub option_spans: Vec<(AsmOption, Span)>,
    pub clobber_abis: Vec<(String, Span)>,
    /// ABI overrides from a waiver (contract-rules.md §5).
    pub callee_abi: Option<String>,
    pub kernel_abi: Option<String>,
    pub span: SpanRange,
}

/// One active template piece; pieces are joined with `\n` (r[asm.ts-args.order]).
#[derive(Clone, Debug)]
pub struct ConfiguredPiece {
    pub segments: Vec<Segment>,
    pub span: SpanRange,
    pub origin: TemplateOrigin,
    /// The piece's text as written (after macro evaluation), for quoting in messages.
    pub text: String,
}

impl ConfiguredPiece {
    /// The text of a [`Segment::Text`] of this piece (empty for a placeholder).
    pub fn text_of(&self, segment: &Segment) -> &str {
        match segment {
            Segment::Text(range) => self.text.get(range.clone()).unwrap_or(""),
            Segment::Placeholder { .. } => "",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A byte range of the piece's text (`ConfiguredPiece::text`); see [`ConfiguredPiece::text_of`].
    Text(Range<usize>),
    Placeholder {
        /// Index into [`ConfiguredAsm::operands`].
        operand: usize,
        modifier: Option<char>,
        /// Byte range of `{...}` in the piece's text.
        range: Range<usize>,
    },
}

#[derive(Clone, Debug)]
pub struct ConfiguredOperand {
    pub name: Option<String>,
    pub kind: OperandKind,
    pub span: SpanRange,
}

impl ConfiguredAsm {
    pub fn has(&self, option: AsmOption) -> bool {
        self.options.contains(option)
    }

    pub fn option_span(&self, option: AsmOption) -> Option<Span> {
        self.option_spans
            .iter()
            .find(|(o, _)| *o == option)
            .map(|(_, s)| *s)
    }

    /// The template with every placeholder rendered by `render` (operand, modifier),
    /// pieces joined by newlines, as the assembler receives it.
    pub fn render(&self, mut render: impl FnMut(usize, Option<char>) -> String) -> String {
        let mut out = String::new();
        for (i, piece) in self.pieces.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            for seg in &piece.segments {
                match seg {
                    Segment::Text(_) => out.push_str(piece.text_of(seg)),
                    Segment::Placeholder {
                        operand, modifier, ..
                    } => out.push_str(&render(*operand, *modifier)),
                }
            }
        }
        out
    }
}

impl AsmInvocation {
    /// The atomic cfg options used anywhere in the invocation.
    pub fn cfg_atoms(&self) -> Vec<Cfg> {
        let mut atoms = Vec::new();
        let cfgs = self
            .templates
            .iter()
            .map(|t| &t.cfg)
            .chain(self.operands.iter().map(|o| &o.cfg))
            .chain(self.clobber_abis.iter().map(|c| &c.cfg))
            .chain(self.options.iter().map(|o| &o.cfg));
        for cfg in cfgs.flatten() {
            cfg.atoms(&mut atoms);
        }
        atoms
    }

    /// Decides the `#[cfg]`s, applies rustc's rules to what remains and resolves the
    /// template. All errors are returned, not just the first.
    pub fn configure(&self, assignment: &CfgAssignment) -> Result<ConfiguredAsm, Vec<Diagnostic>> {
        let active = |cfg: &Option<Cfg>| {
            cfg.as_ref()
                .is_none_or(|c| c.eval(assignment) != Some(false))
        };
        let mut errors = Vec::new();
        let templates: Vec<&TemplatePiece> =
            self.templates.iter().filter(|t| active(&t.cfg)).collect();
        let operands: Vec<&Operand> = self.operands.iter().filter(|o| active(&o.cfg)).collect();
        let abis: Vec<&ClobberAbi> = self
            .clobber_abis
            .iter()
            .filter(|c| active(&c.cfg))
            .collect();
        let groups: Vec<&OptionsGroup> = self.options.iter().filter(|o| active(&o.cfg)).collect();

        if templates.is_empty() {
            errors.push(Diagnostic::error(
                Code::Syntax,
                self.span,
                "requires at least a template string argument (every template string is cfg'd out here)",
            ));
        }
        check_order(&operands, &abis, &groups, &mut errors);
        let (options, option_spans) = collect_options(self.kind, &groups, &mut errors);
        check_operand_kinds(self.kind, &operands, &mut errors);
        check_option_rules(self.kind, &operands, &abis, &groups, options, &mut errors);

        let configured_operands: Vec<ConfiguredOperand> = operands
            .iter()
            .map(|o| ConfiguredOperand {
                name: o.name.as_ref().map(|n| n.text.clone()),
                kind: o.kind.clone(),
                span: o.span,
            })
            .collect();
        let pieces = resolve_template(&templates, &operands, options, &mut errors);

        if errors.is_empty() {
            Ok(ConfiguredAsm {
                kind: self.kind,
                pieces,
                operands: configured_operands,
                options,
                option_spans,
                clobber_abis: abis.iter().flat_map(|c| c.abis.iter().cloned()).collect(),
                callee_abi: self.callee_abi().map(str::to_string),
                kernel_abi: self.kernel_abi().map(str::to_string),
                span: self.span,
            })
        } else {
            Err(errors)
        }
    }
}

fn syntax_error(span: SpanRange, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::Syntax, span, message)
}

/// r[asm.syntax]: positional, then named, then explicit-register operands; no operand
/// after `clobber_abi` or `options`; no `clobber_abi` after `options`.
fn check_order(
    operands: &[&Operand],
    abis: &[&ClobberAbi],
    groups: &[&OptionsGroup],
    errors: &mut Vec<Diagnostic>,
) {
    let first_options = groups.iter().map(|g| g.index).min();
    let first_abi = abis.iter().map(|a| a.index).min();
    let mut seen_named = false;
    let mut seen_explicit = false;
    let mut names: FastMap<&str, SpanRange> = FastMap::default();
    for op in operands {
        if first_options.is_some_and(|i| i < op.index) {
            errors.push(
                syntax_error(op.span, "operands are not allowed after `options(...)`")
                    .with_help("move `options(...)` to the end of the invocation"),
            );
        } else if first_abi.is_some_and(|i| i < op.index) {
            errors.push(
                syntax_error(op.span, "operands are not allowed after `clobber_abi(...)`")
                    .with_help("move `clobber_abi(...)` after the last operand"),
            );
        }
        let explicit = op.kind.reg().is_some_and(RegSpec::is_explicit);
        if explicit {
            if let Some(name) = &op.name {
                errors.push(
                    syntax_error(op.span, "explicit register operands cannot have names")
                        .with_help(format!("remove `{} =`: explicit registers cannot be used in the template anyway", name.text)),
                );
            }
            seen_explicit = true;
        } else if let Some(name) = &op.name {
            if let Some(prev) = names.get(name.text.as_str()) {
                errors.push(
                    syntax_error(op.span, format!("duplicate operand named `{}`", name.text))
                        .with_label(*prev, "previously defined here"),
                );
            }
            names.insert(&name.text, op.span);
            if seen_explicit {
                errors.push(
                    syntax_error(
                        op.span,
                        "named operands cannot follow explicit register operands",
                    )
                    .with_help("move the named operand before the explicit register operands"),
                );
            }
            seen_named = true;
        } else if seen_named || seen_explicit {
            errors.push(
                syntax_error(
                    op.span,
                    "positional operands cannot follow named operands or explicit register operands",
                )
                .with_help("put positional operands first, then named ones, then explicit registers"),
            );
        }
    }
    if let (Some(abi), Some(opts)) = (
        abis.iter()
            .find(|a| first_options.is_some_and(|o| o < a.index)),
        first_options,
    ) {
        let _ = opts;
        errors.push(
            syntax_error(
                abi.span,
                "`clobber_abi(...)` is not allowed after `options(...)`",
            )
            .with_help("move `clobber_abi(...)` before `options(...)`"),
        );
    }
}

fn collect_options(
    kind: MacroKind,
    groups: &[&OptionsGroup],
    errors: &mut Vec<Diagnostic>,
) -> (OptionSet, Vec<(AsmOption, Span)>) {
    let mut set = OptionSet::default();
    let mut spans = Vec::new();
    for group in groups {
        for &(option, span) in &group.options {
            let here = SpanRange::single(span);
            if set.contains(option) {
                errors.push(
                    syntax_error(
                        here,
                        format!("the `{}` option was already provided", option.name()),
                    )
                    .with_help("remove this option"),
                );
                continue;
            }
            if kind != MacroKind::Asm && !option.allowed_outside_functions() {
                errors.push(
                    syntax_error(
                        here,
                        format!("the `{}` option cannot be used with `{}!`", option.name(), kind.checked_macro()),
                    )
                    .with_note(format!(
                        "`{}!` only accepts `att_syntax` and `raw`: the other options describe how a block \
                         inside a function interacts with the compiler's code around it",
                        kind.checked_macro()
                    )),
                );
                continue;
            }
            if option == AsmOption::MayUnwind {
                errors.push(
                    syntax_error(here, "the `may_unwind` option is unstable")
                        .with_note("see issue #93334 <https://github.com/rust-lang/rust/issues/93334>; \
                                    it needs `#![feature(asm_unwind)]`, which stable Rust 1.95 rejects"),
                );
            }
            set.insert(option);
            spans.push((option, span));
        }
    }
    (set, spans)
}

fn check_operand_kinds(kind: MacroKind, operands: &[&Operand], errors: &mut Vec<Diagnostic>) {
    if kind == MacroKind::Asm {
        return;
    }
    for op in operands {
        if !matches!(op.kind, OperandKind::Const { .. } | OperandKind::Sym { .. }) {
            errors.push(
                syntax_error(
                    op.span,
                    format!("the `{}` operand cannot be used with `{}!`", op.kind.keyword(), kind.checked_macro()),
                )
                .with_note(format!(
                    "`{}!` accepts only `const` and `sym` operands: there is no surrounding Rust code \
                     to pass registers to or from",
                    kind.checked_macro()
                )),
            );
        }
    }
}

/// r[asm.options.checks]: the option combinations rustc rejects.
fn check_option_rules(
    kind: MacroKind,
    operands: &[&Operand],
    abis: &[&ClobberAbi],
    groups: &[&OptionsGroup],
    options: OptionSet,
    errors: &mut Vec<Diagnostic>,
) {
    let options_span = groups
        .first()
        .map(|g| g.span.to(groups.last().expect("non-empty").span))
        .unwrap_or_else(SpanRange::call_site);
    let rule = |msg: &str| Diagnostic::error(Code::Rule("R00"), options_span, msg);
    if options.contains(AsmOption::Nomem) && options.contains(AsmOption::Readonly) {
        errors.push(
            rule("the `nomem` and `readonly` options are mutually exclusive").with_help(
                "keep `nomem` if the block touches no memory, `readonly` if it only reads",
            ),
        );
    }
    if options.contains(AsmOption::Pure) && options.contains(AsmOption::Noreturn) {
        errors.push(rule("the `pure` and `noreturn` options are mutually exclusive")
            .with_note("`pure` lets the compiler delete the block when its outputs are unused; a block that never returns has no outputs to use"));
    }
    if options.contains(AsmOption::Pure)
        && !options.contains(AsmOption::Nomem)
        && !options.contains(AsmOption::Readonly)
    {
        errors.push(
            rule("the `pure` option must be combined with either `nomem` or `readonly`").with_help(
                "add `nomem` if the block touches no memory, or `readonly` if it only reads memory",
            ),
        );
    }
    let has_real_output = operands.iter().any(|o| o.kind.is_real_output());
    if options.contains(AsmOption::Pure) && !has_real_output {
        errors.push(
            rule("asm with the `pure` option must have at least one output")
                .with_note("a `pure` block without outputs would be deleted by the compiler"),
        );
    }
    let has_label = operands
        .iter()
        .any(|o| matches!(o.kind, OperandKind::Label { .. }));
    if options.contains(AsmOption::Noreturn) && !has_label {
        for op in operands.iter().filter(|o| o.kind.is_output()) {
            errors.push(
                Diagnostic::error(
                    Code::Rule("R00"),
                    op.span,
                    "asm outputs are not allowed with the `noreturn` option",
                )
                .with_note("a block that never returns never delivers its outputs"),
            );
        }
    }
    if has_label {
        for op in operands.iter().filter(|o| o.kind.is_real_output()) {
            errors.push(
                Diagnostic::error(
                    Code::Rule("R00"),
                    op.span,
                    "using both label and output operands for inline assembly is unstable",
                )
                .with_note("see issue #119364 <https://github.com/rust-lang/rust/issues/119364>; discarded outputs (`out(\"rax\") _`) are accepted"),
            );
        }
    }
    if !abis.is_empty() {
        if kind != MacroKind::Asm {
            for abi in abis {
                errors.push(syntax_error(
                    abi.span,
                    format!(
                        "`clobber_abi` cannot be used with `{}!`",
                        kind.checked_macro()
                    ),
                ));
            }
        } else {
            for op in operands
                .iter()
                .filter(|o| o.kind.is_output() && !o.kind.reg().is_some_and(RegSpec::is_explicit))
            {
                errors.push(
                    Diagnostic::error(
                        Code::Rule("R00"),
                        op.span,
                        "asm with `clobber_abi` must specify explicit registers for outputs",
                    )
                    .with_note(
                        "the compiler could allocate this output to a register the ABI clobbers",
                    )
                    .with_help("name the register, e.g. `out(\"rax\") x` instead of `out(reg) x`"),
                );
            }
        }
    }
}

fn resolve_template(
    templates: &[&TemplatePiece],
    operands: &[&Operand],
    options: OptionSet,
    errors: &mut Vec<Diagnostic>,
) -> Vec<ConfiguredPiece> {
    let mut used = vec![false; operands.len()];
    let mut names: FastMap<&str, usize> = FastMap::default();
    for (i, op) in operands.iter().enumerate() {
        if op.kind.reg().is_some_and(RegSpec::is_explicit) {
            // r[asm.operand-type.explicit]: never referenced, always "used".
            used[i] = true;
        } else if let Some(n) = &op.name {
            names.entry(&n.text).or_insert(i);
        }
    }
    let mut curarg = 0usize;
    let mut pieces = Vec::with_capacity(templates.len());
    for piece in templates {
        let mut segments = Vec::new();
        if options.contains(AsmOption::Raw) {
            segments.push(Segment::Text(0..piece.text.len()));
        } else {
            match parse_pieces(&piece.text, &mut curarg) {
                Err(FormatError {
                    message,
                    note,
                    range,
                }) => {
                    let mut d =
                        Diagnostic::error(Code::Placeholder, piece.span, message).with_note(
                            format!("in the template: {}", quote_range(&piece.text, range)),
                        );
                    if let Some(n) = note {
                        d = d.with_help(n);
                    }
                    errors.push(d);
                }
                Ok(parsed) => {
                    segments.reserve_exact(parsed.len());
                    for p in parsed {
                        match p {
                            Piece::Text(t) => segments.push(Segment::Text(t)),
                            Piece::Arg {
                                position,
                                modifier,
                                range,
                            } => {
                                if let Some(idx) = resolve_position(
                                    &position, operands, &names, piece, &range, errors,
                                ) {
                                    used[idx] = true;
                                    let modifier = check_modifier(modifier, piece, &range, errors);
                                    segments.push(Segment::Placeholder {
                                        operand: idx,
                                        modifier,
                                        range,
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
        pieces.push(ConfiguredPiece {
            segments,
            span: piece.span,
            origin: piece.origin.clone(),
            text: piece.text.clone(),
        });
    }
    // An unused operand right after another template error is usually the same
    // mistake seen twice (a typo in `{name}`): report it only on its own.
    if !options.contains(AsmOption::Raw) && errors.is_empty() {
        for (i, op) in operands.iter().enumerate().filter(|(i, _)| !used[*i]) {
            let (what, reference) = match &op.name {
                Some(n) => (
                    format!("named operand `{}` is never used", n.text),
                    format!("{{{}}}", n.text),
                ),
                None => (format!("operand {i} is never used"), format!("{{{i}}}")),
            };
            errors.push(
                Diagnostic::error(Code::Placeholder, op.span, format!("{what} in the template"))
                    .with_help(format!(
                        "if it is intentionally unused, use it in an asm comment: `\"/* {reference} */\"`"
                    )),
            );
        }
    }
    pieces
}

fn resolve_position(
    position: &Position,
    operands: &[&Operand],
    names: &FastMap<&str, usize>,
    piece: &TemplatePiece,
    range: &Range<usize>,
    errors: &mut Vec<Diagnostic>,
) -> Option<usize> {
    let here = || quote_range(&piece.text, range.clone());
    match position {
        Position::Implicit(idx) | Position::Index(idx) => {
            let positional = operands
                .iter()
                .filter(|o| o.name.is_none() && !o.kind.reg().is_some_and(RegSpec::is_explicit))
                .count();
            match operands.get(*idx) {
                Some(op)
                    if op.name.is_none() && !op.kind.reg().is_some_and(RegSpec::is_explicit) =>
                {
                    Some(*idx)
                }
                other => {
                    let count = match positional {
                        0 => "no positional operands were given".to_string(),
                        1 => "there is 1 positional operand".to_string(),
                        n => format!("there are {n} positional operands"),
                    };
                    let mut d = Diagnostic::error(
                        Code::Placeholder,
                        piece.span,
                        format!("invalid reference to operand at index {idx}"),
                    )
                    .with_note(format!("in the template: {}", here()))
                    .with_note(count);
                    if let Some(op) = other {
                        d = if let Some(n) = &op.name {
                            d.with_label(op.span, "named operands cannot be referenced by position")
                                .with_help(format!("write `{{{}}}`", n.text))
                        } else {
                            d.with_label(op.span, "explicit register operands cannot be used in the template")
                                .with_help("write the register name itself in the template, or use a register class operand")
                        };
                    }
                    errors.push(d);
                    None
                }
            }
        }
        Position::Name(name) => match names.get(name) {
            Some(&idx) => Some(idx),
            None => {
                let mut known: Vec<&str> = names.keys().copied().collect();
                known.sort_unstable();
                let mut d = Diagnostic::error(
                    Code::Placeholder,
                    piece.span,
                    format!("there is no operand named `{name}`"),
                )
                .with_note(format!("in the template: {}", here()));
                d = if known.is_empty() {
                    d.with_help(format!(
                        "add a named operand, e.g. `{name} = in(reg) value`"
                    ))
                } else {
                    d.with_note(format!(
                        "the named operands are: {}",
                        known
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                };
                errors.push(d);
                None
            }
        },
    }
}

fn check_modifier(
    modifier: Option<&str>,
    piece: &TemplatePiece,
    range: &Range<usize>,
    errors: &mut Vec<Diagnostic>,
) -> Option<char> {
    let m = modifier?;
    let mut chars = m.chars();
    let first = chars.next();
    if chars.next().is_some() {
        errors.push(
            Diagnostic::error(
                Code::Placeholder,
                piece.span,
                "asm template modifier must be a single character",
            )
            .with_note(format!(
                "in the template: {}",
                quote_range(&piece.text, range.clone())
            )),
        );
        return None;
    }
    first
}

/// `…text «{x}» text…`, one line of context around a byte range.
pub fn quote_range(text: &str, range: Range<usize>) -> String {
    let start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[range.end..]
        .find('\n')
        .map_or(text.len(), |i| range.end + i);
    format!("`{}`", &text[start..end].trim())
}
