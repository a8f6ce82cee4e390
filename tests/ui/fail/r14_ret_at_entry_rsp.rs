// `ret` with rsp at its entry value pops the enclosing function's return address.
use checked_asm::checked_asm;

#[allow(dead_code)]
unsafe fn leave_early() -> ! {
    unsafe { checked_asm!("ret", options(noreturn)) }
}

fn main() {}
