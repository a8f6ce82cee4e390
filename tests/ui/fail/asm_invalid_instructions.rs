// Templates LLVM would reject are compile errors quoting the line as written.
use checked_asm::checked_asm;

fn main() {
    let (x, n): (u64, u64) = (1, 2);
    unsafe {
        checked_asm!("movx rax, 1", out("rax") _);
        checked_asm!("shl {0}, {1}", inout(reg) x => _, in(reg) n);
        checked_asm!("mov [rdi], 1", in("rdi") &x);
        checked_asm!("mov r8, {0}", in(reg) x, out("r8") _);
    }
}
