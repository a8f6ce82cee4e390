//! Memory classes M1–M5 (contract-rules.md §2 "Memory classes") beyond the explicit and
//! implicit operands iced reports (which `iced.rs` already files as M1).
//!
//! Sources: Intel SDM Vol. 3A §3.4.3 and §3.5.1 (segment-register loads and `lgdt`/`lidt`
//! read descriptor tables), §7.2.2 and Vol. 2A LTR ("the busy flag of the TSS descriptor
//! is set", a write to the GDT), §9.2.5 (LOCK, XCHG with memory always locked), Vol. 3A
//! §9.3 and Vol. 2A MFENCE/SFENCE/LFENCE (LFENCE orders only loads and instruction
//! execution: not an inter-thread fence, M4), §4.10.4 (TLB invalidation: `mov cr3`,
//! `invlpg`, `invpcid`), Vol. 2B WBINVD/INVD, WRFSBASE, SWAPGS, WRMSR, WRPKRU, STAC/CLAC,
//! CLI/STI/POPF, MOV CR8 (TPR), IN/OUT/INS/OUTS, Vol. 1 §16.3.6 (RTM: XBEGIN/XEND order
//! memory as a LOCK-prefixed instruction), AMD APM Vol. 3 INVLPGB/TLBSYNC/INVLPGA.
//! Serialising instructions (CPUID, SERIALIZE, IRET) are not fences for being serialising.

use super::RowIndex;
use crate::x86::effects::types::*;
use iced_x86::{Instruction, MemorySize, Mnemonic, OpKind, Register};

use Mnemonic as M;

/// One memory-class rule keyed by mnemonic.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ClassRule {
    pub mnemonics: &'static [Mnemonic],
    pub class: MemClass,
    pub access: MemAccess,
    pub location: Location,
    pub why: &'static str,
}

const fn rule(
    mnemonics: &'static [Mnemonic],
    class: MemClass,
    access: MemAccess,
    location: Location,
    why: &'static str,
) -> ClassRule {
    ClassRule {
        mnemonics,
        class,
        access,
        location,
        why,
    }
}

