//! The MXCSR table checked on the machine running the tests: each instruction runs with
//! inputs that raise every exception an arithmetic instruction could (signalling NaN,
//! denormal, inexact), with all exceptions masked, and the sticky flags are compared with
//! the model. Skips (with a message) where the CPU lacks a feature.
#![cfg(target_arch = "x86_64")]

use checked_asm_engine::x86::effects::{Arch, Mode, Os, TargetAbi, effects};
use core::arch::asm;
use iced_x86::{Decoder, DecoderOptions, Encoder, Instruction};

/// Runs `template` (which uses xmm0/xmm1 only) with xmm0 = [sNaN, denormal, 1, 3] and
/// xmm1 = [3, 1, denormal, sNaN] and returns MXCSR's exception flags afterwards.
macro_rules! flags_after {
    ($template:literal) => {{
        let a: [u32; 4] = [0x7FA0_0000, 0x0000_0001, 0x3F80_0000, 0x4040_0000];
        let b: [u32; 4] = [0x4040_0000, 0x3F80_0000, 0x0000_0001, 0x7FA0_0000];
        let mut saved: u32 = 0;
        let mut after: u32 = 0;
        let clean: u32 = 0x1F80; // all masked, flags clear
        unsafe {
            asm!(
                "stmxcsr [{saved}]",
                "ldmxcsr [{clean}]",
                "movups xmm0, [{a}]",
                "movups xmm1, [{b}]",
                $template,
                "stmxcsr [{after}]",
                "ldmxcsr [{saved}]",
                saved = in(reg) &mut saved,
                clean = in(reg) &clean,
                a = in(reg) &a,
                b = in(reg) &b,
                after = in(reg) &mut after,
                out("xmm0") _,
                out("xmm1") _,
                options(nostack),
            );
        }
        after & 0x3F
    }};
}

fn model_raises(bytes: &[u8]) -> bool {
    let mut d = Decoder::new(64, bytes, DecoderOptions::NONE);
    let instr: Instruction = d.decode();
    let fx = effects(
        &instr,
        Mode::Bits64,
        &TargetAbi::new(Arch::X86_64, Os::Linux),
    )
    .unwrap();
    fx.mxcsr.sets_exception_flags
}

fn encode(instr: Instruction) -> Vec<u8> {
    let mut e = Encoder::new(64);
    e.encode(&instr, 0).unwrap();
    e.take_buffer()
}

