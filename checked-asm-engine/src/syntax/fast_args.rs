//! The whole argument list of an invocation, read straight from syn's token cursor when
//! it has the shapes nearly every block has: plain string templates, then operands
//! `[name =] in|out|lateout|inout|inlateout(reg) expr [=> expr|_]` with the simple
//! expressions of [`simple_expr`], and `options(...)`. In a macro built without
//! optimisation (cargo's default for proc macros), syn's parse streams, forks and peeks
//! cost more than what they find; this reader only moves a cursor.
//!
//! It declines (`None`) at the first thing it does not model, and `parse_args` then
//! reads the whole list with syn, errors included: waivers, attributes, `clobber_abi`,
//! `const`/`sym`/`label` operands, templates other than a plain literal, literals with
//! escapes or raw strings, the invisible groups of `macro_rules!` fragments where it
//! looks, any expression `simple_expr` does not read, and every error. What it returns
//! is what `parse_args` returns for the same tokens; the tests hold it to that.

use super::fast::{plain_ident, plain_literal, plain_punct, plain_str_value, visible};
use super::parse::{last_consumed_span, simple_expr};
use super::{
    AsmInvocation, AsmOption, ExprRef, MacroKind, Name, Operand, OperandKind, OptionsGroup,
    RegSpec, TemplateOrigin, TemplatePiece,
};
use crate::diag::SpanRange;
use proc_macro2::{Delimiter, Spacing};
use syn::buffer::Cursor;

/// The invocation whose arguments start at `cursor`, and the cursor at their end (the
/// end of the input), or `None` to leave them to syn. Every token tree it reads at the
/// top level is visible, so the span of the whole list (`span_of_rest`: the first tree's
/// to the last tree's) is known from what it read.
pub(super) fn args(cursor: Cursor<'_>, kind: MacroKind) -> Option<(AsmInvocation, Cursor<'_>)> {
    let mut inv = AsmInvocation::empty(kind, SpanRange::call_site());
    let (piece, mut c) = template(cursor)?;
    let first = piece.span.start;
    // The span of the last top-level token tree read.
    let mut last = first;
    inv.templates.push(piece);
    let mut index = 0usize;
    let mut allow_templates = true;
    loop {
        if c.eof() {
            break;
        }
        let (comma, next) = plain_punct(c)?;
        if comma.as_char() != ',' {
            return None;
        }
        last = comma.span();
        c = next;
        if c.eof() {
            break; // trailing comma
        }
        index += 1;
        // An argument the reader models starts with a visible identifier (a name, an
        // operand keyword, `options`) or, among the templates, a string literal.
        let Some((first, after)) = plain_ident(c) else {
            if !allow_templates {
                return None;
            }
            let (piece, next) = template(c)?;
            last = piece.span.end;
            inv.templates.push(piece);
            c = next;
            continue;
        };
        let word = first.to_string();
        if word == "options" && after.group(Delimiter::Parenthesis).is_some() {
            let (group, whole, next) = options(first.span(), after, index)?;
            last = whole;
            inv.options.push(group);
            allow_templates = false;
            c = next;
            continue;
        }
        if word == "clobber_abi" {
            return None;
        }
        let begin = c;
        let start = first.span();
        // The ident read is either the name or the operand keyword.
        let (name, keyword, after_keyword) = match equals_after_name(after)? {
            Some(next) => {
                let (keyword, after_keyword) = plain_ident(next)?;
                let name = Name {
                    text: word,
                    span: first.span(),
                };
                (Some(name), keyword.to_string(), after_keyword)
            }
            None => (None, word, after),
        };
        let (kind, next) = operand(&keyword, after_keyword)?;
        allow_templates = false;
        let end = last_consumed_span(begin, next);
        last = end;
        inv.operands.push(Operand {
            cfg: None,
            name,
            kind,
            span: SpanRange { start, end },
            index,
        });
        c = next;
    }
    inv.span = SpanRange {
        start: first,
        end: last,
    };
    Some((inv, c))
}

/// A template piece that is a plain string literal followed by `,` or the end, with the
/// value, origin and span `parse_template` gives it.
fn template(c: Cursor<'_>) -> Option<(TemplatePiece, Cursor<'_>)> {
    let (lit, rest) = plain_literal(c)?;
    if !(rest.eof() || plain_punct(rest).is_some_and(|(p, _)| p.as_char() == ',')) {
        return None;
    }
    let text = plain_str_value(&lit)?;
    let piece = TemplatePiece {
        cfg: None,
        text,
        origin: TemplateOrigin::Literal,
        span: SpanRange::single(lit.span()),
    };
    Some((piece, rest))
}

