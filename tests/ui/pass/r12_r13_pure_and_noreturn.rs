// Twins of R12/R13: a pure computation; a noreturn block that loops on hlt (compiled,
// not run: privileged).
#![allow(dead_code)]
use checked_asm::checked_asm;

fn halt_forever() -> ! {
    unsafe { checked_asm!("cli", "2:", "hlt", "jmp 2b", options(noreturn, nostack)) }
}

fn main() {
    let r: u64;
    unsafe { checked_asm!("lea {0}, [{1} + {1}*2]", out(reg) r, in(reg) 14u64, options(pure, nomem, nostack, preserves_flags)) };
    assert_eq!(r, 42);
}
