//! Coverage of the effect model over every iced-x86 `Code` (issue 4, "Done when"): each
//! Code valid in 64-bit (and 32-bit) mode gets an instance, `effects` must not panic, and
//! every refused Code (R21) must be listed with its reason in
//! `tests/data/effects_refused.txt`. Refusals must stay at or below 1% of the Codes valid
//! in the mode.
//!
//! Set `CHECKED_ASM_BLESS=1` to rewrite the refused list from the model.

use checked_asm_engine::x86::effects::{Arch, Category, Mode, Os, TargetAbi, UnknownKind, effects};
use iced_x86::{
    Code, CpuidFeature, Decoder, EncodingKind, Instruction, MemoryOperand, OpCodeOperandKind,
    Register,
};
use std::collections::{BTreeMap, HashMap};

const SAMPLES: &str = include_str!("data/effects_samples.txt");
const REFUSED_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/effects_refused.txt"
);

fn code_names() -> HashMap<String, Code> {
    Code::values().map(|c| (format!("{c:?}"), c)).collect()
}

/// (bitness, Code) -> (decoder options, bytes).
fn samples() -> HashMap<(u32, Code), (u32, Vec<u8>)> {
    let names = code_names();
    let mut out = HashMap::new();
    for line in SAMPLES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let f: Vec<&str> = line.split_whitespace().collect();
        let code = names[f[0]];
        let bitness: u32 = f[1].parse().unwrap();
        let options = u32::from_str_radix(f[2], 16).unwrap();
        let bytes = (0..f[3].len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&f[3][i..i + 2], 16).unwrap())
            .collect();
        out.insert((bitness, code), (options, bytes));
    }
    out
}

/// An instance of `code` for Codes the decoder never produces on its own (the `fwait`
/// forms such as `fstsw ax` = `9B DF E0`, which it decodes as two instructions).
fn construct(code: Code, mode: Mode) -> Option<Instruction> {
    let base = if mode == Mode::Bits64 {
        Register::RAX
    } else {
        Register::EAX
    };
    let kinds = code.op_code().op_kinds();
    let mut instr = match kinds {
        [] => Instruction::with(code),
        [OpCodeOperandKind::mem] => {
            Instruction::with1(code, MemoryOperand::with_base(base)).ok()?
        }
        [OpCodeOperandKind::ax] => Instruction::with1(code, Register::AX).ok()?,
        [OpCodeOperandKind::cs] => Instruction::with1(code, Register::CS).ok()?,
        _ => return None,
    };
    instr.set_code_size(mode.code_size());
    Some(instr)
}

fn instance(
    code: Code,
    mode: Mode,
    samples: &HashMap<(u32, Code), (u32, Vec<u8>)>,
) -> Option<Instruction> {
    if let Some((options, bytes)) = samples.get(&(mode.bitness(), code)) {
        let mut d = Decoder::new(mode.bitness(), bytes, *options);
        let instr = d.decode();
        assert_eq!(
            instr.code(),
            code,
            "sample for {code:?} decodes to {:?}",
            instr.code()
        );
        return Some(instr);
    }
    construct(code, mode)
}

/// Knights Corner Codes (decodable only with `DecoderOptions::KNC`; LLVM cannot assemble
/// them), counted separately in the report.
fn is_knc(code: Code) -> bool {
    code.op_code().encoding() == EncodingKind::MVEX
        || code.cpuid_features().contains(&CpuidFeature::KNC)
}

fn valid_in(code: Code, mode: Mode) -> bool {
    let oc = code.op_code();
    oc.is_instruction()
        && code != Code::INVALID
        && match mode {
            Mode::Bits64 => oc.mode64(),
            Mode::Bits32 => oc.mode32(),
            Mode::Bits16 => oc.mode16(),
        }
}

struct Coverage {
    valid: usize,
    knc: usize,
    precise: usize,
    conservative: BTreeMap<Category, usize>,
    refused: BTreeMap<String, String>,
    not_built: Vec<Code>,
    not_user_abi: Vec<Code>,
}

