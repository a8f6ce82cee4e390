//! The x86 registers and register classes of `asm!`, as rustc 1.95 defines them
//! (compiler/rustc_target/src/asm/x86.rs: `def_reg_class!`, `def_regs!`,
//! `valid_modifiers`, `overlapping_regs`). r[asm.register-operands.register-classes]

use std::fmt;

/// The two x86 architectures rustc distinguishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Arch {
    X86_64,
    X86,
}

impl Arch {
    pub const ALL: [Arch; 2] = [Arch::X86_64, Arch::X86];

    /// The same architecture in the effect model's terms.
    pub fn effects(self) -> super::effects::Arch {
        match self {
            Arch::X86_64 => super::effects::Arch::X86_64,
            Arch::X86 => super::effects::Arch::X86,
        }
    }

    /// The value of `cfg(target_arch)`.
    pub fn cfg_name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::X86 => "x86",
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cfg_name())
    }
}

/// r[asm.register-operands.register-classes]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegClass {
    Reg,
    RegAbcd,
    RegByte,
    XmmReg,
    YmmReg,
    ZmmReg,
    Kreg,
    Kreg0,
    X87Reg,
    MmxReg,
    TmmReg,
}

impl RegClass {
    pub const ALL: [RegClass; 11] = [
        RegClass::Reg,
        RegClass::RegAbcd,
        RegClass::RegByte,
        RegClass::XmmReg,
        RegClass::YmmReg,
        RegClass::ZmmReg,
        RegClass::Kreg,
        RegClass::Kreg0,
        RegClass::X87Reg,
        RegClass::MmxReg,
        RegClass::TmmReg,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RegClass::Reg => "reg",
            RegClass::RegAbcd => "reg_abcd",
            RegClass::RegByte => "reg_byte",
            RegClass::XmmReg => "xmm_reg",
            RegClass::YmmReg => "ymm_reg",
            RegClass::ZmmReg => "zmm_reg",
            RegClass::Kreg => "kreg",
            RegClass::Kreg0 => "kreg0",
            RegClass::X87Reg => "x87_reg",
            RegClass::MmxReg => "mmx_reg",
            RegClass::TmmReg => "tmm_reg",
        }
    }

    pub fn from_name(name: &str) -> Option<RegClass> {
        RegClass::ALL.into_iter().find(|c| c.name() == name)
    }

    /// r[asm.template.modifiers]: the template modifiers rustc accepts for the class.
    pub fn valid_modifiers(self, arch: Arch) -> &'static [char] {
        match (self, arch) {
            (RegClass::Reg, Arch::X86_64) => &['l', 'x', 'e', 'r'],
            (RegClass::Reg, Arch::X86) => &['x', 'e'],
            (RegClass::RegAbcd, Arch::X86_64) => &['l', 'h', 'x', 'e', 'r'],
            (RegClass::RegAbcd, Arch::X86) => &['l', 'h', 'x', 'e'],
            (RegClass::XmmReg | RegClass::YmmReg | RegClass::ZmmReg, _) => &['x', 'y', 'z'],
            _ => &[],
        }
    }

    /// Classes that can only be clobbered (`out("st(0)") _`), never hold a value.
    pub fn clobber_only(self) -> bool {
        matches!(
            self,
            RegClass::Kreg0 | RegClass::X87Reg | RegClass::MmxReg | RegClass::TmmReg
        )
    }
}

/// Why rustc refuses a register on some architecture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Restriction {
    None,
    X86_64Only,
    HighByte,
    RbxReserved,
    EsiReserved,
}

/// One register of rustc's `def_regs!` table: its id, classes and accepted names.
#[derive(Debug, PartialEq, Eq)]
pub struct RegDef {
    pub id: &'static str,
    pub class: RegClass,
    /// Also in `reg_abcd` (the a/b/c/d registers).
    pub abcd: bool,
    pub names: &'static [&'static str],
    restriction: Restriction,
}

