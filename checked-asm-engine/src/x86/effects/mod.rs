//! What one decoded x86 instruction does: the *effects* stage of the pipeline.
//!
//! ```text
//! Program (Vec<Instr>) --effects--> Vec<Effects> --infer--> Contract
//! ```
//!
//! [`effects`] starts from iced-x86's `InstructionInfo` (registers with access kinds,
//! memory operands, RFLAGS, stack-pointer delta, x87 TOP, flow control) and corrects and
//! completes it with our own tables under [`tables`]: MXCSR, x87/MMX state, XSAVE state
//! components, memory classes M1–M5, system state, purity, kernel transfers and call ABIs.
//! Every table cites the manual it encodes.
//!
//! Soundness first (contract-rules.md §3, R21): when the model does not know what an
//! instruction does it returns [`Unknown`], never "no effect". Instructions that are
//! modelled conservatively rather than precisely carry a documented [`Category`].
//!
//! # Reading an [`Effects`] (for the analysis)
//!
//! - **Registers** are iced's names with our [`Access`]. Compare registers through
//!   [`container`] (`al`, `ax`, `eax`, `rax` share `rax` in 64-bit mode; `xmm0`/`ymm0`/`zmm0`
//!   share `zmm0`); [`Access::PartialWrite`] keeps the rest of the container, so a value
//!   saved in the container survives in those bits. The x87/MMX file is one unit for
//!   clobbers (rustc lowers any st/mm clobber to all eight): MMX instructions report mm
//!   writes plus [`TagEffect::AllValid`]/[`TopEffect::Reset`], x87 pushes and pops report
//!   st0–st7 as read-written (renamed). Stack-pointer, segment, CR/DR registers appear too.
//! - **Flags** ([`Flags`]) use architectural bit positions; x87 C0–C3 are in
//!   [`X87Effects::condition_codes`]. `preserves_flags` (R10) concerns
//!   `flags.modified() & Flags::STATUS`, `x87.sets_exception_flags`, x87 TOP/C0–C3 changes
//!   and `mxcsr.sets_exception_flags`/`mxcsr.written`.
//! - **Memory** ([`MemEffect`]) carries its class. Explicit operands based on rsp are M1 as
//!   decoded; the analysis discounts the block's own scratch stack (§2 "not counted").
//!   Implicit push/pop/call/ret/enter/leave traffic is in [`StackEffect`], not in `memory`.
//!   Every `call` carries an M5 effect: drop it when the target is a local label, and add
//!   [`CallModel::callee_effects`] otherwise.
//! - **Stack**: [`StackEffect::delta`] is `None` when rsp is assigned from something other
//!   than itself plus a constant (`leave`, `pop rsp`, `mov rsp, rax`, `and rsp, -16`).
//! - **Flow**: [`Flow::is_divergent`] for `ret`/`iret`/`sysret`/`ud2`/indirect or far `jmp`
//!   (the analysis may resolve an indirect `jmp` through a locally computed label address);
//!   `hlt` ([`Flow::Halt`]) and kernel transfers ([`Flow::KernelTransfer`]) return.
//! - **Purity** (R12): [`Effects::reads_state`] (outputs may depend on it),
//!   [`Effects::writes_state`] and [`Effects::side_effects`]; [`Effects::is_impure`] sums up.
//! - **Kernel transfers** replace iced's effect entirely; [`UnknownKind::KernelAbi`] is R21,
//!   [`UnknownKind::NotUserAbi`] (Linux `sysenter`) is an error of its own;
//!   [`Effects::kernel_note`] carries the `int 0x80`-from-64-bit warning. Verdicts differ by
//!   target: call [`effects`] once per `(arch, target_os)` the block is checked for.

mod display;
mod flags;
mod iced;
mod memory;
mod regs;
pub mod tables;
mod target;
mod types;