fn measure(mode: Mode, target: TargetAbi) -> Coverage {
    let samples = samples();
    let mut cov = Coverage {
        valid: 0,
        knc: 0,
        precise: 0,
        conservative: BTreeMap::new(),
        refused: BTreeMap::new(),
        not_built: Vec::new(),
        not_user_abi: Vec::new(),
    };
    for code in Code::values().filter(|c| valid_in(*c, mode)) {
        cov.valid += 1;
        if is_knc(code) {
            cov.knc += 1;
        }
        let Some(instr) = instance(code, mode, &samples) else {
            cov.not_built.push(code);
            continue;
        };
        match effects(&instr, mode, &target) {
            Ok(fx) => match fx.category {
                Some(c) => *cov.conservative.entry(c).or_default() += 1,
                None => cov.precise += 1,
            },
            // A modelled verdict of its own (Linux `sysenter`), not R21.
            Err(e) if e.kind == UnknownKind::NotUserAbi => cov.not_user_abi.push(code),
            Err(e) => {
                cov.refused
                    .insert(format!("{code:?}"), e.reason.to_string());
            }
        }
    }
    cov
}

fn report(name: &str, cov: &Coverage) {
    let assemblable = cov.valid - cov.knc;
    eprintln!("== effects coverage, {name} ==");
    eprintln!("Codes valid in this mode: {}", cov.valid);
    eprintln!(
        "  of which Knights Corner (MVEX/KNC; LLVM cannot assemble them): {}",
        cov.knc
    );
    eprintln!("precise: {}", cov.precise);
    eprintln!(
        "modelled as an error of its own (not a user ABI on this target): {:?}",
        cov.not_user_abi
    );
    for (c, n) in &cov.conservative {
        eprintln!("conservative {c:?}: {n}");
    }
    eprintln!(
        "refused (R21): {} = {:.2}% of {} valid Codes ({:.2}% of the {} non-KNC ones)",
        cov.refused.len(),
        100.0 * cov.refused.len() as f64 / cov.valid as f64,
        cov.valid,
        100.0 * cov.refused.len() as f64 / assemblable as f64,
        assemblable,
    );
}

fn refused_file() -> String {
    std::fs::read_to_string(REFUSED_PATH).unwrap_or_default()
}

