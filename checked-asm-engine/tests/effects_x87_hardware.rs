//! Two surprising x87 facts of the model, checked on the CPU running the tests:
//! FNSTENV masks all exceptions after storing the environment, and FNSAVE reinitialises
//! the FPU (control word 037Fh). Both therefore write the control word (R15).
#![cfg(target_arch = "x86_64")]

use checked_asm_engine::x86::effects::{Arch, Mode, Os, TargetAbi, TopEffect, effects};
use core::arch::asm;
use iced_x86::{Decoder, DecoderOptions};

fn fx(bytes: &[u8]) -> checked_asm_engine::x86::effects::Effects {
    let instr = Decoder::new(64, bytes, DecoderOptions::NONE).decode();
    effects(
        &instr,
        Mode::Bits64,
        &TargetAbi::new(Arch::X86_64, Os::Linux),
    )
    .unwrap()
}

#[test]
fn fnstenv_and_fnsave_write_the_control_word() {
    assert!(fx(&[0xD9, 0x30]).x87.control_word_written); // fnstenv [rax]
    let save = fx(&[0xDD, 0x30]); // fnsave [rax]
    assert!(save.x87.control_word_written && save.x87.top == TopEffect::Reset);

    let unmasked: u16 = 0x037E; // invalid-operation exception unmasked
    let mut saved: u16 = 0;
    let mut after_stenv: u16 = 0;
    let mut after_save: u16 = 0;
    let mut env = [0u8; 28];
    let mut state = [0u8; 108];
    unsafe {
        asm!(
            "fnstcw [{saved}]",
            "fninit",
            "fldcw [{unmasked}]",
            "fnstenv [{env}]",
            "fnstcw [{after_stenv}]",
            "fldcw [{unmasked}]",
            "fnsave [{state}]",
            "fnstcw [{after_save}]",
            "fninit",
            "fldcw [{saved}]",
            saved = in(reg) &mut saved,
            unmasked = in(reg) &unmasked,
            env = in(reg) env.as_mut_ptr(),
            after_stenv = in(reg) &mut after_stenv,
            state = in(reg) state.as_mut_ptr(),
            after_save = in(reg) &mut after_save,
            options(nostack),
        );
    }
    assert_eq!(
        after_stenv & 0x3F,
        0x3F,
        "fnstenv masks every exception: {after_stenv:#x}"
    );
    assert_eq!(
        after_save, 0x037F,
        "fnsave reinitialises the control word: {after_save:#x}"
    );
}

#[test]
fn mmx_fills_the_tag_word_and_emms_empties_it() {
    use checked_asm_engine::x86::effects::TagEffect;
    assert_eq!(fx(&[0x0F, 0xEF, 0xC0]).x87.tags, TagEffect::AllValid); // pxor mm0, mm0
    assert_eq!(fx(&[0x0F, 0x77]).x87.tags, TagEffect::AllEmpty); // emms

    let mut saved: u16 = 0;
    let mut after_mmx = [0u8; 28];
    let mut after_emms = [0u8; 28];
    unsafe {
        asm!(
            "fnstcw [{saved}]",
            "fninit",
            "fld1", // TOP = 7, so that the MMX reset to TOP = 0 is visible
            "pxor mm0, mm0",
            "fnstenv [{a}]",
            "emms",
            "fnstenv [{b}]",
            "fninit",
            "fldcw [{saved}]",
            saved = in(reg) &mut saved,
            a = in(reg) after_mmx.as_mut_ptr(),
            b = in(reg) after_emms.as_mut_ptr(),
            out("mm0") _,
            options(nostack),
        );
    }
    let word = |env: &[u8; 28], at: usize| u16::from_le_bytes([env[at], env[at + 1]]);
    let top = |env: &[u8; 28]| (word(env, 4) >> 11) & 7;
    // 32-bit protected-mode environment: FCW at 0, FSW at 4, FTW at 8 (SDM Vol. 1 Figure 8-9).
    // FNSTENV stores the full tag word (00 valid, 01 zero, 10 special, 11 empty): after an
    // MMX instruction no register is empty.
    let tags = word(&after_mmx, 8);
    assert!(
        (0..8).all(|i| (tags >> (2 * i)) & 3 != 3),
        "no tag empty after MMX: {tags:#06x}"
    );
    assert_eq!(top(&after_mmx), 0, "TOP reset to 0 by an MMX instruction");
    assert_eq!(word(&after_emms, 8), 0xFFFF, "all tags empty after emms");
}
