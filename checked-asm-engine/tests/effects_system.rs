//! The effect model on system, memory-class, stack, x87 and state-save instructions.
//! Instructions are decoded from their encodings (shown in comments, Intel syntax).

use checked_asm_engine::x86::effects::{
    Access, Arch, Effects, Flags, Location, MemAccess, MemClass, Mode, Os, SideEffect, State,
    TagEffect, TargetAbi, TopEffect, effects,
};
use iced_x86::{Decoder, DecoderOptions, Register};

const LINUX64: TargetAbi = TargetAbi::new(Arch::X86_64, Os::Linux);
const LINUX32: TargetAbi = TargetAbi::new(Arch::X86, Os::Linux);

fn decode(mode: Mode, bytes: &[u8]) -> iced_x86::Instruction {
    let mut d = Decoder::new(mode.bitness(), bytes, DecoderOptions::NONE);
    let i = d.decode();
    assert_eq!(
        i.len(),
        bytes.len(),
        "one instruction expected: {bytes:02X?}"
    );
    i
}

fn fx_on(mode: Mode, target: TargetAbi, bytes: &[u8]) -> Effects {
    effects(&decode(mode, bytes), mode, &target).expect("modelled")
}

fn fx64(bytes: &[u8]) -> Effects {
    fx_on(Mode::Bits64, LINUX64, bytes)
}

#[test]
fn mfence_is_m2_and_sfence_m2_but_lfence_m4() {
    let m = fx64(&[0x0F, 0xAE, 0xF0]);
    assert!(m.has_memory_class(MemClass::M2) && !m.has_memory_class(MemClass::M1));
    assert!(fx64(&[0x0F, 0xAE, 0xF8]).has_memory_class(MemClass::M2));
    let l = fx64(&[0x0F, 0xAE, 0xE8]);
    assert!(l.has_memory_class(MemClass::M4) && !l.has_memory_class(MemClass::M2));
}

#[test]
fn lgdt_is_an_m1_read_only() {
    // lgdt [rax]
    let fx = fx64(&[0x0F, 0x01, 0x10]);
    assert!(fx.has_memory_class(MemClass::M1));
    assert!(
        fx.memory
            .iter()
            .all(|m| m.class == MemClass::M1 && !m.access.may_write()),
        "{:?}",
        fx.memory
    );
    assert!(
        fx.memory
            .iter()
            .any(|m| matches!(m.location, Location::Operand(a) if a.base == Register::RAX))
    );
    assert!(fx.writes_state.contains(&State::DescriptorTableRegisters));
}

#[test]
fn ltr_writes_the_gdt_busy_bit() {
    // ltr ax
    let fx = fx64(&[0x0F, 0x00, 0xD8]);
    assert!(fx.memory.iter().any(|m| m.class == MemClass::M1
        && m.access == MemAccess::Write
        && m.location == Location::DescriptorTable));
}

#[test]
fn popfq_writes_every_flag_and_is_m4() {
    let fx = fx64(&[0x9D]);
    assert_eq!(fx.stack.delta, Some(8));
    assert!(fx.stack.reads);
    assert!(
        fx.flags
            .modified()
            .contains(Flags::STATUS | Flags::DF | Flags::IF | Flags::AC | Flags::TF)
    );
    assert!(fx.has_memory_class(MemClass::M4));
}

#[test]
fn mmx_fills_the_x87_stack_until_emms() {
    // movq mm0, mm1
    let m = fx64(&[0x0F, 0x6F, 0xC1]);
    assert_eq!(m.x87.tags, TagEffect::AllValid);
    assert_eq!(m.x87.top, TopEffect::Reset);
    let e = fx64(&[0x0F, 0x77]);
    assert_eq!(e.x87.tags, TagEffect::AllEmpty);
}

