use checked_asm::checked_asm;

fn main() {
    let x: u64;
    unsafe {
        checked_asm!(
            "mov {x}, 0",
            "retry:",
            "inc {x}",
            "cmp {x}, 3",
            "jb retry",
            ".section .rodata",
            ".quad 0",
            x = out(reg) x,
            options(nostack),
        )
    };
    println!("{x}");
}
