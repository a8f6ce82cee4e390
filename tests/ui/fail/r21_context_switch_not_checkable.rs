// An exception-table fixup (the Linux `__ex_table` idiom): if the load at `1:` faults,
// the kernel's fault handler resumes at `2:` with whatever state the fault left. The
// address of `1:` leaves the block as data, not as a saved context, so checked-asm cannot
// follow the re-entry and refuses the block.
use checked_asm::checked_asm;

#[allow(dead_code)]
unsafe fn load_or_zero(p: *const u64) -> u64 {
    let v: u64;
    unsafe {
        checked_asm!(
            "1: mov {v}, qword ptr [{p}]",
            "jmp 3f",
            "2: xor {v:e}, {v:e}",
            "3:",
            ".pushsection __ex_table, \"a\"",
            ".quad 1b, 2b",
            ".popsection",
            p = in(reg) p,
            v = out(reg) v,
            options(nostack, readonly),
        )
    };
    v
}

fn main() {}
