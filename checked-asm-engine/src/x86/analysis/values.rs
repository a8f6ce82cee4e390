//! Value tracking: an abstract interpretation of the block over symbolic values, run to
//! a fixpoint on the CFG. Each register container, the status flags, DF, MXCSR, the
//! stack pointer (as an offset from its entry value) and the block's scratch stack slots
//! hold a [`Val`]. A write undone before an exit (`push x … pop x`, `xchg` twice,
//! `pushf … popf`, `stmxcsr [m] … ldmxcsr [m]`) leaves the entry value, which is what
//! R01, R02, R05(a), R09, R10 and R11 compare against (contract-rules.md §2, "Value
//! tracking").

use super::cfg::{Edge, Graph, Node};
use super::contract::Contract;
use super::sets::{RegSet, VecMap, VecSet, Writers};
use crate::x86::effects::{CallModel, Flags, Mode, TagEffect, container};
use iced_x86::{Instruction, Mnemonic, OpKind, Register};
use std::borrow::Cow;

/// A symbolic value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Val {
    /// The value the container held at entry.
    Entry(Register),
    /// The status flags and DF as they were at entry.
    EntryFlags,
    /// MXCSR as it was at entry.
    EntryMxcsr,
    /// MXCSR with its entry control fields (RC, FZ, DAZ, masks) and changed flags.
    EntryMxcsrControl,
    /// The entry stack pointer plus an offset: a register holding a stack address.
    StackAddr(i64),
    /// A value computed by node `.0` (one number per node and slot).
    Fresh(u32, u16),
    /// The address of the local label at this statement (`lea r, [rip + 2f]`).
    LabelAddr(usize),
    /// Differs between paths, or unknown.
    Merged,
}

/// The direction flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Df {
    /// Clear, as the ABI guarantees at entry.
    Clear,
    Set,
    /// Loaded from a value not known to have bit 10 clear (`popf`), or merged.
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    regs: VecMap<Register, Val>,
    pub flags: Val,
    /// Status flags that may hold an undefined value here: all of them at entry, and
    /// those an instruction leaves undefined (R03).
    pub undefined_flags: Flags,
    pub df: Df,
    /// MXCSR exception flags (R10): `EntryMxcsr` or changed.
    pub mxcsr_flags: Val,
    /// MXCSR control fields (R15): `EntryMxcsr` or changed.
    pub mxcsr_control: Val,
    /// The stack pointer as an offset from its entry value; `None` when unknown.
    pub rsp: Option<i64>,
    /// rsp was loaded from a value not derived from the entry rsp (a switched stack).
    pub switched: bool,
    /// The scratch stack below the entry rsp: offset → (size, value).
    slots: VecMap<i64, (u32, Val)>,
    /// MMX state pending (an MMX instruction since the last `emms`).
    pub mmx_dirty: bool,
    /// Nodes whose last results may be undefined values (R03): they read an `out`
    /// register before it was written, or a register no input provides.
    pub tainted: VecSet,
    /// Containers holding a merged value that may be undefined on some path.
    merged_undef: RegSet,
    /// Containers whose entry value is defined: inputs, the stack and frame pointers.
    defined_entries: RegSet,
    /// Containers written on every path here (R18).
    pub written: RegSet,
    /// Where the writes of each container came from (for messages).
    pub writers: Writers,
}

impl State {
    pub fn entry() -> State {
        State {
            regs: VecMap::new(),
            flags: Val::EntryFlags,
            undefined_flags: Flags::STATUS,
            df: Df::Clear,
            mxcsr_flags: Val::EntryMxcsr,
            mxcsr_control: Val::EntryMxcsr,
            rsp: Some(0),
            switched: false,
            slots: VecMap::new(),
            mmx_dirty: false,
            tainted: VecSet::new(),
            merged_undef: RegSet::new(),
            defined_entries: RegSet::new(),
            written: RegSet::new(),
            writers: Writers::new(),
        }
    }

    /// Whether the value `v` (held in `reg`, for merged values) may be undefined.
    pub fn is_undef_val(&self, v: Val, reg: Register) -> bool {
        match v {
            Val::Entry(x) => {
                (x.is_gpr() || x.is_vector_register() || x.is_k())
                    && !self.defined_entries.contains(&x)
            }
            Val::Fresh(n, _) => self.tainted.contains(&n),
            Val::Merged => self.merged_undef.contains(&reg),
            _ => false,
        }
    }

