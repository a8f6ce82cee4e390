//! Assembler directives as LLVM's `AsmParser` understands them in inline assembly. Data
//! directives produce bytes; the rest are recorded so later stages can see sections,
//! symbol bindings and mode switches; control-flow directives we do not implement are
//! refused with a clear error rather than misread.

use super::error::AsmError;
use super::expr::{Value, parse_value};
use super::lexer::{split_commas, trim};
use super::{Mode, Syntax};
use std::ops::Range;

/// A directive that is not data, as understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DirectiveKind {
    /// `.section name` / `.text` / `.data` / `.bss` / `.previous`.
    Section(String),
    PushSection(String),
    PopSection,
    /// `.intel_syntax` / `.att_syntax`, with whether `noprefix` was given.
    Syntax {
        syntax: Syntax,
        noprefix: bool,
    },
    /// `.code16` / `.code32` / `.code64`.
    Code(Mode),
    /// `.p2align`, `.balign`, `.align`: the padding bytes emitted at this point.
    Align {
        alignment: u64,
        padding: Vec<u8>,
    },
    /// `.cfi_*`.
    Cfi,
    /// `.global`, `.weak`, `.hidden`, `.type`, `.size`, `.local`, ...: symbol attributes.
    SymbolAttribute {
        names: Vec<String>,
    },
    /// `.set name, value` / `.equ` / `.equiv`.
    Set {
        name: String,
        value: i64,
    },
    /// Directives with no effect on code (`.file`, `.loc`, `.ident`, `.addrsig`, ...).
    Ignored,
}

#[derive(Clone, Debug)]
pub(crate) enum Parsed {
    Data {
        bytes: Vec<u8>,
        syms: Vec<(usize, Value)>,
    },
    Directive(DirectiveKind),
    Align {
        alignment: u64,
        fill: Option<u8>,
        max: Option<u64>,
    },
}

type R<T> = Result<T, AsmError>;

