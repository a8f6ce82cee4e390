//! Writes `$OUT_DIR/op_codes.bin`: the facts of iced-x86's `OpCodeInfo` that the
//! assembler and the effect model use, one 16-byte record per `Code`, in `Code` order.
//!
//! Why: iced builds its `OpCodeInfo` table on the first `Code::op_code()` call, for all
//! 4,936 codes at once, including an opcode string and an instruction string for each.
//! In a proc macro built without optimisation (cargo's default) that costs about 75
//! million instructions, some 15 ms, in every compiler process that expands
//! `checked_asm!` — most of the macro's one-time set-up. Here it is paid once, at build
//! time. `src/x86/asm/op_code.rs` reads the records back; its test compares every field
//! with `Code::op_code()`.
//!
//! Record layout (keep in step with `src/x86/asm/op_code.rs`):
//! - 0: flags: 1 is_instruction, 2 fwait, 4 can_broadcast, 8 can_use_rounding_control,
//!   16 can_suppress_all_exceptions, 32 can_use_op_mask_register,
//!   64 can_use_zeroing_masking, 128 require_op_mask_register
//! - 1: modes and options: 1 16-bit mode, 2 32-bit mode, 4 64-bit mode, 8 a non-default
//!   decoder option is needed
//! - 2: encoding (`EncodingKind` as u8); 3: operand size in bits; 4: address size in bits
//! - 5: operand count; 6..11: operand kinds (`OpCodeOperandKind` as u8)
//! - 11: memory size; 12: broadcast memory size (`MemorySize` as u8)
//! - 13, 14: mnemonic (`Mnemonic` as u16, little-endian); 15: zero

use iced_x86::Code;
use std::io::Write;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let mut out = Vec::with_capacity(16 * 5_000);
    for code in Code::values() {
        let info = code.op_code();
        let mut flags = 0u8;
        for (bit, set) in [
            info.is_instruction(),
            info.fwait(),
            info.can_broadcast(),
            info.can_use_rounding_control(),
            info.can_suppress_all_exceptions(),
            info.can_use_op_mask_register(),
            info.can_use_zeroing_masking(),
            info.require_op_mask_register(),
        ]
        .into_iter()
        .enumerate()
        {
            flags |= (set as u8) << bit;
        }
        let modes = info.mode16() as u8
            | (info.mode32() as u8) << 1
            | (info.mode64() as u8) << 2
            | ((info.decoder_option() != 0) as u8) << 3;
        let kinds = info.op_kinds();
        assert!(kinds.len() <= 5, "{code:?}: more than 5 operands");
        let mut record = [0u8; 16];
        record[0] = flags;
        record[1] = modes;
        record[2] = byte(info.encoding() as usize, "EncodingKind");
        record[3] = byte(info.operand_size() as usize, "operand size");
        record[4] = byte(info.address_size() as usize, "address size");
        record[5] = byte(info.op_count() as usize, "operand count");
        for (slot, kind) in record[6..11].iter_mut().zip(kinds) {
            *slot = byte(*kind as usize, "OpCodeOperandKind");
        }
        record[11] = byte(info.memory_size() as usize, "MemorySize");
        record[12] = byte(info.broadcast_memory_size() as usize, "MemorySize");
        record[13..15].copy_from_slice(&(code.mnemonic() as u16).to_le_bytes());
        out.extend_from_slice(&record);
    }
    let path = std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("op_codes.bin");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(&out))
        .expect("write op_codes.bin");
}

fn byte(value: usize, what: &str) -> u8 {
    u8::try_from(value).unwrap_or_else(|_| panic!("{what} {value} does not fit a byte"))
}
