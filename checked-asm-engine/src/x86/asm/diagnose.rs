//! Why no form of an instruction matched, in words a user understands.

use super::Mode;
use super::expr::{SymTerm, Value};
use super::kinds::{imm_fits, op_size_bits};
use super::matcher::try_code;
use super::op_code::OpCodeTable;
use super::operand::{Operand, OperandKind};
use iced_x86::{Code, OpCodeOperandKind as K, Register};

/// The reason no code matched, in words; used when every candidate was rejected.
pub(crate) fn explain_mismatch(
    mnemonic: &str,
    codes: &[Code],
    ops: &[Operand],
    mode: Mode,
) -> (String, Option<String>) {
    let n = ops
        .iter()
        .filter(|o| !matches!(o.kind, OperandKind::Rounding(_) | OperandKind::Sae))
        .count();
    let bits = op_size_bits(mode);
    let in_mode: Vec<Code> = codes
        .iter()
        .copied()
        .filter(|c| c.op_info().is_available_in_mode(bits))
        .collect();
    // `pushfq`, `iretq`, `retq`...: the spelling names a 64-bit operation.
    if in_mode.is_empty() || (n == 0 && bits != 64 && mnemonic.ends_with('q')) {
        return (
            format!("`{mnemonic}` is not available in {bits}-bit mode"),
            None,
        );
    }
    let counts: Vec<usize> = {
        let mut v: Vec<usize> = in_mode
            .iter()
            .map(|c| c.op_info().op_count() as usize)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let string_only = n == 0
        && in_mode.iter().any(|c| {
            c.op_info()
                .op_kinds()
                .iter()
                .all(|k| matches!(k, K::seg_rSI | K::es_rDI | K::seg_rDI | K::seg_rBX_al))
        });
    if !counts.contains(&n) && !string_only {
        let expected = counts
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(" or ");
        return (
            format!("`{mnemonic}` takes {expected} operand(s), not {n}"),
            None,
        );
    }
    // A written memory size that no form of the instruction takes with these operands
    // (`mov eax, byte ptr [rax]`).
    if let Some((i, size)) = ops.iter().enumerate().find_map(|(i, o)| match &o.kind {
        OperandKind::Mem(m) if !m.size_from_suffix => m.size.map(|s| (i, s)),
        _ => None,
    }) {
        let mut unsized_ops = ops.to_vec();
        if let OperandKind::Mem(m) = &mut unsized_ops[i].kind {
            m.size = None;
        }
        if in_mode
            .iter()
            .any(|&c| try_code(c, &unsized_ops, mode, false).is_some())
        {
            let keyword = match size {
                1 => "byte",
                2 => "word",
                4 => "dword",
                6 => "fword",
                8 => "qword",
                10 => "tbyte",
                16 => "xmmword",
                32 => "ymmword",
                _ => "zmmword",
            };
            return (
                format!(
                    "invalid operand for instruction: `{keyword} ptr` does not match the operand size of `{mnemonic}` here"
                ),
                Some("drop the size keyword or make it agree with the register operand".into()),
            );
        }
    }
    let mems = ops
        .iter()
        .filter(|o| matches!(o.kind, OperandKind::Mem(_)))
        .count();
    if mems >= 2 {
        return (
            format!(
                "invalid operand for instruction: `{mnemonic}` cannot take two memory operands"
            ),
            Some("load one of them into a register first".into()),
        );
    }
    if matches!(
        mnemonic,
        "shl" | "shr" | "sar" | "sal" | "rol" | "ror" | "rcl" | "rcr"
    ) && n == 2
        && let OperandKind::Reg(r) = ops[1].kind
        && r != Register::CL
    {
        return (
            format!("`{mnemonic}` takes its count in `cl` or as an immediate"),
            None,
        );
    }
    if mnemonic.starts_with("bswap")
        && matches!(ops.first().map(|o| &o.kind), Some(OperandKind::Reg(r)) if r.is_gpr16())
    {
        return (
            "`bswap` of a 16-bit register is undefined (Intel SDM Vol. 2A, BSWAP)".to_string(),
            Some("swap the two bytes of a word with `rol <register>, 8`".into()),
        );
    }
    if matches!(mnemonic, "in" | "out") {
        return (
            format!(
                "invalid operand for instruction: `{mnemonic}` takes the port in `dx` or as an 8-bit immediate and the data in `al`, `ax` or `eax`"
            ),
            None,
        );
    }
    let sizes: Vec<usize> = ops
        .iter()
        .filter_map(|o| {
            if let OperandKind::Reg(r) = o.kind {
                if r.is_gpr() { Some(r.size()) } else { None }
            } else {
                None
            }
        })
        .collect();
    if sizes.len() >= 2
        && sizes.iter().any(|s| *s != sizes[0])
        && !matches!(
            mnemonic,
            "movzx" | "movsx" | "movsxd" | "crc32" | "in" | "out"
        )
    {
        return (
            format!(
                "invalid operand for instruction: the register operands of `{mnemonic}` must have the same size"
            ),
            None,
        );
    }
    for o in ops {
        if let OperandKind::Imm(Value { num, sym: None }) = o.kind {
            let fits_any = in_mode.iter().any(|c| {
                c.op_info()
                    .op_kinds()
                    .iter()
                    .any(|&k| imm_fits(k, num, false).is_some())
            });
            if !fits_any
                && in_mode.iter().any(|c| {
                    c.op_info().op_kinds().iter().any(|&k| {
                        matches!(
                            k,
                            K::imm8 | K::imm16 | K::imm32 | K::imm32sex64 | K::imm64 | K::imm8sex32
                        )
                    })
                })
            {
                return (
                    format!("immediate `{num:#x}` does not fit in the operand of `{mnemonic}`"),
                    None,
                );
            }
        }
        if let OperandKind::Imm(Value {
            sym: Some(SymTerm { ref name, .. }),
            ..
        }) = o.kind
            && !in_mode.iter().any(|c| {
                c.op_info()
                    .op_kinds()
                    .iter()
                    .any(|k| matches!(k, K::imm16 | K::imm32 | K::imm32sex64 | K::imm64))
            })
        {
            return (
                format!(
                    "invalid operand for instruction: `{mnemonic}` cannot take the address of `{name}` as an immediate"
                ),
                None,
            );
        }
    }
    (
        format!("invalid operand for instruction `{mnemonic}`"),
        Some("check the operand kinds and sizes against the instruction's forms".into()),
    )
}
