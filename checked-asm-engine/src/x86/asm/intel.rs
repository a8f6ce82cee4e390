//! Intel-syntax operands as LLVM's `X86AsmParser::ParseIntelOperand` reads them
//! (`.intel_syntax noprefix`, rustc's default).

use super::error::AsmError;
use super::expr::{ExprParser, Value, parse_value};
use super::lexer::{split_terms, trim};
use super::operand::{Mem, Operand, OperandKind, is_segment, ptr_size, rounding};
use super::table::tables;
use iced_x86::Register;
use std::ops::Range;

type R<T> = Result<T, AsmError>;

/// Parses one Intel operand (the text between commas).
pub(crate) fn parse_operand(src: &str, range: Range<usize>) -> R<Operand> {
    with_decorators(src, range, true, parse_main)
}

/// An operand with its AVX-512 decorators (`{k1}{z}`, `{1to16}`, a lone `{rn-sae}`):
/// the decorators are stripped, the rest parsed by `parse_main` (Intel or AT&T), and
/// the decorators applied to the result.
pub(crate) fn with_decorators(
    src: &str,
    range: Range<usize>,
    intel: bool,
    parse_main: impl Fn(&str, Range<usize>) -> R<Operand>,
) -> R<Operand> {
    let (main, decorators) = strip_decorators(src, range.clone(), intel)?;
    let bare_decorator = main.is_empty();
    let mut op = parse_main(src, main)?;
    op.range = range;
    let written = op.range.clone();
    if bare_decorator {
        // An empty range tells `apply_decorators` the decorator stands alone (`{rn-sae}`).
        op.range = 0..0;
    }
    apply_decorators(&mut op, decorators)?;
    op.range = written;
    Ok(op)
}

/// Decorators written after an operand: `{k1}`, `{z}`, `{1to16}`, and (as their own
/// operand) `{rn-sae}`/`{sae}`.
pub(crate) enum Decorator {
    Mask(Register),
    Zero,
    Broadcast(u32),
    Round(OperandKind),
}

/// Decorators with their source ranges, in written order.
pub(crate) type Decorators = Vec<(Decorator, Range<usize>)>;

pub(crate) fn strip_decorators(
    src: &str,
    range: Range<usize>,
    intel: bool,
) -> R<(Range<usize>, Decorators)> {
    let b = src.as_bytes();
    let mut end = range.end;
    let mut out = Vec::new();
    loop {
        let r = trim(src, range.start..end);
        if r.is_empty() || b[r.end - 1] != b'}' {
            end = r.end;
            break;
        }
        let Some(open) = src[r.clone()].rfind('{').map(|p| r.start + p) else {
            return Err(AsmError::new(r, "unmatched `}`"));
        };
        let inner = src[open + 1..r.end - 1].trim().to_ascii_lowercase();
        let inner = if intel {
            inner.as_str()
        } else {
            inner.trim_start_matches('%')
        };
        let d = if inner == "z" {
            Decorator::Zero
        } else if let Some(n) = inner
            .strip_prefix("1to")
            .and_then(|n| n.parse::<u32>().ok())
        {
            Decorator::Broadcast(n)
        } else if let Some(k) = rounding(inner) {
            Decorator::Round(k)
        } else if let Some(reg) = tables().register(inner).filter(|r| r.is_k()) {
            Decorator::Mask(reg)
        } else {
            return Err(AsmError::new(open..r.end, format!("unknown operand decorator `{{{inner}}}`"))
                .with_help("AVX-512 decorators are `{k1}`..`{k7}`, `{z}`, `{1toN}`, `{rn-sae}`, `{rd-sae}`, `{ru-sae}`, `{rz-sae}` and `{sae}`"));
        };
        out.push((d, open..r.end));
        end = open;
    }
    out.reverse();
    Ok((trim(src, range.start..end), out))
}

pub(crate) fn apply_decorators(
    op: &mut Operand,
    decorators: Vec<(Decorator, Range<usize>)>,
) -> R<()> {
    let bare = op.range.is_empty();
    for (d, r) in decorators {
        match d {
            Decorator::Mask(Register::K0) => {
                return Err(AsmError::new(r, "`k0` cannot be used as a write mask")
                    .with_help("use one of `k1`..`k7`"));
            }
            Decorator::Mask(k) => op.mask = k,
            Decorator::Zero => op.zeroing = true,
            Decorator::Broadcast(n) => match &mut op.kind {
                OperandKind::Mem(m) => m.broadcast = Some(n),
                _ => {
                    return Err(AsmError::new(
                        r,
                        "a broadcast `{1toN}` applies only to a memory operand",
                    ));
                }
            },
            Decorator::Round(k) => {
                if bare {
                    op.kind = k;
                } else {
                    return Err(AsmError::new(
                        r,
                        "a rounding decorator must be an operand of its own",
                    ));
                }
            }
        }
    }
    Ok(())
}

