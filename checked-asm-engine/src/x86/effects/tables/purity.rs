//! Purity (R12): instructions whose results depend on state that is not an input, and
//! side effects that are not memory or register writes.
//!
//! Sources: Intel SDM Vol. 2 pages of RDTSC, RDTSCP (also IA32_TSC_AUX), RDRAND, RDSEED,
//! RDPID, RDPMC, CPUID, XGETBV, RDPKRU, RDMSR, RDFSBASE/RDGSBASE, SGDT/SIDT/SLDT/STR/SMSW,
//! LAR/LSL/VERR/VERW, PUSHF, STMXCSR, FSTCW/FSTSW, RDSSP, XTEST, IN/OUT/INS/OUTS, HLT,
//! MWAIT, UMWAIT/TPAUSE, CLFLUSH/CLFLUSHOPT/CLWB, WBINVD, ENQCMD, MOVDIR64B, SENDUIPI;
//! AMD APM Vol. 3 RDPRU, MONITORX/MWAITX, CLZERO.

use super::RowIndex;
use crate::x86::effects::iced::push_unique;
use crate::x86::effects::types::*;
use iced_x86::{Instruction, Mnemonic, Register};

use Mnemonic as M;

/// Machine state read into an output by mnemonic.
pub static READS: &[(&[Mnemonic], State)] = &[
    (&[M::Rdtsc, M::Rdtscp], State::TimeStampCounter),
    (&[M::Rdtscp, M::Rdpid], State::ProcessorId),
    (&[M::Rdpmc, M::Rdpru], State::PerformanceCounters),
    (
        &[M::Rdrand, M::Rdseed, M::Xstore],
        State::RandomNumberGenerator,
    ),
    (&[M::Cpuid], State::CpuIdentification),
    (&[M::Xgetbv], State::ExtendedControlRegisters),
    (&[M::Rdpkru], State::ProtectionKeyRights),
    (&[M::Rdmsr, M::Rdmsrlist], State::ModelSpecificRegisters),
    (&[M::Rdfsbase, M::Rdgsbase], State::SegmentBases),
    (
        &[M::Sgdt, M::Sidt, M::Sldt, M::Str],
        State::DescriptorTableRegisters,
    ),
    (&[M::Smsw], State::ControlRegisters),
    (
        &[M::Lar, M::Lsl, M::Verr, M::Verw],
        State::SegmentDescriptors,
    ),
    (&[M::Pushf, M::Pushfd, M::Pushfq], State::Rflags),
    (&[M::Rdsspd, M::Rdsspq], State::ShadowStack),
    (&[M::Xtest], State::Transaction),
    (&[M::Testui], State::Interrupts),
    (&[M::Sttilecfg], State::TileConfiguration),
];

/// Side effects by mnemonic.
pub static SIDE_EFFECTS: &[(&[Mnemonic], SideEffect)] = &[
    (
        &[
            M::In,
            M::Out,
            M::Insb,
            M::Insw,
            M::Insd,
            M::Outsb,
            M::Outsw,
            M::Outsd,
        ],
        SideEffect::PortIo,
    ),
    (
        &[M::Hlt, M::Mwait, M::Mwaitx, M::Umwait, M::Tpause],
        SideEffect::Waits,
    ),
    (
        &[
            M::Clflush,
            M::Clflushopt,
            M::Clwb,
            M::Wbinvd,
            M::Wbnoinvd,
            M::Invd,
            M::Clzero,
        ],
        SideEffect::CacheMaintenance,
    ),
    (
        &[M::Enqcmd, M::Enqcmds, M::Movdir64b, M::Senduipi, M::Pconfig],
        SideEffect::Signals,
    ),
];

/// The rows of [`READS`] that list `m`.
pub(super) fn read_rows(m: Mnemonic) -> &'static [u16] {
    static ROWS: RowIndex = RowIndex::new();
    ROWS.rows(m, || READS.iter().map(|(list, _)| *list))
}

/// The rows of [`SIDE_EFFECTS`] that list `m`.
pub(super) fn side_effect_rows(m: Mnemonic) -> &'static [u16] {
    static ROWS: RowIndex = RowIndex::new();
    ROWS.rows(m, || SIDE_EFFECTS.iter().map(|(list, _)| *list))
}

pub(super) fn apply(instr: &Instruction, _mode: Mode, fx: &mut Effects) {
    let m = instr.mnemonic();
    for &row in read_rows(m) {
        push_unique(&mut fx.reads_state, READS[row as usize].1);
    }
    for &row in side_effect_rows(m) {
        push_unique(&mut fx.side_effects, SIDE_EFFECTS[row as usize].1);
    }
    // An FS/GS-relative access (`mov rax, fs:[0]`) depends on the thread's segment base.
    let segment_relative = fx.memory.iter().any(|e| match e.location {
        Location::Operand(a) | Location::Implicit(a) => {
            matches!(a.segment, Register::FS | Register::GS)
        }
        _ => false,
    });
    if segment_relative {
        push_unique(&mut fx.reads_state, State::SegmentBases);
    }
    // `lea r, [rip + x]` (and any rip-relative address computation) depends on where the
    // code was loaded.
    if m == M::Lea
        && (instr.is_ip_rel_memory_operand()
            || matches!(instr.memory_base(), Register::RIP | Register::EIP))
    {
        push_unique(&mut fx.reads_state, State::InstructionPointer);
    }
}
