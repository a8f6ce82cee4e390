//! Tokens to [`AsmInvocation`], following rustc's `parse_asm_args`
//! (compiler/rustc_parse/src/parser/asm.rs) so that we accept exactly what it accepts.
//!
//! Errors that stop parsing (the grammar cannot continue) are returned; checks that
//! depend on which `#[cfg]` arguments are active live in `configure`.

use super::cfg::Cfg;
use super::fast::{
    is_str_literal, parse_str_value, peek_lit_str, plain_ident, plain_literal, simple_expr_len,
};
use super::template::eval_template;
use super::*;
use crate::diag::{Code, Diagnostic, SpanRange};
use proc_macro2::{Delimiter, Span, TokenStream};
use quote::ToTokens;
use syn::buffer::Cursor;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Expr, Ident, LitStr, Token};

/// Reads the file named by `include_str!`. The macro resolves paths relative to the
/// file that contains the `include_str!` tokens (`Span::local_file`); the CLI relative
/// to the file it scans.
pub trait IncludeResolver {
    fn read(&self, span: Span, path: &str) -> Result<String, String>;
}

/// A resolver for contexts without files (tests, `infer` on stdin).
pub struct NoIncludes;

impl IncludeResolver for NoIncludes {
    fn read(&self, _span: Span, path: &str) -> Result<String, String> {
        Err(format!(
            "`include_str!(\"{path}\")` cannot be read here: no source file is known"
        ))
    }
}

/// Parses the arguments of one `asm!`-family invocation.
pub fn parse_invocation(
    kind: MacroKind,
    tokens: TokenStream,
    includes: &dyn IncludeResolver,
) -> Result<AsmInvocation, Vec<Diagnostic>> {
    parse_invocation_with(kind, tokens, includes, true)
}

/// [`parse_invocation`], with the fast argument reader tried first or (`fast: false`,
/// for the tests that hold the two to the same answers) not at all.
pub(super) fn parse_invocation_with(
    kind: MacroKind,
    tokens: TokenStream,
    includes: &dyn IncludeResolver,
    fast: bool,
) -> Result<AsmInvocation, Vec<Diagnostic>> {
    let parser = |input: ParseStream| {
        if fast {
            // All the arguments or none: the reader declines at the first shape it does
            // not model, and syn reads them from the start.
            let read = input.step(|cursor| {
                Ok(match super::fast_args::args(*cursor, kind) {
                    Some((inv, end)) => (Some(inv), end),
                    None => (None, *cursor),
                })
            })?;
            if let Some(inv) = read {
                return Ok(inv);
            }
        }
        let span = span_of_rest(input.cursor()).unwrap_or_else(SpanRange::call_site);
        parse_args(input, kind, includes, span)
    };
    match parser.parse2(tokens) {
        Ok(inv) => Ok(inv),
        Err(err) => Err(err.into_iter().map(syn_error_to_diagnostic).collect()),
    }
}

/// `SpanRange::of_tokens` of the tokens from `cursor` to the end, read from syn's buffer
/// (the stream itself would be cloned and walked through the compiler's bridge again).
fn span_of_rest(cursor: Cursor) -> Option<SpanRange> {
    let (first, mut rest) = cursor.token_tree()?;
    let start = first.span();
    let mut end = start;
    while let Some((tt, next)) = rest.token_tree() {
        end = tt.span();
        rest = next;
    }
    Some(SpanRange { start, end })
}

fn syn_error_to_diagnostic(err: syn::Error) -> Diagnostic {
    // syn::Error keeps its own start/end spans; recover them from its tokens.
    let tokens = err.to_compile_error();
    let span = SpanRange::of_tokens(&tokens).unwrap_or_else(SpanRange::call_site);
    Diagnostic::error(Code::Syntax, span, err.to_string())
}

