use checked_asm::checked_asm;

fn main() {
    let x: u64;
    unsafe { checked_asm!("nop", in("eax") 1u32, out("rax") x, in("al") 2u8) };
}
