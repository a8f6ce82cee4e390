use checked_asm::checked_asm;

extern "C" fn f() -> u64 {
    1
}

fn main() {
    let x: u64;
    unsafe { checked_asm!("call {f}", "mov {x}, rax", f = sym f, x = out(reg) x, clobber_abi("C")) };
    println!("{x}");
}
