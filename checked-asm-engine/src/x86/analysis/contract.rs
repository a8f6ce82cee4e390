//! The declared contract of one configured block on one target, in registers: which
//! containers hold inputs, which are outputs, which are clobbered (explicitly or by
//! `clobber_abi`), and the options. Class operands are represented by the register the
//! substitution chose for them.

use crate::syntax::{ConfiguredAsm, OptionSet, RegSpec};
use crate::x86::effects::{CallModel, Mode, TargetAbi, call_model, clobber_abi, container};
use crate::x86::substitute::{Representative, Substituted};
use iced_x86::Register;

/// One operand bound to a register container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bound {
    pub operand: usize,
    pub reg: Register,
    pub explicit: bool,
}

#[derive(Clone, Debug)]
pub struct Contract {
    pub options: OptionSet,
    pub mode: Mode,
    /// `in`, and the input half of `inout`/`inlateout`.
    pub inputs: Vec<Bound>,
    /// `out`, `lateout`, and the output half of `inout`/`inlateout`, `_` included.
    pub outputs: Vec<(Bound, bool)>,
    /// Containers written by `clobber_abi` (the lateouts rustc inserts).
    pub abi_clobbers: Vec<Register>,
    /// The call models of the ABIs named in `clobber_abi`.
    pub abis: Vec<(String, CallModel)>,
}

impl Contract {
    pub fn new(asm: &ConfiguredAsm, sub: &Substituted, mode: Mode, target: &TargetAbi) -> Contract {
        let mut inputs = Vec::new();
        let mut outputs = Vec::new();
        for (idx, op) in asm.operands.iter().enumerate() {
            let Some(reg) = operand_register(asm, sub, idx, mode) else {
                continue;
            };
            let explicit = op.kind.reg().is_some_and(RegSpec::is_explicit);
            let bound = Bound {
                operand: idx,
                reg,
                explicit,
            };
            if op.kind.is_input() {
                inputs.push(bound.clone());
            }
            if op.kind.is_output() {
                outputs.push((bound, op.kind.is_late()));
            }
        }
        let mut abis = Vec::new();
        let mut abi_clobbers = Vec::new();
        for (name, _) in &asm.clobber_abis {
            if let Some(abi) = clobber_abi(name, target) {
                let model = call_model(abi, target);
                for r in model.caller_saved() {
                    let c = container(r, mode);
                    if !abi_clobbers.contains(&c) {
                        abi_clobbers.push(c);
                    }
                }
                abis.push((name.clone(), model));
            }
        }
        // rustc lowers a clobber of any x87 or MMX register as all eight st registers
        // clobbered (contract-rules.md §1, "Operand names").
        let x87 = outputs.iter().any(|(b, _)| is_x87_or_mmx(b.reg))
            || abi_clobbers.iter().any(|r| is_x87_or_mmx(*r));
        if x87 {
            for r in x87_and_mmx() {
                if !abi_clobbers.contains(&r) {
                    abi_clobbers.push(r);
                }
            }
        }
        Contract {
            options: asm.options,
            mode,
            inputs,
            outputs,
            abi_clobbers,
            abis,
        }
    }

    /// Declared as an output or clobber: the block may leave any value there.
    pub fn may_change(&self, reg: Register) -> bool {
        self.outputs.iter().any(|(b, _)| b.reg == reg) || self.abi_clobbers.contains(&reg)
    }

    pub fn inputs_in(&self, reg: Register) -> impl Iterator<Item = &Bound> {
        self.inputs.iter().filter(move |b| b.reg == reg)
    }

    /// Whether all eight x87 registers are clobbered (the R15 policy).
    pub fn x87_clobbered(&self) -> bool {
        self.abi_clobbers.contains(&Register::ST0)
    }
}

fn is_x87_or_mmx(r: Register) -> bool {
    (Register::ST0..=Register::ST7).contains(&r) || (Register::MM0..=Register::MM7).contains(&r)
}

fn x87_and_mmx() -> impl Iterator<Item = Register> {
    Register::values().filter(|r| is_x87_or_mmx(*r))
}

/// The container holding operand `idx`: its explicit register, or the representative
/// the substitution chose for a class operand.
fn operand_register(
    asm: &ConfiguredAsm,
    sub: &Substituted,
    idx: usize,
    mode: Mode,
) -> Option<Register> {
    match asm.operands[idx].kind.reg()? {
        RegSpec::Explicit { name, .. } => register_by_name(name).map(|r| container(r, mode)),
        RegSpec::Class { .. } => sub
            .sites
            .iter()
            .find(|s| s.operand == idx)
            .and_then(|s| match &s.representative {
                Representative::Register(name) => {
                    register_by_name(name).map(|r| container(r, mode))
                }
                _ => None,
            }),
    }
}

/// An iced register from its assembler or rustc name (`eax`, `r8d`, `xmm3`, `st(1)`).
pub fn register_by_name(name: &str) -> Option<Register> {
    // The assembler's index, which build.rs writes sorted: every iced name in lower
    // case, `r8b`…`r15b` beside iced's `r8l`…, `st(0)`…`st(7)` and `st`.
    use crate::x86::asm::register_named;
    register_named(name).or_else(|| register_named(&name.to_ascii_lowercase()))
}

/// The name to write in an operand for `reg` (rustc accepts these spellings); a
/// clobber of `xmmN` clobbers all of `zmmN`, so vector registers below 16 use that name.
pub fn rustc_name(reg: Register) -> String {
    if reg.is_vector_register() && reg.number() < 16 {
        return format!("xmm{}", reg.number());
    }
    let name = format!("{reg:?}").to_ascii_lowercase();
    match name.strip_prefix("st") {
        Some(n) if n.len() == 1 => format!("st({n})"),
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(register_by_name("r8d"), Some(Register::R8D));
        assert_eq!(register_by_name("r11b"), Some(Register::R11L));
        assert_eq!(register_by_name("st(3)"), Some(Register::ST3));
        assert_eq!(register_by_name("XMM9"), Some(Register::XMM9));
        assert_eq!(register_by_name("st"), Some(Register::ST0));
        // iced's placeholders in its register numbering name no register.
        assert_eq!(register_by_name("dontuse0"), None);
        assert_eq!(rustc_name(Register::ST2), "st(2)");
        assert_eq!(rustc_name(Register::EDX), "edx");
    }
}