pub static RULES: &[ClassRule] = &[
    // M1 beyond operands.
    rule(
        &[
            M::Lgdt,
            M::Lidt,
            M::Lldt,
            M::Ltr,
            M::Lar,
            M::Lsl,
            M::Verr,
            M::Verw,
            M::Lkgs,
        ],
        MemClass::M1,
        MemAccess::Read,
        Location::DescriptorTable,
        "reads a descriptor table",
    ),
    rule(
        &[M::Ltr],
        MemClass::M1,
        MemAccess::Write,
        Location::DescriptorTable,
        "sets the busy bit of the TSS descriptor in the GDT",
    ),
    rule(
        &[
            M::Lds,
            M::Les,
            M::Lfs,
            M::Lgs,
            M::Lss,
            M::Retf,
            M::Iret,
            M::Iretd,
            M::Iretq,
        ],
        MemClass::M1,
        MemAccess::Read,
        Location::DescriptorTable,
        "loads a segment descriptor",
    ),
    // Memory iced-x86 does not report (checked against its `InstructionInfo`):
    // CLZERO zeroes the 64-byte line at [rax] (AMD APM Vol. 3 CLZERO); INCSSP reads the
    // shadow stack, SAVEPREVSSP and SETSSBSY write shadow-stack tokens (SDM Vol. 1 §18.2,
    // Vol. 2 INCSSP/SAVEPREVSSP/SETSSBSY); SENDUIPI reads the UITT and writes a UPID
    // (SDM Vol. 3 §8.5.3).
    rule(
        &[M::Clzero],
        MemClass::M1,
        MemAccess::Write,
        Location::Unspecified,
        "zeroes the cache line at [rax]",
    ),
    rule(
        &[M::Incsspd, M::Incsspq],
        MemClass::M1,
        MemAccess::Read,
        Location::Unspecified,
        "reads the shadow stack",
    ),
    rule(
        &[M::Saveprevssp, M::Setssbsy],
        MemClass::M1,
        MemAccess::ReadWrite,
        Location::Unspecified,
        "writes a shadow-stack token",
    ),
    rule(
        &[M::Senduipi],
        MemClass::M1,
        MemAccess::ReadWrite,
        Location::Unspecified,
        "reads the user-interrupt target table and posts to a UPID",
    ),
    // M2: inter-thread ordering.
    rule(
        &[M::Mfence],
        MemClass::M2,
        MemAccess::None,
        Location::Nowhere,
        "full memory fence",
    ),
    rule(
        &[M::Sfence],
        MemClass::M2,
        MemAccess::None,
        Location::Nowhere,
        "store fence",
    ),
    // RAO-INT (AADD/AAND/AOR/AXOR) and CMPccXADD are always atomic read-modify-writes
    // (Intel ISA Extensions Reference; CMPccXADD "is always locked"): filed with LOCK.
    rule(
        &[
            M::Aadd,
            M::Aand,
            M::Aor,
            M::Axor,
            M::Cmpbexadd,
            M::Cmpbxadd,
            M::Cmplexadd,
            M::Cmplxadd,
            M::Cmpnbexadd,
            M::Cmpnbxadd,
            M::Cmpnlexadd,
            M::Cmpnlxadd,
            M::Cmpnoxadd,
            M::Cmpnpxadd,
            M::Cmpnsxadd,
            M::Cmpnzxadd,
            M::Cmpoxadd,
            M::Cmppxadd,
            M::Cmpsxadd,
            M::Cmpzxadd,
        ],
        MemClass::M2,
        MemAccess::None,
        Location::Nowhere,
        "atomic read-modify-write orders memory like LOCK",
    ),
    rule(
        &[M::Xbegin, M::Xend],
        MemClass::M2,
        MemAccess::None,
        Location::Nowhere,
        "RTM transaction boundary orders memory like LOCK",
    ),
    // M3: changes what memory means or who may access it.
    rule(
        &[
            M::Invlpg,
            M::Invpcid,
            M::Invlpgb,
            M::Tlbsync,
            M::Invlpga,
            M::Invept,
            M::Invvpid,
        ],
        MemClass::M3,
        MemAccess::None,
        Location::Nowhere,
        "invalidates translations",
    ),
    rule(
        &[M::Wbinvd, M::Wbnoinvd, M::Invd],
        MemClass::M3,
        MemAccess::None,
        Location::Nowhere,
        "writes back or invalidates caches",
    ),
    rule(
        &[M::Wrfsbase, M::Wrgsbase, M::Swapgs],
        MemClass::M3,
        MemAccess::None,
        Location::Nowhere,
        "changes the FS/GS base used for addressing",
    ),
    rule(
        &[M::Wrmsr, M::Wrmsrns, M::Wrmsrlist],
        MemClass::M3,
        MemAccess::None,
        Location::Nowhere,
        "writes a model-specific register",
    ),
    rule(
        &[M::Wrpkru],
        MemClass::M3,
        MemAccess::None,
        Location::Nowhere,
        "changes protection-key rights",
    ),
    rule(
        &[M::Stac, M::Clac],
        MemClass::M3,
        MemAccess::None,
        Location::Nowhere,
        "changes SMAP access to user pages",
    ),
    rule(
        &[M::Lmsw, M::Clts],
        MemClass::M3,
        MemAccess::None,
        Location::Nowhere,
        "writes CR0",
    ),
    rule(
        &[
            M::Pconfig,
            M::Rmpupdate,
            M::Rmpadjust,
            M::Psmash,
            M::Pvalidate,
        ],
        MemClass::M3,
        MemAccess::None,
        Location::Nowhere,
        "changes memory encryption or ownership",
    ),
    // M4: compiler-barrier intent.
    rule(
        &[M::Cli, M::Sti],
        MemClass::M4,
        MemAccess::None,
        Location::Nowhere,
        "changes the interrupt flag",
    ),
    rule(
        &[M::Popf, M::Popfd, M::Popfq],
        MemClass::M4,
        MemAccess::None,
        Location::Nowhere,
        "may change the interrupt flag",
    ),
    rule(
        &[M::Lfence],
        MemClass::M4,
        MemAccess::None,
        Location::Nowhere,
        "load fence: orders execution, not other threads",
    ),
    rule(
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
        MemClass::M4,
        MemAccess::None,
        Location::Nowhere,
        "port I/O: a device may access memory",
    ),
];

fn push(
    fx: &mut Effects,
    class: MemClass,
    access: MemAccess,
    location: Location,
    why: &'static str,
) {
    let e = MemEffect {
        class,
        access,
        location,
        why,
    };
    if !fx.memory.contains(&e) {
        fx.memory.push(e);
    }
}

