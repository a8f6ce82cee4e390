//! x87 FPU and MMX state: control word, status word, TOP and tags.
//!
//! iced-x86 reports C0–C3 and the TOP increment (`fpu_stack_increment_info`) but not the
//! control/status words, the exception flags, the tag word, or the MMX transition. Sources:
//! Intel SDM Vol. 1 §8.1 (x87 state), §8.1.3 (status word: every x87 arithmetic,
//! load/store and compare instruction may set IE/DE/ZE/OE/UE/PE and SF on stack fault),
//! §8.1.5 (control word), §8.1.7 (tag word), §9.5.1 (MMX: every MMX instruction except
//! EMMS sets TOP to 0 and all tags to valid, Table 9-2) and the FINIT, FCLEX, FLDCW,
//! FSTCW, FSTSW, FSTENV ("then masks all floating-point exceptions"), FLDENV, FSAVE
//! ("then initializes the FPU"), FRSTOR, FFREE, FDECSTP, FINCSTP, FNOP, FXAM pages of
//! Vol. 2 (their "FPU Flags Affected" / "Floating-Point Exceptions" sections).

use crate::x86::effects::iced::push_unique;
use crate::x86::effects::regs::{Access, RegAccess};
use crate::x86::effects::types::{Effects, Mode, State, TagEffect, TopEffect};
use iced_x86::{CpuidFeature, Instruction, Mnemonic, Register};

use Mnemonic as M;

/// The x87 instructions whose effect on the FPU environment is not "arithmetic": each
/// entry lists what it does besides what iced reports.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct X87Control {
    pub mnemonics: &'static [Mnemonic],
    pub control_read: bool,
    pub control_written: bool,
    pub status_read: bool,
    pub status_written: bool,
    pub top: Option<TopEffect>,
    pub tags: Option<TagEffect>,
    /// Reads st0–st7 (saves them to memory).
    pub reads_stack: bool,
}

const NONE: X87Control = X87Control {
    mnemonics: &[],
    control_read: false,
    control_written: false,
    status_read: false,
    status_written: false,
    top: None,
    tags: None,
    reads_stack: false,
};

pub static CONTROL: &[X87Control] = &[
    // FINIT/FNINIT: CW := 037Fh, SW := 0, TW := FFFFh (all empty), TOP := 0.
    X87Control {
        mnemonics: &[M::Fninit, M::Finit],
        control_written: true,
        status_written: true,
        top: Some(TopEffect::Reset),
        tags: Some(TagEffect::AllEmpty),
        ..NONE
    },
    // FCLEX/FNCLEX: clears the exception flags, ES and B.
    X87Control {
        mnemonics: &[M::Fnclex, M::Fclex],
        status_written: true,
        ..NONE
    },
    X87Control {
        mnemonics: &[M::Fldcw],
        control_written: true,
        ..NONE
    },
    X87Control {
        mnemonics: &[M::Fnstcw, M::Fstcw],
        control_read: true,
        ..NONE
    },
    X87Control {
        mnemonics: &[M::Fnstsw, M::Fstsw],
        status_read: true,
        ..NONE
    },
    // FSTENV/FNSTENV store the environment, then mask all exceptions (CW written).
    X87Control {
        mnemonics: &[M::Fnstenv, M::Fstenv],
        control_read: true,
        control_written: true,
        status_read: true,
        ..NONE
    },
    X87Control {
        mnemonics: &[M::Fldenv],
        control_written: true,
        status_written: true,
        top: Some(TopEffect::Loaded),
        tags: Some(TagEffect::Loaded),
        ..NONE
    },
    // FSAVE/FNSAVE store the whole state, then reinitialise as FNINIT.
    X87Control {
        mnemonics: &[M::Fnsave, M::Fsave],
        control_read: true,
        control_written: true,
        status_read: true,
        status_written: true,
        top: Some(TopEffect::Reset),
        tags: Some(TagEffect::AllEmpty),
        reads_stack: true,
    },
    X87Control {
        mnemonics: &[M::Frstor],
        control_written: true,
        status_written: true,
        top: Some(TopEffect::Loaded),
        tags: Some(TagEffect::Loaded),
        ..NONE
    },
    // FFREE marks st(i) empty; FFREEP also pops (TOP from iced).
    X87Control {
        mnemonics: &[M::Ffree, M::Ffreep],
        tags: Some(TagEffect::Updated),
        ..NONE
    },
    // FDECSTP/FINCSTP rotate TOP (from iced); tags are not changed. FNOP, FXAM: no exception.
    X87Control {
        mnemonics: &[M::Fdecstp, M::Fincstp, M::Fnop, M::Fxam],
        tags: Some(TagEffect::Unchanged),
        ..NONE
    },
    // 8087 FENI/FDISI set/clear the interrupt-enable mask of the control word; on later
    // FPUs they are no-ops, modelled as the 8087 did (conservative).
    X87Control {
        mnemonics: &[M::Feni, M::Fneni, M::Fdisi, M::Fndisi],
        control_written: true,
        ..NONE
    },
    // 80287 FSETPM / 80387SL FRSTPM: processor-mode switches, no x87 register effect.
    X87Control {
        mnemonics: &[M::Fsetpm, M::Fnsetpm, M::Frstpm],
        ..NONE
    },
    // 80387SL FSTDW/FSTSG: store a debug/signature word into AX (iced reports AX).
    X87Control {
        mnemonics: &[M::Fstdw, M::Fnstdw, M::Fstsg, M::Fnstsg],
        ..NONE
    },
];