fn check_listed(section: &str, cov: &Coverage) {
    let text = refused_file();
    let header = format!("[{section}]");
    let listed: BTreeMap<String, String> = text
        .split("\n[")
        .map(|s| s.trim_start_matches('['))
        .find(|s| s.starts_with(&header[1..]))
        .map(|s| {
            s.lines()
                .skip(1)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(|l| {
                    let (c, r) = l.split_once(": ").expect("`Code: reason`");
                    (c.to_string(), r.to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        listed, cov.refused,
        "refused Codes differ from {REFUSED_PATH} [{section}] (CHECKED_ASM_BLESS=1 rewrites it)"
    );
}

fn render(sections: &[(&str, &Coverage)]) -> String {
    let mut s = String::from(
        "# Codes refused by the effect model (R21), per mode, with the reason.\n\
         # Checked by tests/effects_coverage.rs; CHECKED_ASM_BLESS=1 rewrites this file.\n",
    );
    for (name, cov) in sections {
        s.push_str(&format!("\n[{name}]\n"));
        for (c, r) in &cov.refused {
            s.push_str(&format!("{c}: {r}\n"));
        }
    }
    s
}

#[test]
fn every_code_has_a_model_in_64_and_32_bit_mode() {
    let cov64 = measure(Mode::Bits64, TargetAbi::new(Arch::X86_64, Os::Linux));
    let cov32 = measure(Mode::Bits32, TargetAbi::new(Arch::X86, Os::Linux));
    report("64-bit mode, x86_64-linux", &cov64);
    report("32-bit mode, x86-linux", &cov32);
    if std::env::var_os("CHECKED_ASM_BLESS").is_some() {
        std::fs::write(REFUSED_PATH, render(&[("64", &cov64), ("32", &cov32)])).unwrap();
    }
    for (name, cov) in [("64", &cov64), ("32", &cov32)] {
        assert!(
            cov.not_built.is_empty(),
            "{name}-bit: no instance for {:?}",
            cov.not_built
        );
        check_listed(name, cov);
        let refused = cov.refused.len();
        assert!(
            refused * 100 <= cov.valid,
            "{name}-bit: {refused} of {} valid Codes refused (> 1%)",
            cov.valid
        );
        assert!(
            !cov.conservative.contains_key(&Category::UnlistedSimd),
            "{name}-bit: SIMD mnemonics missing from the MXCSR table"
        );
    }
}

/// Mnemonics the model says have no observable effect at all (no register, flag, memory,
/// stack, x87/MXCSR or state effect, falling through). Each was reviewed against the SDM:
/// hints, NOPs, serialisation without ordering (`serialize`), `fwait` (only checks for
/// pending x87 exceptions), AVX-512PF gather/scatter prefetches (read k1, touch no
/// architectural memory). A new entry here means iced-x86 went silent on an instruction:
/// review it before accepting.
const REVIEWED_NO_EFFECT: &[&str] = &[
    "Cldemote",
    "Endbr32",
    "Endbr64",
    "Fnop",
    "Fnsetpm",
    "Fsetpm",
    "Nop",
    "Reservednop",
    "Pause",
    "Prefetch",
    "Prefetchit0",
    "Prefetchit1",
    "Prefetchnta",
    "Prefetcht0",
    "Prefetcht1",
    "Prefetcht2",
    "Prefetchw",
    "Prefetchwt1",
    "Serialize",
    "Vgatherpf0dpd",
    "Vgatherpf0dps",
    "Vgatherpf0qpd",
    "Vgatherpf0qps",
    "Vgatherpf1dpd",
    "Vgatherpf1dps",
    "Vgatherpf1qpd",
    "Vgatherpf1qps",
    "Vscatterpf0dpd",
    "Vscatterpf0dps",
    "Vscatterpf0qpd",
    "Vscatterpf0qps",
    "Vscatterpf1dpd",
    "Vscatterpf1dps",
    "Vscatterpf1qpd",
    "Vscatterpf1qps",
    "Wait",
    // Knights Corner prefetch and cache-eviction hints.
    "Clevict0",
    "Clevict1",
    "Vgatherpf0hintdpd",
    "Vgatherpf0hintdps",
    "Vprefetch0",
    "Vprefetch1",
    "Vprefetch2",
    "Vprefetche0",
    "Vprefetche1",
    "Vprefetche2",
    "Vprefetchenta",
    "Vprefetchnta",
    "Vscatterpf0hintdpd",
    "Vscatterpf0hintdps",
];

#[test]
fn instructions_without_effects_are_reviewed() {
    let samples = samples();
    for (mode, target) in [
        (Mode::Bits64, TargetAbi::new(Arch::X86_64, Os::Linux)),
        (Mode::Bits32, TargetAbi::new(Arch::X86, Os::Linux)),
    ] {
        let mut silent = std::collections::BTreeSet::new();
        for code in Code::values().filter(|c| valid_in(*c, mode)) {
            let Some(instr) = instance(code, mode, &samples) else {
                continue;
            };
            let Ok(fx) = effects(&instr, mode, &target) else {
                continue;
            };
            let nothing = fx.written_registers().next().is_none()
                && fx.memory.is_empty()
                && fx.flags.modified().is_empty()
                && fx.flow == checked_asm_engine::x86::effects::Flow::Next
                && fx.writes_state.is_empty()
                && fx.reads_state.is_empty()
                && fx.side_effects.is_empty()
                && fx.mxcsr == Default::default()
                && fx.x87 == Default::default()
                && fx.stack == Default::default();
            if nothing {
                silent.insert(format!("{:?}", code.mnemonic()));
            }
        }
        let reviewed: std::collections::BTreeSet<String> =
            REVIEWED_NO_EFFECT.iter().map(|s| s.to_string()).collect();
        let unreviewed: Vec<&String> = silent.difference(&reviewed).collect();
        assert!(
            unreviewed.is_empty(),
            "{mode:?}: instructions with no modelled effect, not reviewed: {unreviewed:?}"
        );
    }
}

/// Every instruction iced says moves or loads x87 TOP is classified as x87 (or as a
/// save/restore instruction) by our tables, so none escapes the x87 model.
#[test]
fn every_top_changing_instruction_is_in_the_x87_model() {
    use checked_asm_engine::x86::effects::tables::{x87, xsave};
    let samples = samples();
    for code in Code::values().filter(|c| valid_in(*c, Mode::Bits64)) {
        let Some(instr) = instance(code, Mode::Bits64, &samples) else {
            continue;
        };
        let fpu = instr.fpu_stack_increment_info();
        if fpu.increment() != 0 || fpu.writes_top() {
            assert!(
                x87::is_x87(&instr) || xsave::save_restore(instr.mnemonic()).is_some(),
                "{code:?} changes TOP but is not in the x87 model"
            );
        }
    }
}

/// iced files `syscall`, `sysenter`, `vmcall`, `vmlaunch`, `int n`… under its call and
/// interrupt flow kinds. None of them may reach the model as an ordinary `call`: each is
/// either replaced by the kernel table or refused.
#[test]
fn every_non_call_transfer_is_kernel_modelled_or_refused() {
    use checked_asm_engine::x86::effects::Flow;
    use iced_x86::{FlowControl, Mnemonic};
    let samples = samples();
    for (mode, target) in [
        (Mode::Bits64, TargetAbi::new(Arch::X86_64, Os::Linux)),
        (Mode::Bits32, TargetAbi::new(Arch::X86, Os::Linux)),
        (Mode::Bits64, TargetAbi::new(Arch::X86_64, Os::Windows)),
    ] {
        for code in Code::values().filter(|c| valid_in(*c, mode)) {
            let Some(instr) = instance(code, mode, &samples) else {
                continue;
            };
            let transfer = matches!(
                instr.flow_control(),
                FlowControl::Call | FlowControl::IndirectCall | FlowControl::Interrupt
            );
            if !transfer || instr.mnemonic() == Mnemonic::Call {
                continue;
            }
            if let Ok(fx) = effects(&instr, mode, &target) {
                assert_eq!(fx.flow, Flow::KernelTransfer, "{code:?} on {target:?}");
            }
        }
    }
}

/// Random byte streams, decoded in every mode with and without the KNC/MPX options, never
/// make `effects` panic, whatever prefixes and operand combinations they produce.
#[test]
fn random_instructions_never_panic() {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut bytes = vec![0u8; 1 << 15];
    for (mode, target) in [
        (Mode::Bits64, TargetAbi::new(Arch::X86_64, Os::Linux)),
        (Mode::Bits32, TargetAbi::new(Arch::X86, Os::Linux)),
        (Mode::Bits16, TargetAbi::new(Arch::X86, Os::None)),
    ] {
        for options in [
            iced_x86::DecoderOptions::NONE,
            iced_x86::DecoderOptions::KNC | iced_x86::DecoderOptions::MPX,
        ] {
            for b in bytes.iter_mut() {
                *b = next() as u8;
            }
            let mut decoder = Decoder::new(mode.bitness(), &bytes, options);
            let mut n = 0;
            for instr in &mut decoder {
                let _ = effects(&instr, mode, &target);
                n += 1;
            }
            assert!(n > 5_000);
        }
    }
}
