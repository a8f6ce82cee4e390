use checked_asm::checked_asm;

fn main() {
    let buf = [0u8; 16];
    unsafe {
        checked_asm!(
            "std",
            "rep stosb",
            inout("rdi") buf.as_ptr().add(15) => _,
            inout("rcx") 16usize => _,
            in("al") 0xffu8,
            options(nostack, preserves_flags),
        )
    };
}
