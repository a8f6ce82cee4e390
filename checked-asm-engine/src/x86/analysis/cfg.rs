//! The control-flow graph of a block: one node per instruction (including instructions
//! decoded from `.byte` data), edges from iced's flow control and the assembler's branch
//! targets, exits (fall-through end, jumps to `label` operands) and divergent ends
//! (contract-rules.md §2, "Exits and divergence").

use crate::x86::asm::{BranchTarget, Program, StmtKind};
use crate::x86::effects::{Effects, Flow, Target, Unknown};
use crate::x86::effects::{Mode, container};
use crate::x86::substitute::Substituted;
use iced_x86::{Instruction, Mnemonic, OpKind, Register};

/// Where control goes after a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    Node(usize),
    /// The fall-through end of the template.
    FallThrough,
    /// A jump to `label` operand `operand`.
    Label(usize),
}

/// Why a node has no successor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// `ret`, `iret`, `ud2`, `sysret`, far/indirect `jmp`, VM entry…: not an exit.
    Divergent,
    /// A `jmp` to a `sym` operand or an absolute address: leaves the block for good.
    LeavesToSymbol,
}

#[derive(Clone, Debug)]
pub struct Node {
    /// Index of the statement in [`Program::stmts`].
    pub stmt: usize,
    pub instr: Instruction,
    pub effects: Effects,
    pub succ: Vec<Edge>,
    pub end: Option<End>,
    /// A `call` to code outside the block (not to a local label).
    pub opaque_call: bool,
    /// A `call` to a local label: pushes the return address and jumps.
    pub local_call: bool,
    /// The statement of a local label whose address this instruction takes as a value
    /// (`lea r, [rip + 2f]`, `push offset 2f`, `mov r, offset 2f`).
    pub label_ref: Option<usize>,
    /// Not an instruction: the re-entry of a suspended context at a local label
    /// (see `reentry.rs`).
    pub resume: Option<Resume>,
}

/// Where a context switch resumes the block: the label statement, and rsp there as an
/// offset from the entry rsp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resume {
    pub label: usize,
    pub rsp: i64,
}

#[derive(Clone, Debug)]
pub struct Graph {
    pub nodes: Vec<Node>,
    /// For each statement that is a label: the node it labels (`None` at the very end,
    /// where a jump to it is the fall-through exit).
    pub label_nodes: Vec<Option<usize>>,
}

impl Graph {
    /// Where control goes when it reaches label statement `label`.
    pub fn label_edge(&self, label: usize) -> Edge {
        self.label_nodes
            .get(label)
            .copied()
            .flatten()
            .map_or(Edge::FallThrough, Edge::Node)
    }
}

impl Node {
    /// The instruction loads the stack pointer as its destination operand (`mov rsp, r`,
    /// `and rsp, -16`, `xchg [m], rsp`), rather than moving it implicitly as `push`, `pop`
    /// or `call` do.
    pub fn writes_stack_pointer_explicitly(&self, mode: Mode) -> bool {
        let sp = container(Register::RSP, mode);
        let names_sp = |op: u32| {
            self.instr.op_kind(op) == OpKind::Register
                && container(self.instr.op_register(op), mode) == sp
        };
        let operands = if self.instr.mnemonic() == Mnemonic::Xchg {
            self.instr.op_count()
        } else {
            self.instr.op_count().min(1)
        };
        (0..operands).any(names_sp)
            && !matches!(self.instr.mnemonic(), Mnemonic::Push | Mnemonic::Pop)
            && self
                .effects
                .regs
                .iter()
                .any(|r| r.access.may_write() && container(r.reg, mode) == sp)
    }
}

impl Graph {
    /// Nodes reachable from the entry (node 0), in index order.
    pub fn reachable(&self) -> Vec<bool> {
        let mut seen = vec![false; self.nodes.len()];
        let mut work = if self.nodes.is_empty() {
            vec![]
        } else {
            vec![0]
        };
        while let Some(n) = work.pop() {
            if std::mem::replace(&mut seen[n], true) {
                continue;
            }
            for e in &self.nodes[n].succ {
                if let Edge::Node(m) = e {
                    work.push(*m);
                }
            }
        }
        seen
    }
}