#[test]
fn sse_table_matches_the_cpu() {
    use iced_x86::{Code, Register::*};
    let cases: Vec<(&str, Vec<u8>, u32)> = vec![
        (
            "addps",
            encode(Instruction::with2(Code::Addps_xmm_xmmm128, XMM0, XMM1).unwrap()),
            flags_after!("addps xmm0, xmm1"),
        ),
        (
            "mulss",
            encode(Instruction::with2(Code::Mulss_xmm_xmmm32, XMM0, XMM1).unwrap()),
            flags_after!("mulss xmm0, xmm1"),
        ),
        (
            "sqrtps",
            encode(Instruction::with2(Code::Sqrtps_xmm_xmmm128, XMM0, XMM1).unwrap()),
            flags_after!("sqrtps xmm0, xmm1"),
        ),
        (
            "minps",
            encode(Instruction::with2(Code::Minps_xmm_xmmm128, XMM0, XMM1).unwrap()),
            flags_after!("minps xmm0, xmm1"),
        ),
        (
            "comiss",
            encode(Instruction::with2(Code::Comiss_xmm_xmmm32, XMM0, XMM1).unwrap()),
            flags_after!("comiss xmm0, xmm1"),
        ),
        (
            "cvtps2dq",
            encode(Instruction::with2(Code::Cvtps2dq_xmm_xmmm128, XMM0, XMM1).unwrap()),
            flags_after!("cvtps2dq xmm0, xmm1"),
        ),
        (
            "movaps",
            encode(Instruction::with2(Code::Movaps_xmm_xmmm128, XMM0, XMM1).unwrap()),
            flags_after!("movaps xmm0, xmm1"),
        ),
        (
            "xorps",
            encode(Instruction::with2(Code::Xorps_xmm_xmmm128, XMM0, XMM1).unwrap()),
            flags_after!("xorps xmm0, xmm1"),
        ),
        (
            "andps",
            encode(Instruction::with2(Code::Andps_xmm_xmmm128, XMM0, XMM1).unwrap()),
            flags_after!("andps xmm0, xmm1"),
        ),
        (
            "unpcklps",
            encode(Instruction::with2(Code::Unpcklps_xmm_xmmm128, XMM0, XMM1).unwrap()),
            flags_after!("unpcklps xmm0, xmm1"),
        ),
        (
            "shufps",
            encode(Instruction::with3(Code::Shufps_xmm_xmmm128_imm8, XMM0, XMM1, 0x1B).unwrap()),
            flags_after!("shufps xmm0, xmm1, 0x1b"),
        ),
        (
            "paddd",
            encode(Instruction::with2(Code::Paddd_xmm_xmmm128, XMM0, XMM1).unwrap()),
            flags_after!("paddd xmm0, xmm1"),
        ),
        (
            "rcpps",
            encode(Instruction::with2(Code::Rcpps_xmm_xmmm128, XMM0, XMM1).unwrap()),
            flags_after!("rcpps xmm0, xmm1"),
        ),
        (
            "cvtdq2pd",
            encode(Instruction::with2(Code::Cvtdq2pd_xmm_xmmm64, XMM0, XMM1).unwrap()),
            flags_after!("cvtdq2pd xmm0, xmm1"),
        ),
    ];
    for (name, bytes, flags) in cases {
        let model = model_raises(&bytes);
        eprintln!("{name}: model {model}, cpu flags {flags:#x}");
        if model {
            // The model may be conservative, but these inputs make every listed arithmetic
            // instruction raise something.
            assert_ne!(flags, 0, "{name}: model says raises, the CPU set no flag");
        } else {
            assert_eq!(
                flags, 0,
                "{name}: model says quiet, the CPU set MXCSR flags {flags:#x}"
            );
        }
    }
}

#[test]
fn avx_and_fma_match_the_cpu() {
    use iced_x86::{Code, Register::*};
    if !std::arch::is_x86_feature_detected!("avx") || !std::arch::is_x86_feature_detected!("fma") {
        eprintln!("skipped: this CPU lacks AVX/FMA");
        return;
    }
    let cases: Vec<(&str, Vec<u8>, u32)> = vec![
        (
            "vaddps",
            encode(Instruction::with3(Code::VEX_Vaddps_xmm_xmm_xmmm128, XMM0, XMM0, XMM1).unwrap()),
            flags_after!("vaddps xmm0, xmm0, xmm1"),
        ),
        (
            "vfmadd231ps",
            encode(
                Instruction::with3(Code::VEX_Vfmadd231ps_xmm_xmm_xmmm128, XMM0, XMM1, XMM1)
                    .unwrap(),
            ),
            flags_after!("vfmadd231ps xmm0, xmm1, xmm1"),
        ),
        (
            "vpermilps",
            encode(
                Instruction::with3(Code::VEX_Vpermilps_xmm_xmmm128_imm8, XMM0, XMM1, 0x1B).unwrap(),
            ),
            flags_after!("vpermilps xmm0, xmm1, 0x1b"),
        ),
        (
            "vblendps",
            encode(
                Instruction::with4(Code::VEX_Vblendps_xmm_xmm_xmmm128_imm8, XMM0, XMM0, XMM1, 5)
                    .unwrap(),
            ),
            flags_after!("vblendps xmm0, xmm0, xmm1, 5"),
        ),
        (
            "vbroadcastss",
            encode(Instruction::with2(Code::VEX_Vbroadcastss_xmm_xmm, XMM0, XMM1).unwrap()),
            flags_after!("vbroadcastss xmm0, xmm1"),
        ),
    ];
    for (name, bytes, flags) in cases {
        let model = model_raises(&bytes);
        eprintln!("{name}: model {model}, cpu flags {flags:#x}");
        if model {
            assert_ne!(flags, 0, "{name}: model says raises, the CPU set no flag");
        } else {
            assert_eq!(
                flags, 0,
                "{name}: model says quiet, the CPU set MXCSR flags {flags:#x}"
            );
        }
    }
}
