// Twin of r17_shift_count_not_in_cl: the count is passed in cl explicitly.
use checked_asm::checked_asm;

fn main() {
    let r: u64;
    unsafe { checked_asm!("shl {0}, cl", inout(reg) 1u64 => r, in("cl") 3u8, options(pure, nomem, nostack)) };
    assert_eq!(r, 8);
}
