#![no_std]
//! checked-asm
