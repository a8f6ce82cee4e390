//! Instructions the model refuses (R21): their effects cannot be described soundly by
//! iced-x86's data plus our tables. Kept short on purpose; each entry says why.
//! The full list with counts is `tests/data/effects_refused.txt`, checked by
//! `tests/effects_coverage.rs`.

use super::RowIndex;
use iced_x86::{Code, Mnemonic};

use Mnemonic as M;

/// Refused mnemonics and the reason.
pub static REFUSED: &[(&[Mnemonic], &str)] = &[
    (
        &[M::Vmlaunch, M::Vmresume, M::Vmrun],
        "enters a guest; after the VM exit the host resumes with state loaded from the VMCS/VMCB \
         (VMX: at the host RIP, not here; SVM: guest values left in most GPRs)",
    ),
    (
        &[M::Enclu, M::Encls, M::Enclv],
        "SGX leaf functions: registers, memory and control flow depend on the leaf in eax \
         (EENTER/ERESUME leave the block)",
    ),
    (
        &[M::Getsec, M::Getsecq],
        "SMX leaf functions: the registers written depend on the leaf in eax (iced lists none)",
    ),
    (
        &[M::Seamcall, M::Seamret, M::Seamops],
        "TDX module transfers: register effects depend on the leaf and the TDX module ABI",
    ),
    (
        &[M::Loadall],
        "LOADALL loads every register, including hidden descriptor caches, from memory",
    ),
    (&[M::Jmpe], "JMPE switches to the IA-64 instruction set"),
    (
        &[M::Smint, M::Dmint],
        "Cyrix/Geode SMM/debug interrupt: leaves for system-management code",
    ),
];

/// Why `code` is refused, if it is.
pub fn reason(code: Code) -> Option<&'static str> {
    if code == Code::INVALID {
        return Some("not a valid instruction");
    }
    // The first row listing it, found through an index by mnemonic: this runs for every
    // new instruction, and searching every row's list costs a comparison call per entry
    // in a macro built without optimisation (cargo's default).
    static ROWS: RowIndex = RowIndex::new();
    let rows = ROWS.rows(code.mnemonic(), || REFUSED.iter().map(|(ms, _)| *ms));
    rows.first().map(|&row| REFUSED[usize::from(row)].1)
}