macro_rules! regs {
    ($( $id:literal : $class:ident $(+ $abcd:ident)? = [$($name:literal),*] $(% $r:ident)? ;)*) => {
        &[$(RegDef {
            id: $id,
            class: RegClass::$class,
            abcd: regs!(@abcd $($abcd)?),
            names: &[$($name),*],
            restriction: regs!(@r $($r)?),
        }),*]
    };
    (@abcd) => { false };
    (@abcd $x:ident) => { true };
    (@r) => { Restriction::None };
    (@r $r:ident) => { Restriction::$r };
}

/// rustc_target/src/asm/x86.rs `def_regs!` (rustc 1.95).
pub static REGS: &[RegDef] = regs! {
    "ax": Reg + abcd = ["ax", "eax", "rax"];
    "bx": Reg + abcd = ["bx", "ebx", "rbx"] % RbxReserved;
    "cx": Reg + abcd = ["cx", "ecx", "rcx"];
    "dx": Reg + abcd = ["dx", "edx", "rdx"];
    "si": Reg = ["si", "esi", "rsi"] % EsiReserved;
    "di": Reg = ["di", "edi", "rdi"];
    "r8": Reg = ["r8", "r8w", "r8d"] % X86_64Only;
    "r9": Reg = ["r9", "r9w", "r9d"] % X86_64Only;
    "r10": Reg = ["r10", "r10w", "r10d"] % X86_64Only;
    "r11": Reg = ["r11", "r11w", "r11d"] % X86_64Only;
    "r12": Reg = ["r12", "r12w", "r12d"] % X86_64Only;
    "r13": Reg = ["r13", "r13w", "r13d"] % X86_64Only;
    "r14": Reg = ["r14", "r14w", "r14d"] % X86_64Only;
    "r15": Reg = ["r15", "r15w", "r15d"] % X86_64Only;
    "al": RegByte = ["al"];
    "ah": RegByte = ["ah"] % HighByte;
    "bl": RegByte = ["bl"] % RbxReserved;
    "bh": RegByte = ["bh"] % HighByte;
    "cl": RegByte = ["cl"];
    "ch": RegByte = ["ch"] % HighByte;
    "dl": RegByte = ["dl"];
    "dh": RegByte = ["dh"] % HighByte;
    "sil": RegByte = ["sil"] % X86_64Only;
    "dil": RegByte = ["dil"] % X86_64Only;
    "r8b": RegByte = ["r8b"] % X86_64Only;
    "r9b": RegByte = ["r9b"] % X86_64Only;
    "r10b": RegByte = ["r10b"] % X86_64Only;
    "r11b": RegByte = ["r11b"] % X86_64Only;
    "r12b": RegByte = ["r12b"] % X86_64Only;
    "r13b": RegByte = ["r13b"] % X86_64Only;
    "r14b": RegByte = ["r14b"] % X86_64Only;
    "r15b": RegByte = ["r15b"] % X86_64Only;
    "xmm0": XmmReg = ["xmm0"];
    "xmm1": XmmReg = ["xmm1"];
    "xmm2": XmmReg = ["xmm2"];
    "xmm3": XmmReg = ["xmm3"];
    "xmm4": XmmReg = ["xmm4"];
    "xmm5": XmmReg = ["xmm5"];
    "xmm6": XmmReg = ["xmm6"];
    "xmm7": XmmReg = ["xmm7"];
    "xmm8": XmmReg = ["xmm8"] % X86_64Only;
    "xmm9": XmmReg = ["xmm9"] % X86_64Only;
    "xmm10": XmmReg = ["xmm10"] % X86_64Only;
    "xmm11": XmmReg = ["xmm11"] % X86_64Only;
    "xmm12": XmmReg = ["xmm12"] % X86_64Only;
    "xmm13": XmmReg = ["xmm13"] % X86_64Only;
    "xmm14": XmmReg = ["xmm14"] % X86_64Only;
    "xmm15": XmmReg = ["xmm15"] % X86_64Only;
    "ymm0": YmmReg = ["ymm0"];
    "ymm1": YmmReg = ["ymm1"];
    "ymm2": YmmReg = ["ymm2"];
    "ymm3": YmmReg = ["ymm3"];
    "ymm4": YmmReg = ["ymm4"];
    "ymm5": YmmReg = ["ymm5"];
    "ymm6": YmmReg = ["ymm6"];
    "ymm7": YmmReg = ["ymm7"];
    "ymm8": YmmReg = ["ymm8"] % X86_64Only;
    "ymm9": YmmReg = ["ymm9"] % X86_64Only;
    "ymm10": YmmReg = ["ymm10"] % X86_64Only;
    "ymm11": YmmReg = ["ymm11"] % X86_64Only;
    "ymm12": YmmReg = ["ymm12"] % X86_64Only;
    "ymm13": YmmReg = ["ymm13"] % X86_64Only;
    "ymm14": YmmReg = ["ymm14"] % X86_64Only;
    "ymm15": YmmReg = ["ymm15"] % X86_64Only;
    "zmm0": ZmmReg = ["zmm0"];
    "zmm1": ZmmReg = ["zmm1"];
    "zmm2": ZmmReg = ["zmm2"];
    "zmm3": ZmmReg = ["zmm3"];
    "zmm4": ZmmReg = ["zmm4"];
    "zmm5": ZmmReg = ["zmm5"];
    "zmm6": ZmmReg = ["zmm6"];
    "zmm7": ZmmReg = ["zmm7"];
    "zmm8": ZmmReg = ["zmm8"] % X86_64Only;
    "zmm9": ZmmReg = ["zmm9"] % X86_64Only;
    "zmm10": ZmmReg = ["zmm10"] % X86_64Only;
    "zmm11": ZmmReg = ["zmm11"] % X86_64Only;
    "zmm12": ZmmReg = ["zmm12"] % X86_64Only;
    "zmm13": ZmmReg = ["zmm13"] % X86_64Only;
    "zmm14": ZmmReg = ["zmm14"] % X86_64Only;
    "zmm15": ZmmReg = ["zmm15"] % X86_64Only;
    "zmm16": ZmmReg = ["zmm16", "xmm16", "ymm16"] % X86_64Only;
    "zmm17": ZmmReg = ["zmm17", "xmm17", "ymm17"] % X86_64Only;
    "zmm18": ZmmReg = ["zmm18", "xmm18", "ymm18"] % X86_64Only;
    "zmm19": ZmmReg = ["zmm19", "xmm19", "ymm19"] % X86_64Only;
    "zmm20": ZmmReg = ["zmm20", "xmm20", "ymm20"] % X86_64Only;
    "zmm21": ZmmReg = ["zmm21", "xmm21", "ymm21"] % X86_64Only;
    "zmm22": ZmmReg = ["zmm22", "xmm22", "ymm22"] % X86_64Only;
    "zmm23": ZmmReg = ["zmm23", "xmm23", "ymm23"] % X86_64Only;
    "zmm24": ZmmReg = ["zmm24", "xmm24", "ymm24"] % X86_64Only;
    "zmm25": ZmmReg = ["zmm25", "xmm25", "ymm25"] % X86_64Only;
    "zmm26": ZmmReg = ["zmm26", "xmm26", "ymm26"] % X86_64Only;
    "zmm27": ZmmReg = ["zmm27", "xmm27", "ymm27"] % X86_64Only;
    "zmm28": ZmmReg = ["zmm28", "xmm28", "ymm28"] % X86_64Only;
    "zmm29": ZmmReg = ["zmm29", "xmm29", "ymm29"] % X86_64Only;
    "zmm30": ZmmReg = ["zmm30", "xmm30", "ymm30"] % X86_64Only;
    "zmm31": ZmmReg = ["zmm31", "xmm31", "ymm31"] % X86_64Only;
    "k0": Kreg0 = ["k0"];
    "k1": Kreg = ["k1"];
    "k2": Kreg = ["k2"];
    "k3": Kreg = ["k3"];
    "k4": Kreg = ["k4"];
    "k5": Kreg = ["k5"];
    "k6": Kreg = ["k6"];
    "k7": Kreg = ["k7"];
    "mm0": MmxReg = ["mm0"];
    "mm1": MmxReg = ["mm1"];
    "mm2": MmxReg = ["mm2"];
    "mm3": MmxReg = ["mm3"];
    "mm4": MmxReg = ["mm4"];
    "mm5": MmxReg = ["mm5"];
    "mm6": MmxReg = ["mm6"];
    "mm7": MmxReg = ["mm7"];
    "st0": X87Reg = ["st(0)", "st"];
    "st1": X87Reg = ["st(1)"];
    "st2": X87Reg = ["st(2)"];
    "st3": X87Reg = ["st(3)"];
    "st4": X87Reg = ["st(4)"];
    "st5": X87Reg = ["st(5)"];
    "st6": X87Reg = ["st(6)"];
    "st7": X87Reg = ["st(7)"];
    "tmm0": TmmReg = ["tmm0"] % X86_64Only;
    "tmm1": TmmReg = ["tmm1"] % X86_64Only;
    "tmm2": TmmReg = ["tmm2"] % X86_64Only;
    "tmm3": TmmReg = ["tmm3"] % X86_64Only;
    "tmm4": TmmReg = ["tmm4"] % X86_64Only;
    "tmm5": TmmReg = ["tmm5"] % X86_64Only;
    "tmm6": TmmReg = ["tmm6"] % X86_64Only;
    "tmm7": TmmReg = ["tmm7"] % X86_64Only;
};

