//! Kernel transfers: `syscall`, `sysenter`, `int n`, `int3`, `int1`, `into`, `vmcall`,
//! `vmmcall` (and the other hypercalls). Their effect is the OS's ABI, which REPLACES the
//! instruction-level effect iced-x86 reports (iced says `syscall` writes every flag
//! including DF, and reports nothing for `int 0x80`): contract-rules.md §2 table.
//!
//! Sources: Linux `arch/x86/entry/entry_64.S` ("Registers on entry": rax system call
//! number, rdi rsi rdx r10 r8 r9 arguments, rcx and r11 clobbered by `syscall`/`sysret`,
//! return in rax; flags restored from r11 by the kernel), `arch/x86/entry/entry_32.S`
//! (`int $0x80`: eax number, ebx ecx edx esi edi ebp arguments, return in eax, all other
//! registers and flags preserved), Linux `Documentation/x86/entry_64.rst` (`int $0x80`
//! from 64-bit code uses the 32-bit ABI: pointers truncated); `sysenter` returns through
//! the vDSO (`__kernel_vsyscall`), not to the next instruction. FreeBSD
//! `sys/amd64/amd64/exception.S` and `sys/amd64/amd64/vm_machdep.c` (`cpu_set_syscall_retval`:
//! rax, rdx results, CF error flag; rcx r8 r9 r10 r11 not preserved; rdi, rsi preserved).
//! Intel SDM Vol. 2B INT n/INTO/INT3/INT1: `int3`/`int1` trap to the debugger, which
//! resumes at the next instruction.

use crate::x86::effects::flags::{FlagEffects, Flags};
use crate::x86::effects::regs::{Access, RegAccess};
use crate::x86::effects::types::*;
use iced_x86::{Instruction, Mnemonic, Register};

/// A known kernel ABI.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum KernelAbi {
    /// Linux/Android x86_64 `syscall`.
    LinuxSyscall64,
    /// FreeBSD x86_64 `syscall`.
    FreeBsdSyscall64,
    /// Linux `int 0x80` (the i386 ABI), from 32-bit or 64-bit code.
    LinuxInt80,
    /// `int3`/`int1`: traps to the debugger, resumes at the next instruction.
    Breakpoint,
}

/// Something the caller should report about a kernel transfer that is not an error.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum KernelNote {
    /// `int 0x80` from 64-bit code: the i386 ABI truncates pointer arguments to 32 bits.
    PointerTruncation,
}

/// One row of the per-(arch, target_os) table.
#[derive(Copy, Clone, Debug)]
pub struct KernelRow {
    pub arch: Arch,
    pub os: &'static [Os],
    pub instruction: KernelInstruction,
    pub outcome: Result<KernelAbi, &'static str>,
}

/// Which transfer a row is about.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum KernelInstruction {
    Syscall,
    Sysenter,
    Int(u8),
}

const LINUX: &[Os] = &[Os::Linux, Os::Android];

pub static TABLE: &[KernelRow] = &[
    KernelRow {
        arch: Arch::X86_64,
        os: LINUX,
        instruction: KernelInstruction::Syscall,
        outcome: Ok(KernelAbi::LinuxSyscall64),
    },
    KernelRow {
        arch: Arch::X86_64,
        os: &[Os::FreeBSD],
        instruction: KernelInstruction::Syscall,
        outcome: Ok(KernelAbi::FreeBsdSyscall64),
    },
    KernelRow {
        arch: Arch::X86,
        os: LINUX,
        instruction: KernelInstruction::Int(0x80),
        outcome: Ok(KernelAbi::LinuxInt80),
    },
    KernelRow {
        arch: Arch::X86_64,
        os: LINUX,
        instruction: KernelInstruction::Int(0x80),
        outcome: Ok(KernelAbi::LinuxInt80),
    },
    KernelRow {
        arch: Arch::X86,
        os: LINUX,
        instruction: KernelInstruction::Sysenter,
        outcome: Err(
            "`sysenter` is not a Linux user ABI: the kernel returns into the vDSO, not to the next instruction; call `__kernel_vsyscall` or use `int 0x80`",
        ),
    },
    KernelRow {
        arch: Arch::X86_64,
        os: LINUX,
        instruction: KernelInstruction::Sysenter,
        outcome: Err(
            "`sysenter` is not a Linux user ABI: the kernel returns into the vDSO, not to the next instruction; use `syscall`",
        ),
    },
];

/// Whether `instr` is a kernel transfer, i.e. whether its effects depend on the target
/// (the analysis then calls `effects` once per `(arch, target_os)` and emits the verdicts
/// under `#[cfg]`).
pub fn is_kernel_transfer(instr: &Instruction) -> bool {
    matches!(
        instr.mnemonic(),
        Mnemonic::Int3
            | Mnemonic::Int1
            | Mnemonic::Int
            | Mnemonic::Into
            | Mnemonic::Syscall
            | Mnemonic::Sysenter
            | Mnemonic::Vmcall
            | Mnemonic::Vmmcall
            | Mnemonic::Vmgexit
            | Mnemonic::Tdcall
    )
}

