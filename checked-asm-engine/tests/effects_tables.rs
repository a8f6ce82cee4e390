//! Unit tests of our own tables: MXCSR lists, x87 control table, XSAVE components, kernel
//! table, call models, RFLAGS conversion.

use checked_asm_engine::x86::effects::tables::{calls, kernel, mxcsr, refused, x87, xsave};
use checked_asm_engine::x86::effects::{
    Arch, ClobberAbi, Flags, Mode, Os, TargetAbi, call_model, clobber_abi,
};
use iced_x86::{Code, EncodingKind, Mnemonic, Register, RflagsBits};
use std::collections::BTreeSet;

fn has_vector_operand_kind(code: Code) -> bool {
    code.op_code().op_kinds().iter().any(|k| {
        let name = format!("{k:?}");
        name.contains("xmm") || name.contains("ymm") || name.contains("zmm")
    })
}

#[test]
fn mxcsr_lists_cover_every_vector_mnemonic_once() {
    let (raising, quiet_list) = (mxcsr::raising_mnemonics(), mxcsr::quiet_mnemonics());
    let raises: BTreeSet<Mnemonic> = raising.iter().copied().collect();
    let quiet: BTreeSet<Mnemonic> = quiet_list.iter().copied().collect();
    assert_eq!(
        raises.len(),
        raising.len(),
        "duplicates in the raising list"
    );
    assert_eq!(
        quiet.len(),
        quiet_list.len(),
        "duplicates in the quiet list"
    );
    let both: Vec<_> = raises.intersection(&quiet).collect();
    assert!(both.is_empty(), "in both lists: {both:?}");
    let missing: BTreeSet<Mnemonic> = Code::values()
        .filter(|c| c.op_code().is_instruction() && c.op_code().encoding() != EncodingKind::MVEX)
        .filter(|c| has_vector_operand_kind(*c))
        .map(|c| c.mnemonic())
        .filter(|m| !raises.contains(m) && !quiet.contains(m))
        .collect();
    assert!(
        missing.is_empty(),
        "vector mnemonics in neither MXCSR list: {missing:?}"
    );
}

#[test]
fn mxcsr_classification_spot_checks() {
    for m in [
        Mnemonic::Addss,
        Mnemonic::Vfmadd231ps,
        Mnemonic::Sqrtpd,
        Mnemonic::Cvttss2si,
        Mnemonic::Haddps,
        Mnemonic::Roundps,
        Mnemonic::Minps,
        Mnemonic::Comisd,
        Mnemonic::Vcmpps,
    ] {
        assert!(mxcsr::raising_mnemonics().contains(&m), "{m:?}");
    }
    for m in [
        Mnemonic::Movaps,
        Mnemonic::Xorps,
        Mnemonic::Andps,
        Mnemonic::Shufps,
        Mnemonic::Blendps,
        Mnemonic::Paddd,
        Mnemonic::Vpermps,
        Mnemonic::Vbroadcastss,
        Mnemonic::Aesenc,
        Mnemonic::Pshufb,
        Mnemonic::Vfpclassps,
        Mnemonic::Rcpps,
    ] {
        assert!(mxcsr::quiet_mnemonics().contains(&m), "{m:?}");
    }
}

#[test]
fn x87_control_table_has_no_duplicates() {
    let mut seen = BTreeSet::new();
    for row in x87::CONTROL {
        for m in row.mnemonics {
            assert!(seen.insert(*m), "{m:?} twice");
        }
    }
    let init = x87::control(Mnemonic::Fninit).unwrap();
    assert!(init.control_written && init.status_written);
    assert!(x87::control(Mnemonic::Fadd).is_none());
}

#[test]
fn xsave_components_by_mode() {
    let xrstor = xsave::save_restore(Mnemonic::Xrstor).unwrap();
    let r64 = xsave::component_registers(xrstor, Mode::Bits64);
    assert!(
        r64.contains(&Register::ZMM31)
            && r64.contains(&Register::TMM0)
            && r64.contains(&Register::K7)
    );
    let r32 = xsave::component_registers(xrstor, Mode::Bits32);
    assert!(
        r32.contains(&Register::ZMM7)
            && !r32.contains(&Register::ZMM8)
            && !r32.contains(&Register::TMM0)
    );
    let fxrstor = xsave::save_restore(Mnemonic::Fxrstor64).unwrap();
    let f = xsave::component_registers(fxrstor, Mode::Bits64);
    assert!(
        f.contains(&Register::XMM15) && !f.contains(&Register::ZMM16) && !f.contains(&Register::K0)
    );
    assert!(xsave::save_restore(Mnemonic::Xsaves).unwrap().supervisor);
}

