//! Template placeholders as rustc parses them (`rustc_parse_format` in `InlineAsm`
//! mode): `{}`, `{0}`, `{name}`, each with an optional `:modifier`; `{{` and `}}` are
//! braces. Implicit `{}` numbering continues across template pieces.

use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Position<'a> {
    /// `{}`: the next positional operand.
    Implicit(usize),
    Index(usize),
    Name(&'a str),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Piece<'a> {
    /// Text, as a byte range of the piece: an escaped brace (`{{`, `}}`) ends a range
    /// with its first brace, and the text after it starts another, so that the ranges'
    /// texts joined are the text with the escapes read.
    Text(Range<usize>),
    Arg {
        position: Position<'a>,
        /// The text after `:`, which must be a single character to be valid.
        modifier: Option<&'a str>,
        /// Byte range of `{...}` in the piece.
        range: Range<usize>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct FormatError {
    pub message: String,
    pub note: Option<String>,
    pub range: Range<usize>,
}

pub(super) fn parse_pieces<'a>(
    text: &'a str,
    curarg: &mut usize,
) -> Result<Vec<Piece<'a>>, FormatError> {
    // A text run before and after each placeholder, as most pieces have.
    // Counted by index: a `filter().count()` chain costs some 60 instructions a byte in
    // a macro built without optimisation (cargo's default for proc macros).
    let mut braces = 0;
    for &b in text.as_bytes() {
        braces += usize::from(b == b'{');
    }
    let mut pieces = Vec::with_capacity(2 * braces + 1);
    // The start of the text run being read, if one is.
    let mut literal: Option<usize> = None;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => {
                pieces.push(Piece::Text(literal.take().unwrap_or(i)..i + 1));
                i += 2;
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => {
                pieces.push(Piece::Text(literal.take().unwrap_or(i)..i + 1));
                i += 2;
            }
            b'}' => {
                return Err(FormatError {
                    message: "invalid asm template string: unmatched `}` found".into(),
                    note: Some("if you intended to print `}`, you can escape it using `}}`".into()),
                    range: i..i + 1,
                });
            }
            b'{' => {
                if let Some(start) = literal.take() {
                    pieces.push(Piece::Text(start..i));
                }
                let (piece, end) = parse_argument(text, i, curarg)?;
                pieces.push(piece);
                i = end;
            }
            _ => {
                // The text up to the next brace, in one piece: braces are ASCII, so the
                // run ends on a character boundary.
                literal.get_or_insert(i);
                while i < bytes.len() && !matches!(bytes[i], b'{' | b'}') {
                    i += 1;
                }
            }
        }
    }
    if let Some(start) = literal {
        pieces.push(Piece::Text(start..bytes.len()));
    }
    Ok(pieces)
}

/// Parses `{...}` starting at `start` (the `{`); returns the piece and the index after `}`.
fn parse_argument<'a>(
    text: &'a str,
    start: usize,
    curarg: &mut usize,
) -> Result<(Piece<'a>, usize), FormatError> {
    let mut i = start + 1;
    let rest = &text[i..];
    let position = if rest.starts_with(|c: char| c.is_ascii_digit()) {
        let digits = &rest[..rest.bytes().take_while(u8::is_ascii_digit).count()];
        i += digits.len();
        let index = digits.parse::<usize>().map_err(|_| FormatError {
            message: "invalid asm template string: integer `".to_string()
                + digits
                + "` does not fit into the type `usize` whose range is `0..=18446744073709551615`",
            note: None,
            range: start..i,
        })?;
        Some(Position::Index(index))
    } else if rest.starts_with(is_id_start) {
        let word = take_word(rest);
        i += word.len();
        Some(Position::Name(word))
    } else {
        None
    };
    let mut modifier = None;
    if text[i..].starts_with(':') {
        i += 1;
        let word = take_word(&text[i..]);
        i += word.len();
        if !word.is_empty() {
            modifier = Some(word);
        }
    }
    // Whitespace is allowed before the closing brace, as in `format!`.
    let ws: usize = text[i..]
        .chars()
        .take_while(|c| c.is_whitespace())
        .map(char::len_utf8)
        .sum();
    i += ws;
    match text[i..].chars().next() {
        Some('}') => {}
        Some(found) => {
            return Err(FormatError {
                message: format!("invalid asm template string: expected `}}`, found `{found}`"),
                note: Some("if you intended to print `{`, you can escape it using `{{`".into()),
                range: start..i + found.len_utf8(),
            });
        }
        None => {
            return Err(FormatError {
                message: "invalid asm template string: expected `}` but string was terminated"
                    .into(),
                note: Some("if you intended to print `{`, you can escape it using `{{`".into()),
                range: start..text.len(),
            });
        }
    }
    i += 1;
    let position = position.unwrap_or_else(|| {
        let p = Position::Implicit(*curarg);
        *curarg += 1;
        p
    });
    Ok((
        Piece::Arg {
            position,
            modifier,
            range: start..i,
        },
        i,
    ))
}