pub(crate) fn parse(src: &str, range: Range<usize>, intel: bool) -> R<Parsed> {
    let text = &src[range.clone()];
    let name_len = text.find(|c: char| c.is_whitespace()).unwrap_or(text.len());
    let name = text[..name_len].to_ascii_lowercase();
    let args = trim(src, range.start + name_len..range.end);
    let arg_text = &src[args.clone()];
    let values = |width: usize| -> R<Parsed> {
        let mut bytes = Vec::new();
        let mut syms = Vec::new();
        for a in split_commas(src, args.clone()) {
            if a.is_empty() {
                return Err(AsmError::new(
                    range.clone(),
                    format!("expected a value in `{name}`"),
                ));
            }
            let v = parse_value(src, a.clone(), intel)?;
            if v.sym.is_some() {
                syms.push((bytes.len(), v.clone()));
            } else if width < 8 {
                let max = 1i128 << (width * 8);
                let n = v.num as i128;
                if n >= max || n < -(max / 2) {
                    return Err(AsmError::new(
                        a,
                        format!("value `{}` does not fit in {width} byte(s)", v.num),
                    ));
                }
            }
            bytes.extend_from_slice(&v.num.to_le_bytes()[..width]);
        }
        Ok(Parsed::Data { bytes, syms })
    };
    let d = |k: DirectiveKind| Ok(Parsed::Directive(k));
    match name.as_str() {
        ".byte" => values(1),
        ".word" | ".short" | ".hword" | ".2byte" | ".value" => values(2),
        ".long" | ".int" | ".4byte" => values(4),
        ".quad" | ".8byte" => values(8),
        ".ascii" | ".asciz" | ".string" => {
            let mut bytes = Vec::new();
            for a in split_commas(src, args.clone()) {
                bytes.extend(string_literal(src, a)?);
                if name != ".ascii" {
                    bytes.push(0);
                }
            }
            Ok(Parsed::Data { bytes, syms: Vec::new() })
        }
        ".zero" | ".skip" | ".space" => {
            let parts = split_commas(src, args.clone());
            let n = const_arg(src, parts.first().cloned().unwrap_or(args.clone()), intel, &name)?;
            let fill = match parts.get(1) {
                Some(p) => const_arg(src, p.clone(), intel, &name)? as u8,
                None => 0,
            };
            if !(0..=1 << 20).contains(&n) {
                return Err(AsmError::new(args, format!("`{name}` size must be between 0 and 1 MiB")));
            }
            Ok(Parsed::Data { bytes: vec![fill; n as usize], syms: Vec::new() })
        }
        ".p2align" | ".p2alignw" | ".p2alignl" | ".balign" | ".balignw" | ".balignl" | ".align" => {
            let parts = split_commas(src, args.clone());
            let Some(first) = parts.first().filter(|p| !p.is_empty()) else {
                return Err(AsmError::new(range, format!("`{name}` needs an alignment")));
            };
            let n = const_arg(src, first.clone(), intel, &name)?;
            // On x86 ELF, `.align` takes a byte count like `.balign` (GNU as manual, "Align").
            let alignment = if name.starts_with(".p2align") {
                if !(0..=30).contains(&n) {
                    return Err(AsmError::new(first.clone(), "alignment exponent must be between 0 and 30"));
                }
                1u64 << n
            } else {
                if n <= 0 || (n as u64).count_ones() != 1 || n > 1 << 30 {
                    return Err(AsmError::new(first.clone(), "alignment must be a power of 2"));
                }
                n as u64
            };
            // The padding is materialised; a block aligned beyond a page is not something a
            // template needs, and a 1 GiB NOP run must not exhaust memory.
            if alignment > 1 << 16 {
                return Err(AsmError::new(first.clone(), "checked-asm supports alignments up to 65536 bytes"));
            }
            let fill = match parts.get(1).filter(|p| !p.is_empty()) {
                Some(p) => Some(const_arg(src, p.clone(), intel, &name)? as u8),
                None => None,
            };
            let max = match parts.get(2) {
                Some(p) => Some(const_arg(src, p.clone(), intel, &name)? as u64),
                None => None,
            };
            Ok(Parsed::Align { alignment, fill, max })
        }
        ".text" | ".data" | ".bss" | ".rodata" => d(DirectiveKind::Section(name.clone())),
        ".section" => d(DirectiveKind::Section(section_name(arg_text))),
        ".previous" => d(DirectiveKind::PopSection),
        ".pushsection" => d(DirectiveKind::PushSection(section_name(arg_text))),
        ".popsection" => d(DirectiveKind::PopSection),
        ".intel_syntax" | ".att_syntax" => {
            let syntax = if name == ".intel_syntax" { Syntax::Intel } else { Syntax::Att };
            let arg = arg_text.trim().to_ascii_lowercase();
            let noprefix = match arg.as_str() {
                "" => syntax == Syntax::Att,
                "noprefix" => true,
                "prefix" => false,
                _ => return Err(AsmError::new(args, format!("expected `prefix` or `noprefix` after `{name}`"))),
            };
            if syntax == Syntax::Intel && !noprefix {
                return Err(AsmError::new(range, "`.intel_syntax prefix` is not supported by LLVM's assembler").with_help("use `.intel_syntax noprefix`"));
            }
            if syntax == Syntax::Att && noprefix && !arg.is_empty() {
                return Err(AsmError::new(range, "`.att_syntax noprefix` is not supported by LLVM's assembler").with_help("use `.att_syntax prefix`"));
            }
            d(DirectiveKind::Syntax { syntax, noprefix })
        }
        ".code16" | ".code16gcc" => d(DirectiveKind::Code(Mode::Bits16)),
        ".code32" => d(DirectiveKind::Code(Mode::Bits32)),
        ".code64" => d(DirectiveKind::Code(Mode::Bits64)),
        n if n.starts_with(".cfi_") => d(DirectiveKind::Cfi),
        ".global" | ".globl" | ".weak" | ".hidden" | ".protected" | ".internal" | ".local" | ".type" | ".size" | ".weak_definition" | ".private_extern" => {
            let names = split_commas(src, args.clone())
                .into_iter()
                .filter_map(|r| src[r].split_whitespace().next().map(str::to_string))
                .collect::<Vec<_>>();
            if names.is_empty() {
                return Err(AsmError::new(range, format!("`{name}` needs a symbol name")));
            }
            if matches!(name.as_str(), ".type" | ".size") {
                return d(DirectiveKind::SymbolAttribute { names: names[..1].to_vec() });
            }
            d(DirectiveKind::SymbolAttribute { names })
        }
        ".set" | ".equ" | ".equiv" => {
            let parts = split_commas(src, args.clone());
            if parts.len() != 2 || parts[0].is_empty() {
                return Err(AsmError::new(range, format!("expected `{name} symbol, value`")));
            }
            let v = parse_value(src, parts[1].clone(), intel)?;
            if v.sym.is_some() {
                return Err(AsmError::new(parts[1].clone(), format!("checked-asm supports `{name}` only with constant values")));
            }
            d(DirectiveKind::Set { name: src[parts[0].clone()].to_string(), value: v.num })
        }
        ".nops" => {
            // `.nops size[, max]`: `size` bytes of NOPs (LLVM's AsmParser::parseDirectiveNops).
            let parts = split_commas(src, args.clone());
            let n = const_arg(src, parts.first().cloned().unwrap_or(args.clone()), intel, &name)?;
            if !(0..=1 << 16).contains(&n) {
                return Err(AsmError::new(args, "`.nops` size must be between 0 and 65536"));
            }
            Ok(Parsed::Data { bytes: super::layout::nop_fill(n as usize), syms: Vec::new() })
        }
        ".file" | ".loc" | ".ident" | ".addrsig" | ".addrsig_sym" | ".nop" | ".sleb128" | ".uleb128" => {
            if name == ".nop" {
                return Ok(Parsed::Data { bytes: vec![0x90], syms: Vec::new() });
            }
            if name.ends_with("leb128") {
                return Err(AsmError::new(range, format!("`{name}` is not supported by checked-asm")));
            }
            d(DirectiveKind::Ignored)
        }
        ".macro" | ".endm" | ".endmacro" | ".purgem" | ".exitm" | ".rept" | ".irp" | ".irpc" | ".endr" | ".incbin" | ".include" | ".else" | ".elseif" | ".endif" | ".err" | ".error" | ".warning" | ".print" | ".fill" | ".org" => Err(AsmError::new(
            range,
            format!("`{name}` is not supported by checked-asm: its effect on the instructions cannot be checked"),
        )
        .with_help("expand it by hand, or with a Rust macro that produces the template text")),
        n if n.starts_with(".if") => Err(AsmError::new(range, format!("`{n}` is not supported by checked-asm: conditional assembly cannot be checked"))
            .with_help("select the template with `#[cfg(...)]` on the template strings instead")),
        _ => Err(AsmError::new(range, format!("unknown directive `{name}`"))),
    }
}

