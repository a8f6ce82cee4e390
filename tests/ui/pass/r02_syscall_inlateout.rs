// Twin of r02_syscall_kernel_overwrites_rax: the syscall number is also the result.
use checked_asm::checked_asm;

fn main() {
    let pid: i64;
    unsafe {
        checked_asm!("syscall", inlateout("rax") 39i64 => pid, lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags))
    };
    assert_eq!(pid as u32, std::process::id());
}
