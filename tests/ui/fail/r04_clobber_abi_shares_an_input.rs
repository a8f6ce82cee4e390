// Spec §6: `b` may be allocated rdi (a clobber_abi clobber is a late output), and
// `mov rdi, {a}` destroys it before it is read.
use checked_asm::checked_asm;

extern "C" fn sum(a: u64, b: u64) -> u64 {
    a + b
}

fn main() {
    let r: u64;
    unsafe {
        checked_asm!(
            "mov rdi, {a}",
            "mov rsi, {b}",
            "call {f}",
            a = in(reg) 1u64,
            b = in(reg) 2u64,
            f = sym sum,
            out("rax") r,
            clobber_abi("C"),
        )
    };
    println!("{r}");
}