/// Names rustc refuses on every x86 target, with its reason.
static FORBIDDEN: &[(&[&str], &str)] = &[
    (
        &["bp", "bpl", "ebp", "rbp"],
        "the frame pointer cannot be used as an operand for inline asm",
    ),
    (
        &["sp", "spl", "esp", "rsp"],
        "the stack pointer cannot be used as an operand for inline asm",
    ),
    (
        &["ip", "eip", "rip"],
        "the instruction pointer cannot be used as an operand for inline asm",
    ),
];

/// Why an explicit register name is not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegError {
    Unknown,
    /// rustc's reason, verbatim.
    Refused(&'static str),
}

impl RegDef {
    pub fn lookup(name: &str) -> Option<&'static RegDef> {
        REGS.iter().find(|r| r.names.contains(&name))
    }

    /// Whether rustc accepts the register as an operand on `arch`.
    pub fn check(&self, arch: Arch) -> Result<(), &'static str> {
        match (self.restriction, arch) {
            (Restriction::X86_64Only, Arch::X86) => Err("register is only available on x86_64"),
            (Restriction::HighByte, Arch::X86_64) => {
                Err("high byte registers cannot be used as an operand on x86_64")
            }
            (Restriction::RbxReserved, Arch::X86_64) => Err(
                "rbx is used internally by LLVM and cannot be used as an operand for inline asm",
            ),
            (Restriction::EsiReserved, Arch::X86) => Err(
                "esi is used internally by LLVM and cannot be used as an operand for inline asm",
            ),
            _ => Ok(()),
        }
    }

    /// Whether the register belongs to `class` (`reg_abcd` includes a, b, c, d).
    pub fn in_class(&self, class: RegClass) -> bool {
        self.class == class || (class == RegClass::RegAbcd && self.abcd)
    }

    /// `overlapping_regs`: the registers that alias this one (itself included).
    pub fn overlapping(&self) -> Vec<&'static str> {
        const WORDS: [(&str, &str, &str); 4] = [
            ("ax", "al", "ah"),
            ("bx", "bl", "bh"),
            ("cx", "cl", "ch"),
            ("dx", "dl", "dh"),
        ];
        const PAIRS: [(&str, &str); 10] = [
            ("si", "sil"),
            ("di", "dil"),
            ("r8", "r8b"),
            ("r9", "r9b"),
            ("r10", "r10b"),
            ("r11", "r11b"),
            ("r12", "r12b"),
            ("r13", "r13b"),
            ("r14", "r14b"),
            ("r15", "r15b"),
        ];
        let id = self.id;
        for (w, l, h) in WORDS {
            if id == w {
                return vec![w, l, h];
            }
            if id == l {
                return vec![w, l];
            }
            if id == h {
                return vec![w, h];
            }
        }
        for (w, l) in PAIRS {
            if id == w || id == l {
                return vec![w, l];
            }
        }
        // xmmN, ymmN and zmmN are views of one register (Intel SDM vol. 1, 15.5).
        for prefix in ["xmm", "ymm", "zmm"] {
            if let Some(n) = id.strip_prefix(prefix)
                && n.parse::<u8>().is_ok_and(|n| n < 16)
            {
                return ["xmm", "ymm", "zmm"]
                    .iter()
                    .map(|p| {
                        REGS.iter()
                            .find(|r| r.id == format!("{p}{n}"))
                            .expect("xyz regs")
                            .id
                    })
                    .collect();
            }
        }
        vec![self.id]
    }
}

