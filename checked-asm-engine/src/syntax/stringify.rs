//! `stringify!` as rustc 1.95 prints it (`rustc_ast_pretty::pprust::tts_to_string`):
//! tokens separated by a space unless the source had none there ("joint hidden"
//! spacing, which we read from span positions) or `space_between` says not to, laid
//! out by the Oppen pretty printer with a 78-column margin. The margin matters for
//! assembly: rustc breaks long outputs into lines, and a newline ends a statement.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

const MARGIN: isize = 78;
/// `INDENT_UNIT` of rustc's pretty printer, used by the break before a closing brace.
const INDENT_UNIT: isize = 4;

pub(super) fn stringify_tokens(tokens: &TokenStream) -> String {
    let mut doc = Vec::new();
    print_tts(&mut doc, tokens.clone());
    layout(&doc)
}

#[derive(Debug)]
enum Doc {
    Text(String),
    Break { offset: isize, if_not_bol: bool },
    Begin,
    End,
}

fn print_tts(doc: &mut Vec<Doc>, tokens: TokenStream) {
    let tts: Vec<TokenTree> = flatten_invisible(tokens);
    for (i, tt) in tts.iter().enumerate() {
        print_tt(doc, tt);
        if let Some(next) = tts.get(i + 1)
            && is_alone(tt, next)
            && space_between(tt, next)
        {
            doc.push(Doc::Break {
                offset: 0,
                if_not_bol: false,
            });
        }
    }
}

/// None-delimited groups (macro_rules fragments) print without delimiters.
fn flatten_invisible(tokens: TokenStream) -> Vec<TokenTree> {
    let mut out = Vec::new();
    for tt in tokens {
        match tt {
            TokenTree::Group(g) if g.delimiter() == Delimiter::None => {
                out.extend(flatten_invisible(g.stream()))
            }
            other => out.push(other),
        }
    }
    out
}

fn print_tt(doc: &mut Vec<Doc>, tt: &TokenTree) {
    match tt {
        TokenTree::Group(g) => {
            let (open, close) = match g.delimiter() {
                Delimiter::Parenthesis => ("(", ")"),
                Delimiter::Bracket => ("[", "]"),
                Delimiter::Brace => ("{", "}"),
                Delimiter::None => ("", ""),
            };
            doc.push(Doc::Text(open.into()));
            let inner = g.stream();
            let brace_space =
                g.delimiter() == Delimiter::Brace && !inner.is_empty() && !adjacent_after_open(g);
            if brace_space {
                doc.push(Doc::Break {
                    offset: 0,
                    if_not_bol: false,
                });
            }
            doc.push(Doc::Begin);
            print_tts(doc, inner);
            doc.push(Doc::End);
            if brace_space {
                doc.push(Doc::Break {
                    offset: -INDENT_UNIT,
                    if_not_bol: true,
                });
            }
            doc.push(Doc::Text(close.into()));
        }
        TokenTree::Ident(i) => doc.push(Doc::Text(i.to_string())),
        TokenTree::Punct(p) => doc.push(Doc::Text(p.as_char().to_string())),
        TokenTree::Literal(l) => doc.push(Doc::Text(l.to_string())),
    }
}

fn adjacent_after_open(g: &proc_macro2::Group) -> bool {
    match g.stream().into_iter().next() {
        Some(first) => adjacent(g.span_open(), first.span()),
        None => true,
    }
}

/// Whether `a` ends exactly where `b` starts in the source. Unknown positions (line 0)
/// count as not adjacent.
fn adjacent(a: proc_macro2::Span, b: proc_macro2::Span) -> bool {
    let end = a.end();
    let start = b.start();
    end.line != 0 && end == start
}

/// rustc's `Spacing::Alone`: the token is followed by whitespace (or is a punct the
/// lexer did not glue and that is not immediately followed by anything).
fn is_alone(tt: &TokenTree, next: &TokenTree) -> bool {
    match tt {
        TokenTree::Punct(p) if p.spacing() == Spacing::Joint => false,
        TokenTree::Group(g) => !adjacent(g.span_close(), first_span(next)),
        _ => !adjacent(tt.span(), first_span(next)),
    }
}

fn first_span(tt: &TokenTree) -> proc_macro2::Span {
    match tt {
        TokenTree::Group(g) if g.delimiter() == Delimiter::None => g
            .stream()
            .into_iter()
            .next()
            .map(|t| first_span(&t))
            .unwrap_or_else(|| g.span()),
        TokenTree::Group(g) => g.span_open(),
        other => other.span(),
    }
}

fn is_punct(tt: &TokenTree) -> bool {
    matches!(tt, TokenTree::Punct(_))
}

/// rustc_ast_pretty's `space_between`.
fn space_between(a: &TokenTree, b: &TokenTree) -> bool {
    let punct = |tt: &TokenTree, c: char| matches!(tt, TokenTree::Punct(p) if p.as_char() == c);
    if punct(a, '.') && !is_punct(b) {
        return false;
    }
    if (punct(b, ',') || punct(b, ';') || punct(b, '.')) && !is_punct(a) {
        return false;
    }
    if let (TokenTree::Ident(i), TokenTree::Group(g)) = (a, b)
        && g.delimiter() == Delimiter::Parenthesis
    {
        let name = i.to_string();
        if !is_reserved(&name) || matches!(name.as_str(), "fn" | "Self" | "pub") {
            return false;
        }
    }
    if punct(a, '#') && matches!(b, TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket) {
        return false;
    }
    true
}

