use checked_asm::checked_asm;

fn main() {
    unsafe { checked_asm!("nop", in("rbp") 1u64, in("rsp") 2u64, in("rip") 3u64, in("ah") 4u8) };
}
