//! Token-level fast paths for the argument shapes most invocations have: operand
//! expressions such as `port`, `&mut x`, `self.0`, `buf.as_ptr()`, `x as u64`, and string
//! literals without escapes. In a macro built without optimisation (cargo's default for
//! proc macros), building a `syn::Expr` or a `syn::Lit` was the larger part of parsing an
//! invocation, and only the tokens, their text and their spans are kept. Everything the
//! fast paths do not model goes to syn; the tests hold both to the same tokens, text,
//! spans and remaining input.

use proc_macro2::{Delimiter, Ident, Span};
use syn::LitStr;
use syn::buffer::Cursor;
use syn::parse::ParseStream;

/// The number of token trees of the operand expression at `cursor`, when it has one of
/// the shapes most operands have and ends where syn's expression parser would end it:
/// a literal or a path (`port`, `0x80u16`, `Self::BASE`, `value.0`), possibly with
/// `&`, `&mut`, `*`, `-`, `!` before it, then fields, method calls without turbofish,
/// calls, indexing, `name!(...)` and `as` casts to a path, followed by `,`, `=>` or
/// the end of the arguments. `None` for anything else (generics, closures, binary
/// operators, blocks, keywords, the invisible groups of `macro_rules!` fragments...),
/// which syn's `Expr` parser reads instead. Building a `syn::Expr` is the larger part of
/// an operand's parsing time in a macro built without optimisation, and only the
/// tokens are kept.
pub(super) fn simple_expr_len(start: Cursor) -> Option<usize> {
    let mut scan = Scan {
        cursor: start,
        len: 0,
    };
    // Prefix operators.
    while let Some((p, next)) = plain_punct(scan.cursor) {
        match p.as_char() {
            '*' | '-' | '!' => scan.to(next),
            ':' if is_path_sep(scan.cursor) => break,
            '&' => {
                scan.to(next);
                if let Some((ident, next)) = plain_ident(scan.cursor)
                    && ident == "mut"
                {
                    scan.to(next);
                }
            }
            _ => return None,
        }
    }
    // The primary: a literal, a path (maybe a macro call) or a parenthesised/array group.
    if let Some((_, next)) = plain_literal(scan.cursor) {
        scan.to(next);
    } else if plain_ident(scan.cursor).is_some() || is_path_sep(scan.cursor) {
        scan.path()?;
        // `name!(...)` / `name![...]`.
        if let Some((p, next)) = plain_punct(scan.cursor)
            && p.as_char() == '!'
            && let Some(after) = paren_or_bracket(next)
        {
            scan.to(next);
            scan.to(after);
        }
    } else if let Some(next) = paren_or_bracket(scan.cursor) {
        scan.to(next);
    } else {
        return None;
    }
    // Postfix: `.field`, `.0`, `.method(...)`, `(...)`, `[...]`, `as Path`.
    loop {
        if let Some((p, next)) = plain_punct(scan.cursor)
            && p.as_char() == '.'
        {
            if let Some((ident, after)) = plain_ident(next) {
                if is_keyword(&ident.to_string()) {
                    return None;
                }
                scan.to(next);
                scan.to(after);
                // A turbofish (`.f::<T>()`) is left to syn.
                if is_path_sep(scan.cursor) {
                    return None;
                }
            } else if let Some((lit, after)) = plain_literal(next) {
                // A tuple field: `.0`, or `.0.1` (one float-like token).
                if !lit
                    .to_string()
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'.')
                {
                    return None;
                }
                scan.to(next);
                scan.to(after);
            } else {
                return None;
            }
        } else if let Some(next) = paren_or_bracket(scan.cursor) {
            scan.to(next);
        } else if let Some((ident, next)) = plain_ident(scan.cursor)
            && ident == "as"
        {
            scan.to(next);
            scan.path()?;
        } else {
            break;
        }
    }
    // Only where syn's expression ends too.
    let ends = scan.cursor.eof()
        || plain_punct(scan.cursor).is_some_and(|(p, next)| {
            p.as_char() == ','
                || (p.as_char() == '='
                    && p.spacing() == proc_macro2::Spacing::Joint
                    && next.punct().is_some_and(|(q, _)| q.as_char() == '>'))
        });
    ends.then_some(scan.len)
}

