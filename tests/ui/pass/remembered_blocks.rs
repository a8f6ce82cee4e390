// A clean block written again is remembered, not checked again; the expansion of every
// clean block is built by the proc macro itself (`::core::arch::asm!(...)` from
// proc_macro's types).
// Each copy here must still compile and run as the first did, in every position an
// `asm!` can stand: a statement, an expression with a value (`!` for `noreturn`), a
// naked function's body, an item.
use checked_asm::{checked_asm, checked_global_asm, checked_naked_asm};

checked_global_asm!(
    ".pushsection .text.checked_asm_remembered, \"ax\"",
    ".popsection",
);
checked_global_asm!(
    ".pushsection .text.checked_asm_remembered, \"ax\"",
    ".popsection",
);

#[unsafe(naked)]
extern "C" fn one() -> u32 {
    checked_naked_asm!("mov eax, 1", "ret")
}

#[unsafe(naked)]
extern "C" fn also_one() -> u32 {
    checked_naked_asm!("mov eax, 1", "ret")
}

fn add(a: u64, b: u64) -> u64 {
    let mut sum = a;
    unsafe { checked_asm!("add {0}, {1}", inout(reg) sum, in(reg) b, options(pure, nomem, nostack)) };
    sum
}

fn add_again(a: u64, b: u64) -> u64 {
    let mut sum = a;
    // The same tokens as in `add`, as an expression whose value is the block's `()`.
    let () = unsafe {
        checked_asm!("add {0}, {1}", inout(reg) sum, in(reg) b, options(pure, nomem, nostack))
    };
    sum
}

fn stop() -> ! {
    unsafe { checked_asm!("ud2", options(noreturn, nomem, nostack)) }
}

fn stop_again() -> ! {
    unsafe { checked_asm!("ud2", options(noreturn, nomem, nostack)) }
}

fn main() {
    assert_eq!(one() + also_one(), 2);
    assert_eq!(add(40, 2), 42);
    assert_eq!(add_again(40, 2), 42);
    if std::env::args().count() > 100 {
        stop();
    }
    if std::env::args().count() > 101 {
        stop_again();
    }
}
