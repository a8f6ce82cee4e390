//! System state: RFLAGS system bits, control/debug/segment registers, descriptor-table
//! registers, MSRs and the rest of the state that is not a declarable register; and the
//! conservative categories for system instructions we do not model one by one.
//!
//! Sources: Intel SDM Vol. 2B POPF (Table 4-16: which flags are loaded per mode/CPL),
//! Vol. 3A §2.3 (system flags), §2.5 (control registers), §2.4 (GDTR/IDTR/LDTR/TR),
//! Chapter 17 (debug registers), Vol. 3C Chapters 24–31 (VMX), Vol. 3D SGX, AMD APM
//! Vol. 2 Chapter 15 (SVM, SEV-SNP), Intel TDX module ABI.

use super::RowIndex;
use crate::x86::asm::op_code::OpCodeTable;
use crate::x86::effects::Flags;
use crate::x86::effects::iced::push_unique;
use crate::x86::effects::types::*;
use iced_x86::{CpuidFeature, EncodingKind, Instruction, Mnemonic, OpKind};

use Mnemonic as M;

/// State written by mnemonic (besides what the register scan finds).
pub static WRITES: &[(&[Mnemonic], State)] = &[
    (
        &[M::Lgdt, M::Lidt, M::Lldt, M::Ltr],
        State::DescriptorTableRegisters,
    ),
    (
        &[M::Wrmsr, M::Wrmsrns, M::Wrmsrlist],
        State::ModelSpecificRegisters,
    ),
    (&[M::Xsetbv], State::ExtendedControlRegisters),
    (&[M::Wrpkru], State::ProtectionKeyRights),
    (
        &[M::Wrfsbase, M::Wrgsbase, M::Swapgs, M::Lkgs],
        State::SegmentBases,
    ),
    (
        &[
            M::Cli,
            M::Sti,
            M::Stac,
            M::Clac,
            M::Popf,
            M::Popfd,
            M::Popfq,
        ],
        State::SystemFlags,
    ),
    (&[M::Lmsw, M::Clts], State::ControlRegisters),
    (
        &[
            M::Invlpg,
            M::Invpcid,
            M::Invlpgb,
            M::Tlbsync,
            M::Invlpga,
            M::Wbinvd,
            M::Wbnoinvd,
            M::Invd,
        ],
        State::MemoryTranslation,
    ),
    (&[M::Ldtilecfg, M::Tilerelease], State::TileConfiguration),
    (&[M::Monitor, M::Monitorx, M::Umonitor], State::Monitor),
    (
        &[M::Clui, M::Stui, M::Senduipi, M::Uiret],
        State::Interrupts,
    ),
    (
        &[M::Xbegin, M::Xend, M::Xabort, M::Xsusldtrk, M::Xresldtrk],
        State::Transaction,
    ),
    (
        &[
            M::Setssbsy,
            M::Clrssbsy,
            M::Incsspd,
            M::Incsspq,
            M::Rstorssp,
            M::Saveprevssp,
            M::Wrssd,
            M::Wrssq,
            M::Wrussd,
            M::Wrussq,
        ],
        State::ShadowStack,
    ),
    (&[M::Hreset, M::Ptwrite], State::Other),
];

/// Privileged (or IOPL-dependent) instructions modelled precisely by iced plus our tables;
/// every other privileged instruction gets [`Category::PrivilegedSystem`].
pub static PRECISE_PRIVILEGED: &[Mnemonic] = &[
    M::Hlt,
    M::Cli,
    M::Sti,
    M::Lgdt,
    M::Lidt,
    M::Lldt,
    M::Ltr,
    M::Lmsw,
    M::Clts,
    M::Invd,
    M::Wbinvd,
    M::Wbnoinvd,
    M::Invlpg,
    M::Invpcid,
    M::Invlpgb,
    M::Tlbsync,
    M::Mov,
    M::Rdmsr,
    M::Wrmsr,
    M::Wrmsrns,
    M::Rdmsrlist,
    M::Wrmsrlist,
    M::Rdpmc,
    M::Swapgs,
    M::Sysret,
    M::Sysretq,
    M::Sysexit,
    M::Sysexitq,
    M::Iret,
    M::Iretd,
    M::Iretq,
    M::In,
    M::Out,
    M::Insb,
    M::Insw,
    M::Insd,
    M::Outsb,
    M::Outsw,
    M::Outsd,
    M::Stac,
    M::Clac,
    M::Xsetbv,
    M::Xsaves,
    M::Xsaves64,
    M::Xrstors,
    M::Xrstors64,
    M::Monitor,
    M::Mwait,
    M::Hreset,
    M::Lkgs,
    M::Wrussd,
    M::Wrussq,
    M::Setssbsy,
    M::Clrssbsy,
    M::Rsm,
    M::Rdtsc,
];