#[test]
fn kernel_table_rows() {
    let linux64 = kernel::TABLE
        .iter()
        .find(|r| {
            r.arch == Arch::X86_64
                && r.os.contains(&Os::Linux)
                && r.instruction == kernel::KernelInstruction::Syscall
        })
        .unwrap();
    assert_eq!(linux64.outcome, Ok(kernel::KernelAbi::LinuxSyscall64));
    assert!(
        kernel::TABLE
            .iter()
            .all(|r| !r.os.contains(&Os::MacOs) && !r.os.contains(&Os::Windows))
    );
    let sysenter = kernel::TABLE
        .iter()
        .filter(|r| r.instruction == kernel::KernelInstruction::Sysenter);
    assert!(sysenter.clone().count() == 2 && sysenter.clone().all(|r| r.outcome.is_err()));
}

#[test]
fn clobber_abi_names_follow_rustc() {
    let linux = TargetAbi::new(Arch::X86_64, Os::Linux);
    let windows = TargetAbi::new(Arch::X86_64, Os::Windows);
    let uefi = TargetAbi::new(Arch::X86_64, Os::Uefi);
    let i686 = TargetAbi::new(Arch::X86, Os::Linux);
    assert_eq!(clobber_abi("C", &linux), Some(ClobberAbi::X86_64SysV));
    assert_eq!(clobber_abi("system", &linux), Some(ClobberAbi::X86_64SysV));
    assert_eq!(clobber_abi("C", &windows), Some(ClobberAbi::X86_64Win));
    assert_eq!(clobber_abi("C", &uefi), Some(ClobberAbi::X86_64Win));
    assert_eq!(clobber_abi("efiapi", &linux), Some(ClobberAbi::X86_64Win));
    assert_eq!(clobber_abi("win64", &linux), Some(ClobberAbi::X86_64Win));
    assert_eq!(
        clobber_abi("sysv64", &windows),
        Some(ClobberAbi::X86_64SysV)
    );
    for bad in [
        "cdecl",
        "stdcall",
        "fastcall",
        "thiscall",
        "vectorcall",
        "aapcs",
        "Rust",
    ] {
        assert_eq!(clobber_abi(bad, &linux), None, "{bad} on x86_64");
    }
    for ok in ["C", "system", "efiapi", "cdecl", "stdcall", "fastcall"] {
        assert_eq!(clobber_abi(ok, &i686), Some(ClobberAbi::X86), "{ok} on x86");
    }
    for bad in ["win64", "sysv64", "thiscall", "vectorcall"] {
        assert_eq!(clobber_abi(bad, &i686), None, "{bad} on x86");
    }
    assert_eq!(calls::clobber_abi_names(Arch::X86_64).len(), 5);
}

#[test]
fn caller_saved_sets_match_rustc() {
    let linux = TargetAbi::new(Arch::X86_64, Os::Linux);
    let sysv = call_model(ClobberAbi::X86_64SysV, &linux);
    let win = call_model(ClobberAbi::X86_64Win, &linux);
    let x86 = call_model(ClobberAbi::X86, &TargetAbi::new(Arch::X86, Os::Linux));
    // 9 GPRs + 16 xmm + 16 zmm16-31 + 8 k + 8 mm + 8 st + 8 tmm
    assert_eq!(sysv.caller_saved().count(), 73);
    assert_eq!(win.caller_saved().count(), 71);
    assert_eq!(x86.caller_saved().count(), 3 + 8 + 8 + 8 + 8);
    for r in [Register::RSI, Register::RDI] {
        assert!(
            sysv.clobbers(r, Mode::Bits64) && !win.clobbers(r, Mode::Bits64),
            "{r:?}"
        );
    }
    for r in [Register::RBX, Register::RBP, Register::R12, Register::R15] {
        assert!(
            !sysv.clobbers(r, Mode::Bits64) && !win.clobbers(r, Mode::Bits64),
            "{r:?}"
        );
    }
    // rustc clobbers xmm6-15 on Win64 too (upper halves volatile).
    assert!(
        win.clobbers(Register::YMM15, Mode::Bits64) && win.clobbers(Register::ZMM31, Mode::Bits64)
    );
    assert!(
        x86.clobbers(Register::EAX, Mode::Bits32) && !x86.clobbers(Register::EBX, Mode::Bits32)
    );
    assert!(!x86.clobbers(Register::XMM8, Mode::Bits32));
    assert_eq!((sysv.shadow_space, win.shadow_space), (0, 32));
    assert_eq!(sysv.stack_alignment, 16);
    assert!(sysv.requirements.direction_flag_clear && sysv.requirements.x87_empty);
    let callee = sysv.callee_effects();
    assert!(callee.flags.undefined.contains(Flags::STATUS));
    assert!(callee.has_memory_class(checked_asm_engine::x86::effects::MemClass::M5));
}

