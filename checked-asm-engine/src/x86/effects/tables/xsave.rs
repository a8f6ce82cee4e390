//! State save/restore instructions: FXSAVE/FXRSTOR and the XSAVE family.
//!
//! iced-x86 lists only the memory operand (and edx:eax for XSAVE*). Intel SDM Vol. 1
//! §10.5 (FXSAVE area: x87 environment, st0–st7/mm0–mm7, MXCSR, xmm0–xmm15 in 64-bit
//! mode, xmm0–xmm7 otherwise) and Chapter 13 (XSAVE-managed state components: 0 x87,
//! 1 SSE (xmm + MXCSR), 2 AVX (upper ymm), 5–7 AVX-512 (k0–k7, upper zmm0–15,
//! zmm16–31), 9 PKRU, 17–18 AMX (TILECFG, TILEDATA); supervisor components with
//! XSAVES/XRSTORS). The requested-feature bitmap is edx:eax AND XCR0; the model does not
//! know it, so every component is assumed requested (contract-rules.md §2: unknown mask =
//! all). XRSTOR of component 9 loads PKRU, which changes who may access memory: M3.

use super::RowIndex;
use crate::x86::effects::iced::push_unique;
use crate::x86::effects::regs::{Access, RegAccess};
use crate::x86::effects::types::*;
use iced_x86::{Instruction, Mnemonic, Register};

use Mnemonic as M;

/// What a save/restore instruction covers.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SaveRestore {
    pub mnemonics: &'static [Mnemonic],
    pub restores: bool,
    /// FXSAVE/FXRSTOR: x87 + SSE only. XSAVE family: every component.
    pub xsave_components: bool,
    /// XSAVES/XRSTORS also cover supervisor components (CET, PT, PASID, HDC…).
    pub supervisor: bool,
}

pub static SAVE_RESTORE: &[SaveRestore] = &[
    SaveRestore {
        mnemonics: &[M::Fxsave, M::Fxsave64],
        restores: false,
        xsave_components: false,
        supervisor: false,
    },
    SaveRestore {
        mnemonics: &[M::Fxrstor, M::Fxrstor64],
        restores: true,
        xsave_components: false,
        supervisor: false,
    },
    SaveRestore {
        mnemonics: &[
            M::Xsave,
            M::Xsave64,
            M::Xsavec,
            M::Xsavec64,
            M::Xsaveopt,
            M::Xsaveopt64,
        ],
        restores: false,
        xsave_components: true,
        supervisor: false,
    },
    SaveRestore {
        mnemonics: &[M::Xsaves, M::Xsaves64],
        restores: false,
        xsave_components: true,
        supervisor: true,
    },
    SaveRestore {
        mnemonics: &[M::Xrstor, M::Xrstor64],
        restores: true,
        xsave_components: true,
        supervisor: false,
    },
    SaveRestore {
        mnemonics: &[M::Xrstors, M::Xrstors64],
        restores: true,
        xsave_components: true,
        supervisor: true,
    },
];

pub fn save_restore(m: Mnemonic) -> Option<&'static SaveRestore> {
    // The first row listing `m`, through an index by mnemonic (see `refused::reason`).
    static ROWS: RowIndex = RowIndex::new();
    let rows = ROWS.rows(m, || SAVE_RESTORE.iter().map(|s| s.mnemonics));
    rows.first().map(|&row| &SAVE_RESTORE[usize::from(row)])
}

/// Registers of the covered components, as the containers an analysis tracks.
pub fn component_registers(entry: &SaveRestore, mode: Mode) -> Vec<Register> {
    let vectors = if mode == Mode::Bits64 {
        if entry.xsave_components { 32 } else { 16 }
    } else {
        8
    };
    let mut regs = Vec::new();
    for i in 0..8u32 {
        regs.push(reg_at(Register::ST0, i));
        regs.push(reg_at(Register::MM0, i));
    }
    for i in 0..vectors {
        // FXRSTOR and XRSTOR of the SSE component write the low 128 bits; XRSTOR of the
        // AVX/AVX-512 components the rest. Reported on the container.
        regs.push(reg_at(
            if entry.xsave_components {
                Register::ZMM0
            } else {
                Register::XMM0
            },
            i,
        ));
    }
    if entry.xsave_components {
        for i in 0..8u32 {
            regs.push(reg_at(Register::K0, i));
        }
        if mode == Mode::Bits64 {
            for i in 0..8u32 {
                regs.push(reg_at(Register::TMM0, i));
            }
        }
    }
    regs
}

fn reg_at(first: Register, i: u32) -> Register {
    Register::values()
        .nth(first as usize + i as usize)
        .unwrap_or(first)
}

fn add(fx: &mut Effects, reg: Register, access: Access) {
    if let Some(r) = fx.regs.iter_mut().find(|r| r.reg == reg) {
        r.access = r.access.merge(access);
    } else {
        fx.regs.push(RegAccess::new(reg, access));
    }
}

pub(super) fn apply(instr: &Instruction, mode: Mode, fx: &mut Effects) {
    let Some(entry) = save_restore(instr.mnemonic()) else {
        return;
    };
    let regs = component_registers(entry, mode);
    if entry.restores {
        for r in regs {
            // FXRSTOR writes xmm's low 128 bits only: a partial write of the container.
            let access = if r.is_xmm() {
                Access::PartialWrite
            } else {
                Access::Write
            };
            add(fx, r, access);
        }
        fx.mxcsr.written = true;
        fx.x87.control_word_written = true;
        fx.x87.status_word_written = true;
        fx.x87.top = TopEffect::Loaded;
        fx.x87.tags = TagEffect::Loaded;
        if entry.xsave_components {
            push_unique(&mut fx.writes_state, State::ProtectionKeyRights);
            push_unique(&mut fx.writes_state, State::TileConfiguration);
            fx.memory.push(MemEffect {
                class: MemClass::M3,
                access: MemAccess::None,
                location: Location::Nowhere,
                why: "XRSTOR may load PKRU (state component 9), changing memory access rights",
            });
        }
        if entry.supervisor {
            push_unique(&mut fx.writes_state, State::ShadowStack);
            push_unique(&mut fx.writes_state, State::Other);
        }
    } else {
        for r in regs {
            add(fx, r, Access::Read);
        }
        fx.mxcsr.read = true;
        fx.x87.control_word_read = true;
        fx.x87.status_word_read = true;
        push_unique(&mut fx.reads_state, State::Mxcsr);
        push_unique(&mut fx.reads_state, State::X87ControlWord);
        push_unique(&mut fx.reads_state, State::X87StatusWord);
        if entry.xsave_components {
            push_unique(&mut fx.reads_state, State::ProtectionKeyRights);
            push_unique(&mut fx.reads_state, State::ExtendedControlRegisters);
        }
        if entry.supervisor {
            push_unique(&mut fx.reads_state, State::Other);
        }
    }
}
