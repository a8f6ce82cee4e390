// `checked_naked_asm!` must leave a naked function's body a single `naked_asm!`
// (E0787), and `checked_global_asm!` must work at item level with `const` and `sym`.
use checked_asm::{checked_global_asm, checked_naked_asm};

static TABLE: [u32; 2] = [3, 4];

checked_global_asm!(
    ".pushsection .text.checked_asm_pass, \"ax\"",
    ".globl checked_asm_pass_second",
    "checked_asm_pass_second:",
    "mov eax, dword ptr [rip + {table} + {offset}]",
    "ret",
    ".popsection",
    table = sym TABLE,
    offset = const 4,
);

unsafe extern "C" {
    fn checked_asm_pass_second() -> u32;
}

#[unsafe(naked)]
extern "C" fn add_one(x: u32) -> u32 {
    checked_naked_asm!("lea eax, [rdi + {}]", "ret", const 1)
}

#[unsafe(naked)]
extern "C" fn att_double(x: u32) -> u32 {
    checked_naked_asm!("leal (%edi,%edi), %eax", "retq", options(att_syntax))
}

fn main() {
    assert_eq!(add_one(41), 42);
    assert_eq!(att_double(21), 42);
    assert_eq!(unsafe { checked_asm_pass_second() }, 4);
}