    /// Whether the container may hold an undefined value here.
    pub fn is_undef(&self, reg: Register) -> bool {
        self.is_undef_val(self.get(reg), reg)
    }

    pub fn get(&self, reg: Register) -> Val {
        self.regs.get(&reg).copied().unwrap_or(Val::Entry(reg))
    }

    fn set(&mut self, reg: Register, val: Val, writer: u32) {
        if val != Val::Merged {
            self.written.insert(reg);
        }
        if val == Val::Entry(reg) {
            self.regs.remove(&reg);
        } else {
            self.regs.insert(reg, val);
        }
        self.writers.add(reg, writer);
    }

    /// The value in the stack slot at `offset` from the entry rsp, when known.
    pub fn slot(&self, offset: i64) -> Option<Val> {
        self.slots.get(&offset).map(|(_, v)| *v)
    }

    /// Containers whose value may differ from their entry value.
    pub fn changed(&self) -> impl Iterator<Item = (Register, Val)> + '_ {
        self.regs.iter().map(|(r, v)| (*r, *v))
    }

    pub fn join(&self, other: &State) -> State {
        let mut regs = VecMap::new();
        let mut merged_undef = RegSet::new();
        for r in self.regs.keys().chain(other.regs.keys()) {
            let (a, b) = (self.get(*r), other.get(*r));
            if a != b && (self.is_undef_val(a, *r) || other.is_undef_val(b, *r)) {
                merged_undef.insert(*r);
            }
            regs.insert(*r, if a == b { a } else { Val::Merged });
        }
        let mut slots = VecMap::new();
        for (k, a) in &self.slots {
            if other.slots.get(k) == Some(a) {
                slots.insert(*k, *a);
            }
        }
        let writers = self.writers.union(&other.writers);
        State {
            regs,
            flags: if self.flags == other.flags {
                self.flags
            } else {
                Val::Merged
            },
            undefined_flags: self.undefined_flags | other.undefined_flags,
            df: if self.df == other.df {
                self.df
            } else {
                Df::Unknown
            },
            mxcsr_flags: if self.mxcsr_flags == other.mxcsr_flags {
                self.mxcsr_flags
            } else {
                Val::Merged
            },
            mxcsr_control: if self.mxcsr_control == other.mxcsr_control {
                self.mxcsr_control
            } else {
                Val::Merged
            },
            rsp: if self.rsp == other.rsp {
                self.rsp
            } else {
                None
            },
            switched: self.switched || other.switched,
            slots,
            mmx_dirty: self.mmx_dirty || other.mmx_dirty,
            written: self.written.intersection(&other.written),
            tainted: self.tainted.union(&other.tainted),
            merged_undef,
            defined_entries: self.defined_entries,
            writers,
        }
    }
}

/// The result of the fixpoint: the state before each reachable node, and the state at
/// each exit edge.
#[derive(Clone, Debug)]
pub struct Flow {
    pub before: Vec<Option<State>>,
    /// (node, label statement): a `ret`/`retf` popping, or a `jmp` through a register
    /// holding, the address of a local label: a jump to that label.
    pub label_jumps: Vec<(usize, usize)>,
    /// (node, edge, state after the node) for every edge that leaves the block.
    pub exits: Vec<(usize, Edge, State)>,
}

