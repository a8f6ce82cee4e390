//! Token-level fast paths for the argument shapes most invocations have: operand
//! expressions such as `port`, `&mut x`, `self.0`, `buf.as_ptr()`, `x as u64`, and string
//! literals without escapes. In a macro built without optimisation (cargo's default for
//! proc macros), building a `syn::Expr` or a `syn::Lit` was the larger part of parsing an
//! invocation, and only the tokens, their text and their spans are kept. Everything the
//! fast paths do not model goes to syn; the tests hold both to the same tokens, text,
//! spans and remaining input.

use proc_macro2::{Delimiter, Ident, Literal, Span};
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
    let (len, end) = expr(start, 0)?;
    // Only where syn's expression ends too.
    let ends = end.eof()
        || plain_punct(end).is_some_and(|(p, next)| {
            p.as_char() == ','
                || (p.as_char() == '='
                    && p.spacing() == proc_macro2::Spacing::Joint
                    && plain_punct(next).is_some_and(|(q, _)| q.as_char() == '>'))
        });
    ends.then_some(len)
}

/// Groups nest at most this deep on the fast path; deeper ones go to syn.
const MAX_DEPTH: u32 = 8;

/// What a group of an expression holds.
#[derive(Clone, Copy)]
enum Contents {
    /// Call and method arguments, a parenthesised expression or tuple, array elements:
    /// expressions separated by commas, perhaps none, perhaps with a trailing comma.
    List,
    /// An index: exactly one expression.
    One,
}

/// One simple expression at `start`: its number of token trees and the cursor after it.
fn expr(start: Cursor, depth: u32) -> Option<(usize, Cursor)> {
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
    // The primary: a literal, a path (maybe a macro call, whose arguments are any
    // tokens) or a parenthesised/tuple/array group.
    if let Some((_, next)) = plain_literal(scan.cursor) {
        scan.to(next);
    } else if plain_ident(scan.cursor).is_some() || is_path_sep(scan.cursor) {
        scan.path()?;
        if let Some((p, next)) = plain_punct(scan.cursor)
            && p.as_char() == '!'
            && let Some((_, _, after)) = paren_or_bracket(next)
        {
            scan.to(next);
            scan.to(after);
        }
    } else if let Some((_, inner, next)) = paren_or_bracket(scan.cursor) {
        contents(inner, Contents::List, depth)?;
        scan.to(next);
    } else {
        return None;
    }
    // Postfix: `.field`, `.0`, `.method(...)`, `(...)`, `[...]`; then `as Path` casts,
    // after which syn allows no other postfix ("casts cannot be followed by ...").
    let mut cast = false;
    loop {
        if let Some((p, next)) = plain_punct(scan.cursor)
            && p.as_char() == '.'
        {
            if cast {
                return None;
            }
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
                if !is_tuple_index(&lit.to_string()) {
                    return None;
                }
                scan.to(next);
                scan.to(after);
            } else {
                return None;
            }
        } else if let Some((is_index, inner, next)) = paren_or_bracket(scan.cursor) {
            if cast {
                return None;
            }
            let kind = if is_index {
                Contents::One
            } else {
                Contents::List
            };
            contents(inner, kind, depth)?;
            scan.to(next);
        } else if let Some((ident, next)) = plain_ident(scan.cursor)
            && ident == "as"
        {
            scan.to(next);
            scan.path()?;
            cast = true;
        } else {
            break;
        }
    }
    Some((scan.len, scan.cursor))
}

/// Whether the inside of a group is what `kind` allows, every expression simple.
fn contents(inner: Cursor, kind: Contents, depth: u32) -> Option<()> {
    if depth >= MAX_DEPTH {
        return None;
    }
    let mut cursor = inner;
    let mut count = 0;
    while !cursor.eof() {
        let (_, end) = expr(cursor, depth + 1)?;
        count += 1;
        cursor = end;
        if cursor.eof() {
            break;
        }
        let (p, next) = plain_punct(cursor)?;
        if p.as_char() != ',' || matches!(kind, Contents::One) {
            return None;
        }
        cursor = next;
    }
    (matches!(kind, Contents::List) || count == 1).then_some(())
}