fn parse_args(
    input: ParseStream,
    kind: MacroKind,
    includes: &dyn IncludeResolver,
    whole: SpanRange,
) -> syn::Result<AsmInvocation> {
    let mut inv = AsmInvocation::empty(kind, whole);
    inv.waivers = parse_waivers(input)?;
    if input.is_empty() {
        return Err(syn::Error::new(
            Span::call_site(),
            "requires at least a template string argument",
        ));
    }
    let mut index = 0usize;
    let cfg = parse_attrs(input)?;
    inv.templates.push(parse_template(input, cfg, includes)?);
    let mut allow_templates = true;
    loop {
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected `,` between the arguments of the assembly macro",
            )
        })?;
        if input.is_empty() {
            break; // trailing comma
        }
        index += 1;
        let cfg = parse_attrs(input)?;
        let begin = input.cursor();
        let start = input.span();

        if peek_keyword_group(input, "clobber_abi") {
            let kw: Ident = input.parse()?;
            let content;
            let paren = syn::parenthesized!(content in input);
            let mut abis = Vec::new();
            while !content.is_empty() {
                let lit: LitStr = content.parse().map_err(|e| {
                    syn::Error::new(e.span(), "expected string literal in `clobber_abi(...)`")
                })?;
                abis.push((lit.value(), lit.span()));
                if content.is_empty() {
                    break;
                }
                content.parse::<Token![,]>()?;
            }
            if abis.is_empty() {
                return Err(syn::Error::new(
                    paren.span.join(),
                    "at least one abi must be provided as an argument to `clobber_abi`",
                ));
            }
            let span = SpanRange {
                start: kw.span(),
                end: paren.span.close(),
            };
            inv.clobber_abis.push(ClobberAbi {
                cfg,
                abis,
                span,
                index,
            });
            allow_templates = false;
            continue;
        }

        if peek_keyword_group(input, "options") {
            let kw: Ident = input.parse()?;
            let content;
            let paren = syn::parenthesized!(content in input);
            let mut options = Vec::new();
            while !content.is_empty() {
                let ident = content.call(Ident::parse_any)?;
                let name = ident.to_string();
                let Some(option) = AsmOption::from_name(&name) else {
                    return Err(syn::Error::new(
                        ident.span(),
                        format!(
                            "expected one of `att_syntax`, `may_unwind`, `nomem`, `noreturn`, \
                             `nostack`, `preserves_flags`, `pure`, `raw` or `readonly`, found `{name}`"
                        ),
                    ));
                };
                options.push((option, ident.span()));
                if content.is_empty() {
                    break;
                }
                content.parse::<Token![,]>()?;
            }
            let span = SpanRange {
                start: kw.span(),
                end: paren.span.close(),
            };
            inv.options.push(OptionsGroup {
                cfg,
                options,
                span,
                index,
            });
            allow_templates = false;
            continue;
        }

        // `name = <operand>`; `==` is not a name.
        let name = if peek_name(input) {
            let ident = input.call(Ident::parse_any)?;
            input.parse::<Token![=]>()?;
            allow_templates = false;
            Some(Name {
                text: ident.to_string(),
                span: ident.span(),
            })
        } else {
            None
        };

        let kind = if let Some(kind) = parse_operand(input)? {
            kind
        } else if allow_templates && name.is_none() {
            inv.templates.push(parse_template(input, cfg, includes)?);
            continue;
        } else {
            let what = if kind_is_global(kind) {
                "expected operand, options, or additional template string"
            } else if allow_templates {
                "expected operand, clobber_abi, options, or additional template string"
            } else {
                "expected operand, clobber_abi or options (template strings must come before all other arguments)"
            };
            return Err(input.error(what));
        };
        allow_templates = false;
        let end = last_consumed_span(begin, input.cursor());
        inv.operands.push(Operand {
            cfg,
            name,
            kind,
            span: SpanRange { start, end },
            index,
        });
    }
    Ok(inv)
}

/// `ident =` next but not `ident ==`: what `input.peek(Ident::peek_any) &&
/// input.peek2(Token![=]) && !input.peek2(Token![==])` answers, from one cursor walk
/// (syn's `=` peek matches any `=`, also the first of `==` or `=>`).
fn peek_name(input: ParseStream) -> bool {
    let Some((_, rest)) = input.cursor().ident() else {
        return false;
    };
    match rest.punct() {
        Some((eq, next)) if eq.as_char() == '=' => {
            !(eq.spacing() == proc_macro2::Spacing::Joint
                && next.punct().is_some_and(|(p, _)| p.as_char() == '='))
        }
        _ => false,
    }
}

fn kind_is_global(kind: MacroKind) -> bool {
    kind != MacroKind::Asm
}

/// The span of the last token tree between two cursors of the same stream.
pub(super) fn last_consumed_span(begin: Cursor, end: Cursor) -> Span {
    let mut last = begin.span();
    let mut cursor = begin;
    while cursor != end {
        match cursor.token_tree() {
            Some((tt, next)) => {
                last = tt.span();
                cursor = next;
            }
            None => break,
        }
    }
    last
}

