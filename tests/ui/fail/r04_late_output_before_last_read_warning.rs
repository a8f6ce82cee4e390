// Explicit registers cannot share, so this is correct, but a late output written before
// an input is read is the pattern LLVM issue 57550 miscompiled: a warning (denied here
// so that the snapshot shows it).
#![deny(deprecated)]
use checked_asm::checked_asm;

fn main() {
    let o: u64;
    unsafe { checked_asm!("mov rax, 1", "add rax, rdi", in("rdi") 41u64, lateout("rax") o, options(pure, nomem, nostack)) };
    println!("{o}");
}