/// `options(a, b, ...)` after its keyword, every option one of rustc's; with the span of
/// the whole group.
fn options<'c>(
    keyword: proc_macro2::Span,
    after: Cursor<'c>,
    index: usize,
) -> Option<(OptionsGroup, proc_macro2::Span, Cursor<'c>)> {
    let (mut inner, delim, rest) = visible(after)?.group(Delimiter::Parenthesis)?;
    let mut options = Vec::new();
    while !inner.eof() {
        let (ident, next) = plain_ident(inner)?;
        let option = AsmOption::from_name(&ident.to_string())?;
        options.push((option, ident.span()));
        inner = next;
        if inner.eof() {
            break;
        }
        let (comma, next) = plain_punct(inner)?;
        if comma.as_char() != ',' {
            return None;
        }
        inner = next;
    }
    let group = OptionsGroup {
        cfg: None,
        options,
        span: SpanRange {
            start: keyword,
            end: delim.close(),
        },
        index,
    };
    Some((group, delim.join(), rest))
}

/// After an argument's first ident: `=` (a name, not `==`) gives `Some(Some(cursor
/// after it))`; no name `Some(None)`; a shape the reader does not model `None`.
fn equals_after_name(after: Cursor<'_>) -> Option<Option<Cursor<'_>>> {
    if after.eof() {
        return Some(None);
    }
    let Some((eq, next)) = plain_punct(after) else {
        // A group (the register of `in(reg)`), an ident or a literal: no name. An
        // invisible group: declined.
        return after.group(Delimiter::None).is_none().then_some(None);
    };
    if eq.as_char() != '=' {
        return Some(None);
    }
    if eq.spacing() == Spacing::Joint {
        // `==` is no name; `=>` and the like after a name are errors syn reports.
        return None;
    }
    Some(Some(next))
}

/// A register operand after its keyword (`after` follows it).
fn operand<'c>(keyword: &str, after: Cursor<'c>) -> Option<(OperandKind, Cursor<'c>)> {
    let late = matches!(keyword, "lateout" | "inlateout");
    if !matches!(keyword, "in" | "out" | "lateout" | "inout" | "inlateout") {
        return None;
    }
    let (reg, c) = reg(after)?;
    match keyword {
        "in" => {
            let (expr, c) = value(c)?;
            Some((OperandKind::In { reg, expr }, c))
        }
        "out" | "lateout" => {
            let (expr, c) = optional_value(c)?;
            Some((OperandKind::Out { reg, expr, late }, c))
        }
        _ => {
            let (expr, c) = value(c)?;
            if c.eof() {
                return Some((OperandKind::InOut { reg, expr, late }, c));
            }
            let (p, next) = plain_punct(c)?;
            if p.as_char() == ',' {
                return Some((OperandKind::InOut { reg, expr, late }, c));
            }
            // `=>`: `simple_expr` ends an expression only before `,`, `=>` or the end.
            let (q, next) = plain_punct(next)?;
            if !(p.as_char() == '=' && p.spacing() == Spacing::Joint && q.as_char() == '>') {
                return None;
            }
            let (out_expr, c) = optional_value(next)?;
            Some((
                OperandKind::SplitInOut {
                    reg,
                    in_expr: expr,
                    out_expr,
                    late,
                },
                c,
            ))
        }
    }
}

/// `(reg)` or `("eax")`: a class name or a plain explicit register, alone in the group.
fn reg(c: Cursor<'_>) -> Option<(RegSpec, Cursor<'_>)> {
    let (inner, _, rest) = visible(c)?.group(Delimiter::Parenthesis)?;
    let (spec, end) = if let Some((lit, end)) = plain_literal(inner) {
        // `plain_str_value` reads only a `"..."` string literal: any other declines.
        let name = plain_str_value(&lit)?;
        let span = lit.span();
        (RegSpec::Explicit { name, span }, end)
    } else {
        let (ident, end) = plain_ident(inner)?;
        let spec = RegSpec::Class {
            name: ident.to_string(),
            span: ident.span(),
        };
        (spec, end)
    };
    end.eof().then_some((spec, rest))
}