fn parse_main(src: &str, range: Range<usize>) -> R<Operand> {
    if range.is_empty() {
        // A bare decorator operand such as `{rn-sae}`: the caller fills the kind in.
        return Ok(Operand::new(OperandKind::Imm(Value::default()), range));
    }
    let text = &src[range.clone()];
    let t = tables();
    // `rax`, `XMM0`, `st(1)` with spaces, `st (1)`.
    if let Some(reg) = t.register_spelled(text) {
        return Ok(Operand::new(OperandKind::Reg(reg), range));
    }
    // `dword ptr ...`
    let mut size = None;
    let mut rest = range.clone();
    let first_word_end = text.find(|c: char| c.is_whitespace()).unwrap_or(text.len());
    if let Some(sz) = ptr_size_any_case(&text[..first_word_end]) {
        let after = trim(src, range.start + first_word_end..range.end);
        if let Some(stripped) = strip_prefix_any_case(&src[after.clone()], "ptr") {
            if stripped.is_empty() || !stripped.as_bytes()[0].is_ascii_alphanumeric() {
                size = Some(sz);
                rest = trim(src, after.start + 3..after.end);
            }
        } else {
            // LLVM accepts the size keyword without `ptr` (`dword [rax]`).
            size = Some(sz);
            rest = after;
        }
    }
    if rest.is_empty() {
        return Err(AsmError::new(
            range,
            "expected a memory operand after the size keyword",
        ));
    }
    // `jmp short label`: LLVM accepts the MASM distance keyword and relaxes as usual.
    if let Some(stripped) = strip_prefix_any_case(&src[rest.clone()], "short ") {
        rest = trim(src, rest.end - stripped.len()..rest.end);
    }
    let rtext = &src[rest.clone()];
    if let Some(stripped) = strip_prefix_any_case(rtext, "offset")
        && stripped.starts_with(|c: char| c.is_whitespace())
    {
        let v = parse_value(src, trim(src, rest.start + 6..rest.end), true)?;
        return Ok(Operand::new(OperandKind::Imm(v), range));
    }
    // Segment override `fs:...`.
    let mut seg = Register::None;
    if let Some(colon) = rtext.find(':') {
        let head = rtext[..colon].trim();
        if let Some(r) = t.register_any_case(head).filter(|r| is_segment(*r)) {
            seg = r;
            rest = trim(src, rest.start + colon + 1..rest.end);
        } else if !rtext.contains('[') {
            // `jmp 0x10:0x1000`: LLVM's Intel parser rejects the MASM far-pointer form.
            return Err(AsmError::new(
                range,
                "LLVM does not accept a `selector:offset` far pointer in Intel syntax",
            )
            .with_help("write `ljmp selector, offset` or `lcall selector, offset`"));
        }
    }
    let rtext = &src[rest.clone()];
    let mem = if let Some(open) = rtext.find('[') {
        let open = rest.start + open;
        let Some(close) = src[open..rest.end].find(']').map(|p| open + p) else {
            return Err(AsmError::new(range, "missing `]` in memory operand"));
        };
        let mut mem = parse_brackets(src, open + 1..close, seg)?;
        // `disp[base]` and `[base]+disp`/`[base][index]` forms.
        for extra in [rest.start..open, close + 1..rest.end] {
            let extra = trim(src, extra);
            if extra.is_empty() {
                continue;
            }
            if src[extra.clone()].starts_with('[') && src[extra.clone()].ends_with(']') {
                let more = parse_brackets(src, extra.start + 1..extra.end - 1, Register::None)?;
                merge(&mut mem, more, extra)?;
            } else {
                let v = parse_value(src, extra.clone(), true)?;
                let d = std::mem::take(&mut mem.disp);
                mem.disp = add_values(d, v, extra)?;
            }
        }
        mem
    } else if seg != Register::None || size.is_some() {
        // `fs:0x30`, `dword ptr sym`: an absolute address; but `dword ptr 5` without a
        // segment or symbol is just the immediate 5 for LLVM (`push dword ptr 5` = push 5).
        let v = parse_value(src, rest.clone(), true)?;
        if seg == Register::None && v.sym.is_none() {
            return Ok(Operand::new(OperandKind::Imm(v), range));
        }
        Mem {
            size: None,
            size_from_suffix: false,
            seg,
            base: Register::None,
            index: Register::None,
            scale: 1,
            disp: v,
            broadcast: None,
        }
    } else {
        let v = parse_value(src, rest, true)?;
        return Ok(Operand::new(
            if v.sym.is_some() {
                OperandKind::Bare(v)
            } else {
                OperandKind::Imm(v)
            },
            range,
        ));
    };
    let mut mem = mem;
    mem.size = size;
    Ok(Operand::new(OperandKind::Mem(mem), range))
}

fn add_values(a: Value, b: Value, at: Range<usize>) -> R<Value> {
    let sym = match (a.sym, b.sym) {
        (Some(_), Some(_)) => {
            return Err(AsmError::new(at, "an address can refer to only one symbol"));
        }
        (x, None) | (None, x) => x,
    };
    Ok(Value {
        num: a.num.wrapping_add(b.num),
        sym,
    })
}

