// A `lateout(reg)` may be given the register of an input: `mov {o}, {c}` then destroys
// `{d}` when `o` and `d` share a register.
use checked_asm::checked_asm;

fn main() {
    let o: u64;
    unsafe {
        checked_asm!(
            "mov {o}, {c}",
            "add {o}, {d}",
            o = lateout(reg) o,
            c = in(reg) 1u64,
            d = in(reg) 2u64,
            options(pure, nomem, nostack),
        )
    };
    println!("{o}");
}
