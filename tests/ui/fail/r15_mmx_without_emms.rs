// Spec §6: MMX instructions leave the x87 stack full until `emms`.
use checked_asm::checked_asm;

fn main() {
    let x: u64 = 1;
    unsafe { checked_asm!("movq mm0, {0}", "paddq mm0, mm0", in(reg) x, out("mm0") _, options(nomem, nostack)) };
}
