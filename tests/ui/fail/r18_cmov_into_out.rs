// A conditional move into a pure `out`: when the condition is false the output
// receives whatever the register held.
use checked_asm::checked_asm;

fn main() {
    let (a, b): (u64, u64) = (1, 2);
    let max: u64;
    unsafe {
        checked_asm!(
            "cmp {a}, {b}",
            "cmova {m}, {a}",
            a = in(reg) a,
            b = in(reg) b,
            m = out(reg) max,
            options(pure, nomem, nostack),
        )
    };
    println!("{max}");
}
