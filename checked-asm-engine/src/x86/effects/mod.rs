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

mod display;
mod flags;
mod iced;
mod memory;
mod regs;
pub mod tables;
mod types;

pub use flags::{FlagEffects, Flags};
pub use regs::{Access, RegAccess, container};
pub use tables::calls::{CallModel, ClobberAbi, call_model, clobber_abi};
pub use tables::kernel::{KernelAbi, KernelNote};
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
