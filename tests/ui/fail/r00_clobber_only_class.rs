use checked_asm::checked_asm;

fn main() {
    unsafe { checked_asm!("fld1", "fstp {}", out(x87_reg) _, in("mm0") 1u64) };
}
