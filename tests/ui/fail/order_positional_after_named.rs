use checked_asm::checked_asm;

fn main() {
    let (x, y): (u64, u64);
    unsafe { checked_asm!("mov {a}, 1", "mov {}, 2", a = out(reg) x, out(reg) y) };
}