/// An input's expression: not `_` (an error syn reports), one `simple_expr` reads.
fn value(c: Cursor<'_>) -> Option<(ExprRef, Cursor<'_>)> {
    if is_underscore(c) {
        return None;
    }
    simple_expr(c)
}

/// An output's place: `_` before `,` or the end (`None`), or a `simple_expr`.
fn optional_value(c: Cursor<'_>) -> Option<(Option<ExprRef>, Cursor<'_>)> {
    if is_underscore(c) {
        let (_, next) = plain_ident(c)?;
        let ends = next.eof() || plain_punct(next).is_some_and(|(p, _)| p.as_char() == ',');
        return ends.then_some((None, next));
    }
    let (expr, next) = simple_expr(c)?;
    Some((Some(expr), next))
}

fn is_underscore(c: Cursor<'_>) -> bool {
    plain_ident(c).is_some_and(|(ident, _)| ident == "_")
}

#[cfg(test)]
mod tests {
    use super::super::NoIncludes;
    use super::super::parse::parse_invocation_with;
    use super::super::test_tokens::{first_invisible, invisible};
    use super::*;
    use proc_macro2::TokenStream;
    use syn::parse::{ParseStream, Parser};

    /// What the reader alone makes of `tokens`: an invocation only if it reads them all.
    fn read(tokens: TokenStream) -> Option<String> {
        let parser = |input: ParseStream| {
            input.step(|cursor| {
                Ok(match args(*cursor, MacroKind::Asm) {
                    Some((inv, end)) if end.eof() => (Some(format!("{inv:?}")), end),
                    _ => (None, *cursor),
                })
            })
        };
        parser.parse2(tokens).ok().flatten()
    }

    /// The answer of `parse_invocation` with and without the reader, errors included.
    fn both(tokens: &TokenStream) -> (String, String) {
        let answer = |fast| {
            format!(
                "{:?}",
                parse_invocation_with(MacroKind::Asm, tokens.clone(), &NoIncludes, fast)
            )
        };
        (answer(true), answer(false))
    }

    /// An argument as tokens, sometimes inside an invisible group (a `macro_rules!`
    /// fragment), whole or only its first token.
    fn argument(text: &str, wrap: u64) -> TokenStream {
        let tokens: TokenStream = text.parse().expect("the fragments lex");
        match wrap {
            1 => invisible(tokens),
            2 => first_invisible(tokens),
            _ => tokens,
        }
    }

    /// The argument lists real blocks have are read by the reader, as syn reads them.
    #[test]
    fn common_blocks_are_read_as_syn_reads_them() {
        let sources = [
            r#""cli", options(nostack, preserves_flags)"#,
            r#""out dx, al", in("dx") port, in("al") byte, options(nostack, preserves_flags)"#,
            r#""in al, dx", lateout("al") v, in("dx") port, options(nostack, preserves_flags,)"#,
            r#""mov {t:r}, rbx", "cpuid", "xchg {t:r}, rbx", t = out(reg) b,
               inout("eax") leaf => a, inout("ecx") sub => c, lateout("edx") d,
               options(nomem, nostack, preserves_flags)"#,
            r#""syscall", inlateout("rax") nr => r, in("rdi") a0, lateout("rcx") _,
               lateout("r11") _, options(nostack)"#,
            r#""rep movsb", inout("rcx") n => _, inout("rdi") dst => _, inout("rsi") src => _"#,
            r#""lgdt [{}]", in(reg) &self.gdt, options(readonly, nostack)"#,
            r#""mov {0}, {1}", out(reg) x, in(reg) buf.as_ptr() as u64,"#,
            r#""2:", "dec {n}", "jnz 2b", n = inout(reg) n => _, options()"#,
            r#""nop""#,
        ];
        for source in sources {
            let tokens: TokenStream = source.parse().expect("valid tokens");
            let ours = read(tokens.clone());
            assert!(ours.is_some(), "declined: {source}");
            let (fast, slow) = both(&tokens);
            assert!(slow.starts_with("Ok("), "{slow}");
            assert_eq!(fast, slow, "{source}");
            assert_eq!(format!("Ok({})", ours.unwrap()), slow);
        }
    }

