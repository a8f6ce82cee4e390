// Port I/O with `nomem` is a warning (compiler-barrier intent), never an error; denied
// here so that the snapshot shows it.
#![deny(deprecated)]
use checked_asm::checked_asm;

#[allow(dead_code)]
unsafe fn outb(port: u16, v: u8) {
    unsafe { checked_asm!("out dx, al", in("dx") port, in("al") v, options(nomem, nostack, preserves_flags)) };
}

fn main() {}