fn merge(mem: &mut Mem, more: Mem, at: Range<usize>) -> R<()> {
    for r in [more.base, more.index] {
        if r == Register::None {
            continue;
        }
        if mem.base == Register::None {
            mem.base = r;
        } else if mem.index == Register::None {
            mem.index = r;
            mem.scale = more.scale;
        } else {
            return Err(AsmError::new(at, "too many registers in memory operand"));
        }
    }
    let d = std::mem::take(&mut mem.disp);
    mem.disp = add_values(d, more.disp, at)?;
    Ok(())
}

/// The inside of `[...]`: `base + index*scale + disp`, in any order, as LLVM's
/// `IntelExprStateMachine` accepts it.
fn parse_brackets(src: &str, range: Range<usize>, seg: Register) -> R<Mem> {
    let t = tables();
    let range = trim(src, range);
    if let Some(colon) = src[range.clone()].find(':')
        && let Some(r) = t
            .register(
                src[range.start..range.start + colon]
                    .trim()
                    .to_ascii_lowercase()
                    .as_str(),
            )
            .filter(|r| is_segment(*r))
    {
        // LLVM's Intel parser rejects `[fs:0x28]` ("unexpected token in argument list").
        let help = format!(
            "write `{}:[{}]`",
            format!("{r:?}").to_ascii_lowercase(),
            src[range.start + colon + 1..range.end].trim()
        );
        return Err(
            AsmError::new(range, "the segment override must come before the bracket")
                .with_help(help),
        );
    }
    let mut mem = Mem {
        size: None,
        size_from_suffix: false,
        seg,
        base: Register::None,
        index: Register::None,
        scale: 1,
        disp: Value::default(),
        broadcast: None,
    };
    if range.is_empty() {
        return Err(AsmError::new(range, "empty memory operand `[]`"));
    }
    let mut disp_terms: Vec<(bool, Range<usize>)> = Vec::new();
    for (neg, term) in split_terms(src, range.clone()) {
        if let Some(reg) = t.register_spelled(&src[term.clone()]) {
            if neg {
                return Err(AsmError::new(
                    term,
                    "a register cannot be subtracted in an address",
                ));
            }
            if mem.base == Register::None
                && reg != Register::None
                && !reg.is_xmm()
                && !reg.is_ymm()
                && !reg.is_zmm()
            {
                mem.base = reg;
            } else if mem.index == Register::None {
                mem.index = reg;
            } else {
                return Err(AsmError::new(term, "too many registers in memory operand"));
            }
            continue;
        }
        if src[term.clone()].contains('*') {
            let squeezed: String = src[term.clone()]
                .to_ascii_lowercase()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let star = squeezed.find('*').unwrap_or(squeezed.len());
            let (a, b) = (&squeezed[..star], squeezed.get(star + 1..).unwrap_or(""));
            let (reg, scale) = match (t.register(a), t.register(b)) {
                (Some(r), None) => (r, b),
                (None, Some(r)) => (r, a),
                _ => {
                    disp_terms.push((neg, term));
                    continue;
                }
            };
            let scale_v = parse_value(scale, 0..scale.len(), true)
                .map_err(|e| AsmError::new(term.clone(), e.message))?;
            if neg || !matches!(scale_v.num, 1 | 2 | 4 | 8) || scale_v.sym.is_some() {
                return Err(AsmError::new(
                    term,
                    "scale factor in address must be 1, 2, 4 or 8",
                ));
            }
            if mem.index != Register::None {
                return Err(AsmError::new(
                    term,
                    "an address can have only one index register",
                ));
            }
            mem.index = reg;
            mem.scale = scale_v.num as u32;
            continue;
        }
        disp_terms.push((neg, term));
    }
    for (neg, term) in disp_terms {
        let mut p = ExprParser::new(src, term.clone(), true);
        let v = p.parse()?;
        if !p.at_end() {
            return Err(AsmError::new(
                term,
                format!("unexpected `{}` in memory operand", &src[p.pos..range.end]),
            ));
        }
        let v = if neg {
            if v.sym.is_some() {
                return Err(AsmError::new(
                    term,
                    "cannot subtract a symbol in an address",
                ));
            }
            Value::from(v.num.wrapping_neg())
        } else {
            v
        };
        let d = std::mem::take(&mut mem.disp);
        mem.disp = add_values(d, v, term)?;
    }
    Ok(mem)
}

/// `ptr_size` of a word in any case (`DWORD`).
fn ptr_size_any_case(word: &str) -> Option<u32> {
    let mut buf = [0u8; 8];
    let lowered = buf.get_mut(..word.len())?;
    lowered.copy_from_slice(word.as_bytes());
    lowered.make_ascii_lowercase();
    ptr_size(std::str::from_utf8(lowered).ok()?)
}

/// `text` after `prefix` (lower case ASCII), matched in any case.
fn strip_prefix_any_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.as_bytes().get(..prefix.len())?;
    // An ASCII prefix matched byte for byte ends on a character boundary.
    head.eq_ignore_ascii_case(prefix.as_bytes())
        .then(|| &text[prefix.len()..])
}
