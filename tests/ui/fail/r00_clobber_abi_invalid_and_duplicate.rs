use checked_asm::checked_asm;

fn main() {
    unsafe { checked_asm!("nop", clobber_abi("C", "fastcall"), clobber_abi("sysv64")) };
}
