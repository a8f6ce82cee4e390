//! A configured block becomes assembled instructions: placeholders substituted by
//! representatives, the text assembled in the block's syntax and the architecture's
//! mode, and every assembler error mapped back to the template piece and the line the
//! user wrote (placeholders shown as written, not as our representatives).

use super::asm::{self, AsmError, Mode, Program, Syntax};
use super::regs::Arch;
use super::substitute::{Representative, Substituted};
use crate::diag::{Code, Diagnostic};
use crate::syntax::{AsmOption, ConfiguredAsm, RegSpec};

/// A block ready for the effect model: its instructions and how they map back.
#[derive(Clone, Debug)]
pub struct Lowered {
    pub substituted: Substituted,
    pub program: Program,
    pub mode: Mode,
    pub syntax: Syntax,
}

pub fn mode_of(arch: Arch) -> Mode {
    match arch {
        Arch::X86_64 => Mode::Bits64,
        Arch::X86 => Mode::Bits32,
    }
}

/// Assembles `asm` for `arch`.
pub fn lower(asm: &ConfiguredAsm, arch: Arch) -> Result<Lowered, Vec<Diagnostic>> {
    lower_with(asm, arch, &[])
}

/// [`lower`] with operands forced to register families (see `substitute_with`).
pub fn lower_with(
    asm: &ConfiguredAsm,
    arch: Arch,
    overrides: &[(usize, String)],
) -> Result<Lowered, Vec<Diagnostic>> {
    let substituted = super::substitute::substitute_with(asm, arch, overrides);
    let syntax = if asm.has(AsmOption::AttSyntax) {
        Syntax::Att
    } else {
        Syntax::Intel
    };
    let mode = mode_of(arch);
    match asm::assemble(&substituted.text, syntax, mode) {
        Ok(program) => Ok(Lowered {
            substituted,
            program,
            mode,
            syntax,
        }),
        Err(errors) => Err(errors
            .iter()
            .map(|e| assembler_error(asm, &substituted, e, arch))
            .collect()),
    }
}

fn assembler_error(
    asm: &ConfiguredAsm,
    sub: &Substituted,
    err: &AsmError,
    arch: Arch,
) -> Diagnostic {
    let piece = sub.piece_at(err.range.start);
    let span = asm.pieces.get(piece).map(|p| p.span).unwrap_or(asm.span);
    let line_start = sub.text[..err.range.start.min(sub.text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line_end = sub.text[err.range.start.min(sub.text.len())..]
        .find('\n')
        .map_or(sub.text.len(), |i| err.range.start + i);
    let in_line: Vec<_> = sub
        .sites
        .iter()
        .filter(|s| s.range.start >= line_start && s.range.end <= line_end)
        .collect();
    let shown = |text: &str| -> String {
        let mut out = text.to_string();
        for site in &in_line {
            let rep = &sub.text[site.range.clone()];
            let user = &sub.display[site.display_range.clone()];
            out = out.replace(&format!("`{rep}`"), &format!("`{user}`"));
        }
        out
    };
    // R17: the instruction needs a fixed register (a shift count in `cl`) that a class
    // operand cannot guarantee; the fix is an explicit register operand.
    let fixed = ["cl", "dx", "al", "ax", "eax"]
        .into_iter()
        .find(|r| err.message.contains(&format!("in `{r}`")));
    let class_site = in_line.iter().rev().find(|s| {
        matches!(s.representative, Representative::Register(_))
            && matches!(
                asm.operands[s.operand].kind.reg(),
                Some(RegSpec::Class { .. })
            )
    });
    let code = if fixed.is_some() && class_site.is_some() {
        Code::Rule("R17")
    } else {
        Code::Assembler
    };
    let mut d = Diagnostic::error(code, span, shown(&err.message)).with_note(format!(
        "in the template: `{}`",
        sub.display_line(err.range.start)
    ));
    if let (Some(reg), Some(site)) = (fixed, class_site) {
        let op = &asm.operands[site.operand];
        let user = &sub.display[site.display_range.clone()];
        let value = match &op.kind {
            crate::syntax::OperandKind::In { expr, .. } => expr.text.clone(),
            _ => "value".to_string(),
        };
        d = d.with_help(format!(
            "a `{}` operand may be given any register: pass it in `{reg}` explicitly (`in(\"{reg}\") {value}`) and write `{reg}` instead of `{user}`",
            op.kind.reg().map(RegSpec::as_written).unwrap_or_default()
        ));
    }
    for site in &in_line {
        let user = &sub.display[site.display_range.clone()];
        let op = &asm.operands[site.operand];
        let what = match (&site.representative, op.kind.reg()) {
            (Representative::Register(r), Some(RegSpec::Class { name, .. })) => {
                format!(
                    "`{user}` is a `{name}` operand, assembled for {arch} as `{r}` to check the instruction"
                )
            }
            (Representative::Immediate { value, known: true }, _) => {
                format!("`{user}` is the constant {value}")
            }
            (Representative::Immediate { known: false, .. }, _) => {
                format!(
                    "`{user}` is a `const` operand whose value the macro cannot compute; it is assembled as 1"
                )
            }
            (Representative::Symbol(_), _) => {
                format!("`{user}` is a `sym` operand (a symbol name)")
            }
            (Representative::Label(_), _) => {
                format!("`{user}` is a `label` operand (a label outside the block)")
            }
            _ => continue,
        };
        d = d.with_note(what);
    }
    if let Some(help) = &err.help {
        d = d.with_help(shown(help));
    }
    d
}