/// `keyword(` next, read from the cursor (as `Ident::parse_any` on a fork would, through
/// invisible groups, without the fork).
fn peek_keyword_group(input: ParseStream, keyword: &str) -> bool {
    input.cursor().ident().is_some_and(|(ident, rest)| {
        ident == keyword && rest.group(Delimiter::Parenthesis).is_some()
    })
}

/// Parses an operand after its optional name, or returns `None` if the next tokens are
/// not an operand keyword.
fn parse_operand(input: ParseStream) -> syn::Result<Option<OperandKind>> {
    let Some((keyword, after)) = input.cursor().ident() else {
        return Ok(None);
    };
    let keyword = keyword.to_string();
    let needs_reg = matches!(
        keyword.as_str(),
        "in" | "out" | "lateout" | "inout" | "inlateout"
    );
    if needs_reg && after.group(Delimiter::Parenthesis).is_none() {
        return Ok(None);
    }
    match keyword.as_str() {
        "in" | "out" | "lateout" | "inout" | "inlateout" => {}
        "const" | "sym" => {}
        "label" if after.group(Delimiter::Brace).is_some() => {}
        _ => return Ok(None),
    }
    input.call(Ident::parse_any)?;
    let operand = match keyword.as_str() {
        "in" => {
            let reg = parse_reg(input)?;
            reject_underscore(input)?;
            OperandKind::In {
                reg,
                expr: parse_expr(input)?,
            }
        }
        "out" | "lateout" => {
            let reg = parse_reg(input)?;
            let expr = parse_optional_expr(input)?;
            OperandKind::Out {
                reg,
                expr,
                late: keyword == "lateout",
            }
        }
        "inout" | "inlateout" => {
            let late = keyword == "inlateout";
            let reg = parse_reg(input)?;
            reject_underscore(input)?;
            let expr = parse_expr(input)?;
            if input.peek(Token![=>]) {
                input.parse::<Token![=>]>()?;
                let out_expr = parse_optional_expr(input)?;
                OperandKind::SplitInOut {
                    reg,
                    in_expr: expr,
                    out_expr,
                    late,
                }
            } else {
                OperandKind::InOut { reg, expr, late }
            }
        }
        "const" => OperandKind::Const {
            expr: parse_expr(input)?,
        },
        "sym" => {
            let expr: Expr = input.parse()?;
            if !matches!(strip_groups(&expr), Expr::Path(_)) {
                return Err(syn::Error::new_spanned(
                    &expr,
                    "argument to `sym` must be a path expression",
                ));
            }
            OperandKind::Sym {
                path: expr_ref(&expr),
            }
        }
        "label" => {
            let block: syn::Block = input.parse()?;
            OperandKind::Label {
                block: expr_ref(&block),
            }
        }
        _ => unreachable!("keyword list checked above"),
    };
    Ok(Some(operand))
}

fn strip_groups(expr: &Expr) -> &Expr {
    match expr {
        Expr::Group(g) => strip_groups(&g.expr),
        other => other,
    }
}

fn reject_underscore(input: ParseStream) -> syn::Result<()> {
    if input.peek(Token![_]) {
        return Err(input.error(
            "_ cannot be used for input operands\n  = help: an input needs a value; to declare a register \
             the block overwrites, write `out(\"<reg>\") _` (or `lateout`)",
        ));
    }
    Ok(())
}

/// An output's place, or `_` for none. As in rustc's `parse_asm_operand`, `_` is taken
/// alone: `out(reg) _ as u8` is an error at `as`, not an expression `_ as u8`.
fn parse_optional_expr(input: ParseStream) -> syn::Result<Option<ExprRef>> {
    if input.peek(Token![_]) {
        input.parse::<Token![_]>()?;
        return Ok(None);
    }
    parse_expr(input).map(Some)
}

pub(super) fn parse_expr(input: ParseStream) -> syn::Result<ExprRef> {
    let simple = input.step(|cursor| {
        Ok(match simple_expr(*cursor) {
            Some((expr, rest)) => (Some(expr), rest),
            None => (None, *cursor),
        })
    })?;
    match simple {
        Some(expr) => Ok(expr),
        None => parse_expr_with_syn(input),
    }
}