#[test]
fn rflags_conversion_uses_architectural_positions() {
    assert_eq!(Flags::from_iced(RflagsBits::CF).0, 1);
    assert_eq!(Flags::from_iced(RflagsBits::OF).0, 1 << 11);
    assert_eq!(Flags::from_iced(RflagsBits::DF).0, 1 << 10);
    assert_eq!(Flags::from_iced(RflagsBits::IF).0, 1 << 9);
    assert_eq!(Flags::from_iced(RflagsBits::AC).0, 1 << 18);
    // x87 condition codes and UIF are not RFLAGS bits.
    assert_eq!(
        Flags::from_iced(RflagsBits::C0 | RflagsBits::C3 | RflagsBits::UIF),
        Flags::NONE
    );
    let all = RflagsBits::OF
        | RflagsBits::SF
        | RflagsBits::ZF
        | RflagsBits::AF
        | RflagsBits::CF
        | RflagsBits::PF;
    assert_eq!(Flags::from_iced(all), Flags::STATUS);
}

#[test]
fn refused_reasons_are_stated() {
    assert!(refused::reason(Code::Vmlaunch).is_some());
    assert!(refused::reason(Code::Cpuid).is_none());
    assert!(refused::reason(Code::INVALID).is_some());
    for (_, why) in refused::REFUSED {
        assert!(why.len() > 20);
    }
}

#[test]
fn target_names_round_trip() {
    for os in Os::ALL {
        if let Some(name) = os.target_os() {
            assert_eq!(Os::from_target_os(name), os);
        }
    }
    assert_eq!(Os::from_target_os("haiku"), Os::Other);
    for arch in [Arch::X86, Arch::X86_64] {
        assert_eq!(Arch::from_target_arch(arch.target_arch()), Some(arch));
    }
    assert_eq!(Arch::from_target_arch("aarch64"), None);
    let win = TargetAbi::new(Arch::X86_64, Os::Windows);
    assert_eq!(
        checked_asm_engine::x86::effects::default_call_model(&win).shadow_space,
        32
    );
}

#[test]
fn access_predicates_and_merge() {
    use checked_asm_engine::x86::effects::Access::*;
    let all = [
        Read,
        CondRead,
        Write,
        PartialWrite,
        CondWrite,
        ReadWrite,
        ReadPartialWrite,
        ReadCondWrite,
        CondReadWrite,
        CondReadCondWrite,
    ];
    for a in all {
        // always ⇒ may
        assert!(!a.always_reads() || a.may_read(), "{a:?}");
        assert!(!a.always_writes() || a.may_write(), "{a:?}");
        assert!(!a.defines_container() || a.always_writes(), "{a:?}");
        assert!(a.may_read() || a.may_write(), "{a:?}");
        // merging never loses a read or a write, and is idempotent
        for b in all {
            let m = a.merge(b);
            assert!(
                m.may_read() == (a.may_read() || b.may_read()),
                "{a:?}+{b:?}={m:?}"
            );
            assert!(
                m.may_write() == (a.may_write() || b.may_write()),
                "{a:?}+{b:?}={m:?}"
            );
            assert!(
                !(a.always_writes() || b.always_writes()) || m.always_writes(),
                "{a:?}+{b:?}={m:?}"
            );
            assert!(
                !(a.always_reads() || b.always_reads()) || m.always_reads(),
                "{a:?}+{b:?}={m:?}"
            );
        }
        assert_eq!(a.merge(a), a, "{a:?}");
    }
    assert!(ReadCondWrite.always_reads() && !ReadCondWrite.always_writes());
    assert_eq!(CondRead.merge(CondWrite), CondReadCondWrite);
    assert_eq!(Read.merge(PartialWrite), ReadPartialWrite);
}

#[test]
fn cpuid_subleaf_leaves() {
    use checked_asm_engine::x86::effects::tables::cpuid::leaf_reads_ecx;
    for leaf in [
        4,
        7,
        0xB,
        0xD,
        0xF,
        0x10,
        0x12,
        0x14,
        0x17,
        0x18,
        0x1D,
        0x1F,
        0x20,
        0x8000_001D,
    ] {
        assert_eq!(leaf_reads_ecx(leaf), Some(true), "{leaf:#x}");
    }
    assert_eq!(leaf_reads_ecx(0), Some(false));
    assert_eq!(leaf_reads_ecx(1), Some(false));
    assert_eq!(leaf_reads_ecx(0x4000_0000), None);
}