/// Runs the value analysis. `call_model` is the ABI an opaque `call` follows; `seeds`
/// are states entering the block somewhere else than at its start (the suspended
/// context at a re-entry node, `reentry.rs`).
pub fn analyse(
    graph: &Graph,
    contract: &Contract,
    call_model: &CallModel,
    seeds: &[(usize, State)],
) -> Flow {
    let n = graph.nodes.len();
    let mut before: Vec<Option<State>> = vec![None; n];
    let mut work: Vec<usize> = Vec::new();
    for (node, state) in seeds {
        before[*node] = Some(state.clone());
        work.push(*node);
    }
    if n > 0 {
        let mut entry = State::entry();
        entry.defined_entries = contract.inputs.iter().map(|b| b.reg).collect();
        // The stack and frame pointers hold real values (the frame pointer for stack
        // walkers), not garbage.
        entry
            .defined_entries
            .insert(container(Register::RSP, contract.mode));
        entry
            .defined_entries
            .insert(container(Register::RBP, contract.mode));
        before[0] = Some(entry);
        work.push(0);
    }
    // Every loop stabilises: values are per-node numbers or Merged, offsets that keep
    // changing become unknown after a bounded number of visits.
    let mut visits = vec![0u32; n];
    // The state after each node's last step. A node is queued again whenever its state
    // before changes, so at the fixpoint its last step saw its final state: the exits
    // below reuse it instead of stepping every node once more.
    // Only nodes with an exit edge keep it; the others hand it to their successors, the
    // last of which takes it rather than a copy when it has no state yet (a straight
    // run of instructions clones one state per step, not two).
    let mut afters: Vec<Option<State>> = vec![None; n];
    while let Some(i) = work.pop() {
        visits[i] += 1;
        // Queued nodes have a state; `step` reads it, so it is not cloned first.
        let Some(state) = before[i].as_ref() else {
            continue;
        };
        let after = step(state, &graph.nodes[i], i as u32, contract, call_model);
        let succ = &graph.nodes[i].succ;
        let exits_here = succ.iter().any(|e| !matches!(e, Edge::Node(_)));
        let mut targets = succ.iter().filter_map(|e| match *e {
            Edge::Node(j) => Some(j),
            _ => None,
        });
        let last = if exits_here {
            None
        } else {
            targets.next_back()
        };
        for j in targets {
            merge_into(&mut before, &mut work, &visits, j, Cow::Borrowed(&after));
        }
        match last {
            Some(j) => merge_into(&mut before, &mut work, &visits, j, Cow::Owned(after)),
            None if exits_here => afters[i] = Some(after),
            None => {}
        }
    }
    let mut exits = Vec::new();
    for (i, node) in graph.nodes.iter().enumerate() {
        let Some(after) = afters[i].take() else {
            continue;
        };
        let mut edges = node.succ.iter().filter(|e| !matches!(e, Edge::Node(_)));
        let Some(mut edge) = edges.next() else {
            continue;
        };
        // Every exit edge but the last gets a copy; the last takes the state.
        for next in edges {
            exits.push((i, *edge, after.clone()));
            edge = next;
        }
        exits.push((i, *edge, after));
    }
    let mut label_jumps = Vec::new();
    for (i, node) in graph.nodes.iter().enumerate() {
        let Some(state) = &before[i] else { continue };
        let target = match node.instr.mnemonic() {
            Mnemonic::Ret | Mnemonic::Retf => {
                state.rsp.and_then(|d| state.slots.get(&d)).map(|(_, v)| *v)
            }
            Mnemonic::Jmp if node.instr.op0_kind() == OpKind::Register => {
                Some(state.get(container(node.instr.op0_register(), contract.mode)))
            }
            _ => None,
        };
        if let Some(Val::LabelAddr(l)) = target {
            label_jumps.push((i, l));
        }
    }
    Flow {
        before,
        label_jumps,
        exits,
    }
}

/// Merges `incoming`, the state along an edge into node `j`, into `j`'s state before,
/// and queues `j` when that changed. A loop's stack offset that keeps changing becomes
/// unknown after 8 visits.
fn merge_into(
    before: &mut [Option<State>],
    work: &mut Vec<usize>,
    visits: &[u32],
    j: usize,
    incoming: Cow<'_, State>,
) {
    let merged = match &before[j] {
        None => incoming.into_owned(),
        Some(old) => {
            let mut m = old.join(&incoming);
            if visits[j] > 8 {
                m.rsp = if m.rsp == old.rsp { m.rsp } else { None };
            }
            m
        }
    };
    if before[j].as_ref() != Some(&merged) {
        before[j] = Some(merged);
        work.push(j);
    }
}

pub fn stack_width(mode: Mode) -> i64 {
    match mode {
        Mode::Bits64 => 8,
        Mode::Bits32 => 4,
        Mode::Bits16 => 2,
    }
}

fn sp(mode: Mode) -> Register {
    container(Register::RSP, mode)
}

/// A register operand that names its whole container (`rax` in 64-bit mode, `eax` in
/// 32-bit mode): copying it copies the value exactly.
fn full_reg(instr: &Instruction, op: u32, mode: Mode) -> Option<Register> {
    (instr.op_kind(op) == OpKind::Register)
        .then(|| instr.op_register(op))
        .filter(|r| r.is_gpr() && container(*r, mode) == *r)
}

