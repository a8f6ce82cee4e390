// Twin of r03_add_reads_undefined_output: the accumulator starts from a defined value,
// and the flag is computed before it is used.
use checked_asm::checked_asm;

fn main() {
    let r: u64;
    unsafe { checked_asm!("add {0}, {1}", inout(reg) 40u64 => r, in(reg) 2u64, options(pure, nomem, nostack)) };
    assert_eq!(r, 42);
    let mut x: u64 = 1;
    unsafe { checked_asm!("test {0}, {0}", "jz 2f", "inc {0}", "2:", inout(reg) x, options(nomem, nostack)) };
    assert_eq!(x, 2);
}
