//! checked_asm! used from an edition-2018 crate: the expansion must resolve and behave
//! exactly like `asm!` whatever the caller's edition.
#![no_std]
use checked_asm::{checked_asm, checked_global_asm};

checked_global_asm!(
    ".globl checked_asm_edition_2018",
    "checked_asm_edition_2018:",
    "lea eax, [edi + {k}]",
    "ret",
    k = const 2018,
);

extern "C" {
    fn checked_asm_edition_2018(x: u32) -> u32;
}

macro_rules! add_const {
    ($x:expr, $k:literal) => {{
        let mut v: u64 = $x;
        unsafe { checked_asm!(concat!("add {v}, ", $k), v = inout(reg) v, options(pure, nomem, nostack)) };
        v
    }};
}

/// Adds through three blocks: a plain one, one from a macro_rules wrapper, one in global_asm.
pub fn add_three(a: u64) -> u64 {
    let b: u64;
    unsafe {
        checked_asm!("lea {0}, [{1} + 1]", lateout(reg) b, in(reg) a, options(pure, nomem, nostack, preserves_flags))
    };
    let c = add_const!(b, "1");
    u64::from(unsafe { checked_asm_edition_2018(c as u32) }) - 2018 + 1
}

#[cfg(test)]
mod tests {
    #[test]
    fn blocks_behave_as_asm() {
        assert_eq!(super::add_three(10), 13);
    }
}