/// CPUID features of trusted-execution and virtualisation extensions.
const TRUSTED_EXECUTION: &[CpuidFeature] = &[
    CpuidFeature::VMX,
    CpuidFeature::INVEPT,
    CpuidFeature::INVVPID,
    CpuidFeature::SVM,
    CpuidFeature::SKINIT,
    CpuidFeature::SEV_ES,
    CpuidFeature::SEV_SNP,
    CpuidFeature::RMPQUERY,
    CpuidFeature::SGX1,
    CpuidFeature::SMX,
    CpuidFeature::TDX,
    CpuidFeature::PCONFIG,
];

/// CPUID features of obsolete or vendor-specific instructions.
const LEGACY: &[CpuidFeature] = &[
    CpuidFeature::UMOV,
    CpuidFeature::INTEL386_A0_ONLY,
    CpuidFeature::INTEL486_A_ONLY,
    CpuidFeature::IA64,
    CpuidFeature::CYRIX_SMM,
    CpuidFeature::CYRIX_SMINT,
    CpuidFeature::CYRIX_SMINT_0F7E,
    CpuidFeature::CYRIX_SHR,
    CpuidFeature::CYRIX_DDI,
    CpuidFeature::CYRIX_EMMI,
    CpuidFeature::CYRIX_DMI,
    CpuidFeature::CENTAUR_AIS,
    CpuidFeature::MOV_TR,
    CpuidFeature::SMM,
    CpuidFeature::PADLOCK_ACE,
    CpuidFeature::PADLOCK_PHE,
    CpuidFeature::PADLOCK_PMM,
    CpuidFeature::PADLOCK_RNG,
    CpuidFeature::PADLOCK_GMI,
    CpuidFeature::PADLOCK_UNDOC,
    CpuidFeature::UDBG,
    CpuidFeature::CL1INVMB,
];

/// A set of CPUID features as bits, built at compile time: a new instruction's features
/// are tested against the two lists above, which as slices cost a comparison call per
/// entry in a macro built without optimisation (cargo's default).
struct FeatureSet([u64; 4]);

impl FeatureSet {
    const fn of(list: &[CpuidFeature]) -> FeatureSet {
        let mut words = [0u64; 4];
        let mut i = 0;
        while i < list.len() {
            let f = list[i] as usize;
            words[f / 64] |= 1 << (f % 64);
            i += 1;
        }
        FeatureSet(words)
    }

    fn contains(&self, f: CpuidFeature) -> bool {
        let f = f as usize;
        self.0.get(f / 64).is_some_and(|w| w >> (f % 64) & 1 != 0)
    }

    fn any(&self, features: &[CpuidFeature]) -> bool {
        let mut i = 0;
        while i < features.len() {
            if self.contains(features[i]) {
                return true;
            }
            i += 1;
        }
        false
    }
}

static TRUSTED_EXECUTION_SET: FeatureSet = FeatureSet::of(TRUSTED_EXECUTION);
static LEGACY_SET: FeatureSet = FeatureSet::of(LEGACY);

fn conservative(fx: &mut Effects, category: Category) {
    fx.category = Some(category);
    let unknown = MemEffect {
        class: MemClass::M3,
        access: MemAccess::ReadWrite,
        location: Location::Unspecified,
        why: "system instruction with memory effects the model does not detail",
    };
    if !fx.memory.contains(&unknown) {
        fx.memory.push(unknown);
    }
    let state = if category == Category::TrustedExecution {
        State::Virtualization
    } else {
        State::Other
    };
    push_unique(&mut fx.reads_state, state);
    push_unique(&mut fx.writes_state, state);
}

