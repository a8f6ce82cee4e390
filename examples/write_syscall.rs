//! Linux `write(2)` and `getpid(2)` through the `syscall` instruction, in the style of
//! rustix's raw syscall wrappers.
//!
//! Contract choices (Linux x86_64 syscall ABI):
//! - `inlateout("rax") nr => ret`: rax carries the syscall number in and the result out.
//!   The kernel reads rax before it writes it, so the output can be late.
//! - `in("rdi")`, `in("rsi")`, `in("rdx")`: the arguments; the kernel preserves them.
//! - `lateout("rcx") _, lateout("r11") _`: `syscall` itself saves the return rip in rcx
//!   and rflags in r11, so both are clobbered. They are written only at the very end of
//!   the block (after every input was read), so they may be late and share a register
//!   with an input.
//! - `nostack`: the block pushes nothing; the kernel switches to its own stack.
//! - `preserves_flags`: `sysret` restores rflags from r11, so the status flags and DF
//!   are the ones the block started with.
//! - `readonly` for `write`: the kernel only reads the buffer. It is not `nomem`
//!   (the kernel reads memory the compiler must have stored before the block) and it is
//!   not `pure` (writing to a file is a side effect that must not be removed or merged).
//! - `getpid` touches no user memory: `nomem`. Still not `pure`: the process id is not a
//!   function of the inputs (it changes after `fork`) and a syscall is never removable.

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
mod sys {
    use checked_asm::checked_asm;

    pub const SYS_WRITE: usize = 1;
    pub const SYS_GETPID: usize = 39;

    /// `write(fd, buf.as_ptr(), buf.len())`; returns the byte count or `-errno`.
    pub fn write(fd: i32, buf: &[u8]) -> isize {
        let ret: isize;
        // SAFETY: write(2) only reads `buf.len()` bytes from `buf`, which is a valid
        // slice; the kernel preserves every register but rax, rcx and r11.
        unsafe {
            checked_asm!(
                "syscall",
                inlateout("rax") SYS_WRITE => ret,
                in("rdi") fd as isize,
                in("rsi") buf.as_ptr(),
                in("rdx") buf.len(),
                lateout("rcx") _,
                lateout("r11") _,
                options(nostack, preserves_flags, readonly),
            )
        };
        ret
    }

    /// `getpid()`: never fails.
    pub fn getpid() -> u32 {
        let ret: usize;
        // SAFETY: getpid has no arguments and no memory effects.
        unsafe {
            checked_asm!(
                "syscall",
                inlateout("rax") SYS_GETPID => ret,
                lateout("rcx") _,
                lateout("r11") _,
                options(nostack, preserves_flags, nomem),
            )
        };
        ret as u32
    }
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
pub use sys::*;

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn main() {
    let msg = b"hello from write(2) via syscall\n";
    let n = write(1, msg);
    println!("write returned {n} (message is {} bytes)", msg.len());
    let bad = write(-1, msg);
    println!("write to fd -1 returned {bad} (-EBADF = -9)");
    let pid = getpid();
    println!("getpid: {pid} (std::process::id: {})", std::process::id());
}

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
fn main() {
    println!("this example runs on Linux x86_64 only");
}
