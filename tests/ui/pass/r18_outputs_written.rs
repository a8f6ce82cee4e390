// Twin of r18_cmov_into_out: the output starts from a defined value before cmov.
use checked_asm::checked_asm;

fn main() {
    let max: u64;
    unsafe {
        checked_asm!(
            "mov {m}, {b}",
            "cmp {a}, {b}",
            "cmova {m}, {a}",
            a = in(reg) 5u64,
            b = in(reg) 9u64,
            m = out(reg) max,
            options(pure, nomem, nostack),
        )
    };
    assert_eq!(max, 9);
}
