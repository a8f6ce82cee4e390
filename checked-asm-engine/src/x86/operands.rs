//! R00 for operands on x86: register classes, explicit registers, template modifiers,
//! register conflicts and `clobber_abi` names, as rustc checks them when it lowers
//! `asm!` (compiler/rustc_ast_lowering/src/asm.rs) — reported before rustc does, with
//! the fix.

use super::regs::{Arch, RegClass, RegDef, RegError, explicit_register};
use crate::diag::{Code, Diagnostic, SpanRange};
use crate::syntax::{ConfiguredAsm, OperandKind, RegSpec, Segment};

/// The ABIs `clobber_abi` accepts on `arch` (the effect model's table, which also maps
/// them to register sets).
pub fn clobber_abi_names(arch: Arch) -> &'static [&'static str] {
    super::effects::clobber_abi_names(arch.effects())
}

fn r00(span: SpanRange, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::Rule("R00"), span, message)
}

/// Every R00 finding about the operands of `asm` on `arch`.
pub fn check_operands(asm: &ConfiguredAsm, arch: Arch) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut explicit: Vec<Option<&'static RegDef>> = Vec::new();
    for op in &asm.operands {
        let mut def = None;
        match op.kind.reg() {
            Some(RegSpec::Class { name, span }) => match RegClass::from_name(name) {
                None => out.push(
                    r00(SpanRange::single(*span), format!("invalid register class `{name}`: unknown register class"))
                        .with_note(format!(
                            "the x86 register classes are: {}",
                            RegClass::ALL.iter().map(|c| format!("`{}`", c.name())).collect::<Vec<_>>().join(", ")
                        )),
                ),
                Some(class) if class.clobber_only() => out.push(
                    r00(op.span, format!("register class `{name}` can only be used as a clobber, not as an input or output"))
                        .with_help(format!(
                            "to clobber these registers, name them: `out(\"{}\") _`",
                            example_of_class(class)
                        )),
                ),
                Some(_) => {}
            },
            Some(RegSpec::Explicit { name, span }) => match explicit_register(name, arch) {
                Ok(d) => {
                    if d.class.clobber_only() && !is_clobber(&op.kind) {
                        out.push(
                            r00(op.span, format!(
                                "register class `{}` can only be used as a clobber, not as an input or output",
                                d.class.name()
                            ))
                            .with_help(format!("declare it as a clobber: `out(\"{name}\") _`")),
                        );
                    }
                    def = Some(d);
                }
                Err(RegError::Unknown) => out.push(
                    r00(SpanRange::single(*span), format!("invalid register `{name}`: unknown register"))
                        .with_note("explicit registers are written as rustc names them: `eax`, `r8d`, `xmm0`, `k1`, `st(0)`, `mm0`, ..."),
                ),
                Err(RegError::Refused(reason)) => {
                    out.push(refused_register(name, reason, *span, op.span, arch));
                }
            },
            None => {}
        }
        explicit.push(def);
    }
    check_conflicts(asm, &explicit, &mut out);
    check_modifiers(asm, arch, &mut out);
    for (abi, span) in &asm.clobber_abis {
        if !clobber_abi_names(arch).contains(&abi.as_str()) {
            out.push(
                r00(
                    SpanRange::single(*span),
                    format!("invalid ABI for `clobber_abi`: `{abi}` on {arch}"),
                )
                .with_note(format!(
                    "the following ABIs are supported on {arch}: {}",
                    clobber_abi_names(arch)
                        .iter()
                        .map(|a| format!("`\"{a}\"`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        }
    }
    out
}

/// rustc rejects two `clobber_abi` ABIs that are the same set of registers on the
/// target ("`C` ABI specified multiple times"); which ones are depends on whether the
/// target is Windows-like (rustc_target `InlineAsmClobberAbi::parse`).
pub fn check_duplicate_abis(asm: &ConfiguredAsm, arch: Arch) -> Vec<super::Finding> {
    let duplicates = |windows: bool| -> Vec<(usize, usize)> {
        // rustc's `InlineAsmClobberAbi::parse`, as the effect model replicates it.
        let target = super::effects::TargetAbi::new(
            arch.effects(),
            if windows {
                super::effects::Os::Windows
            } else {
                super::effects::Os::Linux
            },
        );
        let class = |abi: &str| super::effects::clobber_abi(abi, &target);
        let mut found = Vec::new();
        for (i, (abi, _)) in asm.clobber_abis.iter().enumerate() {
            if !clobber_abi_names(arch).contains(&abi.as_str()) {
                continue;
            }
            if let Some(first) = asm.clobber_abis[..i].iter().position(|(other, _)| {
                clobber_abi_names(arch).contains(&other.as_str()) && class(other) == class(abi)
            }) {
                found.push((first, i));
            }
        }
        found
    };
    let elsewhere = duplicates(false);
    let on_windows = duplicates(true);
    let mut out = Vec::new();
    for (windows, list) in [(false, &elsewhere), (true, &on_windows)] {
        for &(first, dup) in list {
            let everywhere =
                elsewhere.contains(&(first, dup)) && on_windows.contains(&(first, dup));
            if everywhere && windows {
                continue;
            }
            let (abi, span) = &asm.clobber_abis[dup];
            let (first_abi, first_span) = &asm.clobber_abis[first];
            let when = if everywhere {
                None
            } else if windows {
                Some(super::windows_like())
            } else {
                Some(crate::syntax::Cfg::Not(Box::new(super::windows_like())))
            };
            let target = match (&when, arch) {
                (None, _) => format!("every {arch} target"),
                (Some(crate::syntax::Cfg::Not(_)), _) => {
                    format!("{arch} targets other than Windows and UEFI")
                }
                _ => format!("{arch} Windows and UEFI targets"),
            };
            out.push(super::Finding {
                when,
                diag: r00(
                    SpanRange::single(*span),
                    format!("`{abi}` ABI specified multiple times"),
                )
                .with_label(
                    SpanRange::single(*first_span),
                    format!("`{first_abi}` specified here first"),
                )
                .with_note(format!(
                    "`{first_abi}` and `{abi}` clobber the same registers on {target}"
                ))
                .with_help(format!("remove `\"{abi}\"`")),
            });
        }
    }
    out
}

fn is_clobber(kind: &OperandKind) -> bool {
    matches!(kind, OperandKind::Out { expr: None, .. })
}

fn example_of_class(class: RegClass) -> &'static str {
    match class {
        RegClass::X87Reg => "st(0)",
        RegClass::MmxReg => "mm0",
        RegClass::TmmReg => "tmm0",
        _ => "k0",
    }
}

fn refused_register(
    name: &str,
    reason: &str,
    reg_span: proc_macro2::Span,
    op_span: SpanRange,
    arch: Arch,
) -> Diagnostic {
    let d = r00(
        SpanRange::single(reg_span),
        format!("invalid register `{name}`: {reason}"),
    );
    let _ = op_span;
    if reason.starts_with("rbx") {
        d.with_note(
            "LLVM may keep its own values in rbx (the base pointer of functions with large stack frames), \
             so rustc refuses rbx as an operand; a class operand may still be allocated rbx",
        )
        .with_help(
            "keep rbx intact and move the value through a scratch register, as std::arch does for cpuid:\n\
             `\"mov {tmp:r}, rbx\", \"cpuid\", \"xchg {tmp:r}, rbx\", tmp = out(reg) ebx_value,`\n\
             and pass every other operand in an explicit register (`in(\"rdi\") p`)",
        )
    } else if reason.starts_with("esi") {
        d.with_help("on x86, move the value through a scratch register operand instead of `esi`")
    } else if reason.starts_with("high byte") {
        d.with_help(format!(
            "use the full register (`\"{}x\"`) and `shr` by 8, or a `reg_abcd` operand with the `h` modifier on x86",
            name.trim_end_matches('h')
        ))
    } else if reason.contains("only available on x86_64") {
        d.with_note(format!("this block is also checked for {arch}, where the register does not exist"))
            .with_help("gate the block with `#[cfg(target_arch = \"x86_64\")]`, or use a register every target has")
    } else {
        d
    }
}

/// rustc's conflict check: among inputs (`in`, the input half of `inout`, and early
/// `out`, which must not share with any input) and among outputs, no two explicit
/// registers may overlap. `in` + `lateout` of one register is fine.
fn check_conflicts(
    asm: &ConfiguredAsm,
    explicit: &[Option<&'static RegDef>],
    out: &mut Vec<Diagnostic>,
) {
    // (register name, operand): a block names a handful, so a list beats a hash map.
    let mut inputs: Vec<(&'static str, usize)> = Vec::new();
    let mut outputs: Vec<(&'static str, usize)> = Vec::new();
    for (idx, op) in asm.operands.iter().enumerate() {
        let Some(def) = explicit[idx] else { continue };
        let (input, output) = match &op.kind {
            OperandKind::In { .. } => (true, false),
            OperandKind::Out { late: true, .. } => (false, true),
            OperandKind::Out { late: false, .. }
            | OperandKind::InOut { .. }
            | OperandKind::SplitInOut { .. } => (true, true),
            _ => continue,
        };
        let mut reported = false;
        for r in def.overlapping() {
            for (used, is_input) in [(&mut inputs, input), (&mut outputs, output)] {
                if !is_input {
                    continue;
                }
                if let Some(&(_, prev)) = used.iter().find(|(name, _)| *name == r) {
                    if !reported {
                        reported = true;
                        let prev_op = &asm.operands[prev];
                        let mut d = r00(
                            op.span,
                            format!(
                                "register `{}` conflicts with register `{}`",
                                reg_name(&op.kind),
                                reg_name(&prev_op.kind)
                            ),
                        )
                        .with_label(
                            prev_op.span,
                            format!("`{}` already uses it", prev_op.kind.describe()),
                        );
                        if matches!(op.kind, OperandKind::Out { late: false, .. })
                            && matches!(prev_op.kind, OperandKind::In { .. })
                        {
                            d = d.with_help("use `lateout` instead of `out` to let the output share the input's register");
                        }
                        out.push(d);
                    }
                } else {
                    used.push((r, idx));
                }
            }
        }
    }
}

fn reg_name(kind: &OperandKind) -> String {
    match kind.reg() {
        Some(RegSpec::Explicit { name, .. }) => name.clone(),
        Some(RegSpec::Class { name, .. }) => name.clone(),
        None => String::new(),
    }
}

/// r[asm.template.modifiers]
fn check_modifiers(asm: &ConfiguredAsm, arch: Arch, out: &mut Vec<Diagnostic>) {
    for piece in &asm.pieces {
        for seg in &piece.segments {
            let Segment::Placeholder {
                operand,
                modifier: Some(m),
                range,
            } = seg
            else {
                continue;
            };
            let op = &asm.operands[*operand];
            let quoted = crate::syntax::quote_range(&piece.text, range.clone());
            match &op.kind {
                OperandKind::Const { .. } | OperandKind::Sym { .. } | OperandKind::Label { .. } => {
                    out.push(
                        r00(
                            piece.span,
                            format!(
                                "asm template modifiers are not allowed for `{}` operands",
                                op.kind.keyword()
                            ),
                        )
                        .with_note(format!("in the template: {quoted}"))
                        .with_help(format!("remove `:{m}`")),
                    )
                }
                _ => {
                    let Some(RegSpec::Class { name, .. }) = op.kind.reg() else {
                        continue;
                    };
                    let Some(class) = RegClass::from_name(name) else {
                        continue;
                    };
                    let valid = class.valid_modifiers(arch);
                    if !valid.contains(m) {
                        let supported = if valid.is_empty() {
                            format!(
                                "the `{name}` register class does not support template modifiers"
                            )
                        } else {
                            format!(
                                "the `{name}` register class supports the following template modifiers on {arch}: {}",
                                valid
                                    .iter()
                                    .map(|c| format!("`{c}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        };
                        out.push(
                            r00(piece.span, format!("invalid asm template modifier `{m}` for the `{name}` register class"))
                                .with_note(format!("in the template: {quoted}"))
                                .with_note(supported),
                        );
                    }
                }
            }
        }
    }
}
