//! The plain data of the effect model. Everything here can be built by hand in a test.

use super::flags::FlagEffects;
pub use super::memory::*;
use super::regs::RegAccess;
pub use super::target::*;
use iced_x86::{Code, Register};

/// Everything one instruction does, as far as the contract checks are concerned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Effects {
    /// Register reads and writes, explicit and implicit, with iced's register names
    /// (writes of a 32-bit GPR in 64-bit mode are reported on the 64-bit register, VEX/EVEX
    /// writes of xmm/ymm on the zmm register: both define the whole container).
    pub regs: Vec<RegAccess>,
    /// Status flags, DF and system flags.
    pub flags: FlagEffects,
    pub mxcsr: MxcsrEffects,
    pub x87: X87Effects,
    /// Memory effects with their class (M1–M5). Implicit stack accesses of push/pop/call/
    /// ret are in [`Effects::stack`], not here.
    pub memory: Vec<MemEffect>,
    pub stack: StackEffect,
    pub flow: Flow,
    /// Machine state that is not a declarable register and that the outputs may depend on
    /// (R12: reading it makes a block impure).
    pub reads_state: Vec<State>,
    /// Machine state that is not a declarable register and that the instruction changes
    /// (R12 side effects; no restore obligation).
    pub writes_state: Vec<State>,
    /// Side effects that are not state writes.
    pub side_effects: Vec<SideEffect>,
    /// `Some` when the instruction is modelled conservatively rather than precisely.
    pub category: Option<Category>,
    /// Notes from the kernel-ABI table (e.g. `int 0x80` on x86_64 truncates pointers).
    pub kernel_note: Option<super::tables::kernel::KernelNote>,
}

impl Effects {
    /// Whether some memory effect has class `class`.
    pub fn has_memory_class(&self, class: MemClass) -> bool {
        self.memory.iter().any(|m| m.class == class)
    }

    /// Registers this instruction may write (any write kind), as named by iced.
    pub fn written_registers(&self) -> impl Iterator<Item = Register> + '_ {
        self.regs
            .iter()
            .filter(|r| r.access.may_write())
            .map(|r| r.reg)
    }

    /// Registers this instruction may read, as named by iced.
    pub fn read_registers(&self) -> impl Iterator<Item = Register> + '_ {
        self.regs
            .iter()
            .filter(|r| r.access.may_read())
            .map(|r| r.reg)
    }

    /// Whether the instruction may write `reg` or any register sharing its container
    /// (`eax` and `rax`, `xmm0` and `zmm0`).
    pub fn may_write(&self, reg: Register, mode: Mode) -> bool {
        let c = super::regs::container(reg, mode);
        self.regs
            .iter()
            .any(|r| r.access.may_write() && super::regs::container(r.reg, mode) == c)
    }

    /// Whether the instruction may read `reg` or any register sharing its container.
    pub fn may_read(&self, reg: Register, mode: Mode) -> bool {
        let c = super::regs::container(reg, mode);
        self.regs
            .iter()
            .any(|r| r.access.may_read() && super::regs::container(r.reg, mode) == c)
    }

    /// Whether outputs can depend on state that is not an input (R12).
    pub fn is_impure(&self) -> bool {
        !self.reads_state.is_empty()
            || !self.writes_state.is_empty()
            || !self.side_effects.is_empty()
            || self
                .memory
                .iter()
                .any(|m| m.class != MemClass::M1 || m.access.may_write())
    }
}

/// MXCSR effects (Intel SDM Vol. 1 §10.2.3 and §11.5).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct MxcsrEffects {
    /// May set exception flags (IE DE ZE OE UE PE): R10.
    pub sets_exception_flags: bool,
    /// Reads the whole register into an output or memory (`stmxcsr`, `fxsave`, `xsave*`).
    pub read: bool,
    /// Replaces the whole register, control fields included (`ldmxcsr`, `fxrstor`,
    /// `xrstor*`): R15.
    pub written: bool,
}

/// x87 FPU effects beyond the st registers iced reports (Intel SDM Vol. 1 §8.1).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct X87Effects {
    /// Condition codes C0–C3 (from iced's `RflagsBits::C0..C3`).
    pub condition_codes: X87ConditionCodes,
    /// May set exception flags in the status word (IE DE ZE OE UE PE SF ES): R10.
    pub sets_exception_flags: bool,
    /// Reads the status word into an output or memory (`fnstsw`, `fnstenv`, `fnsave`…).
    pub status_word_read: bool,
    /// Replaces the status word wholesale (`fnclex`, `fninit`, `fldenv`, `frstor`…).
    pub status_word_written: bool,
    /// Reads the control word (`fnstcw`, `fnstenv`, `fnsave`, `fxsave`…).
    pub control_word_read: bool,
    /// Replaces the control word (`fldcw`, `fninit`, `fldenv`, `frstor`, `fxrstor`…): R15.
    pub control_word_written: bool,
    pub top: TopEffect,
    pub tags: TagEffect,
}