/// The operand expression at `cursor` and the cursor after it, when it has one of the
/// shapes [`simple_expr_len`] reads (the fast argument parser shares it).
pub(super) fn simple_expr(cursor: Cursor) -> Option<(ExprRef, Cursor)> {
    let len = simple_expr_len(cursor)?;
    // A lone name (`port`, `v`), the commonest operand: its text and span directly.
    if len == 1
        && let Some((ident, rest)) = plain_ident(cursor)
    {
        let expr = ExprRef {
            text: ident.to_string(),
            span: SpanRange::single(ident.span()),
        };
        return Some((expr, rest));
    }
    let mut tokens = TokenStream::new();
    let mut rest = cursor;
    for _ in 0..len {
        let (tt, next) = rest.token_tree().expect("simple_expr_len counted it");
        tokens.extend([tt]);
        rest = next;
    }
    Some((expr_ref(&tokens), rest))
}

pub(super) fn parse_expr_with_syn(input: ParseStream) -> syn::Result<ExprRef> {
    let expr: Expr = input.parse()?;
    Ok(expr_ref(&expr))
}

fn expr_ref<T: ToTokens>(node: &T) -> ExprRef {
    let tokens = node.to_token_stream();
    let span = SpanRange::of_tokens(&tokens).unwrap_or_else(|| SpanRange::single(node_span(node)));
    // Printed as rustc prints tokens (no space where the source had none), so that
    // messages quote `&x`, not `& x`.
    ExprRef {
        text: super::stringify::stringify_tokens(&tokens),
        span,
    }
}

fn node_span<T: ToTokens>(node: &T) -> Span {
    node.to_token_stream().span()
}

fn parse_reg(input: ParseStream) -> syn::Result<RegSpec> {
    let content;
    syn::parenthesized!(content in input);
    let spec = if peek_lit_str(&content) {
        let (name, span) = parse_str_value(&content)?;
        RegSpec::Explicit { name, span }
    } else if content.peek(Ident::peek_any) {
        let ident = content.call(Ident::parse_any)?;
        RegSpec::Class {
            name: ident.to_string(),
            span: ident.span(),
        }
    } else {
        return Err(content.error("expected register class or explicit register"));
    };
    if !content.is_empty() {
        return Err(content.error("expected `)` after the register class or explicit register"));
    }
    Ok(spec)
}

fn parse_template(
    input: ParseStream,
    cfg: Option<Cfg>,
    includes: &dyn IncludeResolver,
) -> syn::Result<TemplatePiece> {
    // Most pieces are a plain string literal: read it without building an expression
    // and printing it back for its span (the same text, origin and span as below).
    let lone_literal = plain_literal(input.cursor()).is_some_and(|(lit, rest)| {
        is_str_literal(&lit)
            && (rest.eof() || rest.punct().is_some_and(|(p, _)| p.as_char() == ','))
    });
    if lone_literal {
        let (text, span) = parse_str_value(input)?;
        return Ok(TemplatePiece {
            cfg,
            text,
            origin: TemplateOrigin::Literal,
            span: SpanRange::single(span),
        });
    }
    let expr: Expr = input.parse()?;
    let tokens = expr.to_token_stream();
    let span = SpanRange::of_tokens(&tokens).unwrap_or_else(SpanRange::call_site);
    let (text, origin) = eval_template(&expr, includes)?;
    Ok(TemplatePiece {
        cfg,
        text,
        origin,
        span,
    })
}

