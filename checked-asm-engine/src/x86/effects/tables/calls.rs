//! Call models: what a `call` to code outside the block may do, per `clobber_abi` ABI.
//!
//! The caller-saved sets replicate rustc 1.95's `InlineAsmClobberAbi::clobbered_regs`
//! (compiler/rustc_target/src/asm/mod.rs), and [`clobber_abi`] its `InlineAsmClobberAbi::parse`
//! for x86/x86_64: on x86 "C", "system", "efiapi", "cdecl", "stdcall", "fastcall" all map to
//! one set; on x86_64 "C"/"system" map to SysV or, when `is_like_windows` (Windows, UEFI),
//! to Win64; "win64"/"efiapi" to Win64; "sysv64" to SysV. rustc names `xmm0`…`xmm15` and
//! `zmm16`…`zmm31`; clobbering xmmN clobbers the whole zmmN register. Win64 keeps
//! xmm6–xmm15's low halves but rustc clobbers them anyway ("the upper portions of ymm6-ymm15
//! are volatile"). Shadow space: Microsoft x64 calling convention ("the caller must always
//! allocate 32 bytes of shadow space"); alignment: System V AMD64 psABI §3.2.2 and Microsoft
//! x64 ABI (16 bytes at the call), i386 psABI (16 bytes on Linux since GCC 4.5; 4 bytes on
//! Windows x86). Call requirements: contract-rules.md §2 "Calls".
//!
//! Checked on rustc 1.95.0 (x86_64-unknown-linux-gnu): `clobber_abi("vectorcall")` is
//! rejected with "the following ABIs are supported on this target: `C`, `system`,
//! `efiapi`, `win64`, `sysv64`", and the LLVM IR constraint strings of
//! `clobber_abi("sysv64")`/`("win64")` list exactly the SysV/Win64 sets below (mm0–mm7
//! lowered onto st0–st7, plus `~{dirflag},~{fpsr},~{flags},~{memory}`). The 32-bit set is
//! taken from the source only (no i686 target installed here).

use crate::x86::effects::flags::FlagEffects;
use crate::x86::effects::regs::{Access, RegAccess};
use crate::x86::effects::types::*;
use iced_x86::Register::{self, *};

/// rustc's `InlineAsmClobberAbi` for x86.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClobberAbi {
    /// 32-bit x86 (every name rustc accepts on x86).
    X86,
    X86_64SysV,
    X86_64Win,
}

/// rustc's `InlineAsmClobberAbi::parse` for x86 targets: `None` where rustc rejects the name.
pub fn clobber_abi(name: &str, target: &TargetAbi) -> Option<ClobberAbi> {
    match target.arch {
        Arch::X86 => matches!(
            name,
            "C" | "system" | "efiapi" | "cdecl" | "stdcall" | "fastcall"
        )
        .then_some(ClobberAbi::X86),
        Arch::X86_64 => match name {
            "C" | "system" if target.is_like_windows() => Some(ClobberAbi::X86_64Win),
            "C" | "system" => Some(ClobberAbi::X86_64SysV),
            "win64" | "efiapi" => Some(ClobberAbi::X86_64Win),
            "sysv64" => Some(ClobberAbi::X86_64SysV),
            _ => Option::None,
        },
    }
}

/// The names rustc 1.95 accepts in `clobber_abi` for `arch`.
pub fn clobber_abi_names(arch: Arch) -> &'static [&'static str] {
    match arch {
        Arch::X86 => &["C", "system", "efiapi", "cdecl", "stdcall", "fastcall"],
        Arch::X86_64 => &["C", "system", "efiapi", "win64", "sysv64"],
    }
}

const K: [Register; 8] = [K0, K1, K2, K3, K4, K5, K6, K7];
const MM: [Register; 8] = [MM0, MM1, MM2, MM3, MM4, MM5, MM6, MM7];
const ST: [Register; 8] = [ST0, ST1, ST2, ST3, ST4, ST5, ST6, ST7];
const TMM: [Register; 8] = [TMM0, TMM1, TMM2, TMM3, TMM4, TMM5, TMM6, TMM7];
const XMM16: [Register; 16] = [
    XMM0, XMM1, XMM2, XMM3, XMM4, XMM5, XMM6, XMM7, XMM8, XMM9, XMM10, XMM11, XMM12, XMM13, XMM14,
    XMM15,
];
const ZMM_HI: [Register; 16] = [
    ZMM16, ZMM17, ZMM18, ZMM19, ZMM20, ZMM21, ZMM22, ZMM23, ZMM24, ZMM25, ZMM26, ZMM27, ZMM28,
    ZMM29, ZMM30, ZMM31,
];

