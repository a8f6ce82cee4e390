//! Writes two tables the engine would otherwise build in every compiler process:
//!
//! - `$OUT_DIR/op_codes.bin`: the facts of iced-x86's `OpCodeInfo` that the assembler and
//!   the effect model use, one 16-byte record per `Code`, in `Code` order;
//! - `$OUT_DIR/names.rs`: the assembler's index by name: every mnemonic LLVM spells with
//!   the `Code`s it names, and every register name, sorted for binary search
//!   (`src/x86/asm/table.rs` includes it).
//!
//! Why: iced builds its `OpCodeInfo` table on the first `Code::op_code()` call, for all
//! 4,936 codes at once, including an opcode string and an instruction string for each.
//! In a proc macro built without optimisation (cargo's default) that costs about 75
//! million instructions, some 15 ms, in every compiler process that expands
//! `checked_asm!` — most of the macro's one-time set-up. Here it is paid once, at build
//! time. `src/x86/asm/op_code.rs` reads the records back; its test compares every field
//! with `Code::op_code()`. Indexing the 4,936 codes by name and naming the registers cost
//! another 20 million instructions at run time (formatting and hashing ~1,900 names);
//! here they are done once too.
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

use iced_x86::{Code, EncodingKind, Mnemonic, Register};
use std::fmt::Write as _;
use std::io::Write as _;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    op_codes();
    names();
}

fn out_path(file: &str) -> std::path::PathBuf {
    std::path::Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(file)
}

fn op_codes() {
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
    std::fs::File::create(out_path("op_codes.bin"))
        .and_then(|mut f| f.write_all(&out))
        .expect("write op_codes.bin");
}

/// The mnemonic LLVM spells `code` with, or `None` for a code LLVM never assembles.
fn llvm_mnemonic(code: Code) -> Option<Mnemonic> {
    let info = code.op_code();
    if !info.is_instruction()
        || info.encoding() == EncodingKind::MVEX
        // Codes that only decode with a non-default `DecoderOptions` (Cyrix, KNC, old
        // MPX, UMOV, ...) are not what LLVM assembles either.
        || info.decoder_option() != 0
    {
        return None;
    }
    match code.mnemonic() {
        // LLVM assembles `sal` as `shl` (/4) and never emits the /6 alias.
        Mnemonic::Sal => None,
        // BSWAP of a 16-bit register is undefined (Intel SDM Vol. 2A, BSWAP) and LLVM
        // rejects it.
        _ if code == Code::Bswap_r16 => None,
        // iced's reserved-NOP codes (0F 0D and 0F 18–1F /r) are `nop` to LLVM.
        Mnemonic::Reservednop => Some(Mnemonic::Nop),
        m => Some(m),
    }
}

/// `names.rs`: `MNEMONICS` (name, start, end into `CODES`; by name), `CODES` (each
/// mnemonic's codes in iced's order, as `u16` with the code's name in a comment) and
/// `REGISTERS` (the name as a number, register; by that number, the name in a comment).
/// iced's `Debug` names are its variant names, so registers are written as paths.
fn names() {
    // iced names most mnemonics exactly as Intel's SDM and LLVM do, in lower case.
    let mut groups: std::collections::BTreeMap<String, Vec<Code>> = Default::default();
    for code in Code::values() {
        if let Some(m) = llvm_mnemonic(code) {
            groups
                .entry(format!("{m:?}").to_ascii_lowercase())
                .or_default()
                .push(code);
        }
    }
    let mut registers: std::collections::BTreeMap<String, Register> = Register::values()
        .filter(|r| *r != Register::None)
        .map(|r| (format!("{r:?}").to_ascii_lowercase(), r))
        // iced's `DontUse0`, `DontUseFA`..`DontUseFF` fill its numbering; they name no
        // register.
        .filter(|(name, _)| !name.starts_with("dontuse"))
        .collect();
    // LLVM spells the low bytes of r8..r15 `r8b`; iced and GNU as also accept `r8l`.
    // The x87 stack registers are `st(0)`..`st(7)` beside iced's `st0`..`st7`.
    for i in 0..8 {
        let low_byte = registers[&format!("r{}l", i + 8)];
        registers.insert(format!("r{}b", i + 8), low_byte);
        let st = registers[&format!("st{i}")];
        registers.insert(format!("st({i})"), st);
    }
    registers.insert("st".to_string(), Register::ST0);

    let mut src = String::from("// Written by build.rs.\n");
    let total: usize = groups.values().map(Vec::len).sum();
    assert!(
        total <= usize::from(u16::MAX),
        "{total} codes overflow the u16 ranges"
    );
    let _ = writeln!(
        src,
        "pub(super) static MNEMONICS: [(&str, u16, u16); {}] = [",
        groups.len()
    );
    let mut start = 0usize;
    for (name, codes) in &groups {
        let end = start + codes.len();
        let _ = writeln!(src, "    ({name:?}, {start}, {end}),");
        start = end;
    }
    // As numbers, not `Code::` paths: rustc validates every enum value of a static
    // initializer, slowly for an enum of 4,936 variants, and as `[Code; N]` this static
    // took 3.2 s of each build of this crate (`-Z self-profile`'s
    // `eval_static_initializer`); as `[u16; N]` it no longer shows. `table.rs` converts a
    // mnemonic's codes on its first use.
    let _ = writeln!(src, "];\npub(super) static CODES: [u16; {total}] = [");
    for code in groups.values().flatten() {
        let _ = writeln!(src, "    {}, // {code:?}", *code as u16);
    }
    // By name as a number (`table.rs`'s `name_key`: the bytes little-endian, zero
    // padded), so that a lookup compares integers rather than strings.
    let mut keyed: Vec<(u64, &String, &Register)> = registers
        .iter()
        .map(|(name, reg)| {
            assert!(
                name.len() <= 8,
                "register name `{name}` is longer than 8 bytes"
            );
            let mut bytes = [0u8; 8];
            bytes[..name.len()].copy_from_slice(name.as_bytes());
            (u64::from_le_bytes(bytes), name, reg)
        })
        .collect();
    keyed.sort();
    let _ = writeln!(
        src,
        "];\npub(super) static REGISTERS: [(u64, Register); {}] = [",
        keyed.len()
    );
    for (key, name, reg) in keyed {
        let _ = writeln!(src, "    ({key:#x}, Register::{reg:?}), // {name}");
    }
    src.push_str("];\n");
    std::fs::write(out_path("names.rs"), src).expect("write names.rs");
}

fn byte(value: usize, what: &str) -> u8 {
    u8::try_from(value).unwrap_or_else(|_| panic!("{what} {value} does not fit a byte"))
}