/// Rust's strict and reserved keywords (2015–2024 editions) and `_`, by length: the
/// function runs for every identifier of every operand expression, and in a macro built
/// without optimisation a `matches!` over 50 strings compares them one by one.
const RESERVED_BY_LENGTH: [&[&str]; 9] = [
    &[],
    &["_"],
    &["as", "fn", "if", "in", "do"],
    &[
        "for", "let", "mod", "mut", "pub", "ref", "use", "dyn", "box", "try", "gen",
    ],
    &[
        "else", "enum", "impl", "loop", "move", "self", "Self", "true", "type", "priv",
    ],
    &[
        "break", "const", "crate", "false", "match", "super", "trait", "where", "while", "async",
        "await", "final", "macro", "yield",
    ],
    &[
        "extern", "return", "static", "struct", "unsafe", "become", "typeof",
    ],
    &["unsized", "virtual"],
    &["continue", "abstract", "override"],
];

pub(super) fn is_reserved(name: &str) -> bool {
    RESERVED_BY_LENGTH
        .get(name.len())
        .is_some_and(|words| words.contains(&name))
}

/// Oppen's algorithm as rustc runs it: every box is "inconsistent" (`ibox(0)`), a break
/// is taken when what follows it up to the next break of the same box does not fit.
fn layout(doc: &[Doc]) -> String {
    let sizes = sizes(doc);
    let mut out = String::new();
    let mut space = MARGIN;
    let mut indent: isize = 0;
    // (broken, indent at entry)
    let mut frames: Vec<(bool, isize)> = Vec::new();
    for (i, item) in doc.iter().enumerate() {
        match item {
            Doc::Text(t) => {
                out.push_str(t);
                space -= t.chars().count() as isize;
            }
            Doc::Begin => {
                frames.push((sizes[i] > space, indent));
            }
            Doc::End => {
                if let Some((_, saved)) = frames.pop() {
                    indent = saved;
                }
            }
            Doc::Break { offset, if_not_bol } => {
                if *if_not_bol && out.ends_with('\n') {
                    continue;
                }
                let broken = frames.last().is_none_or(|f| f.0);
                if broken && sizes[i] > space {
                    let base = frames.last().map_or(0, |f| f.1);
                    let new_indent = (base + offset).max(0);
                    out.push('\n');
                    out.extend(std::iter::repeat_n(' ', new_indent as usize));
                    space = MARGIN - new_indent;
                } else {
                    out.push(' ');
                    space -= 1;
                }
            }
        }
    }
    out
}

/// For a Break: its blank plus the text up to the next Break of the same box or the end
/// of the box. For a Begin: the text up to its End.
fn sizes(doc: &[Doc]) -> Vec<isize> {
    let mut sizes = vec![0isize; doc.len()];
    for (i, item) in doc.iter().enumerate() {
        match item {
            Doc::Break { .. } => {
                let mut total = 1;
                let mut depth = 0usize;
                for next in &doc[i + 1..] {
                    match next {
                        Doc::Text(t) => total += t.chars().count() as isize,
                        Doc::Begin => depth += 1,
                        Doc::End if depth == 0 => break,
                        Doc::End => depth -= 1,
                        Doc::Break { .. } if depth == 0 => break,
                        Doc::Break { .. } => total += 1,
                    }
                }
                sizes[i] = total;
            }
            Doc::Begin => {
                let mut total = 0;
                let mut depth = 0usize;
                for next in &doc[i + 1..] {
                    match next {
                        Doc::Text(t) => total += t.chars().count() as isize,
                        Doc::Begin => depth += 1,
                        Doc::End if depth == 0 => break,
                        Doc::End => depth -= 1,
                        Doc::Break { .. } => total += 1,
                    }
                }
                sizes[i] = total;
            }
            _ => {}
        }
    }
    sizes
}

#[cfg(test)]
mod tests {
    use super::is_reserved;

    /// Every keyword of the list rustc's `Symbol::is_reserved` covers, and nothing else:
    /// not a prefix, an extension or another case of one.
    #[test]
    fn reserved_words_are_exactly_the_keywords() {
        const KEYWORDS: [&str; 53] = [
            "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn",
            "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
            "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
            "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become",
            "box", "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual",
            "yield", "try", "gen", "_",
        ];
        for word in KEYWORDS {
            assert!(is_reserved(word), "{word}");
            for other in [&word[1..], &format!("{word}s"), &word.to_uppercase()] {
                assert!(
                    !is_reserved(other) || KEYWORDS.contains(&other),
                    "{other} from {word}"
                );
            }
        }
        for word in [
            "", "port", "x", "selfish", "Self_", "r#in", "asm", "union", "raw",
        ] {
            assert!(!is_reserved(word), "{word}");
        }
    }
}