/// Leading `#![waive(R10, reason = "...")]` markers (contract-rules.md §5). They are
/// checked-asm's own syntax and are removed before the tokens reach `asm!`.
fn parse_waivers(input: ParseStream) -> syn::Result<Vec<Waiver>> {
    let mut waivers = Vec::new();
    while input.peek(Token![#]) && input.peek2(Token![!]) {
        let attr = input.call(syn::Attribute::parse_inner)?;
        for attr in attr {
            if !attr.path().is_ident("waive") {
                return Err(syn::Error::new_spanned(
                    attr.path(),
                    "unknown checked-asm marker: the only inner attribute is `#![waive(R.., callee_abi = \"...\", kernel_abi = \"...\", reason = \"...\")]`",
                ));
            }
            let mut rules = Vec::new();
            let mut reason = None;
            let mut callee_abi = None;
            let mut kernel_abi = None;
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("reason") {
                    let lit: LitStr = meta.value()?.parse()?;
                    reason = Some(lit.value());
                    return Ok(());
                }
                // ABI overrides (contract-rules.md §5): the model of calls and of kernel
                // transfers, when the target's default is not what runs.
                if meta.path.is_ident("callee_abi") {
                    let lit: LitStr = meta.value()?.parse()?;
                    const ABIS: [&str; 8] = [
                        "C", "system", "efiapi", "win64", "sysv64", "cdecl", "stdcall", "fastcall",
                    ];
                    if !ABIS.contains(&lit.value().as_str()) {
                        return Err(syn::Error::new(
                            lit.span(),
                            format!("unknown callee ABI: use one of {}", ABIS.join(", ")),
                        ));
                    }
                    callee_abi = Some(lit.value());
                    return Ok(());
                }
                if meta.path.is_ident("kernel_abi") {
                    let lit: LitStr = meta.value()?.parse()?;
                    if !matches!(lit.value().as_str(), "linux" | "freebsd") {
                        return Err(syn::Error::new(
                            lit.span(),
                            "unknown kernel ABI: checked-asm models `linux` and `freebsd`",
                        ));
                    }
                    kernel_abi = Some(lit.value());
                    return Ok(());
                }
                let Some(ident) = meta.path.get_ident() else {
                    return Err(meta.error("expected a rule id such as `R10`"));
                };
                let id = ident.to_string();
                // R10u is a warning, but an error in strict mode, where only a waiver
                // can lift it for one block.
                let valid = id == "R10u"
                    || id.len() == 3
                        && id.starts_with('R')
                        && id[1..].parse::<u8>().is_ok_and(|n| (1..=21).contains(&n));
                if !valid {
                    return Err(meta.error(format!(
                        "`{id}` is not a rule that can be waived: use R01–R21 or R10u"
                    )));
                }
                rules.push((id, ident.span()));
                Ok(())
            })?;
            let span =
                SpanRange::of_tokens(&attr.to_token_stream()).unwrap_or_else(SpanRange::call_site);
            let reason = reason.filter(|r| !r.trim().is_empty()).ok_or_else(|| {
                syn::Error::new(span.start, "a waiver needs a reason: `#![waive(R10, reason = \"why the rule does not apply here\")]`")
            })?;
            if rules.is_empty() && callee_abi.is_none() && kernel_abi.is_none() {
                return Err(syn::Error::new(
                    span.start,
                    "a waiver names at least one rule or ABI override: `#![waive(R10, reason = \"...\")]`",
                ));
            }
            waivers.push(Waiver {
                callee_abi,
                kernel_abi,
                rules,
                reason,
                span,
            });
        }
    }
    Ok(waivers)
}