/// Whether `instr` is an x87 FPU instruction (not FXSAVE/FXRSTOR, not MMX).
pub fn is_x87(instr: &Instruction) -> bool {
    instr.cpuid_features().iter().any(|f| {
        matches!(
            f,
            CpuidFeature::FPU
                | CpuidFeature::FPU287
                | CpuidFeature::FPU287XL_ONLY
                | CpuidFeature::FPU387
                | CpuidFeature::FPU387SL_ONLY
                | CpuidFeature::CYRIX_FPU
        )
    })
}

/// Whether `instr` is an MMX-state instruction: it names an mm register (this includes
/// SSE forms such as `cvtpi2ps xmm, mm`, which make the same transition, SDM Vol. 1 §11.6.7).
pub fn is_mmx(instr: &Instruction) -> bool {
    (0..instr.op_count())
        .any(|i| instr.op_kind(i) == iced_x86::OpKind::Register && instr.op_register(i).is_mm())
}

pub fn control(m: Mnemonic) -> Option<&'static X87Control> {
    CONTROL.iter().find(|c| c.mnemonics.contains(&m))
}

const ST: [Register; 8] = [
    Register::ST0,
    Register::ST1,
    Register::ST2,
    Register::ST3,
    Register::ST4,
    Register::ST5,
    Register::ST6,
    Register::ST7,
];

fn add(fx: &mut Effects, reg: Register, access: Access) {
    if let Some(r) = fx.regs.iter_mut().find(|r| r.reg == reg) {
        r.access = r.access.merge(access);
    } else {
        fx.regs.push(RegAccess::new(reg, access));
    }
}

pub(super) fn apply(instr: &Instruction, _mode: Mode, fx: &mut Effects) {
    let m = instr.mnemonic();
    if matches!(m, M::Emms | M::Femms) {
        // EMMS/FEMMS: TW := FFFFh (all empty); no other x87 effect.
        fx.x87.tags = TagEffect::AllEmpty;
        return;
    }
    if is_mmx(instr) {
        fx.x87.top = TopEffect::Reset;
        fx.x87.tags = TagEffect::AllValid;
        return;
    }
    if !is_x87(instr) {
        return;
    }
    match control(m) {
        Some(c) => {
            fx.x87.control_word_read |= c.control_read;
            fx.x87.control_word_written |= c.control_written;
            fx.x87.status_word_read |= c.status_read;
            fx.x87.status_word_written |= c.status_written;
            if c.control_read {
                push_unique(&mut fx.reads_state, State::X87ControlWord);
            }
            if c.status_read {
                push_unique(&mut fx.reads_state, State::X87StatusWord);
            }
            if let Some(top) = c.top {
                fx.x87.top = top;
            }
            if let Some(tags) = c.tags {
                fx.x87.tags = tags;
            }
            if c.reads_stack {
                for st in ST {
                    add(fx, st, Access::Read);
                }
            }
            if matches!(c.top, Some(TopEffect::Reset | TopEffect::Loaded)) {
                // Every st(i) changes meaning (or is emptied).
                for st in ST {
                    add(fx, st, Access::Write);
                }
            }
        }
        None => {
            // Arithmetic, load/store, compare, transcendental: may raise exceptions
            // (at least the stack-fault IE).
            fx.x87.sets_exception_flags = true;
        }
    }
    if let TopEffect::Moves { .. } = fx.x87.top {
        // A push or pop renames every st(i): all eight registers change.
        for st in ST {
            add(fx, st, Access::ReadWrite);
        }
        if fx.x87.tags == TagEffect::Unchanged && !matches!(m, M::Fdecstp | M::Fincstp) {
            fx.x87.tags = TagEffect::Updated;
        }
    }
}