#[test]
fn x87_environment() {
    let init = fx64(&[0xDB, 0xE3]); // fninit
    assert!(init.x87.control_word_written && init.x87.status_word_written);
    assert_eq!(
        (init.x87.top, init.x87.tags),
        (TopEffect::Reset, TagEffect::AllEmpty)
    );
    assert!(fx64(&[0xD9, 0x28]).x87.control_word_written); // fldcw [rax]
    let stcw = fx64(&[0xD9, 0x38]); // fnstcw [rax]
    assert!(stcw.x87.control_word_read && !stcw.x87.control_word_written);
    assert!(stcw.reads_state.contains(&State::X87ControlWord));
    assert!(
        fx64(&[0xD9, 0x30]).x87.control_word_written,
        "fnstenv masks all exceptions"
    );
    let fld1 = fx64(&[0xD9, 0xE8]);
    assert_eq!(
        fld1.x87.top,
        TopEffect::Moves {
            increment: -1,
            conditional: false
        }
    );
    assert!(
        fld1.may_write(Register::ST0, Mode::Bits64) && fld1.may_write(Register::ST7, Mode::Bits64)
    );
    assert!(fx64(&[0xD8, 0xC1]).x87.sets_exception_flags); // fadd st, st(1)
    assert!(!fx64(&[0xDD, 0xC1]).x87.sets_exception_flags); // ffree st(1)
    let inc = fx64(&[0xD9, 0xF7]); // fincstp
    assert_eq!(inc.x87.tags, TagEffect::Unchanged);
    assert_eq!(
        inc.x87.top,
        TopEffect::Moves {
            increment: 1,
            conditional: false
        }
    );
    // fnstsw ax: a partial write of rax
    let sw = fx64(&[0xDF, 0xE0]);
    assert!(
        sw.regs
            .iter()
            .any(|r| r.reg == Register::AX && r.access == Access::PartialWrite)
    );
    assert!(sw.reads_state.contains(&State::X87StatusWord));
}

#[test]
fn xsave_family_lists_component_registers() {
    let rst = fx64(&[0x0F, 0xAE, 0x28]); // xrstor [rax]
    for r in [
        Register::ZMM0,
        Register::ZMM31,
        Register::K7,
        Register::ST0,
        Register::MM3,
        Register::TMM7,
    ] {
        assert!(rst.may_write(r, Mode::Bits64), "{r:?}");
    }
    assert!(rst.mxcsr.written && rst.x87.control_word_written);
    assert!(rst.has_memory_class(MemClass::M3), "XRSTOR may load PKRU");
    let sv = fx64(&[0x0F, 0xAE, 0x20]); // xsave [rax]
    assert!(
        sv.may_read(Register::ZMM17, Mode::Bits64) && !sv.may_write(Register::ZMM17, Mode::Bits64)
    );
    assert!(sv.mxcsr.read);
    let fxr = fx64(&[0x48, 0x0F, 0xAE, 0x08]); // fxrstor64 [rax]
    assert!(
        fxr.may_write(Register::XMM15, Mode::Bits64)
            && !fxr.may_write(Register::XMM16, Mode::Bits64)
    );
    assert!(
        fxr.regs
            .iter()
            .any(|r| r.reg == Register::XMM0 && r.access == Access::PartialWrite)
    );
    assert!(fxr.mxcsr.written && !fxr.has_memory_class(MemClass::M3));
}

#[test]
fn system_memory_classes() {
    let m3 = |b: &[u8]| fx64(b).has_memory_class(MemClass::M3);
    assert!(m3(&[0x0F, 0x22, 0xD8])); // mov cr3, rax
    assert!(m3(&[0x0F, 0x22, 0xC0])); // mov cr0, rax
    assert!(m3(&[0x0F, 0x01, 0x38])); // invlpg [rax]
    assert!(m3(&[0x0F, 0x09])); // wbinvd
    assert!(m3(&[0x0F, 0x30])); // wrmsr
    assert!(m3(&[0x0F, 0x01, 0xEF])); // wrpkru
    assert!(m3(&[0x0F, 0x01, 0xCB])); // stac
    assert!(m3(&[0x0F, 0x01, 0xF8])); // swapgs
    assert!(m3(&[0xF3, 0x48, 0x0F, 0xAE, 0xD0])); // wrfsbase rax
    let cr8 = fx64(&[0x44, 0x0F, 0x22, 0xC0]); // mov cr8, rax
    assert!(cr8.has_memory_class(MemClass::M4) && !cr8.has_memory_class(MemClass::M3));
    assert_eq!(
        fx64(&[0x0F, 0x22, 0xD8]).flags.undefined,
        Flags::STATUS,
        "MOV to CR: flags undefined (R10u)"
    );
    let cli = fx64(&[0xFA]);
    assert!(cli.has_memory_class(MemClass::M4) && cli.flags.cleared == Flags::IF);
    let io = fx64(&[0xEC]); // in al, dx
    assert!(io.has_memory_class(MemClass::M4) && io.side_effects.contains(&SideEffect::PortIo));
    // lock add [rax], 1 ; xchg [rax], rbx ; xchg rbx, rbx
    assert!(fx64(&[0xF0, 0x48, 0x83, 0x00, 0x01]).has_memory_class(MemClass::M2));
    assert!(fx64(&[0x48, 0x87, 0x18]).has_memory_class(MemClass::M2));
    assert!(fx64(&[0x48, 0x87, 0xDB]).memory.is_empty());
    assert!(fx64(&[0x0F, 0xAE, 0x38]).has_memory_class(MemClass::M1)); // clflush [rax]
    // mov rax, cr0 reads hidden state; mov ds, ax loads a descriptor
    assert!(
        fx64(&[0x0F, 0x20, 0xC0])
            .reads_state
            .contains(&State::ControlRegisters)
    );
    assert!(
        fx64(&[0x8E, 0xD8])
            .memory
            .iter()
            .any(|m| m.location == Location::DescriptorTable)
    );
}