/// C0–C3 of the x87 status word, each a [`super::flags::FlagEffects`]-like quadruple.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct X87ConditionCodes {
    /// Bit i = C(i).
    pub read: u8,
    pub written: u8,
    pub cleared: u8,
    pub set: u8,
    pub undefined: u8,
}

impl X87ConditionCodes {
    pub fn modified(&self) -> u8 {
        self.written | self.cleared | self.set | self.undefined
    }
}

/// What happens to the x87 TOP field.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum TopEffect {
    #[default]
    Unchanged,
    /// TOP moves by this many registers: negative pushes, positive pops (iced
    /// `fpu_stack_increment_info`). `conditional` for e.g. `fcomi`-style forms iced marks so.
    Moves { increment: i32, conditional: bool },
    /// TOP := 0: `fninit`, and every MMX instruction (SDM Vol. 1 §9.5.1).
    Reset,
    /// TOP loaded from memory (`fldenv`, `frstor`, `fxrstor`, `xrstor*`).
    Loaded,
}

/// What happens to the x87 tag word.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum TagEffect {
    #[default]
    Unchanged,
    /// Tags follow TOP moves / st writes (ordinary x87 arithmetic, `ffree`).
    Updated,
    /// All tags valid (no register empty; FNSTENV's full tag word shows valid/zero/special
    /// per content): every MMX instruction except `emms`/`femms` (SDM Vol. 1 §9.5.1,
    /// Table 9-2). The x87 stack is "full" until `emms`.
    AllValid,
    /// All tags empty: `emms`, `femms`, `fninit`, `fnsave` (SDM Vol. 1 §8.1.7).
    AllEmpty,
    /// Tags loaded from memory (`fldenv`, `frstor`, `fxrstor`, `xrstor*`).
    Loaded,
}

/// Implicit use of the stack.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct StackEffect {
    /// Change of rsp/esp/sp in bytes (iced `stack_pointer_increment`): push −8, pop +8,
    /// `call` −8, `ret 16` +24; `Some(0)` when rsp is untouched. `None` when rsp is
    /// assigned a value that is not the old rsp plus a constant (`leave`, `pop rsp`,
    /// `mov rsp, rax`, `lss`, `iret`): the analysis reads it from the register writes.
    pub delta: Option<i32>,
    /// Reads memory at or above the new rsp (pop, ret, leave…).
    pub reads: bool,
    /// Writes memory below the old rsp (push, call, enter…).
    pub writes: bool,
}

impl Default for StackEffect {
    fn default() -> Self {
        StackEffect {
            delta: Some(0),
            reads: false,
            writes: false,
        }
    }
}

impl StackEffect {
    pub fn uses_stack(&self) -> bool {
        self.delta != Some(0) || self.reads || self.writes
    }
}

/// Where a branch or call goes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// A direct near target (the decoded absolute address: a label or a `sym`).
    Near(u64),
    /// A direct far target `selector:offset`.
    Far { selector: u16, offset: u32 },
    /// Through a register or memory (near or far).
    Indirect,
}

/// Control flow after the instruction.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Flow {
    /// Falls through.
    #[default]
    Next,
    /// `jmp`, `jcc`, `loop*`, `jrcxz`; `xbegin` (conditional, to the abort handler).
    Branch { target: Target, conditional: bool },
    /// `call` (an opaque transfer unless the target is a local label: the analysis decides).
    Call { target: Target },
    /// `ret`, `retf`, `iret*`, `sysret`, `sysexit`, `rsm`, `uiret`…: divergent.
    Return,
    /// A kernel transfer that returns to the next instruction (`syscall`, `int n`, `int3`,
    /// `into`, `vmcall`), effects from the kernel-ABI table.
    KernelTransfer,
    /// `hlt` and other waits that resume at the next instruction (not divergent).
    Halt,
    /// Raises #UD or another fault and does not resume: `ud0`, `ud1`, `ud2`.
    Exception,
}

impl Flow {
    /// Ends a path that is not an exit (contract-rules.md §2 "Exits and divergence"): the
    /// analysis may still resolve an indirect `jmp` through a locally computed label.
    pub fn is_divergent(&self) -> bool {
        match self {
            Flow::Return | Flow::Exception => true,
            Flow::Branch {
                target,
                conditional,
            } => !conditional && matches!(target, Target::Indirect | Target::Far { .. }),
            _ => false,
        }
    }
}

