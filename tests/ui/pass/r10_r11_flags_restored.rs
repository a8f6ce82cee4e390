// Twins of R10/R11: flags saved and restored around popcnt; std followed by cld.
use checked_asm::checked_asm;

fn main() {
    let n: u64;
    unsafe { checked_asm!("pushfq", "popcnt {0}, {1}", "popfq", out(reg) n, in(reg) 0xffu64, options(nomem, preserves_flags)) };
    assert_eq!(n, 8);
    let mut buf = [0u8; 4];
    unsafe {
        checked_asm!(
            "std",
            "rep stosb",
            "cld",
            inout("rdi") buf.as_mut_ptr().add(3) => _,
            inout("rcx") 4usize => _,
            in("al") 9u8,
            options(nostack, preserves_flags),
        )
    };
    assert_eq!(buf, [9; 4]);
}