#[test]
fn purity_sources() {
    assert!(
        fx64(&[0x0F, 0x31])
            .reads_state
            .contains(&State::TimeStampCounter)
    ); // rdtsc
    assert!(
        fx64(&[0x48, 0x0F, 0xC7, 0xF0])
            .reads_state
            .contains(&State::RandomNumberGenerator)
    ); // rdrand rax
    // lea rax, [rip]
    assert!(
        fx64(&[0x48, 0x8D, 0x05, 0, 0, 0, 0])
            .reads_state
            .contains(&State::InstructionPointer)
    );
    // lea rax, [rbx]
    let lea = fx64(&[0x48, 0x8D, 0x03]);
    assert!(lea.reads_state.is_empty() && lea.memory.is_empty() && !lea.is_impure());
    assert!(
        fx64(&[0x8C, 0xD8])
            .reads_state
            .contains(&State::SegmentRegisters)
    ); // mov eax, ds
}

#[test]
fn stack_pointer_changes() {
    // leave: rsp := rbp, then pop rbp. Its read through rbp is the stack, not M1.
    let leave = fx64(&[0xC9]);
    assert_eq!(leave.stack.delta, None);
    assert!(
        leave.stack.reads && leave.memory.is_empty(),
        "{:?}",
        leave.memory
    );
    // enter 16, 0
    let enter = fx64(&[0xC8, 0x10, 0x00, 0x00]);
    assert_eq!(enter.stack.delta, Some(-24));
    assert!(enter.stack.writes && enter.memory.is_empty());
    assert_eq!(fx64(&[0x5C]).stack.delta, None, "pop rsp loads rsp");
    assert_eq!(fx64(&[0x48, 0xCF]).stack.delta, None, "iretq pops ss:rsp");
    assert_eq!(fx64(&[0x48, 0x83, 0xC4, 0x08]).stack.delta, Some(8)); // add rsp, 8
    assert_eq!(fx64(&[0x48, 0x83, 0xEC, 0x28]).stack.delta, Some(-0x28)); // sub rsp, 0x28
    assert_eq!(fx64(&[0x48, 0x8D, 0x64, 0x24, 0xF8]).stack.delta, Some(-8)); // lea rsp, [rsp-8]
    assert_eq!(fx64(&[0x48, 0x83, 0xE4, 0xF0]).stack.delta, None); // and rsp, -16
    assert_eq!(fx64(&[0x48, 0x89, 0xC4]).stack.delta, None); // mov rsp, rax
    assert_eq!(fx64(&[0x48, 0x89, 0xE0]).stack.delta, Some(0)); // mov rax, rsp
    assert_eq!(
        fx_on(Mode::Bits32, LINUX32, &[0x83, 0xEC, 0x08])
            .stack
            .delta,
        Some(-8)
    ); // sub esp, 8
    assert_eq!(
        fx_on(Mode::Bits32, LINUX32, &[0x8D, 0x64, 0x24, 0xF8])
            .stack
            .delta,
        Some(-8)
    ); // lea esp, [esp-8]
    // mov [rsp+8], rax is an explicit M1 operand the analysis locates (R09).
    let st = fx64(&[0x48, 0x89, 0x44, 0x24, 0x08]);
    assert!(
        matches!(st.memory[0].location, Location::Operand(a) if a.base == Register::RSP && a.displacement == 8)
    );
    // push qword [rsp+8]: explicit read plus the implicit push
    let p = fx64(&[0xFF, 0x74, 0x24, 0x08]);
    assert_eq!(p.memory.len(), 1);
    assert!(p.stack.writes && p.memory[0].access == MemAccess::Read);
}

