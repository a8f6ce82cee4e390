// Spec §6: the kernel returns in rax, which holds the input `n`. On FreeBSD the
// kernel also writes rdx and r8–r10.
use checked_asm::checked_asm;

fn main() {
    let n: u64 = 39; // getpid
    unsafe { checked_asm!("syscall", in("rax") n, out("rcx") _, out("r11") _, options(nostack, nomem)) };
}