/// Outer attributes before an argument: only `#[cfg]` and `#[cfg_attr(p, cfg(..))]`
/// (r[asm.attributes.supported-attributes]).
fn parse_attrs(input: ParseStream) -> syn::Result<Option<Cfg>> {
    // Most arguments have none (`parse_outer` reads attributes while `#` is next).
    if !input.peek(Token![#]) {
        return Ok(None);
    }
    let attrs = input.call(syn::Attribute::parse_outer)?;
    let mut preds = Vec::new();
    for attr in attrs {
        if attr.path().is_ident("cfg") {
            preds.push(attr.parse_args_with(parse_cfg)?);
        } else if attr.path().is_ident("cfg_attr") {
            preds.push(attr.parse_args_with(parse_cfg_attr)?);
        } else {
            return Err(syn::Error::new_spanned(
                &attr,
                "this attribute is not supported on assembly: only `#[cfg(...)]` and \
                 `#[cfg_attr(..., cfg(...))]` are",
            ));
        }
    }
    Ok(if preds.is_empty() {
        None
    } else {
        Some(Cfg::all(preds))
    })
}

/// `cfg_attr(p, cfg(q), ...)` means `any(not(p), all(q, ...))`.
fn parse_cfg_attr(input: ParseStream) -> syn::Result<Cfg> {
    let pred = parse_cfg(input)?;
    let mut inner = Vec::new();
    while input.parse::<Option<Token![,]>>()?.is_some() {
        if input.is_empty() {
            break;
        }
        let path: syn::Path = input.parse()?;
        if !path.is_ident("cfg") {
            return Err(syn::Error::new_spanned(
                &path,
                "this attribute is not supported on assembly: `cfg_attr` may only expand to `cfg`",
            ));
        }
        let content;
        syn::parenthesized!(content in input);
        inner.push(parse_cfg(&content)?);
    }
    Ok(Cfg::Any(vec![Cfg::Not(Box::new(pred)), Cfg::All(inner)]))
}

/// A ConfigurationPredicate (the inside of `#[cfg(...)]`).
pub fn parse_cfg(input: ParseStream) -> syn::Result<Cfg> {
    if input.peek(syn::LitBool) {
        let b: syn::LitBool = input.parse()?;
        return Ok(Cfg::Bool(b.value));
    }
    let ident = input.call(Ident::parse_any)?;
    let name = ident.to_string();
    if input.peek(syn::token::Paren) && matches!(name.as_str(), "all" | "any" | "not") {
        let content;
        syn::parenthesized!(content in input);
        let mut list = Vec::new();
        while !content.is_empty() {
            list.push(parse_cfg(&content)?);
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        return match name.as_str() {
            "all" => Ok(Cfg::All(list)),
            "any" => Ok(Cfg::Any(list)),
            _ if list.len() == 1 => Ok(Cfg::Not(Box::new(list.pop().unwrap()))),
            _ => Err(syn::Error::new(
                ident.span(),
                "`not` takes exactly one predicate",
            )),
        };
    }
    if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        let value: LitStr = input.parse()?;
        return Ok(Cfg::Option {
            name,
            value: Some(value.value()),
        });
    }
    Ok(Cfg::Option { name, value: None })
}

use syn::ext::IdentExt;

#[cfg(test)]
mod tests {
    use super::super::test_tokens::{first_invisible, invisible};
    use super::*;

    /// `_` is a whole output place: what follows it must end the operand.
    #[test]
    fn underscore_output_is_not_an_expression() {
        let parse = |source: &str| {
            parse_invocation(
                MacroKind::Asm,
                source.parse().expect("valid tokens"),
                &NoIncludes,
            )
        };
        for source in [r#""", out(reg) _ as u8"#, r#""", inout(reg) x => _ + 1"#] {
            let errors = parse(source).expect_err(source);
            assert!(
                errors[0].render_message().contains("expected `,`"),
                "{source}: {}",
                errors[0].render_message()
            );
        }
        for source in [
            r#""", out(reg) _"#,
            r#""", inout(reg) x => _, out("eax") _,"#,
        ] {
            assert!(parse(source).is_ok(), "{source}");
        }
    }

    /// The cursor-walking peeks answer as the syn peeks they replace, for the shapes an
    /// argument starts with, and through the invisible groups `macro_rules!` wraps
    /// fragments in.
    #[test]
    fn peeks_agree_with_syn() {
        let sources = [
            "a = in(reg) x",
            "a == b",
            "a => b",
            "a=>b",
            "a = = b",
            "a =",
            "a",
            "_ = in(reg) x",
            "r#in = in(reg) x",
            "in = x",
            "1 = x",
            "\"x\" = y",
            "a.b = c",
            "options(nostack)",
            "options (nostack)",
            "options[nostack]",
            "options",
            "clobber_abi(\"C\")",
            "r#options(nostack)",
            "#[cfg(x)] options(nostack)",
            "",
        ];
        for source in sources {
            let tokens: TokenStream = source.parse().expect("valid tokens");
            // The whole argument, and its first token alone, in an invisible group.
            let wrapped = [
                tokens.clone(),
                invisible(tokens.clone()),
                first_invisible(tokens),
            ];
            for stream in wrapped {
                let answers = |input: ParseStream| {
                    let ours = (
                        peek_name(input),
                        peek_keyword_group(input, "options"),
                        peek_keyword_group(input, "clobber_abi"),
                        !input.peek(Token![#]),
                    );
                    let fork = input.fork();
                    let keyword_group = |keyword: &str| {
                        let fork = input.fork();
                        match fork.call(Ident::parse_any) {
                            Ok(ident) if ident == keyword => {
                                fork.cursor().group(Delimiter::Parenthesis).is_some()
                            }
                            _ => false,
                        }
                    };
                    let theirs = (
                        input.peek(Ident::peek_any)
                            && input.peek2(Token![=])
                            && !input.peek2(Token![==]),
                        keyword_group("options"),
                        keyword_group("clobber_abi"),
                        fork.call(syn::Attribute::parse_outer)
                            .is_ok_and(|a| a.is_empty()),
                    );
                    input.parse::<TokenStream>()?;
                    Ok((ours, theirs))
                };
                let (ours, theirs) = answers.parse2(stream.clone()).expect("parses");
                assert_eq!(ours, theirs, "{source:?} as {stream:?}");
            }
        }
    }
}
