// R17: `shl` takes its count in cl (or as an immediate); a `reg` operand cannot
// guarantee cl. Reported by the assembler check, before LLVM's own error.
use checked_asm::checked_asm;

fn main() {
    let (x, n): (u64, u64) = (1, 3);
    let r: u64;
    unsafe { checked_asm!("shl {0}, {1}", inout(reg) x => r, in(reg) n, options(pure, nomem, nostack)) };
    println!("{r}");
}