/// A tuple field's literal as syn reads it: `0`, `12`, or `0.1` (`x.0.1` lexes as one
/// float token), each index a `u32` without leading zeros (syn would print `x.01` as
/// `x.1`) and nothing after a dot left empty (`x.1.`).
fn is_tuple_index(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() <= 2
        && parts.iter().all(|part| {
            !part.is_empty()
                && part.bytes().all(|b| b.is_ascii_digit())
                && (*part == "0" || !part.starts_with('0'))
                && part.parse::<u32>().is_ok()
        })
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
                let (_, next) = plain_punct(colon)?;
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

/// Whether the group at `cursor` is `[...]` (else `(...)`), its inside, and the cursor
/// past it.
fn paren_or_bracket(cursor: Cursor) -> Option<(bool, Cursor, Cursor)> {
    let cursor = visible(cursor)?;
    let (bracket, (inner, _, next)) = match cursor.group(Delimiter::Parenthesis) {
        Some(group) => (false, group),
        None => (true, cursor.group(Delimiter::Bracket)?),
    };
    Some((bracket, inner, next))
}

/// `cursor` itself, or `None` at an invisible group, whose contents syn's own cursor
/// methods would look into (the fast path counts top-level token trees).
pub(super) fn visible(cursor: Cursor) -> Option<Cursor> {
    cursor.group(Delimiter::None).is_none().then_some(cursor)
}

pub(super) fn plain_punct(cursor: Cursor) -> Option<(proc_macro2::Punct, Cursor)> {
    visible(cursor)?.punct()
}

pub(super) fn plain_ident(cursor: Cursor) -> Option<(Ident, Cursor)> {
    visible(cursor)?.ident()
}

pub(super) fn plain_literal(cursor: Cursor) -> Option<(Literal, Cursor)> {
    visible(cursor)?.literal()
}

fn is_path_sep(cursor: Cursor) -> bool {
    plain_punct(cursor).is_some_and(|(p, next)| {
        p.as_char() == ':'
            && p.spacing() == proc_macro2::Spacing::Joint
            && plain_punct(next).is_some_and(|(q, _)| q.as_char() == ':')
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
    input
        .cursor()
        .literal()
        .is_some_and(|(lit, _)| is_str_literal(&lit))
}

pub(super) fn is_str_literal(lit: &Literal) -> bool {
    let text = lit.to_string();
    text.starts_with('"') || text.starts_with("r\"") || text.starts_with("r#")
}

/// A string literal's value and span, as `input.parse::<LitStr>()` and `value()` give
/// them. A literal without escapes, suffix or carriage return (most templates and
/// register names) is its text between the quotes; syn is left the others (it also turns
/// a `\r\n` in the source into `\n`, which matters to `audit`, which reads files as they
/// are).
pub(super) fn parse_str_value(input: ParseStream) -> syn::Result<(String, Span)> {
    if let Some((lit, _)) = input.cursor().literal()
        && let Some(value) = plain_str_value(&lit)
    {
        let span = lit.span();
        input.step(|cursor| match cursor.literal() {
            Some((_, rest)) => Ok(((), rest)),
            None => Err(cursor.error("expected a string literal")),
        })?;
        return Ok((value, span));
    }
    let lit: LitStr = input.parse()?;
    Ok((lit.value(), lit.span()))
}

/// The value of a string literal without escapes, suffix or carriage return (its text
/// between the quotes), or `None` for any other literal.
pub(super) fn plain_str_value(lit: &Literal) -> Option<String> {
    let text = lit.to_string();
    let inner = text.strip_prefix('"').and_then(|t| t.strip_suffix('"'))?;
    (!has_escape_quote_or_cr(inner)).then(|| inner.to_string())
}

/// Whether `text` has a `\`, `"` or CR, byte by byte: `str::contains` with a `[char; 3]`
/// pattern costs some 500 instructions per character in a macro built without
/// optimisation (cargo's default for proc macros), a tenth of parsing a template piece.
fn has_escape_quote_or_cr(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if matches!(bytes[i], b'\\' | b'"' | b'\r') {
            return true;
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::ExprRef;
    use super::super::parse::{parse_expr, parse_expr_with_syn};
    use super::super::test_tokens::{first_invisible, invisible};
    use super::*;
    use proc_macro2::{Group, TokenStream, TokenTree};
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
            let grouped = invisible(tokens.clone());
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
            // A CR LF in the source: syn's value has `\n` alone.
            "\"a\r\nb\"",
        ];
        for source in sources {
            for tail in ["", ", options(nomem)"] {
                let text = format!("{source}{tail}");
                let tokens: TokenStream = text.parse().expect("valid tokens");
                let grouped = first_invisible(tokens.clone());
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
            "f()",
            "f(a,)",
            "(a,)",
            "()",
            "[]",
            "[a, b,]",
            "x.m(a.b(), &mut c[0])",
            "(((((x)))))",
            "x[f(y)[0]]",
            "x.10",
            "x.0.12",
            "x as u64",
            "x as u64 as usize",
            "(x as u64)",
            "core::ptr::addr_of!(x)",
            "vec![1, 2]",
            "r#type",
            "'c'",
            "\"s\"",
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
            "(a + b)",
            "[0u8; 4]",
            "buf[..n].as_ptr()",
            // Invalid group contents: syn reports them.
            "f(a b)",
            "x[]",
            "x[a; 2]",
            "x[a, b]",
            "(a b)",
            "[a b]",
            "[a;]",
            "(,)",
            "f(,)",
            "f(a,,b)",
            "f(;)",
            "x.m(a b)",
            "(#![x] a)",
            // syn: "casts cannot be followed by ...".
            "x as u64.foo()",
            "x as u64.0",
            "x as u64[0]",
            "x as u64(1)",
            "x as F(u8)",
            // Tuple indices syn rejects or prints otherwise.
            "x.1.",
            "x.0.0.",
            "x.4294967296",
            "x.0.4294967296",
            "x.01",
            "x.0.01",
            // Deeper than the fast path goes.
            "((((((((((x))))))))))",
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
        assert!(!takes_fast_path(invisible(inner)));
        // `a` `:`(joint) then an invisible group holding `: b`: not a path separator
        // (syn reads `a` and stops), so not the fast path's business.
        let mut colon = proc_macro2::Punct::new(':', proc_macro2::Spacing::Joint);
        colon.set_span(Span::call_site());
        let inner: TokenStream = ": b".parse().expect("valid tokens");
        let mut tokens: TokenStream = "a".parse().expect("valid tokens");
        tokens.extend([
            TokenTree::Punct(colon),
            TokenTree::Group(Group::new(Delimiter::None, inner)),
        ]);
        tokens.extend(", y".parse::<TokenStream>().expect("valid tokens"));
        let read = |parse: fn(ParseStream) -> syn::Result<ExprRef>| {
            (|input: ParseStream| {
                let expr = parse(input)?;
                let rest: TokenStream = input.parse()?;
                Ok((expr.text, rest.to_string()))
            })
            .parse2(tokens.clone())
            .map_err(|e| e.to_string())
        };
        assert_eq!(read(parse_expr), read(parse_expr_with_syn));
    }

    /// Random sequences of expression fragments, each followed by one of the tails:
    /// wherever the fast path answers, it reads what syn reads.
    #[test]
    fn random_fragments_read_as_syn_reads_them() {
        let fragments = [
            "x",
            "y",
            "self",
            "Self",
            "super",
            "crate",
            "r#type",
            "_",
            "as",
            "u8",
            "mut",
            "1",
            "1.",
            "0.1",
            "01",
            "1e3",
            "\"s\"",
            "'c'",
            "b'a'",
            "&",
            "&&",
            "*",
            "-",
            "!",
            ".",
            "::",
            ":",
            "(a)",
            "()",
            "[0]",
            "(a, b)",
            "(a b)",
            "[]",
            "(,)",
            "[a; 2]",
            "{}",
            "<",
            ">",
            "=",
            "==",
            "+",
            "?",
            "..",
            "#",
            "'a",
            "await",
            "match",
            "true",
            "m!",
            "0",
            ".0",
            "try",
            "=>",
            ",",
            "(x,)",
            "m![]",
            "(m!(x))",
            "1u8",
            "4294967296",
            "static",
        ];
        let tails = ["", ", out(reg) y", " => y", " => _, options(nomem)"];
        let mut next = crate::test_rng::xorshift(0x9e37_79b9_7f4a_7c15_u64);
        let mut fast = 0;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..1 + next() % 6 {
                // Sometimes no space, so that punctuation joins.
                if next().is_multiple_of(2) {
                    text.push(' ');
                }
                text.push_str(fragments[(next() % fragments.len() as u64) as usize]);
            }
            text.push_str(tails[(next() % tails.len() as u64) as usize]);
            let Ok(tokens) = text.parse::<TokenStream>() else {
                continue;
            };
            if !takes_fast_path(tokens) {
                continue;
            }
            fast += 1;
            assert_eq!(
                expr_and_rest(&text, parse_expr),
                expr_and_rest(&text, parse_expr_with_syn),
                "`{text}`"
            );
        }
        // The fast path is exercised, not only declined.
        assert!(fast > 1_000, "{fast}");
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