pub use flags::{FlagEffects, Flags};
pub use regs::{Access, RegAccess, container};
pub use tables::calls::{
    CallModel, CallRequirements, ClobberAbi, call_model, clobber_abi, clobber_abi_names,
    default_call_model,
};
pub use tables::kernel::{KernelAbi, KernelNote, is_kernel_transfer};
pub use types::*;

use iced_x86::Instruction;

/// The effects of `instr` executed in `mode` on `target`.
///
/// `target` matters only for kernel transfers (`syscall`, `int n`, …) whose effect is the
/// OS's system-call ABI (contract-rules.md §2, "Kernel transfers").
///
/// # Errors
///
/// [`Unknown`] when the model cannot describe the instruction (rule R21), or when the
/// kernel transfer is not a user ABI on `target` (Linux `sysenter`).
pub fn effects(instr: &Instruction, mode: Mode, target: &TargetAbi) -> Result<Effects, Unknown> {
    let mut instr = *instr;
    // iced decides "64-bit" (zero-extension of 32-bit writes) from the code size; an
    // instruction built with `Instruction::with*` has none, so set it from the mode.
    instr.set_code_size(mode.code_size());
    let code = instr.code();
    if let Some(reason) = tables::refused::reason(code) {
        return Err(Unknown::instruction(code, reason));
    }
    if let Some(kernel) = tables::kernel::transfer(&instr, mode, target) {
        return kernel.map(|k| k.into_effects(mode));
    }
    Ok(memo::of(&instr, mode, || describe(&instr, mode)))
}

/// The effects of an instruction that is not a kernel transfer, its code size already set
/// from `mode`: iced's register and memory information, then the tables.
fn describe(instr: &Instruction, mode: Mode) -> Effects {
    let mut fx = iced::translate(instr, mode);
    tables::apply(instr, mode, &mut fx);
    fx
}

/// The effects of instructions already described, per thread (a compiler process expands
/// its `checked_asm!` blocks on one thread). Outside kernel transfers, which depend on the
/// target, an instruction's effects depend only on the instruction and the mode: iced's
/// `Instruction` equality compares the code, operands, registers, immediates,
/// displacements (also branch targets and RIP-relative addresses) and prefixes, and
/// ignores the IP, the length and the code size (which `effects` sets from the mode).
/// Describing one costs some 35,000 instructions in a macro built without optimisation,
/// and blocks repeat their instructions (a loop body and its unrolled twin, the same
/// port access in many functions, the second analysis with other registers).
mod memo {
    use super::{Effects, Mode};
    use crate::hash::FastMap;
    use iced_x86::Instruction;
    use std::cell::RefCell;

    /// A bound on the memory a pathological crate (or the fuzzer) can make it hold.
    const CAPACITY: usize = 4096;

    thread_local! {
        static MEMO: RefCell<FastMap<(Instruction, Mode), Effects>> = RefCell::new(FastMap::default());
    }