    /// Argument fragments, the well-formed ones first (as many as `pick` is told).
    const TEMPLATES: [&str; 9] = [
        r#""cli""#,
        r#""mov {0}, {1}""#,
        r#""""#,
        r#""a\nb""#,
        r#"r"raw""#,
        r#""x"suffix"#,
        r#"concat!("a", "b")"#,
        "'c'",
        "5",
    ];
    const NAMES: [&str; 9] = [
        "", "", "a = ", "r#in = ", "_ = ", "x == ", "b => ", "c =- ", "1 = ",
    ];
    const KEYWORDS: [&str; 10] = [
        "in",
        "out",
        "lateout",
        "inout",
        "inlateout",
        "in",
        "out",
        "const",
        "sym",
        "r#in",
    ];
    const REGS: [&str; 11] = [
        "(reg)",
        r#"("eax")"#,
        "(xmm_reg)",
        r#"("e\x61x")"#,
        "(r#reg)",
        "()",
        "(reg, reg)",
        "[reg]",
        "(5)",
        r#"("eax" x)"#,
        "",
    ];
    const EXPRS: [&str; 16] = [
        "x",
        "&mut y",
        "self.0",
        "buf.as_ptr()",
        "x as u64",
        "x => y",
        "x => _",
        "_",
        "f(a, b)",
        "1",
        "-1",
        "a + b",
        "_ => x",
        "x =>",
        "x => y => z",
        "x y",
    ];
    const OTHERS: [&str; 13] = [
        "options(nostack)",
        "options(nostack, nomem,)",
        "options()",
        "options(bogus)",
        "options(nostack nomem)",
        "options[nostack]",
        "r#options(nostack)",
        "options",
        "options(in)",
        r#"clobber_abi("C")"#,
        "#[cfg(x)] options(nostack)",
        r#"#![waive(R01, reason = "r")]"#,
        "label { 1 }",
    ];

    /// Random argument lists of valid and invalid fragments, some in invisible groups:
    /// `parse_invocation` answers the same with the reader as without it (errors, spans
    /// and all), and wherever the reader answers, it answers as syn does.
    #[test]
    fn random_argument_lists_read_as_syn_reads_them() {
        // Half the rounds draw from the well-formed fragments only (the first of each
        // list), with a one-in-ten chance per argument of any fragment, so that many
        // lists are read and the rest are wrong in one place.
        let mut rng = crate::test_rng::xorshift(0x0123_4567_89ab_cdef);
        let mut draw = crate::test_rng::xorshift(0x5eed_a5a5_0f0f_1234);
        let mut read_by_reader = 0;
        for round in 0..6_000 {
            let well_formed = rng().is_multiple_of(2);
            let mut pick = |items: &'static [&'static str], n: usize| {
                let items = if well_formed && !draw().is_multiple_of(10) {
                    &items[..n]
                } else {
                    items
                };
                items[(draw() % items.len() as u64) as usize]
            };
            let mut tokens = TokenStream::new();
            let arguments = 1 + rng() % 6;
            for i in 0..arguments {
                let text = match (i, rng() % 8) {
                    (0, _) | (_, 0) => pick(&TEMPLATES, 3).to_string(),
                    (_, 1) => pick(&OTHERS, 3).to_string(),
                    _ => format!(
                        "{}{}{} {}",
                        pick(&NAMES, 4),
                        pick(&KEYWORDS, 7),
                        pick(&REGS, 3),
                        pick(&EXPRS, 11)
                    ),
                };
                let wrap = if rng().is_multiple_of(10) {
                    1 + rng() % 2
                } else {
                    0
                };
                if i > 0 {
                    let separator = match rng() % 20 {
                        0 => " ",
                        1 => ",,",
                        2 => ";",
                        _ => ",",
                    };
                    tokens.extend(separator.parse::<TokenStream>().expect("lexes"));
                }
                tokens.extend(argument(&text, wrap));
            }
            if rng().is_multiple_of(5) {
                tokens.extend(",".parse::<TokenStream>().expect("lexes"));
            }
            let (fast, slow) = both(&tokens);
            assert_eq!(fast, slow, "round {round}: {tokens}");
            if let Some(ours) = read(tokens.clone()) {
                read_by_reader += 1;
                assert_eq!(format!("Ok({ours})"), slow, "round {round}: {tokens}");
            }
        }
        // Enough lists are read for the comparison to mean something.
        assert!(read_by_reader > 800, "{read_by_reader} read");
    }
}
