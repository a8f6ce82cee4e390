use checked_asm::checked_asm;

fn main() {
    let x: u64;
    unsafe { checked_asm!("mov {0, 1", out(reg) x) };
}
