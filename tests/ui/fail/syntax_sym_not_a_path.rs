use checked_asm::checked_asm;

extern "C" fn f() {}

fn main() {
    unsafe { checked_asm!("call {}", sym f as usize, clobber_abi("C")) };
}
