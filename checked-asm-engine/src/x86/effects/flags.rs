//! RFLAGS effects, with architectural bit positions (Intel SDM Vol. 1 §3.4.3, Figure 3-8).
//!
//! iced-x86's `RflagsBits` are *not* architectural positions (`RflagsBits::OF` is 1,
//! `CF` is 0x10) and they mix in UIF and the x87 condition codes C0–C3; [`Flags::from_iced`]
//! converts, dropping the x87 bits (those go to `X87Effects::condition_codes`).

use iced_x86::RflagsBits;

/// A set of RFLAGS bits at their architectural positions, so that a value pushed by
/// `pushf` or popped by `popf` can be tested directly (R11: "bit 10 clear").
#[derive(Copy, Clone, Default, PartialEq, Eq, Hash)]
pub struct Flags(pub u32);

impl Flags {
    pub const NONE: Flags = Flags(0);
    pub const CF: Flags = Flags(1 << 0);
    pub const PF: Flags = Flags(1 << 2);
    pub const AF: Flags = Flags(1 << 4);
    pub const ZF: Flags = Flags(1 << 6);
    pub const SF: Flags = Flags(1 << 7);
    pub const TF: Flags = Flags(1 << 8);
    pub const IF: Flags = Flags(1 << 9);
    pub const DF: Flags = Flags(1 << 10);
    pub const OF: Flags = Flags(1 << 11);
    pub const IOPL: Flags = Flags(3 << 12);
    pub const NT: Flags = Flags(1 << 14);
    pub const RF: Flags = Flags(1 << 16);
    pub const VM: Flags = Flags(1 << 17);
    pub const AC: Flags = Flags(1 << 18);
    pub const VIF: Flags = Flags(1 << 19);
    pub const VIP: Flags = Flags(1 << 20);
    pub const ID: Flags = Flags(1 << 21);

    /// CF PF AF ZF SF OF: what `preserves_flags` promises (R10).
    pub const STATUS: Flags =
        Flags(Self::CF.0 | Self::PF.0 | Self::AF.0 | Self::ZF.0 | Self::SF.0 | Self::OF.0);
    /// Every flag `popf` may load in ring 0 (SDM Vol. 2B, POPF, Table 4-16).
    pub const ALL: Flags = Flags(
        Self::STATUS.0
            | Self::TF.0
            | Self::IF.0
            | Self::DF.0
            | Self::IOPL.0
            | Self::NT.0
            | Self::RF.0
            | Self::VM.0
            | Self::AC.0
            | Self::VIF.0
            | Self::VIP.0
            | Self::ID.0,
    );
    /// Flags other than the status flags and DF.
    pub const SYSTEM: Flags = Flags(Self::ALL.0 & !Self::STATUS.0 & !Self::DF.0);

    /// Converts iced's `RflagsBits` (not architectural positions) to [`Flags`]. UIF and
    /// C0–C3 are dropped (they go to `X87Effects::condition_codes`, UIF to `State::Interrupts`).
    pub fn from_iced(bits: u32) -> Flags {
        const MAP: [(u32, Flags); 9] = [
            (RflagsBits::OF, Flags::OF),
            (RflagsBits::SF, Flags::SF),
            (RflagsBits::ZF, Flags::ZF),
            (RflagsBits::AF, Flags::AF),
            (RflagsBits::CF, Flags::CF),
            (RflagsBits::PF, Flags::PF),
            (RflagsBits::DF, Flags::DF),
            (RflagsBits::IF, Flags::IF),
            (RflagsBits::AC, Flags::AC),
        ];
        // By index, not `for .. in MAP`: an array's by-value iterator costs some 70
        // instructions a step in a macro built without optimisation (cargo's default),
        // and this runs ten times per new instruction.
        let mut out = 0;
        let mut i = 0;
        while i < MAP.len() {
            if bits & MAP[i].0 != 0 {
                out |= MAP[i].1.0;
            }
            i += 1;
        }
        Flags(out)
    }

    pub fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn intersects(self, other: Flags) -> bool {
        self.0 & other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// Whether iced's bits mention UIF (user-interrupt flag, not part of RFLAGS).
pub fn uif_from_iced(bits: u32) -> bool {
    bits & RflagsBits::UIF != 0
}

/// iced's C0–C3 as a 4-bit mask, bit i = C(i).
pub fn x87_cc_from_iced(bits: u32) -> u8 {
    u8::from(bits & RflagsBits::C0 != 0)
        | u8::from(bits & RflagsBits::C1 != 0) << 1
        | u8::from(bits & RflagsBits::C2 != 0) << 2
        | u8::from(bits & RflagsBits::C3 != 0) << 3
}

impl core::ops::BitOr for Flags {
    type Output = Flags;
    fn bitor(self, rhs: Flags) -> Flags {
        Flags(self.0 | rhs.0)
    }
}

impl core::ops::BitOrAssign for Flags {
    fn bitor_assign(&mut self, rhs: Flags) {
        self.0 |= rhs.0;
    }
}

impl core::ops::BitAnd for Flags {
    type Output = Flags;
    fn bitand(self, rhs: Flags) -> Flags {
        Flags(self.0 & rhs.0)
    }
}

impl core::ops::Not for Flags {
    type Output = Flags;
    fn not(self) -> Flags {
        Flags(!self.0 & Flags::ALL.0)
    }
}

impl core::fmt::Debug for Flags {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        const NAMES: [(Flags, &str); 17] = [
            (Flags::CF, "CF"),
            (Flags::PF, "PF"),
            (Flags::AF, "AF"),
            (Flags::ZF, "ZF"),
            (Flags::SF, "SF"),
            (Flags::TF, "TF"),
            (Flags::IF, "IF"),
            (Flags::DF, "DF"),
            (Flags::OF, "OF"),
            (Flags::IOPL, "IOPL"),
            (Flags::NT, "NT"),
            (Flags::RF, "RF"),
            (Flags::VM, "VM"),
            (Flags::AC, "AC"),
            (Flags::VIF, "VIF"),
            (Flags::VIP, "VIP"),
            (Flags::ID, "ID"),
        ];
        let names: Vec<&str> = NAMES
            .iter()
            .filter(|(fl, _)| self.intersects(*fl))
            .map(|(_, n)| *n)
            .collect();
        if names.is_empty() {
            write!(f, "-")
        } else {
            write!(f, "{}", names.join("|"))
        }
    }
}

/// What an instruction does to RFLAGS. The five sets are disjoint except `read`.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct FlagEffects {
    /// Flags whose value the instruction uses (`adc` CF, `jz` ZF, `pushf` all).
    pub read: Flags,
    /// Flags set to a value computed from the inputs.
    pub written: Flags,
    /// Flags always cleared.
    pub cleared: Flags,
    /// Flags always set.
    pub set: Flags,
    /// Flags the SDM documents as undefined afterwards (R03, R10u).
    pub undefined: Flags,
}

impl FlagEffects {
    /// Every flag that may differ afterwards.
    pub fn modified(&self) -> Flags {
        self.written | self.cleared | self.set | self.undefined
    }

    /// All status flags undefined, nothing read: what a call leaves behind.
    pub fn status_clobbered() -> Self {
        FlagEffects {
            undefined: Flags::STATUS,
            ..Default::default()
        }
    }
}
