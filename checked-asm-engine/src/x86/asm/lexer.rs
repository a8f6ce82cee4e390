//! Splitting a template into statements and operands, as LLVM's `AsmLexer` does for x86:
//! `;` and newline separate statements, `#` comments to the end of the line (swallowing a
//! later `;`), `//` and `/* */` are comments too. Byte offsets into the original source are
//! kept everywhere so that errors point at the text the user wrote.

use std::ops::Range;

/// The source with every comment blanked out (same length, same offsets), split into
/// statement ranges.
pub(crate) fn split_statements(src: &str) -> (String, Vec<Range<usize>>) {
    let bytes = src.as_bytes();
    let mut clean = bytes.to_vec();
    let mut stmts = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            if b == b'\\' {
                i += 2;
                continue;
            }
            if b == b'"' {
                in_string = false;
            }
            if b == b'\n' {
                in_string = false;
                push_trimmed(&clean, start, i, &mut stmts);
                start = i + 1;
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => in_string = true,
            // A character literal (`mov al, ';'`) is not a separator or a comment.
            b'\'' if i + 2 < bytes.len() && bytes[i + 2] == b'\'' => {
                i += 3;
                continue;
            }
            b'#' => {
                let end = line_end(bytes, i);
                blank(&mut clean, i, end);
                i = end;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = line_end(bytes, i);
                blank(&mut clean, i, end);
                i = end;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = src[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |p| i + 2 + p + 2);
                // A block comment spanning lines still ends the statement on each newline,
                // as LLVM's lexer turns it into whitespace but keeps line structure.
                for (j, c) in clean.iter_mut().enumerate().take(end).skip(i) {
                    if bytes[j] != b'\n' {
                        *c = b' ';
                    }
                }
                i = end;
                continue;
            }
            b';' | b'\n' => {
                push_trimmed(&clean, start, i, &mut stmts);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    push_trimmed(&clean, start, bytes.len(), &mut stmts);
    // Only whole comments (ending at ASCII bytes) were blanked, so this stays UTF-8; the
    // lossy fallback can never lose statement text.
    let clean = String::from_utf8(clean)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    (clean, stmts)
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

fn blank(clean: &mut [u8], from: usize, to: usize) {
    for c in &mut clean[from..to] {
        *c = b' ';
    }
}

fn push_trimmed(clean: &[u8], mut start: usize, mut end: usize, out: &mut Vec<Range<usize>>) {
    while start < end && clean[start].is_ascii_whitespace() {
        start += 1;
    }
    while end > start && clean[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    if start < end {
        out.push(start..end);
    }
}

/// Trims ASCII whitespace from `range` within `src`.
pub(crate) fn trim(src: &str, range: Range<usize>) -> Range<usize> {
    let b = src.as_bytes();
    let (mut s, mut e) = (range.start, range.end);
    while s < e && b[s].is_ascii_whitespace() {
        s += 1;
    }
    while e > s && b[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    s..e
}

/// Splits `range` at top-level commas (not inside brackets, parentheses, braces or
/// strings), trimming each piece.
pub(crate) fn split_commas(src: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = range.start;
    let mut in_string = false;
    let mut i = range.start;
    while i < range.end {
        let c = b[i];
        if in_string {
            if c == b'\\' {
                i += 1;
            } else if c == b'"' {
                in_string = false;
            }
        } else {
            match c {
                b'"' => in_string = true,
                b'\'' if i + 2 < range.end && b[i + 2] == b'\'' => {
                    i += 3;
                    continue;
                }
                b'[' | b'(' | b'{' => depth += 1,
                b']' | b')' | b'}' => depth -= 1,
                b',' if depth <= 0 => {
                    out.push(trim(src, start..i));
                    start = i + 1;
                }
                _ => {}
            }
        }
        i += 1;
    }
    let last = trim(src, start..range.end);
    if !last.is_empty() || !out.is_empty() {
        out.push(last);
    }
    out
}

/// Identifier characters as GNU as and LLVM accept them in symbol names.
pub(crate) fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'.' || c == b'$' || c >= 0x80
}

pub(crate) fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'$' || c == b'@' || c >= 0x80
}

/// Length of the word (identifier-like run) starting at `from`.
pub(crate) fn word_len(b: &[u8], from: usize, end: usize) -> usize {
    let mut i = from;
    while i < end
        && (b[i].is_ascii_alphanumeric()
            || b[i] == b'_'
            || b[i] == b'.'
            || b[i] == b'$'
            || b[i] >= 0x80)
    {
        i += 1;
    }
    i - from
}

/// Splits an address expression at top-level `+`/`-` into signed terms
/// (`rax + rbx*4 - 8` → `(+, rax) (+, rbx*4) (-, 8)`).
pub(crate) fn split_terms(src: &str, range: Range<usize>) -> Vec<(bool, Range<usize>)> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut neg = false;
    let mut start = range.start;
    let mut prev_significant: Option<u8> = None;
    for i in range.clone() {
        let c = b[i];
        match c {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b'+' | b'-' if depth == 0 => {
                let binary = matches!(prev_significant, Some(p) if !matches!(p, b'+' | b'-' | b'*' | b'/' | b'(' | b'~' | b'<' | b'>' | b'&' | b'|' | b'^'));
                if binary {
                    let t = trim(src, start..i);
                    if !t.is_empty() {
                        out.push((neg, t));
                    }
                    neg = c == b'-';
                    start = i + 1;
                    prev_significant = Some(c);
                    continue;
                }
            }
            _ => {}
        }
        if !c.is_ascii_whitespace() {
            prev_significant = Some(c);
        }
    }
    let t = trim(src, start..range.end);
    if !t.is_empty() {
        out.push((neg, t));
    }
    out
}