fn is_id_start(c: char) -> bool {
    c == '_' || unicode_ident_start(c)
}

fn unicode_ident_start(c: char) -> bool {
    c.is_alphabetic()
}

fn take_word(s: &str) -> &str {
    let mut end = 0;
    for (idx, c) in s.char_indices() {
        let ok = if idx == 0 {
            is_id_start(c)
        } else {
            c == '_' || c.is_alphanumeric()
        };
        if !ok {
            break;
        }
        end = idx + c.len_utf8();
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg<'a>(
        position: Position<'a>,
        modifier: Option<&'a str>,
        range: Range<usize>,
    ) -> Piece<'a> {
        Piece::Arg {
            position,
            modifier,
            range,
        }
    }

    /// The pieces as text: each text range's text, `{}` for a placeholder.
    fn shown(text: &str, pieces: &[Piece<'_>]) -> Vec<String> {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Text(r) => text[r.clone()].to_string(),
                Piece::Arg { .. } => "{}".to_string(),
            })
            .collect()
    }

    #[test]
    fn implicit_numbering_continues_across_pieces() {
        let mut cur = 0;
        let a = parse_pieces("mov {}, {}", &mut cur).unwrap();
        let b = parse_pieces("add {:e}, 1", &mut cur).unwrap();
        assert_eq!(
            a,
            vec![
                Piece::Text(0..4),
                arg(Position::Implicit(0), None, 4..6),
                Piece::Text(6..8),
                arg(Position::Implicit(1), None, 8..10),
            ]
        );
        assert_eq!(b[1], arg(Position::Implicit(2), Some("e"), 4..8));
        assert_eq!(cur, 3);
    }

    #[test]
    fn explicit_positions_do_not_advance_the_implicit_counter() {
        let mut cur = 0;
        let p = parse_pieces("{1} {} {x:l} {0 }", &mut cur).unwrap();
        assert_eq!(p[0], arg(Position::Index(1), None, 0..3));
        assert_eq!(p[2], arg(Position::Implicit(0), None, 4..6));
        assert_eq!(p[4], arg(Position::Name("x"), Some("l"), 7..12));
        assert_eq!(p[6], arg(Position::Index(0), None, 13..17));
        assert_eq!(cur, 1);
    }

    /// An escaped brace is its first brace; the text goes on in a new range after it.
    #[test]
    fn escaped_braces_are_text() {
        let mut cur = 0;
        let text = "vaddps zmm0 {{k1}}, zmm1";
        let p = parse_pieces(text, &mut cur).unwrap();
        assert_eq!(
            p,
            vec![Piece::Text(0..13), Piece::Text(14..17), Piece::Text(18..24)]
        );
        assert_eq!(shown(text, &p).concat(), "vaddps zmm0 {k1}, zmm1");
        let text = "{{}}{{";
        let p = parse_pieces(text, &mut cur).unwrap();
        assert_eq!(shown(text, &p), ["{", "}", "{"]);
    }

    /// Text runs are taken whole, multi-byte characters included, with the byte ranges
    /// of the placeholders between them.
    #[test]
    fn text_around_placeholders_keeps_every_character() {
        let mut cur = 0;
        let text = "é{0}ü{{}}ß{} ∑";
        let p = parse_pieces(text, &mut cur).unwrap();
        assert_eq!(shown(text, &p), ["é", "{}", "ü{", "}", "ß", "{}", " ∑"]);
        assert_eq!(p[1], arg(Position::Index(0), None, 2..5));
        assert_eq!(p[5], arg(Position::Implicit(0), None, 13..15));
        let e = parse_pieces("ü}", &mut cur).unwrap_err();
        assert_eq!(e.range, 2..3);
    }

    #[test]
    fn errors_match_rustc() {
        let mut cur = 0;
        let e = parse_pieces("mov {0", &mut cur).unwrap_err();
        assert_eq!(
            e.message,
            "invalid asm template string: expected `}` but string was terminated"
        );
        let e = parse_pieces("a } b", &mut cur).unwrap_err();
        assert_eq!(
            e.message,
            "invalid asm template string: unmatched `}` found"
        );
        assert_eq!(e.range, 2..3);
        let e = parse_pieces("{ 0}", &mut cur).unwrap_err();
        assert_eq!(
            e.message,
            "invalid asm template string: expected `}`, found `0`"
        );
        let e = parse_pieces("{0:1}", &mut cur).unwrap_err();
        assert_eq!(
            e.message,
            "invalid asm template string: expected `}`, found `1`"
        );
    }

    #[test]
    fn multi_character_modifier_is_kept_for_the_caller_to_reject() {
        let mut cur = 0;
        let p = parse_pieces("{0:ex}", &mut cur).unwrap();
        assert_eq!(p[0], arg(Position::Index(0), Some("ex"), 0..6));
    }
}
