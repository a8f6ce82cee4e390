#![no_std]
#![doc = include_str!("guide.md")]

pub use checked_asm_macros::{checked_asm, checked_global_asm, checked_naked_asm};

#[doc(hidden)]
pub use checked_asm_macros::__resolved_template;
