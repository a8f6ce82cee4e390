use checked_asm::checked_asm;

fn main() {
    unsafe { checked_asm!("mov {0}, 1", out("rax") _) };
}
