// ABI overrides use the waiver marker: the model then follows the named ABI on every
// target. Under the FreeBSD system-call ABI, `syscall` also writes rdx and r8–r10; a
// callee following Win64 needs 32 bytes of shadow space.
use checked_asm::checked_asm;

extern "win64" fn f() {}

#[allow(dead_code)]
unsafe fn getpid() -> i64 {
    let r: i64;
    unsafe {
        checked_asm!(
            #![waive(kernel_abi = "freebsd", reason = "this code runs on a FreeBSD kernel whatever target_os says")]
            "syscall",
            inlateout("rax") 20i64 => r,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        )
    };
    r
}

fn main() {
    unsafe {
        checked_asm!(
            #![waive(callee_abi = "win64", reason = "f is extern \"win64\"")]
            "call {f}",
            f = sym f,
            clobber_abi("C", "win64"),
        )
    };
}
