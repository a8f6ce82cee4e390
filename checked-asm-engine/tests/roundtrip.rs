//! Round trip over iced's whole instruction set: every `Code` valid in 64-bit and 32-bit
//! mode is instantiated, printed with iced's Intel and GAS formatters set up like LLVM's
//! printer, parsed back by our assembler, and must give the same instruction. Exceptions
//! are listed with their reasons in `tests/roundtrip_exceptions.txt`.

mod common;

use checked_asm_engine::x86::asm::{Mode, StmtKind, Syntax, assemble};
use common::*;
use std::collections::BTreeSet;

fn exceptions() -> BTreeSet<String> {
    include_str!("roundtrip_exceptions.txt")
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn reprint(
    syntax: Syntax,
    intel: &mut iced_x86::IntelFormatter,
    gas: &mut iced_x86::GasFormatter,
    ours: &iced_x86::Instruction,
    orig: &iced_x86::Instruction,
) -> String {
    let mut ours = *ours;
    // Our branch targets are relocations; print them at the original's target.
    for op in 0..ours.op_count() {
        if matches!(
            ours.op_kind(op),
            iced_x86::OpKind::NearBranch16
                | iced_x86::OpKind::NearBranch32
                | iced_x86::OpKind::NearBranch64
        ) {
            ours.set_near_branch64(orig.near_branch_target());
        }
    }
    match syntax {
        Syntax::Intel => llvm_intel(&ours, &format(intel, &ours)),
        Syntax::Att => llvm_att(&ours, &format(gas, &ours)),
    }
}

#[test]
fn roundtrip_all_codes() {
    let listed = exceptions();
    let mut unexpected = Vec::new();
    let mut dump = String::new();
    let mut summary = Vec::new();
    for mode in [Mode::Bits64, Mode::Bits32] {
        let codes = codes_for(mode);
        for syntax in [Syntax::Intel, Syntax::Att] {
            let mut intel = intel_formatter();
            let mut gas = gas_formatter();
            let mut ok = 0usize;
            let mut aliases = 0usize;
            // Passing codes whose `Code` we reproduce exactly (the rest are another encoding
            // of the same instruction, e.g. 8B /r for 89 /r text, LLVM's choice).
            let mut exact = 0usize;
            let mut undecodable: Vec<String> = Vec::new();
            for &code in &codes {
                let key = format!("{} {:?} {:?}", mode.bitness(), syntax, code);
                let result = match instance(code, mode) {
                    // Not a code of this mode for iced's default (Intel) decoder: 66h-prefixed
                    // near branches in 64-bit mode (AMD-only), `ud0` without ModRM, ...
                    None => {
                        undecodable.push(format!("{code:?}"));
                        continue;
                    }
                    Some(ins) => {
                        let text = match syntax {
                            Syntax::Intel => llvm_intel(&ins, &format(&mut intel, &ins)),
                            Syntax::Att => llvm_att(&ins, &format(&mut gas, &ins)),
                        };
                        match assemble(&text, syntax, mode) {
                            Err(e) => Err(format!("`{text}`: {}", e[0].message)),
                            Ok(p) => {
                                let instrs: Vec<_> = p
                                    .stmts
                                    .iter()
                                    .filter_map(|s| {
                                        if let StmtKind::Instr(i) = &s.kind {
                                            Some(i)
                                        } else {
                                            None
                                        }
                                    })
                                    .collect();
                                match instrs.as_slice() {
                                    [i] if same_ignoring_targets(&i.instruction, &ins) => {
                                        exact += usize::from(i.instruction.code() == ins.code());
                                        Ok(())
                                    }
                                    // Two codes that print identically (`sal`/`shl`,
                                    // `movmskps r64`/`r32`): the text cannot tell them apart,
                                    // and we produce LLVM's choice.
                                    [i] if text
                                        == reprint(
                                            syntax,
                                            &mut intel,
                                            &mut gas,
                                            &i.instruction,
                                            &ins,
                                        ) =>
                                    {
                                        aliases += 1;
                                        Ok(())
                                    }
                                    [i] => Err(format!(
                                        "`{text}`: got {:?} `{}`",
                                        i.instruction.code(),
                                        format(&mut intel, &i.instruction)
                                    )),
                                    _ => {
                                        Err(format!("`{text}`: got {} instructions", instrs.len()))
                                    }
                                }
                            }
                        }
                    }
                };
                match result {
                    Ok(()) => ok += 1,
                    Err(why) => {
                        dump.push_str(&format!("{key} # {why}\n"));
                        if !listed.contains(&key) {
                            unexpected.push(format!("{key} # {why}"));
                        }
                    }
                }
            }
            let counted = codes.len() - undecodable.len();
            let pct = 100.0 * ok as f64 / counted as f64;
            println!(
                "  {}-bit {:?}: {} codes skipped, iced's own encoder and default decoder cannot produce them in this mode: {}",
                mode.bitness(),
                syntax,
                undecodable.len(),
                undecodable.join(" ")
            );
            println!(
                "  {}-bit {:?}: {aliases} of the passing codes print identically to the code we chose; {exact} give back the identical Code ({:.2}%)",
                mode.bitness(),
                syntax,
                100.0 * exact as f64 / counted as f64
            );
            summary.push((mode, syntax, ok, counted, pct));
        }
    }
    if let Ok(path) = std::env::var("ROUNDTRIP_DUMP") {
        std::fs::write(path, &dump).unwrap();
    }
    for (mode, syntax, ok, n, pct) in &summary {
        println!(
            "round trip {}-bit {:?}: {ok}/{n} codes = {pct:.2}%",
            mode.bitness(),
            syntax
        );
    }
    assert!(
        unexpected.is_empty(),
        "{} codes failed that are not in roundtrip_exceptions.txt:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    for (mode, syntax, _, _, pct) in &summary {
        assert!(
            *pct >= 99.5,
            "round trip {}-bit {:?} is {pct:.2}%, below 99.5%",
            mode.bitness(),
            syntax
        );
    }
}
