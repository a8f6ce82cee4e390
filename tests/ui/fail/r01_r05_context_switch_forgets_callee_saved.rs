// A context switch that saves only what the C ABI makes caller-saved: the other context
// runs arbitrary code between the switch and the re-entry at `2:`, so rbx and rbp (which
// cannot be declared) must be pushed before the switch and popped after it, and r12–r15
// must be declared.
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