/// The kernel-transfer model for `instr`, `None` when it is not a kernel transfer.
pub fn transfer(
    instr: &Instruction,
    mode: Mode,
    target: &TargetAbi,
) -> Option<Result<KernelAbi, Unknown>> {
    if !is_kernel_transfer(instr) {
        return None;
    }
    let code = instr.code();
    let unknown = |reason| {
        Some(Err(Unknown {
            code,
            kind: UnknownKind::KernelAbi,
            reason,
        }))
    };
    let which = match instr.mnemonic() {
        Mnemonic::Int3 | Mnemonic::Int1 => return Some(Ok(KernelAbi::Breakpoint)),
        Mnemonic::Syscall => KernelInstruction::Syscall,
        Mnemonic::Sysenter => KernelInstruction::Sysenter,
        // `int 3` (CD 03) reaches the same user-accessible breakpoint gate as `int3`.
        Mnemonic::Int if instr.immediate8() == 3 => return Some(Ok(KernelAbi::Breakpoint)),
        Mnemonic::Int => KernelInstruction::Int(instr.immediate8()),
        Mnemonic::Into => {
            return unknown("`into` raises #OF to the kernel; no OS ABI for it is modelled");
        }
        Mnemonic::Vmcall | Mnemonic::Vmmcall | Mnemonic::Vmgexit | Mnemonic::Tdcall => {
            return unknown("hypercall: the hypervisor's register ABI is not modelled");
        }
        _ => return None,
    };
    let mode_matches = match target.arch {
        Arch::X86_64 => mode == Mode::Bits64,
        Arch::X86 => mode == Mode::Bits32,
    };
    let row = TABLE
        .iter()
        .find(|r| r.arch == target.arch && r.os.contains(&target.os) && r.instruction == which);
    match row {
        Some(r) if mode_matches => Some(match r.outcome {
            Ok(abi) => Ok(abi),
            Err(reason) => Err(Unknown {
                code,
                kind: UnknownKind::NotUserAbi,
                reason,
            }),
        }),
        Some(_) => unknown("kernel transfer assembled for a mode other than the target's"),
        None => unknown(match which {
            KernelInstruction::Int(_) => "`int n`: no kernel ABI for this vector on this target",
            _ => {
                "no kernel ABI for this transfer on this target (only Linux/Android and FreeBSD x86_64 `syscall`, Linux `int 0x80` are modelled)"
            }
        }),
    }
}

fn reg(r: Register, a: Access) -> RegAccess {
    RegAccess::new(r, a)
}

impl KernelAbi {
    /// The whole effect of the transfer (replacing iced's).
    pub fn into_effects(self, mode: Mode) -> Effects {
        use Register::*;
        let mut fx = Effects {
            flow: Flow::KernelTransfer,
            ..Default::default()
        };
        fx.side_effects.push(SideEffect::Traps);
        fx.memory.push(MemEffect {
            class: MemClass::M5,
            access: MemAccess::None,
            location: Location::Nowhere,
            why: "kernel transfer: the kernel's memory effect is the caller's claim",
        });
        match self {
            KernelAbi::LinuxSyscall64 => {
                fx.regs = vec![
                    reg(RAX, Access::ReadWrite),
                    reg(RDI, Access::CondRead),
                    reg(RSI, Access::CondRead),
                    reg(RDX, Access::CondRead),
                    reg(R10, Access::CondRead),
                    reg(R8, Access::CondRead),
                    reg(R9, Access::CondRead),
                    reg(RCX, Access::Write),
                    reg(R11, Access::Write),
                ];
            }
            KernelAbi::FreeBsdSyscall64 => {
                fx.regs = vec![
                    reg(RAX, Access::ReadWrite),
                    reg(RDI, Access::CondRead),
                    reg(RSI, Access::CondRead),
                    // Arguments the kernel may read, then clobbers (rdx: second result).
                    reg(RDX, Access::CondReadWrite),
                    reg(R10, Access::CondReadWrite),
                    reg(R8, Access::CondReadWrite),
                    reg(R9, Access::CondReadWrite),
                    reg(RCX, Access::Write),
                    reg(R11, Access::Write),
                ];
                fx.flags = FlagEffects {
                    written: Flags::CF,
                    ..Default::default()
                };
            }
            KernelAbi::LinuxInt80 => {
                let result = if mode == Mode::Bits64 {
                    fx.kernel_note = Some(KernelNote::PointerTruncation);
                    vec![reg(EAX, Access::Read), reg(RAX, Access::Write)]
                } else {
                    vec![reg(EAX, Access::ReadWrite)]
                };
                fx.regs = result;
                for r in [EBX, ECX, EDX, ESI, EDI, EBP] {
                    fx.regs.push(reg(r, Access::CondRead));
                }
            }
            KernelAbi::Breakpoint => {}
        }
        fx
    }
}
