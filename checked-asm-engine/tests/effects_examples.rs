//! The effect model on the instructions contract-rules.md and issue 4 name. Instructions
//! are decoded from their encodings (shown in comments, Intel syntax).

use checked_asm_engine::x86::effects::{
    Access, Arch, Effects, Flags, Flow, KernelNote, MemClass, Mode, Os, SideEffect, State,
    TargetAbi, UnknownKind, effects,
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

fn writes(fx: &Effects, regs: &[Register]) -> bool {
    regs.iter().all(|r| fx.may_write(*r, Mode::Bits64))
}

/// The containers (rax, zmm0…) the instruction may write.
fn written_containers(fx: &Effects, mode: Mode) -> Vec<Register> {
    let mut v: Vec<Register> = fx
        .regs
        .iter()
        .filter(|r| r.access.may_write())
        .map(|r| checked_asm_engine::x86::effects::container(r.reg, mode))
        .collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn cpuid_writes_eax_ebx_ecx_edx_and_reads_eax() {
    let fx = fx64(&[0x0F, 0xA2]);
    assert!(writes(
        &fx,
        &[Register::RAX, Register::RBX, Register::RCX, Register::RDX]
    ));
    assert!(
        fx.regs
            .iter()
            .any(|r| r.reg == Register::EAX && r.access == Access::Read)
    );
    // The subleaf is read only for some leaves: the analysis decides (R03).
    assert!(
        fx.regs
            .iter()
            .any(|r| r.reg == Register::ECX && r.access == Access::CondRead)
    );
    assert!(fx.reads_state.contains(&State::CpuIdentification));
    // Serialising is not a fence: `cpuid` with `nomem` is correct.
    assert!(fx.memory.is_empty(), "{:?}", fx.memory);
    assert!(fx.flags.modified().is_empty());
}

#[test]
fn pushfq_pushes_the_flags_it_reads() {
    let fx = fx64(&[0x9C]);
    assert_eq!(fx.stack.delta, Some(-8));
    assert!(fx.stack.writes && !fx.stack.reads);
    assert!(
        fx.flags
            .read
            .contains(Flags::STATUS | Flags::DF | Flags::IF)
    );
    assert!(fx.reads_state.contains(&State::Rflags));
    assert!(
        fx.memory.is_empty(),
        "the push is a stack effect, not M1: {:?}",
        fx.memory
    );
}

#[test]
fn popcnt_and_add_write_status_flags() {
    // popcnt rax, rcx
    let p = fx64(&[0xF3, 0x48, 0x0F, 0xB8, 0xC1]);
    assert!(p.flags.modified().contains(Flags::STATUS));
    assert!(p.flags.cleared.contains(Flags::OF | Flags::CF));
    // add rax, rcx
    let a = fx64(&[0x48, 0x01, 0xC8]);
    assert_eq!(a.flags.written, Flags::STATUS);
    // mov rax, rcx
    assert!(fx64(&[0x48, 0x89, 0xC8]).flags.modified().is_empty());
}

#[test]
fn mxcsr_exception_flags() {
    // addss xmm0, xmm1
    assert!(fx64(&[0xF3, 0x0F, 0x58, 0xC1]).mxcsr.sets_exception_flags);
    // movaps xmm0, xmm1
    assert!(!fx64(&[0x0F, 0x28, 0xC1]).mxcsr.sets_exception_flags);
    // xorps xmm0, xmm1
    assert!(!fx64(&[0x0F, 0x57, 0xC1]).mxcsr.sets_exception_flags);
    // paddd xmm0, xmm1
    assert!(!fx64(&[0x66, 0x0F, 0xFE, 0xC1]).mxcsr.sets_exception_flags);
    // cvtsi2sd xmm0, rax
    assert!(
        fx64(&[0xF2, 0x48, 0x0F, 0x2A, 0xC0])
            .mxcsr
            .sets_exception_flags
    );
    // vaddps zmm0{k1}, zmm1, zmm2: raises; with {rn-sae}: suppressed.
    assert!(
        fx64(&[0x62, 0xF1, 0x74, 0x49, 0x58, 0xC2])
            .mxcsr
            .sets_exception_flags
    );
    assert!(
        !fx64(&[0x62, 0xF1, 0x74, 0x19, 0x58, 0xC2])
            .mxcsr
            .sets_exception_flags
    );
    // cvttsd2si rax, [rax]: no vector register operand, still a conversion.
    assert!(
        fx64(&[0xF2, 0x48, 0x0F, 0x2C, 0x00])
            .mxcsr
            .sets_exception_flags
    );
    // cmpsd (string) is not the SSE compare; cmpsd xmm0, xmm1, 0 is.
    assert!(
        fx64(&[0xF2, 0x0F, 0xC2, 0xC1, 0x00])
            .mxcsr
            .sets_exception_flags
    );
    assert!(!fx64(&[0xA7]).mxcsr.sets_exception_flags);
}

#[test]
fn ldmxcsr_writes_and_stmxcsr_reads_mxcsr() {
    let l = fx64(&[0x0F, 0xAE, 0x10]); // ldmxcsr [rax]
    assert!(l.mxcsr.written && !l.mxcsr.read);
    let s = fx64(&[0x0F, 0xAE, 0x18]); // stmxcsr [rax]
    assert!(s.mxcsr.read && !s.mxcsr.written);
    assert!(s.reads_state.contains(&State::Mxcsr));
}

#[test]
fn linux_syscall_writes_exactly_rax_rcx_r11_and_preserves_flags() {
    let fx = fx64(&[0x0F, 0x05]);
    assert_eq!(
        written_containers(&fx, Mode::Bits64),
        vec![Register::RAX, Register::RCX, Register::R11]
    );
    assert!(fx.flags.modified().is_empty(), "{:?}", fx.flags);
    assert!(
        fx.regs
            .iter()
            .any(|r| r.reg == Register::RAX && r.access.always_reads())
    );
    for arg in [
        Register::RDI,
        Register::RSI,
        Register::RDX,
        Register::R10,
        Register::R8,
        Register::R9,
    ] {
        assert!(
            fx.regs
                .iter()
                .any(|r| r.reg == arg && r.access == Access::CondRead),
            "{arg:?}"
        );
    }
    assert_eq!(fx.flow, Flow::KernelTransfer);
    assert!(!fx.flow.is_divergent());
    assert!(fx.has_memory_class(MemClass::M5));
    // Android shares the ABI.
    let android = fx_on(
        Mode::Bits64,
        TargetAbi::new(Arch::X86_64, Os::Android),
        &[0x0F, 0x05],
    );
    assert_eq!(android.regs, fx.regs);
}

#[test]
fn freebsd_syscall_writes_rax_rdx_rcx_r8_r9_r10_r11_and_cf() {
    let fx = fx_on(
        Mode::Bits64,
        TargetAbi::new(Arch::X86_64, Os::FreeBSD),
        &[0x0F, 0x05],
    );
    let mut expected = vec![
        Register::RAX,
        Register::RDX,
        Register::RCX,
        Register::R8,
        Register::R9,
        Register::R10,
        Register::R11,
    ];
    expected.sort();
    assert_eq!(written_containers(&fx, Mode::Bits64), expected);
    assert_eq!(fx.flags.modified(), Flags::CF);
    assert!(
        !fx.may_write(Register::RDI, Mode::Bits64) && !fx.may_write(Register::RSI, Mode::Bits64)
    );
}

#[test]
fn kernel_transfers_outside_the_table_are_refused() {
    for os in [Os::MacOs, Os::OpenBsd, Os::NetBsd, Os::Windows, Os::None] {
        let e = effects(
            &decode(Mode::Bits64, &[0x0F, 0x05]),
            Mode::Bits64,
            &TargetAbi::new(Arch::X86_64, os),
        )
        .unwrap_err();
        assert_eq!(e.kind, UnknownKind::KernelAbi, "{os:?}");
    }
    // int 0x81 on Linux
    let e = effects(&decode(Mode::Bits64, &[0xCD, 0x81]), Mode::Bits64, &LINUX64).unwrap_err();
    assert_eq!(e.kind, UnknownKind::KernelAbi);
    // vmcall
    let e = effects(
        &decode(Mode::Bits64, &[0x0F, 0x01, 0xC1]),
        Mode::Bits64,
        &LINUX64,
    )
    .unwrap_err();
    assert_eq!(e.kind, UnknownKind::KernelAbi);
}

#[test]
fn linux_sysenter_is_not_a_user_abi() {
    let e = effects(&decode(Mode::Bits32, &[0x0F, 0x34]), Mode::Bits32, &LINUX32).unwrap_err();
    assert_eq!(e.kind, UnknownKind::NotUserAbi);
}

#[test]
fn linux_int80_writes_eax_only_and_warns_on_x86_64() {
    let fx = fx_on(Mode::Bits32, LINUX32, &[0xCD, 0x80]);
    assert_eq!(written_containers(&fx, Mode::Bits32), vec![Register::EAX]);
    assert!(fx.flags.modified().is_empty());
    assert_eq!(fx.kernel_note, None);
    let fx = fx64(&[0xCD, 0x80]);
    assert_eq!(written_containers(&fx, Mode::Bits64), vec![Register::RAX]);
    assert_eq!(fx.kernel_note, Some(KernelNote::PointerTruncation));
}

#[test]
fn implicit_register_writes() {
    // rdtscp writes ecx (IA32_TSC_AUX)
    let r = fx64(&[0x0F, 0x01, 0xF9]);
    assert!(writes(&r, &[Register::RAX, Register::RDX, Register::RCX]));
    assert!(
        r.reads_state.contains(&State::TimeStampCounter)
            && r.reads_state.contains(&State::ProcessorId)
    );
    // xgetbv writes edx
    let x = fx64(&[0x0F, 0x01, 0xD0]);
    assert!(writes(&x, &[Register::RAX, Register::RDX]));
    // mul rcx writes rdx
    assert!(writes(
        &fx64(&[0x48, 0xF7, 0xE1]),
        &[Register::RAX, Register::RDX]
    ));
    // imul rax, rcx does not
    assert!(!fx64(&[0x48, 0x0F, 0xAF, 0xC1]).may_write(Register::RDX, Mode::Bits64));
}

#[test]
fn rep_movsb_uses_rcx_rsi_rdi_and_df() {
    let fx = fx64(&[0xF3, 0xA4]);
    assert!(writes(&fx, &[Register::RCX, Register::RSI, Register::RDI]));
    assert!(fx.flags.read.contains(Flags::DF));
    assert!(
        fx.memory
            .iter()
            .any(|m| m.class == MemClass::M1 && m.access.may_write())
    );
    let rdi = fx.regs.iter().find(|r| r.reg == Register::RDI).unwrap();
    assert_eq!(rdi.access, Access::CondReadCondWrite);
}

#[test]
fn vzeroupper_and_vzeroall_write_xmm0_to_15() {
    for bytes in [&[0xC5, 0xF8, 0x77][..], &[0xC5, 0xFC, 0x77]] {
        let fx = fx64(bytes);
        for i in 0..16 {
            let xmm = iced_x86::Register::values()
                .nth(Register::XMM0 as usize + i)
                .unwrap();
            assert!(fx.may_write(xmm, Mode::Bits64), "{xmm:?}");
        }
        assert!(!fx.may_write(Register::XMM16, Mode::Bits64));
    }
}

#[test]
fn int3_returns_ud2_diverges_hlt_returns() {
    let i = fx64(&[0xCC]);
    assert_eq!(i.flow, Flow::KernelTransfer);
    assert!(!i.flow.is_divergent());
    assert!(i.regs.is_empty());
    assert!(fx64(&[0x0F, 0x0B]).flow.is_divergent());
    let h = fx64(&[0xF4]);
    assert_eq!(h.flow, Flow::Halt);
    assert!(!h.flow.is_divergent());
    assert!(h.side_effects.contains(&SideEffect::Waits));
}

#[test]
fn branches_calls_returns() {
    // call rel32
    let c = fx64(&[0xE8, 0, 0, 0, 0]);
    assert!(matches!(c.flow, Flow::Call { .. }));
    assert_eq!(c.stack.delta, Some(-8));
    assert!(c.stack.writes && c.has_memory_class(MemClass::M5));
    // ret
    let r = fx64(&[0xC3]);
    assert!(r.flow.is_divergent() && r.stack.reads);
    assert_eq!(r.stack.delta, Some(8));
    // jmp rax: indirect, divergent unless the analysis resolves it
    assert!(fx64(&[0xFF, 0xE0]).flow.is_divergent());
    // jz rel8: conditional
    let j = fx64(&[0x74, 0x00]);
    assert!(
        matches!(
            j.flow,
            Flow::Branch {
                conditional: true,
                ..
            }
        ) && !j.flow.is_divergent()
    );
    assert!(j.flags.read.contains(Flags::ZF));
    // iretq
    assert!(fx64(&[0x48, 0xCF]).flow.is_divergent());
}

#[test]
fn write_extent_follows_the_architecture() {
    let acc = |mode, b: &[u8], reg| {
        let t = if mode == Mode::Bits64 {
            LINUX64
        } else {
            LINUX32
        };
        fx_on(mode, t, b)
            .regs
            .iter()
            .find(|r| r.reg == reg)
            .map(|r| r.access)
    };
    // mov eax, 1: zero-extends into rax in 64-bit mode
    assert_eq!(
        acc(Mode::Bits64, &[0xB8, 1, 0, 0, 0], Register::RAX),
        Some(Access::Write)
    );
    assert_eq!(
        acc(Mode::Bits32, &[0xB8, 1, 0, 0, 0], Register::EAX),
        Some(Access::Write)
    );
    // mov ax, 1 and mov al, 1 preserve the rest
    assert_eq!(
        acc(Mode::Bits64, &[0x66, 0xB8, 1, 0], Register::AX),
        Some(Access::PartialWrite)
    );
    assert_eq!(
        acc(Mode::Bits64, &[0xB0, 1], Register::AL),
        Some(Access::PartialWrite)
    );
    // addps xmm0, xmm1 (legacy SSE): upper zmm0 preserved; vaddps xmm0, xmm1, xmm2 zeroes it
    assert_eq!(
        acc(Mode::Bits64, &[0x0F, 0x58, 0xC1], Register::XMM0),
        Some(Access::ReadPartialWrite)
    );
    assert_eq!(
        acc(Mode::Bits64, &[0xC5, 0xF0, 0x58, 0xC2], Register::ZMM0),
        Some(Access::Write)
    );
}

#[test]
fn direction_flag_and_display() {
    assert_eq!(fx64(&[0xFD]).flags.set, Flags::DF); // std
    assert_eq!(fx64(&[0xFC]).flags.cleared, Flags::DF); // cld
    let text = fx64(&[0x0F, 0x05]).to_string();
    assert!(
        text.contains("writes rax rcx r11") && text.contains("M5"),
        "{text}"
    );
    assert_eq!(fx64(&[0x90]).to_string(), "no effect");
}

#[test]
fn only_kernel_transfers_depend_on_the_target() {
    use checked_asm_engine::x86::effects::is_kernel_transfer;
    for bytes in [
        &[0x0F, 0x05][..],
        &[0xCD, 0x80],
        &[0xCC],
        &[0x0F, 0x01, 0xC1],
    ] {
        assert!(
            is_kernel_transfer(&decode(Mode::Bits64, bytes)),
            "{bytes:02X?}"
        );
    }
    for bytes in [&[0x0F, 0xA2][..], &[0xE8, 0, 0, 0, 0], &[0x0F, 0x0B]] {
        let i = decode(Mode::Bits64, bytes);
        assert!(!is_kernel_transfer(&i));
        let mac = effects(&i, Mode::Bits64, &TargetAbi::new(Arch::X86_64, Os::MacOs)).unwrap();
        assert_eq!(mac, fx64(bytes));
    }
}
