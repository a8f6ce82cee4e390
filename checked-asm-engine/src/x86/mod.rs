//! Everything specific to x86 and x86_64.

pub mod effects;
