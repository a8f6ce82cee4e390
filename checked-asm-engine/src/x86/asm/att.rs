//! AT&T-syntax operands (`options(att_syntax)`), as LLVM's `X86AsmParser::ParseATTOperand`
//! reads them: `%reg`, `$imm`, `seg:disp(base, index, scale)`, `*` for indirect branches.

use super::error::AsmError;
use super::expr::{Value, parse_value};
use super::lexer::{split_commas, trim};
use super::operand::{Mem, Operand, OperandKind, is_segment};
use super::table::tables;
use iced_x86::Register;
use std::ops::Range;

type R<T> = Result<T, AsmError>;

pub(crate) fn parse_operand(src: &str, range: Range<usize>) -> R<Operand> {
    super::intel::with_decorators(src, range, false, parse_main)
}

fn register(src: &str, range: Range<usize>) -> R<Register> {
    let text = &src[range.clone()];
    let Some(rest) = text.strip_prefix('%') else {
        return Err(AsmError::new(
            range,
            format!("expected a register (`%name`), found `{text}`"),
        ));
    };
    tables()
        .register_spelled(rest)
        .ok_or_else(|| AsmError::new(range, format!("invalid register name `{text}`")))
}

fn parse_main(src: &str, range: Range<usize>) -> R<Operand> {
    if range.is_empty() {
        return Ok(Operand::new(OperandKind::Imm(Value::default()), range));
    }
    let b = src.as_bytes();
    let mut rest = range.clone();
    let mut star = false;
    if b[rest.start] == b'*' {
        star = true;
        rest = trim(src, rest.start + 1..rest.end);
    }
    if rest.is_empty() {
        return Err(AsmError::new(range, "expected an operand after `*`"));
    }
    let mut op = parse_plain(src, rest)?;
    op.star = star;
    Ok(op)
}

fn parse_plain(src: &str, range: Range<usize>) -> R<Operand> {
    let b = src.as_bytes();
    let text = &src[range.clone()];
    if b[range.start] == b'$' {
        if b.get(range.start + 1) == Some(&b'$') {
            // In AT&T syntax `$$0x80` is the address of a symbol named `$0x80` (LLVM emits a
            // relocation against it); rustc passes `$` through, so one `$` is meant.
            return Err(AsmError::new(
                range.clone(),
                "`$$` in AT&T syntax names a symbol, not an immediate",
            )
            .with_help(format!("write `${}`", &text[2..])));
        }
        let v = parse_value(src, trim(src, range.start + 1..range.end), false)?;
        return Ok(Operand::new(OperandKind::Imm(v), range));
    }
    let mut rest = range.clone();
    let mut seg = Register::None;
    if b[range.start] == b'%' {
        if let Some(colon) = text.find(':') {
            let r = register(src, trim(src, range.start..range.start + colon))?;
            if !is_segment(r) {
                return Err(AsmError::new(
                    range,
                    format!("`{}` is not a segment register", &text[..colon]),
                ));
            }
            seg = r;
            rest = trim(src, range.start + colon + 1..range.end);
        } else {
            let r = register(src, range.clone())?;
            return Ok(Operand::new(OperandKind::Reg(r), range));
        }
    }
    let rtext = &src[rest.clone()];
    // `disp(base, index, scale)`: the parenthesised part is the last `(...)` when it holds a
    // `%` register or commas; otherwise parentheses belong to the displacement expression.
    let paren = rtext.rfind('(').filter(|&p| {
        let inner = &rtext[p..];
        rtext.ends_with(')') && (inner.contains('%') || inner.contains(','))
    });
    let Some(p) = paren else {
        if rtext.is_empty() {
            return Err(AsmError::new(
                range,
                "expected a memory operand after the segment override",
            ));
        }
        let v = parse_value(src, rest.clone(), false)?;
        if seg != Register::None {
            let mem = Mem {
                size: None,
                size_from_suffix: false,
                seg,
                base: Register::None,
                index: Register::None,
                scale: 1,
                disp: v,
                broadcast: None,
            };
            return Ok(Operand::new(OperandKind::Mem(mem), range));
        }
        return Ok(Operand::new(OperandKind::Bare(v), range));
    };
    let open = rest.start + p;
    let disp_range = trim(src, rest.start..open);
    let disp = if disp_range.is_empty() {
        Value::default()
    } else {
        parse_value(src, disp_range, false)?
    };
    let parts = split_commas(src, open + 1..rest.end - 1);
    let mut mem = Mem {
        size: None,
        size_from_suffix: false,
        seg,
        base: Register::None,
        index: Register::None,
        scale: 1,
        disp,
        broadcast: None,
    };
    if parts.len() > 3 {
        return Err(AsmError::new(
            range,
            "too many parts in memory operand; expected `disp(base, index, scale)`",
        ));
    }
    if let Some(base) = parts.first().filter(|r| !r.is_empty()) {
        mem.base = register(src, base.clone())?;
    }
    if let Some(index) = parts.get(1).filter(|r| !r.is_empty()) {
        mem.index = register(src, index.clone())?;
    }
    if let Some(scale) = parts.get(2).filter(|r| !r.is_empty()) {
        let v = parse_value(src, scale.clone(), false)?;
        if !matches!(v.num, 1 | 2 | 4 | 8) || v.sym.is_some() {
            return Err(AsmError::new(
                scale.clone(),
                "scale factor in address must be 1, 2, 4 or 8",
            ));
        }
        mem.scale = v.num as u32;
    }
    Ok(Operand::new(OperandKind::Mem(mem), range))
}

/// AT&T-only mnemonics (GNU as / LLVM `X86InstrInfo.td` AT&T aliases) that carry their
/// operand sizes in the name: `movzbl` is `movzx r32, r/m8`. Returns the Intel mnemonic and
/// the source (memory) operand size in bytes.
pub(crate) fn att_special(m: &str) -> Option<(&'static str, Option<u32>)> {
    Some(match m {
        "cbtw" => ("cbw", None),
        "cwtl" => ("cwde", None),
        "cltq" => ("cdqe", None),
        "cwtd" => ("cwd", None),
        "cltd" => ("cdq", None),
        "cqto" => ("cqo", None),
        "movslq" | "movsxd" => ("movsxd", Some(4)),
        "movzbw" | "movzbl" | "movzbq" => ("movzx", Some(1)),
        "movzwl" | "movzwq" => ("movzx", Some(2)),
        "movsbw" | "movsbl" | "movsbq" => ("movsx", Some(1)),
        "movswl" | "movswq" => ("movsx", Some(2)),
        "movabsq" | "movabsl" | "movabsw" | "movabsb" | "movabs" => ("mov", None),
        "lcall" | "lcalll" | "lcallq" | "lcallw" => ("call", None),
        "ljmp" | "ljmpl" | "ljmpq" | "ljmpw" => ("jmp", None),
        "sysretq" => ("sysretq", None),
        "sysexitq" => ("sysexitq", None),
        _ => return None,
    })
}

/// Instructions whose operands GNU as (and LLVM) keep in Intel order in AT&T syntax:
/// `enter` (two immediates), `bound`, and the far-pointer `ljmp $sel, $off`.
pub(crate) fn keeps_operand_order(m: &str) -> bool {
    matches!(
        m,
        "enter"
            | "enterw"
            | "enterl"
            | "enterq"
            | "bound"
            | "boundw"
            | "boundl"
            | "ljmp"
            | "lcall"
            | "ljmpl"
            | "ljmpw"
            | "lcalll"
            | "lcallw"
    )
}