fn section_name(args: &str) -> String {
    args.split(',')
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches('"')
        .to_string()
}

fn const_arg(src: &str, r: Range<usize>, intel: bool, name: &str) -> R<i64> {
    let v = parse_value(src, r.clone(), intel)?;
    if v.sym.is_some() {
        return Err(AsmError::new(r, format!("`{name}` needs a constant")));
    }
    Ok(v.num)
}

/// A `"..."` literal with GNU as escapes (`\n`, `\t`, `\\`, `\"`, octal `\NNN`, `\xHH`).
fn string_literal(src: &str, r: Range<usize>) -> R<Vec<u8>> {
    let t = &src[r.clone()];
    if t.len() < 2 || !t.starts_with('"') || !t.ends_with('"') {
        return Err(AsmError::new(
            r,
            "expected a string literal in double quotes",
        ));
    }
    let b = &t.as_bytes()[1..t.len() - 1];
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        i += 1;
        let Some(&c) = b.get(i) else {
            return Err(AsmError::new(r, "unterminated escape in string"));
        };
        i += 1;
        match c {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'0'..=b'7' => {
                let mut v = (c - b'0') as u32;
                let mut n = 1;
                while n < 3 && i < b.len() && (b'0'..=b'7').contains(&b[i]) {
                    v = v * 8 + (b[i] - b'0') as u32;
                    i += 1;
                    n += 1;
                }
                out.push(v as u8);
            }
            b'x' => {
                let mut v = 0u32;
                while i < b.len() && b[i].is_ascii_hexdigit() {
                    v = v * 16 + (b[i] as char).to_digit(16).unwrap_or(0);
                    i += 1;
                }
                out.push(v as u8);
            }
            other => out.push(other),
        }
    }
    Ok(out)
}
