use checked_asm::checked_asm;

fn main() {
    let x: u64;
    let y: u8;
    unsafe { checked_asm!("mov {0:h}, 1", "mov {1:x}, 2", "mov {2:e}, 3", out(reg) x, out(reg_byte) y, const 5) };
}