/// A position in the token trees of an operand expression and how many were passed.
struct Scan<'a> {
    cursor: Cursor<'a>,
    len: usize,
}

impl<'a> Scan<'a> {
    fn to(&mut self, next: Cursor<'a>) {
        self.cursor = next;
        self.len += 1;
    }

    /// Passes a path without generics (`a`, `::a::b`, `Self::C`); `None` if there is
    /// none, or if it continues with `<` (generics, or a comparison).
    fn path(&mut self) -> Option<()> {
        let mut first = true;
        loop {
            if is_path_sep(self.cursor) {
                let (_, colon) = self.cursor.punct()?;
                let (_, next) = colon.punct()?;
                self.to(colon);
                self.to(next);
            } else if !first {
                break;
            }
            let (ident, next) = plain_ident(self.cursor)?;
            let name = ident.to_string();
            if is_keyword(&name) && !matches!(name.as_str(), "self" | "Self" | "super" | "crate") {
                return None;
            }
            self.to(next);
            first = false;
        }
        if plain_punct(self.cursor).is_some_and(|(p, _)| p.as_char() == '<') {
            return None;
        }
        Some(())
    }
}

/// Past a `(...)` or `[...]` group at `cursor`.
fn paren_or_bracket(cursor: Cursor) -> Option<Cursor> {
    if cursor.group(Delimiter::None).is_some() {
        return None;
    }
    cursor
        .group(Delimiter::Parenthesis)
        .or_else(|| cursor.group(Delimiter::Bracket))
        .map(|(_, _, next)| next)
}

/// The token at `cursor` itself: `None` at an invisible group, whose contents syn's own
/// cursor methods would look into (the fast path counts top-level token trees).
fn plain_punct(cursor: Cursor) -> Option<(proc_macro2::Punct, Cursor)> {
    if cursor.group(Delimiter::None).is_some() {
        return None;
    }
    cursor.punct()
}

fn plain_ident(cursor: Cursor) -> Option<(Ident, Cursor)> {
    if cursor.group(Delimiter::None).is_some() {
        return None;
    }
    cursor.ident()
}

fn plain_literal(cursor: Cursor) -> Option<(proc_macro2::Literal, Cursor)> {
    if cursor.group(Delimiter::None).is_some() {
        return None;
    }
    cursor.literal()
}

fn is_path_sep(cursor: Cursor) -> bool {
    plain_punct(cursor).is_some_and(|(p, next)| {
        p.as_char() == ':'
            && p.spacing() == proc_macro2::Spacing::Joint
            && next.punct().is_some_and(|(q, _)| q.as_char() == ':')
    })
}

/// Rust's strict and reserved keywords (and `_`), which begin or continue expressions
/// the fast path does not model.
fn is_keyword(name: &str) -> bool {
    super::stringify::is_reserved(name)
}

/// `input.peek(LitStr)` without building the literal: syn's peek parses a `Lit` from the
/// token's text (a tenth of a block's parsing time in a macro built without
/// optimisation). A string literal's text starts with `"` or, raw, `r"`/`r#`; byte and C
/// strings (`b"`, `c"`) are not `LitStr`.
pub(super) fn peek_lit_str(input: ParseStream) -> bool {
    input.cursor().literal().is_some_and(|(lit, _)| {
        let text = lit.to_string();
        text.starts_with('"') || text.starts_with("r\"") || text.starts_with("r#")
    })
}

/// A string literal's value and span, as `input.parse::<LitStr>()` and `value()` give
/// them. A literal without escapes or suffix (most templates and register names) is its
/// text between the quotes; syn is left the others.
pub(super) fn parse_str_value(input: ParseStream) -> syn::Result<(String, Span)> {
    if let Some((lit, _)) = input.cursor().literal() {
        let text = lit.to_string();
        if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"'))
            && !inner.contains(['\\', '"'])
        {
            let value = inner.to_string();
            let span = lit.span();
            input.step(|cursor| match cursor.literal() {
                Some((_, rest)) => Ok(((), rest)),
                None => Err(cursor.error("expected a string literal")),
            })?;
            return Ok((value, span));
        }
    }
    let lit: LitStr = input.parse()?;
    Ok((lit.value(), lit.span()))
}

