// The re-entry label's address is pushed on the old stack, which is switched away:
// code from outside resumes at `2:`, so what holds after it cannot be checked.
use checked_asm::checked_asm;

#[allow(dead_code)]
unsafe fn switch(save: *mut usize, load: usize) {
    unsafe {
        checked_asm!(
            "lea rax, [rip + 2f]",
            "push rax",
            "mov qword ptr [{save}], rsp",
            "mov rsp, {load}",
            "ret",
            "2:",
            save = in(reg) save,
            load = in(reg) load,
            out("rax") _,
            clobber_abi("C"),
        )
    };
}

fn main() {}
