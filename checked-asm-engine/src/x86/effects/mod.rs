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
    let mut fx = iced::translate(&instr, mode);
    tables::apply(&instr, mode, &mut fx);
    Ok(fx)
}