#[cfg(test)]
mod tests {
    use super::super::ExprRef;
    use super::super::parse::{parse_expr, parse_expr_with_syn};
    use super::*;
    use proc_macro2::{Group, Literal, TokenStream, TokenTree};
    use syn::parse::Parser;

    /// `peek_lit_str` answers as syn's `peek(LitStr)` for every kind of literal, for
    /// non-literals, and through the invisible groups `macro_rules!` wraps `$x:expr` in.
    #[test]
    fn peek_lit_str_agrees_with_syn() {
        let sources = [
            r#""cli""#,
            r###"r#"cli"#"###,
            r#"r"cli""#,
            r#""cli"suffix"#,
            r#"b"cli""#,
            r#"br"cli""#,
            r#"c"cli""#,
            "'c'",
            "b'c'",
            "1",
            "1.5",
            "r",
            "-1",
            "concat!(\"a\")",
            "",
        ];
        for source in sources {
            let tokens: TokenStream = source.parse().expect("valid tokens");
            let grouped: TokenStream =
                TokenTree::Group(Group::new(Delimiter::None, tokens.clone())).into();
            for stream in [tokens, grouped] {
                let ours = (|input: ParseStream| {
                    let answer = peek_lit_str(input);
                    input.parse::<TokenStream>()?;
                    Ok(answer)
                })
                .parse2(stream.clone())
                .expect("parses");
                let syns = (|input: ParseStream| {
                    let answer = input.peek(LitStr);
                    input.parse::<TokenStream>()?;
                    Ok(answer)
                })
                .parse2(stream.clone())
                .expect("parses");
                assert_eq!(ours, syns, "{stream}");
            }
        }
        // Built by a macro rather than parsed from text: the same answer.
        let lit: TokenStream = TokenTree::Literal(Literal::string("cli")).into();
        let answer = (|input: ParseStream| {
            let answer = peek_lit_str(input);
            input.parse::<TokenStream>()?;
            Ok(answer)
        })
        .parse2(lit);
        assert!(answer.expect("parses"));
    }

    /// A literal's value and span read by `parse_str_value` and by syn, and the tokens
    /// after it, are the same, for literals with and without escapes, raw, with a
    /// suffix, spanning lines, and inside a `macro_rules!` fragment's invisible group.
    #[test]
    fn string_values_read_as_syn_reads_them() {
        let sources = [
            r#""cli""#,
            r#""mov {0}, {1}""#,
            r#""a\nb""#,
            r#""with \"quote\"""#,
            r#"r"raw \n""#,
            r###"r#"raw "q""#"###,
            "\"two\nlines\"",
            "\"continued \\\n    here\"",
            r#""x"suffix"#,
            r#""\u{41}""#,
            r#""""#,
        ];
        for source in sources {
            for tail in ["", ", options(nomem)"] {
                let text = format!("{source}{tail}");
                let tokens: TokenStream = text.parse().expect("valid tokens");
                let grouped: TokenStream = {
                    let mut iter = tokens.clone().into_iter();
                    let first = iter.next().expect("a literal");
                    let mut out: TokenStream =
                        TokenTree::Group(Group::new(Delimiter::None, first.into())).into();
                    out.extend(iter);
                    out
                };
                for stream in [tokens, grouped] {
                    let read = |parse: fn(ParseStream) -> syn::Result<(String, Span)>| {
                        (|input: ParseStream| {
                            let (value, span) = parse(input)?;
                            let rest: TokenStream = input.parse()?;
                            let (start, end) = (span.start(), span.end());
                            Ok((
                                value,
                                (start.line, start.column, end.column),
                                rest.to_string(),
                            ))
                        })
                        .parse2(stream.clone())
                        .map_err(|e| e.to_string())
                    };
                    let syns = |input: ParseStream| {
                        let lit: LitStr = input.parse()?;
                        Ok((lit.value(), lit.span()))
                    };
                    assert_eq!(read(parse_str_value), read(syns), "{stream}");
                }
            }
        }
    }

