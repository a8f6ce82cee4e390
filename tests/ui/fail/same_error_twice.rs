// Only clean blocks are remembered: a block with an error written twice is checked
// twice, and each copy gets its own error at its own span. The clean block between the
// two copies, and its copy after them, expand without a word.
use checked_asm::checked_asm;

fn tsc() -> (u32, u32) {
    let (lo, hi): (u32, u32);
    unsafe { checked_asm!("rdtscp", out("eax") lo, out("edx") hi, options(nomem, nostack, preserves_flags)) };
    (lo, hi)
}

fn fence() {
    unsafe { checked_asm!("lfence", options(nostack, preserves_flags)) };
}

fn tsc_again() -> (u32, u32) {
    let (lo, hi): (u32, u32);
    unsafe { checked_asm!("rdtscp", out("eax") lo, out("edx") hi, options(nomem, nostack, preserves_flags)) };
    (lo, hi)
}

fn main() {
    fence();
    unsafe { checked_asm!("lfence", options(nostack, preserves_flags)) };
    println!("{:?} {:?}", tsc(), tsc_again());
}
