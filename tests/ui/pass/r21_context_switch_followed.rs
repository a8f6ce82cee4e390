// Context switches checked-asm follows through the re-entry (contract-rules.md §2): the
// block stores rsp where the resuming code finds it, leaves its stack, and after the
// re-entry at `2:` pops what it pushed before the switch, in reverse order. Everything
// else another context may change is declared.
#![deny(deprecated)] // no refinement warning either
use checked_asm::checked_asm;

/// The `ret`-resumed form: the re-entry address is on top of the saved stack.
#[allow(dead_code)]
unsafe fn switch(save: *mut usize, to: usize, value: usize) -> usize {
    let received: usize;
    unsafe {
        checked_asm!(
            "push rbp",
            "push rbx",
            "lea rax, [rip + 2f]",
            "push rax",
            "mov [rdi], rsp",
            "mov rsp, rsi",
            "ret",
            "2:",
            "pop rbx",
            "pop rbp",
            in("rdi") save,
            in("rsi") to,
            inout("rdx") value => received,
            lateout("r12") _,
            lateout("r13") _,
            lateout("r14") _,
            lateout("r15") _,
            clobber_abi("C"),
        )
    };
    received
}

/// `xchg` saves rsp and loads the other context's in one instruction.
#[allow(dead_code)]
unsafe fn switch_xchg(slot: *mut usize) {
    unsafe {
        checked_asm!(
            "push rbp",
            "push rbx",
            "lea rax, [rip + 2f]",
            "push rax",
            "xchg rsp, [rdi]",
            "ret",
            "2:",
            "pop rbx",
            "pop rbp",
            in("rdi") slot,
            lateout("r12") _,
            lateout("r13") _,
            lateout("r14") _,
            lateout("r15") _,
            clobber_abi("C"),
        )
    };
}

/// The jump-resumed form: the re-entry address is stored beside the saved rsp, and the
/// resuming code loads rsp and jumps to it.
#[allow(dead_code)]
unsafe fn switch_jmp(save: *mut [usize; 2], to: *const [usize; 2]) {
    unsafe {
        checked_asm!(
            "push rbp",
            "push rbx",
            "lea rax, [rip + 2f]",
            "mov [rdi + 8], rax",
            "mov [rdi], rsp",
            "mov rsp, [rsi]",
            "jmp qword ptr [rsi + 8]",
            "2:",
            "pop rbx",
            "pop rbp",
            in("rdi") save,
            in("rsi") to,
            lateout("r12") _,
            lateout("r13") _,
            lateout("r14") _,
            lateout("r15") _,
            clobber_abi("C"),
        )
    };
}

fn main() {}
