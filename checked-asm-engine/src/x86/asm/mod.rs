//! The x86 template assembler: template text (placeholders already substituted) →
//! iced-x86 instructions, validated by encoding with iced's `Encoder` and decoding back.
//!
//! ```text
//! text --lexer--> statements --intel/att--> ParsedInstr --matcher--> candidate Codes
//!      --layout--> addresses, relaxed branches, bytes --> Program
//! ```
//!
//! LLVM's integrated assembler (what rustc uses) is the authority on what is accepted and
//! how it is spelled; `tests/llvm_differential.rs` compares us with `llvm-mc`.

mod att;
mod compare;
mod diagnose;
mod directive;
mod error;
mod expr;
mod intel;
pub(crate) mod kinds;
mod layout;
mod lexer;
mod matcher;
mod mnemonic;
pub(crate) mod op_code;
mod operand;
mod select;
mod statement;
mod table;

pub use compare::same_instruction;
pub use directive::DirectiveKind;
pub use error::AsmError;
pub use table::warm_up;

/// The register named `name` in the assembler's index (lower case, no `%`).
pub(crate) fn register_named(name: &str) -> Option<iced_x86::Register> {
    table::tables().register(name)
}

use std::ops::Range;

/// Template syntax: Intel (`.intel_syntax noprefix`, rustc's default) or AT&T.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Syntax {
    Intel,
    Att,
}

/// Processor mode the code is assembled for (`.code16/.code32/.code64` switch it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mode {
    Bits16,
    Bits32,
    Bits64,
}

impl Mode {
    pub fn bitness(self) -> u32 {
        match self {
            Mode::Bits16 => 16,
            Mode::Bits32 => 32,
            Mode::Bits64 => 64,
        }
    }
}

/// The assembled block, statement by statement in source order.
#[derive(Clone, Debug)]
pub struct Program {
    pub stmts: Vec<Stmt>,
}

impl Program {
    /// The instructions in source order.
    pub fn instructions(&self) -> impl Iterator<Item = &Instr> {
        self.stmts.iter().filter_map(|s| match &s.kind {
            StmtKind::Instr(i) => Some(i),
            _ => None,
        })
    }

    /// All bytes of the main (first) section, in layout order: instructions, data,
    /// alignment padding and dangling prefixes.
    pub fn text_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for s in &self.stmts {
            if s.section != 0 {
                continue;
            }
            match &s.kind {
                StmtKind::Instr(i) => out.extend_from_slice(&i.bytes),
                StmtKind::Data(d) => out.extend_from_slice(&d.bytes),
                StmtKind::Directive(Directive {
                    kind: DirectiveKind::Align { padding, .. },
                    ..
                }) => out.extend_from_slice(padding),
                StmtKind::Prefix(p) => out.extend_from_slice(&p.bytes),
                _ => {}
            }
        }
        out
    }
}

#[derive(Clone, Debug)]
pub struct Stmt {
    /// Byte range of the statement in the source.
    pub range: Range<usize>,
    /// Section the statement is in: 0 is the block's own (`.text`) section; each other
    /// section (`.pushsection .rodata`) gets its own number.
    pub section: usize,
    /// Address of the statement within its section (the block starts at 0).
    pub address: u64,
    pub kind: StmtKind,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    Label(LabelDef),
    Instr(Instr),
    Data(Data),
    Directive(Directive),
    /// Prefixes written on their own (`lock` at the end of a block, or `rep;` before an
    /// instruction, which LLVM accepts and emits as a prefix byte).
    Prefix(PrefixStmt),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelDef {
    pub name: String,
    /// `2:` style numeric local label (may repeat; `2b`/`2f` refer to the nearest one).
    pub numeric: bool,
}

#[derive(Clone, Debug)]
pub struct Instr {
    /// As decoded back from `bytes`, with its IP set from the block layout. Fields that a
    /// relocation fills in hold what the object file holds before linking: 0 on x86-64
    /// (RELA), the implicit addend on i386 (REL; `call foo` is E8 FC FF FF FF).
    pub instruction: iced_x86::Instruction,
    pub bytes: Vec<u8>,
    pub mode: Mode,
    pub target: Option<BranchTarget>,
    pub symbol_refs: Vec<SymbolRef>,
    /// Byte range in the source of each operand as written, in Intel operand order.
    pub operand_ranges: Vec<Range<usize>>,
    /// Prefixes as written (`lock`, `rep`, `data16`, ...), including a preceding
    /// prefix-only statement that applies to this instruction.
    pub prefixes_written: Vec<String>,
}

/// Where a near branch or call goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BranchTarget {
    /// Statement index of the label definition.
    LocalLabel(usize),
    Symbol(String),
    Absolute(u64),
    /// Through a register or memory.
    Indirect,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SymbolRef {
    pub name: String,
    /// Relocation specifier (`GOTPCREL`, `PLT`, `tpoff`, ...).
    pub reloc: Option<String>,
    pub rip_relative: bool,
    /// The symbol is a label of this block (statement index of its definition).
    pub local_label: Option<usize>,
    /// The reference is an immediate (`offset sym`, `$sym`), not a memory operand.
    pub immediate: bool,
    /// The constant added to the symbol (`sym + 8`).
    pub addend: i64,
}

#[derive(Clone, Debug)]
pub struct Data {
    pub directive: String,
    pub bytes: Vec<u8>,
    pub mode: Mode,
    /// Instructions iced decodes from `bytes` (from the start, stopping at the first byte
    /// sequence that is not a valid instruction).
    pub decoded: Vec<iced_x86::Instruction>,
    pub symbol_refs: Vec<SymbolRef>,
}

#[derive(Clone, Debug)]
pub struct Directive {
    pub name: String,
    pub kind: DirectiveKind,
}

#[derive(Clone, Debug)]
pub struct PrefixStmt {
    pub prefixes: Vec<String>,
    /// Statement index of the instruction it applies to; `None` when nothing follows.
    pub applies_to: Option<usize>,
    /// Bytes emitted for it (empty when it was folded into the next instruction).
    pub bytes: Vec<u8>,
}

/// Assembles `src` (placeholders already substituted) in `syntax` and `mode`.
pub fn assemble(src: &str, syntax: Syntax, mode: Mode) -> Result<Program, Vec<AsmError>> {
    let parsed = statement::parse_all(src, syntax, mode)?;
    layout::lay_out(src, parsed)
}
