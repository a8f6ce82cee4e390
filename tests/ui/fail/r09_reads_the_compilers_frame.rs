// [rsp + 8] at entry is the surrounding function's frame: its layout is not part of the
// contract.
use checked_asm::checked_asm;

fn main() {
    let x: u64;
    unsafe { checked_asm!("mov {}, qword ptr [rsp + 8]", out(reg) x, options(readonly, preserves_flags)) };
    println!("{x}");
}