fn writes_reg(fx: &Effects, pred: impl Fn(Register) -> bool) -> bool {
    fx.regs.iter().any(|r| r.access.may_write() && pred(r.reg))
}

fn has_memory_operand(instr: &Instruction) -> bool {
    (0..instr.op_count()).any(|i| instr.op_kind(i) == OpKind::Memory)
}

/// The rows of [`RULES`] that list `m`.
pub(super) fn rule_rows(m: Mnemonic) -> &'static [u16] {
    static ROWS: RowIndex = RowIndex::new();
    ROWS.rows(m, || RULES.iter().map(|r| r.mnemonics))
}

pub(super) fn apply(instr: &Instruction, mode: Mode, fx: &mut Effects) {
    let m = instr.mnemonic();
    for &row in rule_rows(m) {
        let r = &RULES[row as usize];
        push(fx, r.class, r.access, r.location, r.why);
    }

    // CLFLUSH/CLFLUSHOPT/CLWB act on the operand's line: M1 (iced reports CLFLUSH as a
    // read; CLFLUSHOPT/CLWB as it does).
    if matches!(m, M::Clflush | M::Clflushopt | M::Clwb) && !fx.has_memory_class(MemClass::M1) {
        push(
            fx,
            MemClass::M1,
            MemAccess::Read,
            Location::Unspecified,
            "flushes a cache line",
        );
    }

    // Segment-register loads (mov/pop to a segment register, lds…) read a descriptor.
    if writes_reg(fx, |r| r.is_segment_register()) {
        push(
            fx,
            MemClass::M1,
            MemAccess::Read,
            Location::DescriptorTable,
            "loads a segment descriptor",
        );
    }

    // Loading FS/GS (any mode) or DS/ES/SS outside 64-bit mode changes the base used by
    // later memory accesses (SDM Vol. 3A §3.4.4; in 64-bit mode only FS/GS bases apply):
    // as `wrfsbase`, M3.
    let rebases = |r: Register| {
        matches!(r, Register::FS | Register::GS)
            || (mode != Mode::Bits64 && matches!(r, Register::DS | Register::ES | Register::SS))
    };
    if writes_reg(fx, rebases) {
        push(
            fx,
            MemClass::M3,
            MemAccess::None,
            Location::Nowhere,
            "changes a segment base used for addressing",
        );
    }

    // Far jmp/call read the target's descriptor (and a call gate).
    let far = (0..instr.op_count())
        .any(|i| matches!(instr.op_kind(i), OpKind::FarBranch16 | OpKind::FarBranch32))
        || (matches!(m, M::Jmp | M::Call)
            && has_memory_operand(instr)
            && matches!(
                instr.memory_size(),
                MemorySize::SegPtr16 | MemorySize::SegPtr32 | MemorySize::SegPtr64
            ));
    if far {
        push(
            fx,
            MemClass::M1,
            MemAccess::Read,
            Location::DescriptorTable,
            "far transfer loads a code-segment descriptor",
        );
    }

    // LOCK prefix; XCHG with a memory operand is implicitly locked.
    if instr.has_lock_prefix() || (m == M::Xchg && has_memory_operand(instr)) {
        push(
            fx,
            MemClass::M2,
            MemAccess::None,
            Location::Nowhere,
            "locked read-modify-write orders memory",
        );
    }

    // MOV to CR0/CR3/CR4 (paging, protection, PCID, SMEP/SMAP): M3. MOV to CR8 (TPR): M4.
    if writes_reg(fx, |r| {
        matches!(r, Register::CR0 | Register::CR3 | Register::CR4)
    }) {
        push(
            fx,
            MemClass::M3,
            MemAccess::None,
            Location::Nowhere,
            "writes a control register that defines memory translation",
        );
    }
    if writes_reg(fx, |r| r == Register::CR8) {
        push(
            fx,
            MemClass::M4,
            MemAccess::None,
            Location::Nowhere,
            "changes the task priority (interrupt masking)",
        );
    }

    // Calls: opaque unless the analysis resolves a local target.
    if let Flow::Call { .. } = fx.flow {
        push(
            fx,
            MemClass::M5,
            MemAccess::None,
            Location::Nowhere,
            "call: the callee's memory effect is unknown",
        );
    }
}