/// The rows of [`WRITES`] that list `m`.
pub(super) fn write_rows(m: Mnemonic) -> &'static [u16] {
    static ROWS: RowIndex = RowIndex::new();
    ROWS.rows(m, || WRITES.iter().map(|(list, _)| *list))
}

pub(super) fn apply(instr: &Instruction, mode: Mode, fx: &mut Effects) {
    let m = instr.mnemonic();

    // These load rsp from the stack frame they pop (SDM Vol. 2A IRET: "IA-32e mode: pop
    // SS:RSP unconditionally"; UIRET, ERETS/ERETU likewise), which iced reports as an
    // increment: the resulting rsp is not the old one plus a constant.
    let loads_rsp = matches!(m, M::Uiret | M::Erets | M::Eretu)
        || (mode == Mode::Bits64 && matches!(m, M::Iret | M::Iretd | M::Iretq));
    if loads_rsp {
        fx.stack.delta = None;
    }

    // HLT resumes at the next instruction after an interrupt (SDM Vol. 2A HLT): not
    // divergent.
    if m == M::Hlt {
        fx.flow = Flow::Halt;
    }
    // PUSHF pushes the whole of RFLAGS (VM and RF read as 0), system flags included.
    if matches!(m, M::Pushf | M::Pushfd | M::Pushfq) {
        fx.flags.read |= Flags::ALL;
    }

    // POPF loads every system flag the CPL/IOPL allows (iced lists OF..AC); IRET the same.
    if matches!(
        m,
        M::Popf | M::Popfd | M::Popfq | M::Iret | M::Iretd | M::Iretq
    ) {
        fx.flags.written |= Flags::ALL;
    }

    for &row in write_rows(m) {
        push_unique(&mut fx.writes_state, WRITES[row as usize].1);
    }

    // Control, debug, segment and test registers iced reports.
    for i in 0..fx.regs.len() {
        let r = fx.regs[i];
        let state = if r.reg.is_cr() {
            State::ControlRegisters
        } else if r.reg.is_dr() || r.reg.is_tr() {
            State::DebugRegisters
        } else if r.reg.is_segment_register() {
            State::SegmentRegisters
        } else {
            continue;
        };
        if r.access.may_write() {
            push_unique(&mut fx.writes_state, state);
        }
        // Segment registers are read by every memory access (reported in 16/32-bit
        // modes); only an explicit operand (`mov eax, ds`, `push fs`) is a state read.
        let explicit_segment_read = state == State::SegmentRegisters
            && (0..instr.op_count())
                .any(|i| instr.op_kind(i) == OpKind::Register && instr.op_register(i) == r.reg)
            && !r.access.may_write();
        if r.access.may_read() && (state != State::SegmentRegisters || explicit_segment_read) {
            push_unique(&mut fx.reads_state, state);
        }
    }
    if matches!(m, M::Push)
        && (0..instr.op_count()).any(|i| {
            instr.op_kind(i) == OpKind::Register && instr.op_register(i).is_segment_register()
        })
    {
        push_unique(&mut fx.reads_state, State::SegmentRegisters);
    }

    let features = instr.cpuid_features();
    if instr.code().op_info().encoding() == EncodingKind::MVEX {
        // Ordinary vector instructions of Knights Corner: iced's register/memory data is
        // as complete as for EVEX; KNC-only mnemonics missing from the MXCSR lists were
        // already assumed to raise (`Category::UnlistedSimd`), which this category names.
        fx.category = Some(Category::KnightsCorner);
    } else if TRUSTED_EXECUTION_SET.any(features) {
        conservative(fx, Category::TrustedExecution);
    } else if LEGACY_SET.any(features) || instr.code().op_info().needs_decoder_option() {
        conservative(fx, Category::Legacy);
    } else if instr.is_privileged() && !PRECISE_PRIVILEGED.contains(&m) {
        conservative(fx, Category::PrivilegedSystem);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bit sets hold exactly their lists, and every feature fits in them.
    #[test]
    fn feature_sets_are_their_lists() {
        assert!(CpuidFeature::values().len() <= 256);
        for f in CpuidFeature::values() {
            assert_eq!(
                TRUSTED_EXECUTION_SET.contains(f),
                TRUSTED_EXECUTION.contains(&f),
                "{f:?}"
            );
            assert_eq!(LEGACY_SET.contains(f), LEGACY.contains(&f), "{f:?}");
        }
    }
}
