//! Our own effect tables, for what iced-x86 does not say or says differently from what the
//! contract checks need. Each table is data keyed by `Mnemonic` or `Code`, with the manual
//! section it encodes.

pub mod calls;
pub mod cpuid;
pub mod kernel;
pub mod memory_class;
pub mod mxcsr;
pub mod purity;
pub mod refused;
pub mod system;
pub mod x87;
pub mod xsave;

use super::types::{Effects, Mode};
use iced_x86::{Instruction, Mnemonic};
use std::sync::OnceLock;

/// A table's list of mnemonics as a set, built on first use: the tables stay readable
/// lists with their citations, and a lookup costs one index instead of a scan.
pub struct MnemonicSet {
    list: &'static [Mnemonic],
    members: OnceLock<Vec<bool>>,
}

impl MnemonicSet {
    pub const fn new(list: &'static [Mnemonic]) -> MnemonicSet {
        MnemonicSet {
            list,
            members: OnceLock::new(),
        }
    }

    pub fn contains(&self, m: Mnemonic) -> bool {
        let members = self.members.get_or_init(|| {
            let mut members = vec![false; Mnemonic::values().len()];
            for &m in self.list {
                members[m as usize] = true;
            }
            members
        });
        members[m as usize]
    }
}

/// Applies every table, in an order where later tables may rely on earlier ones (the
/// system table's conservative categories see the memory classes already assigned).
pub(super) fn apply(instr: &Instruction, mode: Mode, fx: &mut Effects) {
    x87::apply(instr, mode, fx);
    mxcsr::apply(instr, fx);
    xsave::apply(instr, mode, fx);
    memory_class::apply(instr, mode, fx);
    system::apply(instr, mode, fx);
    purity::apply(instr, mode, fx);
}
