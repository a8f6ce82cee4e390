// Reading a register no input provides: the value is whatever the compiler left there.
use checked_asm::checked_asm;

fn main() {
    let x: u64;
    unsafe { checked_asm!("lea {0}, [rcx + 1]", out(reg) x, options(pure, nomem, nostack, preserves_flags)) };
    println!("{x}");
    let mut buf = 0u64;
    unsafe { checked_asm!("mov qword ptr [{p}], rdx", p = in(reg) &mut buf, options(nostack, preserves_flags)) };
    println!("{buf}");
}
