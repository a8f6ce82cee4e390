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
///
/// The set reaches its list through a function, not a reference: rustc validates every
/// value a static's initializer reaches, slowly for enum values of iced's size, and a
/// reference would have it walk the list again for each set (0.3 s of each build of
/// this crate for the two MXCSR sets, by `-Z self-profile`).
pub struct MnemonicSet {
    list: fn() -> &'static [Mnemonic],
    members: OnceLock<Vec<bool>>,
}

impl MnemonicSet {
    pub const fn new(list: fn() -> &'static [Mnemonic]) -> MnemonicSet {
        MnemonicSet {
            list,
            members: OnceLock::new(),
        }
    }

    pub fn contains(&self, m: Mnemonic) -> bool {
        let members = self.members.get_or_init(|| {
            let mut members = vec![false; Mnemonic::values().len()];
            for &m in (self.list)() {
                members[m as usize] = true;
            }
            members
        });
        members[m as usize]
    }
}

/// For each mnemonic, the rows of a table whose mnemonic lists hold it, in table order,
/// built on first use: a new instruction looks up its rows instead of scanning every
/// row's list (a few thousand instructions per table in a macro built without
/// optimisation).
pub struct RowIndex(OnceLock<Vec<Vec<u16>>>);

impl Default for RowIndex {
    fn default() -> RowIndex {
        RowIndex::new()
    }
}

impl RowIndex {
    pub const fn new() -> RowIndex {
        RowIndex(OnceLock::new())
    }

    /// The rows listing `m`; `lists` gives each row's mnemonics, in table order (the same
    /// every call).
    pub fn rows<I>(&self, m: Mnemonic, lists: impl FnOnce() -> I) -> &[u16]
    where
        I: IntoIterator<Item = &'static [Mnemonic]>,
    {
        let index = self.0.get_or_init(|| {
            let mut index = vec![Vec::new(); Mnemonic::values().len()];
            for (row, list) in lists().into_iter().enumerate() {
                let row = u16::try_from(row).expect("tables have fewer than 65,536 rows");
                for &m in list {
                    let rows: &mut Vec<u16> = &mut index[m as usize];
                    // A row lists a mnemonic once, however often it is written.
                    if rows.last() != Some(&row) {
                        rows.push(row);
                    }
                }
            }
            index
        });
        &index[m as usize]
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

#[cfg(test)]
mod tests {
    use super::RowIndex;
    use iced_x86::Mnemonic;

    /// For every mnemonic, each table's index (the one `apply` reads) gives the rows a
    /// scan of the table's lists finds, in order and once each; and so does an index of
    /// lists that name a mnemonic twice.
    #[test]
    fn row_indexes_find_what_a_scan_finds() {
        fn scan(lists: &[&[Mnemonic]], m: Mnemonic) -> Vec<u16> {
            (0..lists.len() as u16)
                .filter(|&row| lists[row as usize].contains(&m))
                .collect()
        }
        type Rows = fn(Mnemonic) -> &'static [u16];
        let tables: [(Rows, Vec<&'static [Mnemonic]>); 4] = [
            (
                super::system::write_rows,
                super::system::WRITES.iter().map(|(l, _)| *l).collect(),
            ),
            (
                super::memory_class::rule_rows,
                super::memory_class::RULES
                    .iter()
                    .map(|r| r.mnemonics)
                    .collect(),
            ),
            (
                super::purity::read_rows,
                super::purity::READS.iter().map(|(l, _)| *l).collect(),
            ),
            (
                super::purity::side_effect_rows,
                super::purity::SIDE_EFFECTS
                    .iter()
                    .map(|(l, _)| *l)
                    .collect(),
            ),
        ];
        for (rows, lists) in &tables {
            for m in Mnemonic::values() {
                assert_eq!(rows(m), scan(lists, m), "{m:?}");
            }
        }
        const TWICE: &[&[Mnemonic]] = &[
            &[Mnemonic::Cli, Mnemonic::Sti, Mnemonic::Cli],
            &[],
            &[Mnemonic::Sti],
        ];
        let index = RowIndex::new();
        for m in Mnemonic::values() {
            assert_eq!(
                index.rows(m, || TWICE.iter().copied()),
                scan(TWICE, m),
                "{m:?}"
            );
        }
    }
}
