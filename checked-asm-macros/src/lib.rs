//! Procedural macros of checked-asm; use them through the `checked-asm` crate.