/// `[rsp + disp]` (no index) while the stack pointer offset is known: the offset from
/// the entry rsp.
pub fn stack_slot(state: &State, instr: &Instruction, mode: Mode) -> Option<i64> {
    let op = (0..instr.op_count()).find(|&o| instr.op_kind(o) == OpKind::Memory)?;
    let _ = op;
    if instr.memory_index() != Register::None {
        return None;
    }
    let base = instr.memory_base();
    let disp = instr.memory_displacement64() as i64;
    if base == sp(mode) {
        return state.rsp.map(|d| d + disp);
    }
    match state.get(container(base, mode)) {
        Val::StackAddr(d) if base.is_gpr() => Some(d + disp),
        _ => None,
    }
}

/// The state after `node` runs in `state`.
pub fn after(
    state: &State,
    node: &Node,
    id: usize,
    contract: &Contract,
    call_model: &CallModel,
) -> State {
    step(state, node, id as u32, contract, call_model)
}

fn step(state: &State, node: &Node, id: u32, contract: &Contract, call_model: &CallModel) -> State {
    let mode = contract.mode;
    let mut s = state.clone();
    if let Some(resume) = node.resume {
        // Back on the block's own stack, as the resuming code left it; its slots below
        // the re-entry rsp are gone. The registers, flags and MXCSR flags are the other
        // context's (the node's effects write them all); it left MMX state clean, as the
        // ABI requires at every call boundary.
        s.rsp = Some(resume.rsp);
        s.switched = false;
        s.slots.retain(|k, _| *k >= resume.rsp);
        s.mmx_dirty = false;
    }
    if reads_undefined(state, node, mode).is_some() {
        s.tainted.insert(id);
    } else {
        s.tainted.remove(&id);
    }
    let instr = &node.instr;
    let w = stack_width(mode);
    let spr = sp(mode);
    let mut handled_regs: Vec<Register> = Vec::new();
    let mut handled_stack = false;
    let mut handled_mxcsr = false;

    match instr.mnemonic() {
        Mnemonic::Mov | Mnemonic::Xchg if instr.op_count() == 2 => {
            let (a, b) = (full_reg(instr, 0, mode), full_reg(instr, 1, mode));
            let is_xchg = instr.mnemonic() == Mnemonic::Xchg;
            if is_xchg
                && instr.op_kind(0) == OpKind::Register
                && instr.op_register(0) == instr.op_register(1)
            {
                // `xchg bx, bx` changes nothing (the Bochs breakpoint idiom).
                handled_regs.push(container(instr.op_register(0), mode));
            } else if let (Some(a), Some(b)) = (a, b) {
                let value_of = |s: &State, r: Register| {
                    if r == spr {
                        s.rsp.map_or(Val::Fresh(id, 1), Val::StackAddr)
                    } else {
                        s.get(r)
                    }
                };
                let (va, vb) = (value_of(&s, a), value_of(&s, b));
                if a == spr {
                    set_rsp_from(&mut s, vb);
                } else {
                    s.set(a, vb, id);
                }
                if is_xchg {
                    if b == spr {
                        set_rsp_from(&mut s, va);
                    } else {
                        s.set(b, va, id);
                    }
                }
                handled_regs.extend([a, b]);
            } else if let Some(a) = a
                && instr.op_kind(1) == OpKind::Memory
                && !is_xchg
                && let Some(off) = stack_slot(&s, instr, mode)
            {
                let v = s
                    .slots
                    .get(&off)
                    .filter(|(size, _)| *size as i64 == w)
                    .map(|(_, v)| *v);
                s.set(a, v.unwrap_or(Val::Fresh(id, 0)), id);
                handled_regs.push(a);
            } else if let Some(b) = b
                && instr.op_kind(0) == OpKind::Memory
                && !is_xchg
                && let Some(off) = stack_slot(&s, instr, mode)
            {
                let v = if b == spr {
                    s.rsp.map_or(Val::Fresh(id, 1), Val::StackAddr)
                } else {
                    s.get(b)
                };
                store_slot(&mut s, off, w as u32, v);
                handled_stack = true;
            }
        }
        Mnemonic::Lea | Mnemonic::Mov
            if node.label_ref.is_some() && full_reg(instr, 0, mode).is_some() =>
        {
            let a = full_reg(instr, 0, mode).expect("checked");
            s.set(a, Val::LabelAddr(node.label_ref.expect("checked")), id);
            handled_regs.push(a);
        }
        Mnemonic::Lea => {
            if let Some(a) = full_reg(instr, 0, mode)
                && instr.memory_index() == Register::None
            {
                let base = instr.memory_base();
                let disp = instr.memory_displacement64() as i64;
                let v = if base == spr {
                    s.rsp.map(|d| Val::StackAddr(d + disp))
                } else {
                    match s.get(container(base, mode)) {
                        Val::StackAddr(d) if base.is_gpr() => Some(Val::StackAddr(d + disp)),
                        _ => None,
                    }
                };
                if let Some(v) = v {
                    s.set(a, v, id);
                    handled_regs.push(a);
                }
            }
        }
        Mnemonic::Push if instr.op_count() == 1 => {
            let v = match (full_reg(instr, 0, mode), node.label_ref) {
                (Some(r), _) if r == spr => s.rsp.map_or(Val::Fresh(id, 1), Val::StackAddr),
                (Some(r), _) => s.get(r),
                (None, Some(l)) => Val::LabelAddr(l),
                (None, None) => Val::Fresh(id, 1),
            };
            let size = instr.stack_pointer_increment().unsigned_abs();
            s.rsp = s.rsp.map(|d| d - i64::from(size));
            if let Some(d) = s.rsp {
                store_slot(&mut s, d, size, v);
            }
            handled_stack = true;
        }
        Mnemonic::Pushf | Mnemonic::Pushfd | Mnemonic::Pushfq => {
            let v = if s.flags == Val::EntryFlags && s.df == Df::Clear {
                Val::EntryFlags
            } else {
                Val::Fresh(id, 2)
            };
            let size = instr.stack_pointer_increment().unsigned_abs();
            s.rsp = s.rsp.map(|d| d - i64::from(size));
            if let Some(d) = s.rsp {
                store_slot(&mut s, d, size, v);
            }
            handled_stack = true;
        }
        Mnemonic::Pop if instr.op_count() == 1 => {
            let size = instr.stack_pointer_increment().unsigned_abs();
            let v = s.rsp.and_then(|d| {
                s.slots
                    .get(&d)
                    .filter(|(sz, _)| *sz == size)
                    .map(|(_, v)| *v)
            });
            s.rsp = s.rsp.map(|d| d + i64::from(size));
            if let Some(r) = full_reg(instr, 0, mode) {
                if r == spr {
                    set_rsp_from(&mut s, v.unwrap_or(Val::Merged));
                } else {
                    s.set(r, v.unwrap_or(Val::Fresh(id, 0)), id);
                }
                handled_regs.push(r);
            }
            handled_stack = true;
        }
        Mnemonic::Popf | Mnemonic::Popfd | Mnemonic::Popfq => {
            let size = instr.stack_pointer_increment().unsigned_abs();
            let v = s.rsp.and_then(|d| s.slots.get(&d).map(|(_, v)| *v));
            s.rsp = s.rsp.map(|d| d + i64::from(size));
            s.undefined_flags = Flags::NONE;
            match v {
                Some(Val::EntryFlags) => {
                    s.flags = Val::EntryFlags;
                    s.df = Df::Clear;
                }
                _ => {
                    s.flags = Val::Fresh(id, 2);
                    s.df = Df::Unknown;
                }
            }
            handled_stack = true;
            let handled = Handled {
                regs: &handled_regs,
                stack: handled_stack,
                flags: true,
                mxcsr: false,
            };
            return finish_generic(s, node, id, contract, call_model, handled);
        }
        Mnemonic::Add | Mnemonic::Sub
            if instr.op_kind(0) == OpKind::Register
                && instr.op_register(0) == spr
                && is_immediate(instr.op_kind(1)) =>
        {
            let imm = instr.immediate(1) as i64;
            let imm = if instr.mnemonic() == Mnemonic::Sub {
                -imm
            } else {
                imm
            };
            s.rsp = s.rsp.map(|d| d + imm);
            handled_regs.push(spr);
            // The effect model's stack delta is this same adjustment.
            handled_stack = true;
        }
        Mnemonic::Leave => {
            let bp = container(Register::RBP, mode);
            let saved = s.get(bp);
            set_rsp_from(&mut s, saved);
            let v = s.rsp.and_then(|d| s.slots.get(&d).map(|(_, v)| *v));
            s.rsp = s.rsp.map(|d| d + w);
            s.set(bp, v.unwrap_or(Val::Fresh(id, 0)), id);
            handled_regs.extend([bp, spr]);
            handled_stack = true;
        }
        Mnemonic::Stmxcsr => {
            if let Some(off) = stack_slot(&s, instr, mode) {
                let v = match (s.mxcsr_control, s.mxcsr_flags) {
                    (Val::EntryMxcsr, Val::EntryMxcsr) => Val::EntryMxcsr,
                    (Val::EntryMxcsr, _) => Val::EntryMxcsrControl,
                    _ => Val::Fresh(id, 3),
                };
                store_slot(&mut s, off, 4, v);
                handled_stack = true;
            }
        }
        Mnemonic::Ldmxcsr => {
            let v = stack_slot(&s, instr, mode).and_then(|off| s.slots.get(&off).map(|(_, v)| *v));
            (s.mxcsr_control, s.mxcsr_flags) = match v {
                Some(Val::EntryMxcsr) => (Val::EntryMxcsr, Val::EntryMxcsr),
                Some(Val::EntryMxcsrControl) => (Val::EntryMxcsr, Val::Fresh(id, 3)),
                _ => (Val::Fresh(id, 3), Val::Fresh(id, 3)),
            };
            handled_mxcsr = true;
        }
        _ => {}
    }
    let handled = Handled {
        regs: &handled_regs,
        stack: handled_stack,
        flags: false,
        mxcsr: handled_mxcsr,
    };
    finish_generic(s, node, id, contract, call_model, handled)
}