/// Machine state that is not a declarable register. CR/DR/segment registers appear as
/// iced registers in [`Effects::regs`] *and* here, so purity and side-effect checks need
/// only this list.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    TimeStampCounter,
    /// `IA32_TSC_AUX` (`rdtscp` ecx, `rdpid`).
    ProcessorId,
    PerformanceCounters,
    RandomNumberGenerator,
    /// The processor identification `cpuid` returns.
    CpuIdentification,
    /// XCR0 and other extended control registers (`xgetbv`, `xsetbv`).
    ExtendedControlRegisters,
    ProtectionKeyRights,
    ModelSpecificRegisters,
    ControlRegisters,
    DebugRegisters,
    SegmentRegisters,
    /// FS.base/GS.base (`rdfsbase`…, `swapgs`, `wrmsr`).
    SegmentBases,
    /// GDTR, IDTR, LDTR, TR.
    DescriptorTableRegisters,
    /// Access rights and limits read from descriptors (`lar`, `lsl`, `verr`, `verw`).
    SegmentDescriptors,
    /// RFLAGS as a whole (`pushf`), including system flags.
    Rflags,
    /// Interrupt flag, AC, and other system flags.
    SystemFlags,
    Mxcsr,
    X87ControlWord,
    X87StatusWord,
    /// The instruction's own address (`lea r, [rip]`, `call` pushing rip).
    InstructionPointer,
    /// CET shadow-stack pointer and tokens.
    ShadowStack,
    /// Tile configuration (AMX `ldtilecfg`, `sttilecfg`, `tilerelease`).
    TileConfiguration,
    /// TLB, caches, page tables' meaning.
    MemoryTranslation,
    /// Address-range monitor (`monitor`, `umonitor`).
    Monitor,
    /// Transactional state (RTM/HLE).
    Transaction,
    /// Virtualisation (VMX/SVM), enclave (SGX), SMX, TDX and other system-level state.
    Virtualization,
    /// Interrupt/user-interrupt state (UIF, `senduipi`, `clui`, `stui`).
    Interrupts,
    /// Bounds registers configuration (MPX).
    Bounds,
    /// Anything else privileged.
    Other,
}

/// Side effects that make a block impure and are not state writes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SideEffect {
    /// Port I/O (`in`, `out`, `ins`, `outs`).
    PortIo,
    /// Waits or halts (`hlt`, `mwait`, `umwait`, `tpause`, `pause` is not one).
    Waits,
    /// Traps or transfers to the kernel/hypervisor.
    Traps,
    /// Cache maintenance that software can observe through timing or DMA (`clflush`,
    /// `wbinvd`, `prefetchw` is not one).
    CacheMaintenance,
    /// Sends a message to a device or another processor (`enqcmd`, `movdir64b`,
    /// `senduipi`, `pconfig`).
    Signals,
}

/// Documented conservative categories: the model is sound but coarser than the
/// instruction (each applies to many Codes; see `tables::system`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// "System instruction: orders memory (M3), touches unspecified memory, impure, has
    /// system side effects; register effects as iced reports them."
    PrivilegedSystem,
    /// "Virtualisation/enclave/trusted-execution instruction: as `PrivilegedSystem`, plus
    /// every GPR iced lists may be written; leaves the block when iced says so."
    TrustedExecution,
    /// "SIMD instruction not listed in the MXCSR table: assumed to set MXCSR exception
    /// flags."
    UnlistedSimd,
    /// "Knights Corner (MVEX) vector instruction: register and memory effects as iced
    /// reports them; assumed to set MXCSR exception flags unless the mnemonic is listed."
    /// LLVM cannot assemble these; they are modelled so that no decodable Code is refused.
    KnightsCorner,
    /// "Obsolete or vendor-specific instruction (Cyrix, VIA/Centaur, `loadall`, `umov`,
    /// IA-64 `jmpe`): register and memory effects as iced reports them, M3, impure."
    Legacy,
}

impl Category {
    pub fn description(self) -> &'static str {
        match self {
            Category::PrivilegedSystem => {
                "system instruction: orders memory (M3), impure, has system side effects; \
                 register effects as iced-x86 reports them"
            }
            Category::TrustedExecution => {
                "virtualisation/enclave instruction: system instruction whose register effects \
                 depend on a leaf; every register iced-x86 lists is treated as possibly written"
            }
            Category::UnlistedSimd => {
                "SIMD instruction absent from the MXCSR table: assumed to set MXCSR exception flags"
            }
            Category::KnightsCorner => {
                "Knights Corner (MVEX) vector instruction: effects as iced-x86 reports them, MXCSR \
                 exception flags assumed set unless listed"
            }
            Category::Legacy => {
                "obsolete or vendor-specific instruction: register and memory effects as \
                 iced-x86 reports them, orders memory (M3), impure"
            }
        }
    }
}

/// Why the model refuses an instruction (R21) or a kernel ABI.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum UnknownKind {
    /// The instruction's effects are not modelled (R21).
    Instruction,
    /// The kernel transfer's ABI on this target is not in the table (R21).
    KernelAbi,
    /// The kernel transfer is not a user ABI on this target (Linux `sysenter`): an error
    /// of its own, not R21.
    NotUserAbi,
}

/// The model cannot describe the instruction: the caller reports R21 (or, for
/// [`UnknownKind::NotUserAbi`], the dedicated error).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Unknown {
    pub code: Code,
    pub kind: UnknownKind,
    pub reason: &'static str,
}

impl Unknown {
    pub fn instruction(code: Code, reason: &'static str) -> Self {
        Self {
            code,
            kind: UnknownKind::Instruction,
            reason,
        }
    }
}

impl core::fmt::Display for Unknown {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.reason)
    }
}

impl std::error::Error for Unknown {}