#[test]
fn memory_iced_does_not_report() {
    let z = fx64(&[0x0F, 0x01, 0xFC]); // clzero rax
    assert!(
        z.memory
            .iter()
            .any(|m| m.class == MemClass::M1 && m.access.may_write())
    );
    let a = fx64(&[0x0F, 0x38, 0xFC, 0x00]); // aadd [rax], eax
    assert!(
        a.has_memory_class(MemClass::M2) && a.has_memory_class(MemClass::M1),
        "{:?}",
        a.memory
    );
    assert!(
        fx64(&[0xF3, 0x0F, 0x01, 0xEA])
            .memory
            .iter()
            .any(|m| m.access.may_write())
    ); // saveprevssp
}

#[test]
fn segment_loads_that_rebase_memory_are_m3() {
    // mov fs, ax (64-bit): FS base changes
    assert!(fx64(&[0x8E, 0xE0]).has_memory_class(MemClass::M3));
    // mov ds, ax: 64-bit ignores the DS base (M1 only); 32-bit does not
    assert!(!fx64(&[0x8E, 0xD8]).has_memory_class(MemClass::M3));
    assert!(fx_on(Mode::Bits32, LINUX32, &[0x8E, 0xD8]).has_memory_class(MemClass::M3));
}

/// Every state source contract-rules.md R12 names makes the instruction read hidden state.
#[test]
fn r12_state_sources() {
    let cases: &[(&[u8], State)] = &[
        (&[0x0F, 0x31], State::TimeStampCounter), // rdtsc
        (&[0x48, 0x0F, 0xC7, 0xF0], State::RandomNumberGenerator), // rdrand rax
        (&[0x48, 0x0F, 0xC7, 0xF8], State::RandomNumberGenerator), // rdseed rax
        (&[0xF3, 0x0F, 0xC7, 0xF8], State::ProcessorId), // rdpid rax
        (&[0x0F, 0x33], State::PerformanceCounters), // rdpmc
        (&[0x0F, 0xA2], State::CpuIdentification), // cpuid
        (&[0x0F, 0x01, 0xD0], State::ExtendedControlRegisters), // xgetbv
        (&[0x0F, 0x01, 0xEE], State::ProtectionKeyRights), // rdpkru
        (&[0x0F, 0x32], State::ModelSpecificRegisters), // rdmsr
        (&[0x0F, 0x20, 0xC0], State::ControlRegisters), // mov rax, cr0
        (&[0x0F, 0x21, 0xF8], State::DebugRegisters), // mov rax, dr7
        (&[0x8C, 0xD8], State::SegmentRegisters), // mov eax, ds
        (&[0xF3, 0x48, 0x0F, 0xAE, 0xC0], State::SegmentBases), // rdfsbase rax
        (&[0x0F, 0x01, 0x00], State::DescriptorTableRegisters), // sgdt [rax]
        (&[0x0F, 0x01, 0x08], State::DescriptorTableRegisters), // sidt [rax]
        (&[0x0F, 0x00, 0xC8], State::DescriptorTableRegisters), // str ax
        (&[0x0F, 0x00, 0xC0], State::DescriptorTableRegisters), // sldt ax
        (&[0x0F, 0x01, 0xE0], State::ControlRegisters), // smsw ax
        (&[0x0F, 0x02, 0xC1], State::SegmentDescriptors), // lar eax, ecx
        (&[0x0F, 0x03, 0xC1], State::SegmentDescriptors), // lsl eax, ecx
        (&[0x9C], State::Rflags),                 // pushfq
        (&[0x0F, 0xAE, 0x18], State::Mxcsr),      // stmxcsr [rax]
        (&[0xD9, 0x38], State::X87ControlWord),   // fnstcw [rax]
        (&[0xDF, 0xE0], State::X87StatusWord),    // fnstsw ax
        (&[0x48, 0x8D, 0x05, 0, 0, 0, 0], State::InstructionPointer), // lea rax, [rip]
    ];
    for (bytes, state) in cases {
        let fx = fx64(bytes);
        assert!(
            fx.reads_state.contains(state),
            "{bytes:02X?}: {:?}",
            fx.reads_state
        );
        assert!(fx.is_impure());
    }
}