/// What a special case already applied, so the generic effects skip it.
struct Handled<'a> {
    regs: &'a [Register],
    stack: bool,
    flags: bool,
    mxcsr: bool,
}

/// The first register the node reads (on every execution) that may hold an undefined
/// value, unless the instruction only copies values around (`mov`, `xchg`, `push`,
/// `pop`: their results carry the definedness of their sources) or is a zeroing idiom
/// (`xor eax, eax`). Conditional reads (`cpuid` ecx for most leaves) do not count.
pub fn reads_undefined(state: &State, node: &Node, mode: Mode) -> Option<Register> {
    use Mnemonic::*;
    let instr = &node.instr;
    let full_copy = matches!(instr.mnemonic(), Mov | Xchg)
        && full_reg(instr, 0, mode).is_some()
        && full_reg(instr, 1, mode).is_some();
    if full_copy
        || matches!(
            instr.mnemonic(),
            Push | Pop | Pushf | Pushfd | Pushfq | Popf | Popfd | Popfq
        )
    {
        return None;
    }
    let same_sources = instr.op_count() >= 2
        && (0..instr.op_count()).all(|i| instr.op_kind(i) == OpKind::Register)
        && (1..instr.op_count())
            .all(|i| instr.op_register(i) == instr.op_register(instr.op_count() - 1))
        && (instr.op_count() == 2 && instr.op_register(0) == instr.op_register(1)
            || instr.op_count() == 3);
    if same_sources
        && matches!(
            instr.mnemonic(),
            Xor | Sub
                | Sbb
                | Pxor
                | Xorps
                | Xorpd
                | Vpxor
                | Vpxord
                | Vpxorq
                | Vxorps
                | Vxorpd
                | Psubb
                | Psubw
                | Psubd
                | Psubq
                | Pcmpeqb
                | Pcmpeqw
                | Pcmpeqd
                | Vpcmpeqb
                | Vpcmpeqw
                | Vpcmpeqd
        )
        && instr.mnemonic() != Sbb
    {
        return None;
    }
    node.effects
        .regs
        .iter()
        .filter(|r| r.access.always_reads())
        .map(|r| container(r.reg, mode))
        .find(|c| *c != container(Register::RSP, mode) && state.is_undef(*c))
}