static X86_SET: &[&[Register]] = &[
    &[EAX, ECX, EDX],
    &[XMM0, XMM1, XMM2, XMM3, XMM4, XMM5, XMM6, XMM7],
    &K,
    &MM,
    &ST,
];
static SYSV_SET: &[&[Register]] = &[
    &[RAX, RCX, RDX, RSI, RDI, R8, R9, R10, R11],
    &XMM16,
    &ZMM_HI,
    &K,
    &MM,
    &ST,
    &TMM,
];
// rdi and rsi are callee-saved on Windows.
static WIN_SET: &[&[Register]] = &[
    &[RAX, RCX, RDX, R8, R9, R10, R11],
    &XMM16,
    &ZMM_HI,
    &K,
    &MM,
    &ST,
    &TMM,
];

/// What a call under one ABI may do and requires.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct CallModel {
    pub abi: ClobberAbi,
    /// Caller-saved registers exactly as rustc's `clobber_abi` clobbers them (rustc names:
    /// `xmm0`–`xmm15` and `zmm16`–`zmm31`; each stands for its whole zmm register).
    caller_saved: &'static [&'static [Register]],
    /// Bytes the caller must reserve above the return address (Win64: 32).
    pub shadow_space: u32,
    /// rsp alignment required at the `call` instruction (before the return address push).
    pub stack_alignment: u32,
    pub requirements: CallRequirements,
}

/// Conditions every call must meet (contract-rules.md §2 "Calls"; R16).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct CallRequirements {
    /// DF clear (SysV psABI §3.2.1, Microsoft x64 ABI "DF must be clear on call").
    pub direction_flag_clear: bool,
    /// x87 stack empty and no pending MMX state (SysV psABI §3.2.1: "x87 in FPU mode").
    pub x87_empty: bool,
    /// MXCSR and x87 control word hold the default environment.
    pub default_fp_environment: bool,
    /// The block must not declare `nostack`.
    pub no_nostack: bool,
    /// The callee must not unwind (`extern "C"`, not `"C-unwind"`).
    pub callee_must_not_unwind: bool,
}

const REQUIREMENTS: CallRequirements = CallRequirements {
    direction_flag_clear: true,
    x87_empty: true,
    default_fp_environment: true,
    no_nostack: true,
    callee_must_not_unwind: true,
};

/// The call model of `abi` on `target` (alignment differs between Windows and other x86).
pub fn call_model(abi: ClobberAbi, target: &TargetAbi) -> CallModel {
    let (caller_saved, shadow_space, stack_alignment) = match abi {
        ClobberAbi::X86 => (X86_SET, 0, if target.is_like_windows() { 4 } else { 16 }),
        ClobberAbi::X86_64SysV => (SYSV_SET, 0, 16),
        ClobberAbi::X86_64Win => (WIN_SET, 32, 16),
    };
    CallModel {
        abi,
        caller_saved,
        shadow_space,
        stack_alignment,
        requirements: REQUIREMENTS,
    }
}

/// The target's C ABI, for calls in a block without `clobber_abi`.
pub fn default_call_model(target: &TargetAbi) -> CallModel {
    let abi = clobber_abi("C", target).unwrap_or(ClobberAbi::X86_64SysV);
    call_model(abi, target)
}

impl CallModel {
    /// The caller-saved registers as rustc names them.
    pub fn caller_saved(&self) -> impl Iterator<Item = Register> + '_ {
        self.caller_saved
            .iter()
            .flat_map(|group| group.iter().copied())
    }

    /// Whether the callee may change `reg` (or any register sharing its container).
    pub fn clobbers(&self, reg: Register, mode: Mode) -> bool {
        let c = crate::x86::effects::regs::container(reg, mode);
        self.caller_saved()
            .any(|r| crate::x86::effects::regs::container(r, mode) == c)
    }

    /// What the callee does, to add to the `call` instruction's own effects: every
    /// caller-saved register written, status flags undefined, MXCSR and x87 status words
    /// changed, memory unknown (M5).
    pub fn callee_effects(&self) -> Effects {
        let mut fx = Effects {
            regs: self
                .caller_saved()
                .map(|r| RegAccess::new(r, Access::Write))
                .collect(),
            flags: FlagEffects::status_clobbered(),
            ..Default::default()
        };
        fx.mxcsr.sets_exception_flags = true;
        fx.x87.sets_exception_flags = true;
        fx.memory.push(MemEffect {
            class: MemClass::M5,
            access: MemAccess::None,
            location: Location::Nowhere,
            why: "call: the callee's memory effect is unknown",
        });
        fx
    }
}
