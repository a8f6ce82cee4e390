use checked_asm::checked_asm;

fn main() {
    unsafe { checked_asm!("ud2", out("rax") _, options(noreturn)) };
}
