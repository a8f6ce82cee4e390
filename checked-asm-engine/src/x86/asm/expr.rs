//! Constant expressions with at most one symbol term (`sym + 8`, `2f`, `foo@GOTPCREL`),
//! the subset of GNU as / LLVM `MCExpr` that appears in inline-assembly templates.

use super::error::AsmError;
use super::lexer::{is_ident_char, is_ident_start};
use std::ops::Range;

/// A reference to a symbol or label, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SymTerm {
    /// The name (`foo`, or `2b`/`2f` for numeric local label references).
    pub name: String,
    /// Relocation specifier after `@` (`GOTPCREL`, `PLT`, `tpoff`, ...).
    pub reloc: Option<String>,
    pub range: Range<usize>,
}

/// `sym + value` where `sym` is optional.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct Value {
    pub num: i64,
    pub sym: Option<SymTerm>,
}

pub(crate) struct ExprParser<'a> {
    src: &'a str,
    b: &'a [u8],
    pub pos: usize,
    end: usize,
    /// Intel syntax: `0FFh` hex suffix and `$`-prefixed numbers are numbers.
    intel: bool,
    /// Nesting of unary operators and parentheses, bounded so no input overflows the stack.
    depth: u32,
}

type R<T> = Result<T, AsmError>;

impl<'a> ExprParser<'a> {
    pub fn new(src: &'a str, range: Range<usize>, intel: bool) -> Self {
        ExprParser {
            src,
            b: src.as_bytes(),
            pos: range.start,
            end: range.end,
            intel,
            depth: 0,
        }
    }

    pub fn skip_ws(&mut self) {
        while self.pos < self.end && self.b[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    pub fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos >= self.end
    }

    pub fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        (self.pos < self.end).then(|| self.b[self.pos])
    }

    fn err(&self, at: usize, msg: impl Into<String>) -> AsmError {
        let end = (at + 1).min(self.end).max(at);
        AsmError::new(at..end, msg)
    }

    /// Parses a whole expression.
    pub fn parse(&mut self) -> R<Value> {
        self.additive()
    }

    fn additive(&mut self) -> R<Value> {
        let mut lhs = self.bitwise()?;
        loop {
            match self.peek() {
                Some(b'+') => {
                    self.pos += 1;
                    let rhs = self.bitwise()?;
                    lhs = self.combine_add(lhs, rhs, false)?;
                }
                Some(b'-') => {
                    let at = self.pos;
                    self.pos += 1;
                    let rhs = self.bitwise()?;
                    if rhs.sym.is_some() {
                        return Err(self.err(at, "cannot subtract a symbol in this expression"));
                    }
                    lhs = self.combine_add(lhs, rhs, true)?;
                }
                _ => return Ok(lhs),
            }
        }
    }

    fn combine_add(&self, lhs: Value, rhs: Value, sub: bool) -> R<Value> {
        let num = if sub {
            lhs.num.wrapping_sub(rhs.num)
        } else {
            lhs.num.wrapping_add(rhs.num)
        };
        let sym = match (lhs.sym, rhs.sym) {
            (Some(a), None) => Some(a),
            (None, b) => b,
            (Some(_), Some(b)) => {
                return Err(AsmError::new(
                    b.range,
                    "an expression can refer to only one symbol",
                ));
            }
        };
        Ok(Value { num, sym })
    }

