#![no_std]
#![doc = include_str!("guide.md")]

#[doc(hidden)]
pub mod __private {
    pub use checked_asm_macros::{checked_asm, checked_global_asm, checked_naked_asm};
}

#[doc(hidden)]
pub use checked_asm_macros::__resolved_template;

/// Defines the three macros for one (architecture, OS family) under its `#[cfg]`.
///
/// The procedural macro runs on the host and cannot see the target; this crate is
/// compiled for the target, so the one definition whose `cfg` holds tells the macro
/// what it checks for (`@target["x86_64" linux] (<arguments>)`, read by the engine's
/// `split_target`). The families are the ones whose kernel and calling-convention ABIs
/// the checker distinguishes. `$d` is a `$` token: the inner `macro_rules!` needs its own
/// metavariables, which stable Rust cannot write inside another macro otherwise.
macro_rules! for_target {
    ($d:tt $arch:tt $family:ident if $($cfg:tt)*) => {
        /// `core::arch::asm!`, with its contract checked at compile time. See the crate
        /// documentation for the guide.
        #[cfg(all(target_arch = $arch, $($cfg)*))]
        #[macro_export]
        macro_rules! checked_asm {
            ($d($d args:tt)*) => {
                $d crate::__private::checked_asm!(@target[$arch $family] ($d($d args)*))
            };
        }

        /// `core::arch::naked_asm!`, checked (the body of a `#[unsafe(naked)]` function).
        #[cfg(all(target_arch = $arch, $($cfg)*))]
        #[macro_export]
        macro_rules! checked_naked_asm {
            ($d($d args:tt)*) => {
                $d crate::__private::checked_naked_asm!(@target[$arch $family] ($d($d args)*))
            };
        }

        /// `core::arch::global_asm!`, checked.
        #[cfg(all(target_arch = $arch, $($cfg)*))]
        #[macro_export]
        macro_rules! checked_global_asm {
            ($d($d args:tt)*) => {
                $d crate::__private::checked_global_asm! { @target[$arch $family] ($d($d args)*) }
            };
        }
    };
}

/// [`for_target!`] for both x86 architectures.
macro_rules! for_family {
    ($d:tt $family:ident if $($cfg:tt)*) => {
        for_target!($d "x86_64" $family if $($cfg)*);
        for_target!($d "x86" $family if $($cfg)*);
    };
}

for_family!($ linux if any(target_os = "linux", target_os = "android"));
for_family!($ freebsd if target_os = "freebsd");
for_family!($ windows if any(target_os = "windows", target_os = "uefi"));
for_family!($ other if not(any(
    target_os = "linux", target_os = "android", target_os = "freebsd",
    target_os = "windows", target_os = "uefi"
)));

/// On other architectures: the macros check x86 assembly only.
macro_rules! not_x86 {
    ($d:tt $($name:ident $core:literal),*) => {$(
        /// Checks x86 and x86_64 inline assembly only: a compile error on this target.
        #[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
        #[macro_export]
        macro_rules! $name {
            ($d($d args:tt)*) => {
                ::core::compile_error!(concat!(
                    stringify!($name),
                    "! checks x86 and x86_64 inline assembly only; on this target use `core::arch::",
                    $core,
                    "!` directly"
                ))
            };
        }
    )*};
}

not_x86!($ checked_asm "asm", checked_naked_asm "naked_asm", checked_global_asm "global_asm");
