// A kernel that implements the Linux system-call ABI on a target whose `target_os` the
// checker does not model: the override makes `syscall` checkable everywhere.
use checked_asm::checked_asm;

fn main() {
    let pid: i64;
    unsafe {
        checked_asm!(
            #![waive(kernel_abi = "linux", reason = "every target this crate supports runs the Linux syscall ABI")]
            "syscall",
            inlateout("rax") 39i64 => pid,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack, preserves_flags),
        )
    };
    assert_eq!(pid as u32, std::process::id());
}