    fn bitwise(&mut self) -> R<Value> {
        let mut lhs = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                Some(c @ (b'&' | b'|' | b'^')) => c,
                _ => return Ok(lhs),
            };
            let at = self.pos;
            self.pos += 1;
            let rhs = self.multiplicative()?;
            let (a, b) = self.both_const(at, &lhs, &rhs)?;
            lhs = Value::from(match op {
                b'&' => a & b,
                b'|' => a | b,
                _ => a ^ b,
            });
        }
    }

    fn multiplicative(&mut self) -> R<Value> {
        let mut lhs = self.unary()?;
        loop {
            self.skip_ws();
            let rest = &self.b[self.pos..self.end];
            let (op, len) = match rest {
                [b'<', b'<', ..] => (b'l', 2),
                [b'>', b'>', ..] => (b'r', 2),
                [c @ (b'*' | b'/' | b'%'), ..] => (*c, 1),
                _ => return Ok(lhs),
            };
            let at = self.pos;
            self.pos += len;
            let rhs = self.unary()?;
            let (a, b) = self.both_const(at, &lhs, &rhs)?;
            let v = match op {
                b'*' => a.wrapping_mul(b),
                b'/' | b'%' if b == 0 => return Err(self.err(at, "division by zero")),
                b'/' => a.wrapping_div(b),
                b'%' => a.wrapping_rem(b),
                b'l' => a.wrapping_shl(b as u32),
                _ => a.wrapping_shr(b as u32),
            };
            lhs = Value::from(v);
        }
    }

    fn both_const(&self, at: usize, a: &Value, b: &Value) -> R<(i64, i64)> {
        if a.sym.is_some() || b.sym.is_some() {
            return Err(self.err(at, "a symbol can only be added to or subtracted from"));
        }
        Ok((a.num, b.num))
    }

    fn unary(&mut self) -> R<Value> {
        if self.depth >= 200 {
            return Err(self.err(self.pos, "expression is nested too deeply"));
        }
        self.depth += 1;
        let v = self.unary_inner();
        self.depth -= 1;
        v
    }

    fn unary_inner(&mut self) -> R<Value> {
        match self.peek() {
            Some(b'-') => {
                let at = self.pos;
                self.pos += 1;
                let v = self.unary()?;
                if v.sym.is_some() {
                    return Err(self.err(at, "cannot negate a symbol"));
                }
                Ok(Value::from(v.num.wrapping_neg()))
            }
            Some(b'+') => {
                self.pos += 1;
                self.unary()
            }
            Some(b'~') => {
                let at = self.pos;
                self.pos += 1;
                let v = self.unary()?;
                self.both_const(at, &v, &Value::default())?;
                Ok(Value::from(!v.num))
            }
            Some(b'(') => {
                self.pos += 1;
                let v = self.additive()?;
                if self.peek() != Some(b')') {
                    return Err(self.err(self.pos, "expected `)` in expression"));
                }
                self.pos += 1;
                Ok(v)
            }
            Some(b'$') if self.intel => {
                // LLVM accepts `$`-prefixed immediates in Intel syntax (`int $0x80`), and
                // rustc leaves `$$` alone (only `{{`/`}}` are escapes), so `$$0x80` reaches
                // the assembler as written.
                while self.pos < self.end && self.b[self.pos] == b'$' {
                    self.pos += 1;
                }
                self.unary()
            }
            Some(c) if c.is_ascii_digit() => self.number(),
            Some(b'\'') => self.char_literal(),
            Some(c) if is_ident_start(c) => self.symbol(),
            Some(_) => Err(self.err(
                self.pos,
                format!("unexpected `{}` in expression", self.char_at(self.pos)),
            )),
            None => Err(self.err(self.pos.min(self.end), "expected an expression")),
        }
    }

    fn char_at(&self, at: usize) -> &str {
        let end = (at + 1..=self.src.len())
            .find(|&e| self.src.is_char_boundary(e))
            .unwrap_or(self.src.len());
        self.src.get(at..end).unwrap_or("?")
    }

    fn char_literal(&mut self) -> R<Value> {
        let at = self.pos;
        let b = self.b;
        if self.pos + 2 < self.end && b[self.pos + 2] == b'\'' && b[self.pos + 1].is_ascii() {
            let v = b[self.pos + 1] as i64;
            self.pos += 3;
            return Ok(Value::from(v));
        }
        Err(self.err(at, "malformed character literal"))
    }

    fn number(&mut self) -> R<Value> {
        let start = self.pos;
        let mut end = start;
        while end < self.end && self.b[end].is_ascii_alphanumeric() {
            end += 1;
        }
        let text = &self.src[start..end];
        let lower = text.to_ascii_lowercase();
        // `1b`/`1f`: a reference to the nearest numeric local label backwards/forwards
        // (LLVM `AsmLexer::LexDigit` treats these as directional labels, not binary).
        if (lower.ends_with('b') || lower.ends_with('f'))
            && lower[..lower.len() - 1].bytes().all(|c| c.is_ascii_digit())
            && lower.len() > 1
        {
            self.pos = end;
            return Ok(Value {
                num: 0,
                sym: Some(SymTerm {
                    name: lower,
                    reloc: None,
                    range: start..end,
                }),
            });
        }
        let parsed = if let Some(h) = lower.strip_prefix("0x") {
            u64::from_str_radix(h, 16).ok()
        } else if let Some(bin) = lower.strip_prefix("0b") {
            u64::from_str_radix(bin, 2).ok()
        } else if lower.ends_with('h') && u64::from_str_radix(&lower[..lower.len() - 1], 16).is_ok()
        {
            // MASM-style `0FFh` is accepted by LLVM only in MASM mode, not in the GNU-style
            // Intel syntax rustc uses (llvm-mc: "unknown token in expression").
            return Err(AsmError::new(start..end, format!("`{text}`: the `h` suffix for hexadecimal numbers is not accepted by LLVM's assembler"))
                .with_help(format!("write `0x{}`", &text[..text.len() - 1])));
        } else if lower.len() > 1
            && lower.starts_with('0')
            && lower.bytes().all(|c| c.is_ascii_digit())
        {
            u64::from_str_radix(&lower[1..], 8).ok()
        } else {
            lower.parse::<u64>().ok()
        };
        match parsed {
            Some(v) => {
                self.pos = end;
                Ok(Value::from(v as i64))
            }
            None => Err(AsmError::new(
                start..end,
                format!("invalid number `{text}`"),
            )),
        }
    }

    fn symbol(&mut self) -> R<Value> {
        let start = self.pos;
        let mut end = start;
        while end < self.end && is_ident_char(self.b[end]) && self.b[end] != b'@' {
            end += 1;
        }
        let name = self.src[start..end].to_string();
        let mut reloc = None;
        if end < self.end && self.b[end] == b'@' {
            let rs = end + 1;
            let mut re = rs;
            while re < self.end && (self.b[re].is_ascii_alphanumeric() || self.b[re] == b'_') {
                re += 1;
            }
            if re == rs {
                return Err(AsmError::new(
                    end..end + 1,
                    "expected a relocation specifier after `@`",
                ));
            }
            reloc = Some(self.src[rs..re].to_string());
            end = re;
        }
        self.pos = end;
        Ok(Value {
            num: 0,
            sym: Some(SymTerm {
                name,
                reloc,
                range: start..end,
            }),
        })
    }
}

impl From<i64> for Value {
    fn from(num: i64) -> Self {
        Value { num, sym: None }
    }
}

/// Parses `range` as one complete expression.
pub(crate) fn parse_value(src: &str, range: Range<usize>, intel: bool) -> Result<Value, AsmError> {
    let mut p = ExprParser::new(src, range.clone(), intel);
    let v = p.parse()?;
    if !p.at_end() {
        return Err(AsmError::new(
            p.pos..range.end,
            format!("unexpected `{}` after expression", &src[p.pos..range.end]),
        ));
    }
    Ok(v)
}
