// rbp and rbx are saved before the switch but popped in the order they were pushed:
// after re-entry rbx holds the caller's rbp and rbp the caller's rbx.
use checked_asm::checked_asm;

#[allow(dead_code)]
unsafe fn switch(save: *mut usize, load: usize) {
    unsafe {
        checked_asm!(
            "push rbp",
            "push rbx",
            "lea rax, [rip + 2f]",
            "push rax",
            "mov qword ptr [rdi], rsp",
            "mov rsp, rsi",
            "ret",
            "2:",
            "pop rbp",
            "pop rbx",
            in("rdi") save,
            in("rsi") load,
            lateout("r12") _,
            lateout("r13") _,
            lateout("r14") _,
            lateout("r15") _,
            clobber_abi("C"),
        )
    };
}

fn main() {}