    pub(super) fn of(
        instr: &Instruction,
        mode: Mode,
        describe: impl FnOnce() -> Effects,
    ) -> Effects {
        let key = (*instr, mode);
        if let Some(fx) = MEMO.with_borrow(|memo| memo.get(&key).cloned()) {
            return fx;
        }
        let fx = describe();
        MEMO.with_borrow_mut(|memo| {
            if memo.len() >= CAPACITY {
                memo.clear();
            }
            memo.insert(key, fx.clone());
        });
        fx
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced_x86::{Code, Instruction, MemoryOperand, Register, RepPrefixKind};

    /// The effects computed again, past the memo.
    fn fresh(instr: &Instruction, mode: Mode) -> Effects {
        let mut instr = *instr;
        instr.set_code_size(mode.code_size());
        describe(&instr, mode)
    }

    /// Instructions that differ only in a branch target, an immediate, a displacement,
    /// a prefix, a register or the mode get their own effects from the memo, whichever
    /// was described first; instructions that differ only in the IP share them.
    #[test]
    fn the_memo_keeps_apart_what_changes_the_effects() {
        let target = TargetAbi::new(Arch::X86_64, Os::Linux);
        let mem = |base, displ| MemoryOperand::with_base_displ(base, displ);
        let mut rep_movsb =
            Instruction::with_movsb(64, Register::None, RepPrefixKind::Repe).expect("rep movsb");
        rep_movsb.set_has_repe_prefix(true);
        let mut fs_load =
            Instruction::with2(Code::Mov_r64_rm64, Register::RAX, mem(Register::RAX, 0))
                .expect("mov");
        fs_load.set_segment_prefix(Register::FS);
        let mut locked =
            Instruction::with2(Code::Add_rm64_r64, mem(Register::RDI, 0), Register::RAX)
                .expect("add");
        locked.set_has_lock_prefix(true);
        let pairs: Vec<(Instruction, Instruction)> = vec![
            (
                Instruction::with_branch(Code::Jmp_rel32_64, 0x1000).expect("jmp"),
                Instruction::with_branch(Code::Jmp_rel32_64, 0x2000).expect("jmp"),
            ),
            (
                Instruction::with2(Code::Mov_r64_rm64, Register::RAX, mem(Register::RSP, 8))
                    .expect("mov"),
                Instruction::with2(Code::Mov_r64_rm64, Register::RAX, mem(Register::RSP, -8))
                    .expect("mov"),
            ),
            (
                Instruction::with2(Code::Add_rm64_imm8, Register::RSP, 8).expect("add"),
                Instruction::with2(Code::Add_rm64_imm8, Register::RSP, 16).expect("add"),
            ),
            (
                Instruction::with_movsb(64, Register::None, RepPrefixKind::None).expect("movsb"),
                rep_movsb,
            ),
            (
                Instruction::with2(Code::Mov_r64_rm64, Register::RAX, mem(Register::RAX, 0))
                    .expect("mov"),
                fs_load,
            ),
            (
                Instruction::with2(Code::Add_rm64_r64, mem(Register::RDI, 0), Register::RAX)
                    .expect("add"),
                locked,
            ),
            (
                Instruction::with2(Code::Mov_r64_rm64, Register::RAX, Register::RBX).expect("mov"),
                Instruction::with2(Code::Mov_r64_rm64, Register::RAX, Register::RCX).expect("mov"),
            ),
        ];
        for (a, b) in pairs {
            assert_ne!(
                fresh(&a, Mode::Bits64),
                fresh(&b, Mode::Bits64),
                "{a} / {b}"
            );
            for (first, second) in [(a, b), (b, a)] {
                assert_eq!(
                    effects(&first, Mode::Bits64, &target).ok(),
                    Some(fresh(&first, Mode::Bits64))
                );
                assert_eq!(
                    effects(&second, Mode::Bits64, &target).ok(),
                    Some(fresh(&second, Mode::Bits64))
                );
            }
        }
        // The mode: `push eax` does not exist in 64-bit mode, `inc eax` is another code;
        // `mov eax, ebx` zero-extends into rax only in 64-bit mode.
        let mov32 =
            Instruction::with2(Code::Mov_r32_rm32, Register::EAX, Register::EBX).expect("mov");
        let target32 = TargetAbi::new(Arch::X86, Os::Linux);
        assert_ne!(fresh(&mov32, Mode::Bits64), fresh(&mov32, Mode::Bits32));
        assert_eq!(
            effects(&mov32, Mode::Bits64, &target).ok(),
            Some(fresh(&mov32, Mode::Bits64))
        );
        assert_eq!(
            effects(&mov32, Mode::Bits32, &target32).ok(),
            Some(fresh(&mov32, Mode::Bits32))
        );
        // The IP does not matter.
        let mut moved = mov32;
        moved.set_ip(0x4000);
        moved.set_len(2);
        assert_eq!(
            effects(&moved, Mode::Bits64, &target).ok(),
            Some(fresh(&mov32, Mode::Bits64))
        );
    }
}
