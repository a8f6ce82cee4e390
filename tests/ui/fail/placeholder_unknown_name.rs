use checked_asm::checked_asm;

fn main() {
    let x: u64;
    unsafe { checked_asm!("mov {y}, 1", x = out(reg) x) };
}
