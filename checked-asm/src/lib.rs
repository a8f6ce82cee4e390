#![no_std]
#![doc = include_str!("guide.md")]

#[doc(hidden)]
pub use checked_asm_macros::__resolved_template;

/// Re-exports the proc-macro crate's three entry points for one (architecture, OS
/// family) under its `#[cfg]`.
///
/// The procedural macro runs on the host and cannot see the target; this crate is
/// compiled for the target, so the one re-export whose `cfg` holds gives the user the
/// entry points that check for it. They are the macros themselves, not wrappers: the
/// caller's tokens reach them directly, with nothing for the compiler to match first.
macro_rules! for_target {
    ($asm:ident $naked:ident $global:ident if $($cfg:tt)*) => {
        #[cfg($($cfg)*)]
        pub use checked_asm_macros::{
            $asm as checked_asm, $global as checked_global_asm, $naked as checked_naked_asm,
        };
    };
}

for_target!(checked_asm_x86_64_linux checked_naked_asm_x86_64_linux checked_global_asm_x86_64_linux
    if all(target_arch = "x86_64", any(target_os = "linux", target_os = "android")));
for_target!(checked_asm_x86_linux checked_naked_asm_x86_linux checked_global_asm_x86_linux
    if all(target_arch = "x86", any(target_os = "linux", target_os = "android")));
for_target!(checked_asm_x86_64_freebsd checked_naked_asm_x86_64_freebsd checked_global_asm_x86_64_freebsd
    if all(target_arch = "x86_64", target_os = "freebsd"));
for_target!(checked_asm_x86_freebsd checked_naked_asm_x86_freebsd checked_global_asm_x86_freebsd
    if all(target_arch = "x86", target_os = "freebsd"));
for_target!(checked_asm_x86_64_windows checked_naked_asm_x86_64_windows checked_global_asm_x86_64_windows
    if all(target_arch = "x86_64", any(target_os = "windows", target_os = "uefi")));
for_target!(checked_asm_x86_windows checked_naked_asm_x86_windows checked_global_asm_x86_windows
    if all(target_arch = "x86", any(target_os = "windows", target_os = "uefi")));
for_target!(checked_asm_x86_64_other checked_naked_asm_x86_64_other checked_global_asm_x86_64_other
if all(target_arch = "x86_64", not(any(
    target_os = "linux", target_os = "android", target_os = "freebsd",
    target_os = "windows", target_os = "uefi"
))));
for_target!(checked_asm_x86_other checked_naked_asm_x86_other checked_global_asm_x86_other
if all(target_arch = "x86", not(any(
    target_os = "linux", target_os = "android", target_os = "freebsd",
    target_os = "windows", target_os = "uefi"
))));

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
