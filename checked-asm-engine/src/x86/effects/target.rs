//! Processor mode and target (arch, OS): what decides the kernel and call ABIs.

use iced_x86::{CodeSize, Register};

/// Processor mode the template is assembled for.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
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

    pub fn code_size(self) -> CodeSize {
        match self {
            Mode::Bits16 => CodeSize::Code16,
            Mode::Bits32 => CodeSize::Code32,
            Mode::Bits64 => CodeSize::Code64,
        }
    }

    /// Bytes pushed by `call`/`push` of the natural stack width.
    pub fn stack_width(self) -> i32 {
        match self {
            Mode::Bits16 => 2,
            Mode::Bits32 => 4,
            Mode::Bits64 => 8,
        }
    }

    /// The stack pointer as named in this mode.
    pub fn stack_pointer(self) -> Register {
        match self {
            Mode::Bits16 => Register::SP,
            Mode::Bits32 => Register::ESP,
            Mode::Bits64 => Register::RSP,
        }
    }
}

/// `target_arch` as rustc spells it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Arch {
    X86,
    X86_64,
}

/// `target_os` as rustc spells it (the ones whose ABI we know or must refuse).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Os {
    Linux,
    Android,
    FreeBSD,
    Windows,
    Uefi,
    MacOs,
    OpenBsd,
    NetBsd,
    /// `target_os = "none"` (bare metal, kernels).
    None,
    Other,
}

impl Arch {
    /// From `cfg(target_arch)`: `"x86"` or `"x86_64"`.
    pub fn from_target_arch(name: &str) -> Option<Arch> {
        match name {
            "x86" => Some(Arch::X86),
            "x86_64" => Some(Arch::X86_64),
            _ => None,
        }
    }

    /// The `target_arch` value, for emitting `#[cfg(target_arch = "...")]`.
    pub fn target_arch(self) -> &'static str {
        match self {
            Arch::X86 => "x86",
            Arch::X86_64 => "x86_64",
        }
    }

    /// The mode code for this architecture runs in.
    pub fn mode(self) -> Mode {
        match self {
            Arch::X86 => Mode::Bits32,
            Arch::X86_64 => Mode::Bits64,
        }
    }
}

impl Os {
    /// Every `target_os` the model distinguishes, in a stable order.
    pub const ALL: [Os; 10] = [
        Os::Linux,
        Os::Android,
        Os::FreeBSD,
        Os::Windows,
        Os::Uefi,
        Os::MacOs,
        Os::OpenBsd,
        Os::NetBsd,
        Os::None,
        Os::Other,
    ];

    /// From `cfg(target_os)`; unknown names are [`Os::Other`].
    pub fn from_target_os(name: &str) -> Os {
        match name {
            "linux" => Os::Linux,
            "android" => Os::Android,
            "freebsd" => Os::FreeBSD,
            "windows" => Os::Windows,
            "uefi" => Os::Uefi,
            "macos" => Os::MacOs,
            "openbsd" => Os::OpenBsd,
            "netbsd" => Os::NetBsd,
            "none" => Os::None,
            _ => Os::Other,
        }
    }

    /// The `target_os` value (`None` for [`Os::Other`], which stands for many).
    pub fn target_os(self) -> Option<&'static str> {
        Some(match self {
            Os::Linux => "linux",
            Os::Android => "android",
            Os::FreeBSD => "freebsd",
            Os::Windows => "windows",
            Os::Uefi => "uefi",
            Os::MacOs => "macos",
            Os::OpenBsd => "openbsd",
            Os::NetBsd => "netbsd",
            Os::None => "none",
            Os::Other => return None,
        })
    }
}

/// The target whose ABIs (kernel transfers, calls) apply.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct TargetAbi {
    pub arch: Arch,
    pub os: Os,
}

impl TargetAbi {
    pub const fn new(arch: Arch, os: Os) -> Self {
        Self { arch, os }
    }

    /// rustc's `is_like_windows`: Windows and UEFI targets use the Win64 convention for
    /// `extern "C"` (contract-rules.md §1, "Targets").
    pub fn is_like_windows(&self) -> bool {
        matches!(self.os, Os::Windows | Os::Uefi)
    }
}