/// Builds the graph; `effects_of` supplies each instruction's effects (or why they are
/// unknown, which stops the analysis: R21).
pub fn build(
    program: &Program,
    sub: &Substituted,
    mut effects_of: impl FnMut(&Instruction) -> Result<Effects, Unknown>,
) -> Result<Graph, (usize, Unknown)> {
    // (stmt, instruction, assembler branch target) for section 0, in order; labels map
    // to the next instruction.
    let mut flat: Vec<(usize, Instruction, Option<&BranchTarget>, Option<usize>)> =
        Vec::with_capacity(program.stmts.len());
    let mut label_node: Vec<Option<usize>> = vec![None; program.stmts.len()];
    let mut pending_labels: Vec<usize> = Vec::new();
    for (i, stmt) in program.stmts.iter().enumerate() {
        if stmt.section != 0 {
            continue;
        }
        match &stmt.kind {
            StmtKind::Label(_) => pending_labels.push(i),
            StmtKind::Instr(ins) => {
                for l in pending_labels.drain(..) {
                    label_node[l] = Some(flat.len());
                }
                // A local label used as a value rather than as a branch target.
                let label_ref = if ins.target.is_none() {
                    ins.symbol_refs.iter().find_map(|r| r.local_label)
                } else {
                    None
                };
                flat.push((i, ins.instruction, ins.target.as_ref(), label_ref));
            }
            StmtKind::Data(data) => {
                for l in pending_labels.drain(..) {
                    label_node[l] = Some(flat.len());
                }
                for d in &data.decoded {
                    flat.push((i, *d, None, None));
                }
            }
            _ => {}
        }
    }
    let label_operand = |name: &str| -> Option<usize> {
        sub.sites
            .iter()
            .find(|s| Substituted::label_name(s.operand) == name)
            .map(|s| s.operand)
    };
    let count = flat.len();
    let mut nodes = Vec::with_capacity(count);
    for (n, (stmt, instr, target, label_ref)) in flat.iter().enumerate() {
        let effects = effects_of(instr).map_err(|u| (*stmt, u))?;
        let next = if n + 1 < count {
            Edge::Node(n + 1)
        } else {
            Edge::FallThrough
        };
        let resolve = |t: Option<&BranchTarget>| -> Result<Edge, End> {
            match t {
                Some(BranchTarget::LocalLabel(l)) => Ok(label_node
                    .get(*l)
                    .copied()
                    .flatten()
                    .map_or(Edge::FallThrough, Edge::Node)),
                Some(BranchTarget::Symbol(name)) => label_operand(name)
                    .map(Edge::Label)
                    .ok_or(End::LeavesToSymbol),
                Some(BranchTarget::Absolute(_)) => Err(End::LeavesToSymbol),
                Some(BranchTarget::Indirect) | None => Err(End::Divergent),
            }
        };
        let mut node = Node {
            stmt: *stmt,
            instr: *instr,
            effects,
            succ: Vec::new(),
            end: None,
            opaque_call: false,
            local_call: false,
            label_ref: *label_ref,
            resume: None,
        };
        match node.effects.flow {
            Flow::Next | Flow::Halt | Flow::KernelTransfer => node.succ.push(next),
            Flow::Branch {
                target: Target::Near(_),
                conditional,
            } => {
                match resolve(*target) {
                    Ok(edge) => node.succ.push(edge),
                    Err(end) if !conditional => node.end = Some(end),
                    // A conditional branch out of the block to a symbol is a transfer we
                    // cannot follow; the fall-through path is still analysed.
                    Err(_) => {}
                }
                if conditional {
                    node.succ.push(next);
                }
            }
            Flow::Branch {
                conditional: true, ..
            } => node.succ.push(next),
            Flow::Branch { .. } => node.end = Some(End::Divergent),
            Flow::Call { .. } => match target {
                Some(BranchTarget::LocalLabel(_)) => {
                    node.local_call = true;
                    match resolve(*target) {
                        Ok(edge) => node.succ.push(edge),
                        Err(end) => node.end = Some(end),
                    }
                }
                _ => {
                    node.opaque_call = true;
                    node.succ.push(next);
                }
            },
            Flow::Return | Flow::Exception => node.end = Some(End::Divergent),
        }
        nodes.push(node);
    }
    Ok(Graph {
        nodes,
        label_nodes: label_node,
    })
}