    /// An expression's text, its start and end (line, column), and the tokens after it.
    type Read = (String, (usize, usize), (usize, usize), String);

    /// What one operand expression parses to, and the tokens left after it.
    fn expr_and_rest(
        source: &str,
        parse: fn(ParseStream) -> syn::Result<ExprRef>,
    ) -> Result<Read, String> {
        let tokens: TokenStream = source.parse().map_err(|e| format!("{e}"))?;
        (|input: ParseStream| {
            let expr = parse(input)?;
            let rest: TokenStream = input.parse()?;
            let (start, end) = (expr.span.start.start(), expr.span.end.end());
            Ok((
                expr.text,
                (start.line, start.column),
                (end.line, end.column),
                rest.to_string(),
            ))
        })
        .parse2(tokens)
        .map_err(|e| e.to_string())
    }

    /// The fast path for simple operand expressions reads the same tokens, text and
    /// spans as syn's expression parser, and stops where it stops; everything it does
    /// not model goes to syn.
    #[test]
    fn simple_expressions_read_as_syn_reads_them() {
        let fast = [
            "port",
            "0",
            "0x80u16",
            "-1",
            "&x",
            "&mut x",
            "&&x",
            "*p",
            "!mask",
            "- -x",
            "self.0",
            "self.x.y",
            "x.0.1",
            "value.as_ptr()",
            "dst.as_mut_ptr().add(1)",
            "Self::BASE",
            "::core::ptr::null()",
            "crate::X",
            "super::X.0",
            "f(a, b)",
            "table[i]",
            "x as u64",
            "x as u64 as usize",
            "(x as u64)",
            "core::ptr::addr_of!(x)",
            "vec![1, 2]",
            "(a + b)",
            "[0u8; 4]",
            "r#type",
            "'c'",
            "\"s\"",
            "buf[..n].as_ptr()",
        ];
        let slow = [
            "a + b",
            "x as *const u8",
            "|a, b| a",
            "foo::<u8, u16>()",
            "S { a, b }",
            "if c { 1 } else { 2 }",
            "x.f::<u8>()",
            "&raw const x",
            "a..b",
            "'a: loop { break 'a 1 }",
            "x?",
            "async { 1 }",
            "x < y",
            "x as Foo<u8>",
            "return",
            "true",
            "unsafe { x }",
            "a = b",
            "x.1e5",
            "x.0u8",
            "m!{}",
            "a != b",
            "move || 1",
            "x.if",
            "x.await",
        ];
        for (sources, expect_fast) in [(&fast[..], true), (&slow[..], false)] {
            for source in sources {
                for tail in ["", ", out(reg) y", " => y", " => _, options(nomem)"] {
                    let text = format!("{source}{tail}");
                    let tokens: TokenStream = text.parse().expect("valid tokens");
                    assert_eq!(
                        takes_fast_path(tokens),
                        expect_fast,
                        "fast path for `{text}`"
                    );
                    assert_eq!(
                        expr_and_rest(&text, parse_expr),
                        expr_and_rest(&text, parse_expr_with_syn),
                        "`{text}`"
                    );
                }
            }
        }
        // The invisible group of a `macro_rules!` `$x:expr` goes to syn.
        let inner: TokenStream = "port".parse().expect("valid tokens");
        let grouped: TokenStream = TokenTree::Group(Group::new(Delimiter::None, inner)).into();
        assert!(!takes_fast_path(grouped));
    }

    fn takes_fast_path(tokens: TokenStream) -> bool {
        (|input: ParseStream| {
            let fast = simple_expr_len(input.cursor()).is_some();
            input.parse::<TokenStream>()?;
            Ok(fast)
        })
        .parse2(tokens)
        .expect("parses")
    }
}