fn is_immediate(k: OpKind) -> bool {
    matches!(
        k,
        OpKind::Immediate8
            | OpKind::Immediate8to16
            | OpKind::Immediate8to32
            | OpKind::Immediate8to64
            | OpKind::Immediate16
            | OpKind::Immediate32
            | OpKind::Immediate32to64
            | OpKind::Immediate64
    )
}

fn set_rsp_from(s: &mut State, v: Val) {
    match v {
        Val::StackAddr(d) => s.rsp = Some(d),
        Val::Merged => s.rsp = None,
        _ => {
            s.rsp = None;
            s.switched = true;
        }
    }
}

fn store_slot(s: &mut State, off: i64, size: u32, v: Val) {
    // Drop every slot the store overlaps, then record it.
    let end = off + i64::from(size);
    s.slots
        .retain(|k, (sz, _)| *k + i64::from(*sz) <= off || *k >= end);
    if off < 0 {
        s.slots.insert(off, (size, v));
    }
}

/// The effects the special cases did not cover: register writes, flags, MXCSR, x87/MMX,
/// stack delta, and the callee of an opaque call.
fn finish_generic(
    mut s: State,
    node: &Node,
    id: u32,
    contract: &Contract,
    call_model: &CallModel,
    handled: Handled,
) -> State {
    let Handled {
        regs: handled_regs,
        stack: handled_stack,
        flags: handled_flags,
        mxcsr: handled_mxcsr,
    } = handled;
    let mode = contract.mode;
    let fx = &node.effects;
    let spr = sp(mode);
    for (slot, ra) in fx.regs.iter().enumerate() {
        if !ra.access.may_write() {
            continue;
        }
        let c = container(ra.reg, mode);
        if handled_regs.contains(&c) {
            continue;
        }
        if c == spr {
            // Implicit rsp changes are the stack delta; an explicit write loads rsp.
            let explicit = node.writes_stack_pointer_explicitly(mode);
            if explicit {
                // `and rsp, -16` aligns: still derived from the entry rsp, offset unknown.
                if node.instr.mnemonic() == Mnemonic::And {
                    s.rsp = None;
                } else {
                    s.rsp = None;
                    s.switched = true;
                }
            }
            continue;
        }
        let v = if ra.access.always_writes() {
            Val::Fresh(id, slot as u16 + 16)
        } else if s.get(c) == Val::Fresh(id, slot as u16 + 16) {
            s.get(c)
        } else {
            Val::Merged
        };
        s.set(c, v, id);
    }
    if node.opaque_call {
        // The callee pops its return address, and may overwrite anything below rsp.
        if let Some(d) = s.rsp {
            s.slots.retain(|k, _| *k >= d);
        }
    } else if !handled_stack {
        match fx.stack.delta {
            Some(0) => {}
            Some(delta) => {
                s.rsp = s.rsp.map(|d| d + i64::from(delta));
                if fx.stack.writes
                    && let Some(d) = s.rsp
                {
                    store_slot(&mut s, d, delta.unsigned_abs(), Val::Fresh(id, 4));
                }
            }
            // rsp loaded from somewhere the effect model cannot relate to its old value
            // (`iretq`, `leave` handled above, `pop rsp`).
            None => s.rsp = None,
        }
    }
    if !handled_flags {
        let modified = fx.flags.modified();
        if modified.intersects(Flags::STATUS) {
            s.flags = Val::Fresh(id, 2);
        }
        let defined = fx.flags.written | fx.flags.cleared | fx.flags.set;
        s.undefined_flags =
            Flags((s.undefined_flags.0 & !defined.0) | (fx.flags.undefined.0 & Flags::STATUS.0));
        if fx.flags.cleared.contains(Flags::DF) {
            s.df = Df::Clear;
        } else if fx.flags.set.contains(Flags::DF) {
            s.df = Df::Set;
        } else if (fx.flags.written | fx.flags.undefined).contains(Flags::DF) {
            s.df = Df::Unknown;
        }
    }
    if !handled_mxcsr {
        if fx.mxcsr.sets_exception_flags {
            s.mxcsr_flags = Val::Fresh(id, 3);
        }
        if fx.mxcsr.written {
            s.mxcsr_flags = Val::Fresh(id, 3);
            s.mxcsr_control = Val::Fresh(id, 3);
        }
    }
    match fx.x87.tags {
        TagEffect::AllValid => s.mmx_dirty = true,
        TagEffect::AllEmpty => s.mmx_dirty = false,
        _ => {}
    }
    if node.opaque_call {
        for r in call_model.caller_saved() {
            let c = container(r, mode);
            s.set(c, Val::Fresh(id, 5), id);
        }
        s.flags = Val::Fresh(id, 2);
        s.undefined_flags = Flags::STATUS;
        s.mxcsr_flags = Val::Fresh(id, 3);
        // The callee returns: its own push/pop of the return address balance.
    }
    let _ = contract;
    s
}