/// Resolves an explicit register operand name for `arch`.
pub fn explicit_register(name: &str, arch: Arch) -> Result<&'static RegDef, RegError> {
    if let Some((_, reason)) = FORBIDDEN.iter().find(|(names, _)| names.contains(&name)) {
        return Err(RegError::Refused(reason));
    }
    let def = RegDef::lookup(name).ok_or(RegError::Unknown)?;
    def.check(arch).map_err(RegError::Refused)?;
    Ok(def)
}

/// Registers of `class` that a class operand may be allocated on `arch`, including the
/// ones rustc reserves (rbx/rbp on x86_64, esi/ebp on x86: spec §1, "Allocation is
/// symbolic and may use reserved registers"). The reserved ones are named by their
/// full-width spelling.
pub fn allocatable(class: RegClass, arch: Arch) -> Vec<&'static str> {
    let mut regs: Vec<&'static str> = REGS
        .iter()
        .filter(|r| r.in_class(class))
        .filter(|r| {
            !matches!(
                (r.restriction, arch),
                (Restriction::X86_64Only, Arch::X86) | (Restriction::HighByte, Arch::X86_64)
            )
        })
        .map(|r| r.id)
        .collect();
    if class == RegClass::Reg {
        regs.push("bp");
    }
    if class == RegClass::RegByte && arch == Arch::X86_64 {
        regs.push("bpl");
    }
    regs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rbx_is_refused_on_x86_64_only() {
        assert_eq!(
            explicit_register("rbx", Arch::X86_64),
            Err(RegError::Refused(
                "rbx is used internally by LLVM and cannot be used as an operand for inline asm"
            ))
        );
        assert_eq!(explicit_register("ebx", Arch::X86).map(|r| r.id), Ok("bx"));
    }

    #[test]
    fn esi_is_refused_on_x86_only() {
        assert!(explicit_register("esi", Arch::X86).is_err());
        assert_eq!(
            explicit_register("rsi", Arch::X86_64).map(|r| r.id),
            Ok("si")
        );
    }

    #[test]
    fn high_bytes_and_extended_registers_depend_on_arch() {
        assert!(explicit_register("ah", Arch::X86_64).is_err());
        assert!(explicit_register("ah", Arch::X86).is_ok());
        assert!(explicit_register("r8d", Arch::X86).is_err());
        assert!(explicit_register("xmm8", Arch::X86).is_err());
        assert_eq!(
            explicit_register("rsp", Arch::X86_64).unwrap_err(),
            RegError::Refused(FORBIDDEN[1].1)
        );
        assert_eq!(
            explicit_register("foo", Arch::X86_64).unwrap_err(),
            RegError::Unknown
        );
    }

    #[test]
    fn aliases_overlap() {
        let al = RegDef::lookup("al").unwrap();
        assert_eq!(al.overlapping(), vec!["ax", "al"]);
        assert_eq!(
            RegDef::lookup("ymm3").unwrap().overlapping(),
            vec!["xmm3", "ymm3", "zmm3"]
        );
        assert_eq!(RegDef::lookup("xmm20").unwrap().id, "zmm20");
    }

    #[test]
    fn reg_class_may_be_allocated_reserved_registers() {
        let r = allocatable(RegClass::Reg, Arch::X86_64);
        assert!(r.contains(&"bx") && r.contains(&"bp") && r.contains(&"r15"));
        let r32 = allocatable(RegClass::Reg, Arch::X86);
        assert!(r32.contains(&"si") && !r32.contains(&"r8"));
        assert_eq!(
            allocatable(RegClass::RegAbcd, Arch::X86_64),
            vec!["ax", "bx", "cx", "dx"]
        );
    }
}
