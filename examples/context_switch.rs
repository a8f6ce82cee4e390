//! A tiny cooperative context switch: `main` and a task running on its own heap-allocated
//! stack pass values back and forth (ping-pong), like a generator.
//!
//! A suspended context is a stack pointer; the stack it points to holds
//! `[resume address][saved rbx][saved rbp]`. Switching pushes those three, stores rsp in
//! the current context's slot, loads the other context's rsp, and `ret`s to *its* resume
//! address, where it pops its rbx and rbp. A value travels along in rdx.
//!
//! Contract choices (the same for both blocks):
//! - Between leaving and re-entering, arbitrary Rust code runs in the other context, so
//!   every register it may change must be declared: `clobber_abi("C")` (rax, rcx, rdx,
//!   rsi, rdi, r8–r11, the vector registers, k0–7, x87/MMX) plus the callee-saved r12–r15
//!   (`lateout("r12") _` …: they change only after the inputs are consumed). Declaring
//!   r12–r15 is cheaper than saving them: the compiler only saves the ones it actually
//!   uses.
//! - rbx and rbp cannot be operands or clobbers, so they are pushed before suspending
//!   and popped after re-entry, in reverse order; rsp is back at its entry value at the
//!   end of the block.
//! - `in("rdi")`/`in("rsi")` are consumed before the switch; they are caller-saved, so
//!   the clobber_abi lateouts cover them (no `inout … => _` needed). rdx carries the value
//!   in both directions: `inout("rdx") value => received` (overriding its clobber).
//! - The local label `2:` is the re-entry point: its address is pushed and escapes with
//!   the saved rsp. `ret` after `mov rsp, rsi` pops the *other* stack's resume address.
//! - `start` enters a fresh stack by jumping to `{entry}` (a `sym` operand, an
//!   `extern "C" fn(usize) -> !`) with a dummy return address pushed on the 16-aligned
//!   stack top, so the entry sees the stack exactly as after a `call`.
//! - checked-asm follows the switch through the re-entry: it sees rsp stored to `*save`
//!   with the resume address on top of the saved stack, so the other context `ret`s to
//!   `2:` with rsp 16 bytes below its entry value. From there it checks that rbx and rbp
//!   are popped back in reverse order, rsp returns to its entry value, and every other
//!   register the other context may change is declared. No waiver is needed.
//! - No `nostack` (the blocks push), no `nomem`/`readonly` (they store rsp, and the other
//!   context reads and writes memory), no `preserves_flags` (the other context runs
//!   arbitrary code that changes the flags). The other context leaves DF clear and the
//!   MXCSR / x87 control words as the Rust ABI requires at every call boundary.
#![allow(unexpected_cfgs)] // the cfg below re-enables a block the checker rejects

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
mod imp {
    use checked_asm::checked_asm;

    /// Saves the current context into `*save`, resumes the context whose rsp is `to`,
    /// handing it `value`; returns the value handed back when something switches here.
    ///
    /// # Safety
    /// `to` must be the saved rsp of a suspended context (from `switch` or `start`).
    pub unsafe fn switch(save: *mut usize, to: usize, value: usize) -> usize {
        let received: usize;
        // SAFETY: see the contract above; `save` is valid for a write.
        unsafe {
            checked_asm!(
                "push rbp",
                "push rbx",
                "lea rax, [rip + 2f]",
                "push rax",
                "mov [rdi], rsp",
                "mov rsp, rsi",
                "ret",
                "2:",
                "pop rbx",
                "pop rbp",
                in("rdi") save,
                in("rsi") to,
                inout("rdx") value => received,
                lateout("r12") _,
                lateout("r13") _,
                lateout("r14") _,
                lateout("r15") _,
                clobber_abi("C"),
            )
        };
        received
    }

    /// Saves the current context into `*save` and starts `entry(value)` on the stack
    /// whose (16-byte aligned) top is `stack_top`; returns the value handed back by the
    /// first `switch` to this context.
    ///
    /// The entry is reached with `push 0; jmp {entry}`: the pushed 0 stands for the
    /// return address a `call` would push (the entry never returns), so the entry sees
    /// rsp ≡ 8 (mod 16) exactly as after a call from an aligned stack.
    ///
    /// # Safety
    /// `stack_top` must be the 16-aligned end of a writable region large enough for
    /// `entry`, which must never return and only leave through `switch`.
    #[cfg(not(checked_asm_call_on_switched_stack))]
    pub unsafe fn start(save: *mut usize, stack_top: usize, value: usize) -> usize {
        let received: usize;
        // SAFETY: see the contract above.
        unsafe {
            checked_asm!(
                "push rbp",
                "push rbx",
                "lea rax, [rip + 2f]",
                "push rax",
                "mov [rdi], rsp",
                "mov rsp, rsi",
                "mov rdi, rdx",
                "push 0",
                "jmp {entry}",
                "2:",
                "pop rbx",
                "pop rbp",
                entry = sym task_entry,
                in("rdi") save,
                in("rsi") stack_top,
                inout("rdx") value => received,
                lateout("r12") _,
                lateout("r13") _,
                lateout("r14") _,
                lateout("r15") _,
                clobber_abi("C"),
            )
        };
        received
    }

    /// The same with `call {entry}` on the new stack, the more common spelling.
    ///
    /// checked-asm once rejected this block (R09 alignment checked on a switched stack);
    /// it accepts it now. Compiled with `RUSTFLAGS="--cfg checked_asm_call_on_switched_stack"`.
    ///
    /// # Safety
    /// As for the `jmp` version.
    #[cfg(checked_asm_call_on_switched_stack)]
    pub unsafe fn start(save: *mut usize, stack_top: usize, value: usize) -> usize {
        let received: usize;
        // SAFETY: see the contract above.
        unsafe {
            checked_asm!(
                "push rbp",
                "push rbx",
                "lea rax, [rip + 2f]",
                "push rax",
                "mov [rdi], rsp",
                "mov rsp, rsi",
                "mov rdi, rdx",
                "call {entry}",
                "ud2",
                "2:",
                "pop rbx",
                "pop rbp",
                entry = sym task_entry,
                in("rdi") save,
                in("rsi") stack_top,
                inout("rdx") value => received,
                lateout("r12") _,
                lateout("r13") _,
                lateout("r14") _,
                lateout("r15") _,
                clobber_abi("C"),
            )
        };
        received
    }

    /// Shared between the two contexts (through a raw pointer).
    pub struct Pair {
        pub main_sp: usize,
        pub task_sp: usize,
        pub log: Vec<String>,
    }

    /// The task: receives `n`, replies `n * n`, forever. It never returns; `main`
    /// simply stops resuming it.
    extern "C" fn task_entry(pair: usize) -> ! {
        let pair = pair as *mut Pair;
        // The first value arrives with the first switch back from main.
        // SAFETY: `pair` outlives the task (main owns it and stops resuming first).
        let mut n = unsafe { switch(&raw mut (*pair).task_sp, (*pair).main_sp, 0) };
        let mut sum = 0usize; // lives across switches: callee-saved register or stack
        loop {
            sum += n;
            let reply = n * n;
            unsafe {
                (*pair).log.push(format!(
                    "task: got {n}, replies {reply} (task's running sum {sum})"
                ))
            };
            n = unsafe { switch(&raw mut (*pair).task_sp, (*pair).main_sp, reply) };
        }
    }

    /// Runs `rounds` ping-pongs; returns the event log and main's replies.
    pub fn ping_pong(rounds: usize) -> (Vec<String>, Vec<usize>) {
        const STACK: usize = 64 * 1024;
        let mut stack = vec![0u128; STACK / 16]; // u128: 16-byte aligned
        let top = stack.as_mut_ptr() as usize + STACK;
        let mut pair = Box::new(Pair {
            main_sp: 0,
            task_sp: 0,
            log: Vec::new(),
        });
        let p: *mut Pair = &raw mut *pair;
        // SAFETY: fresh aligned stack; task_entry never returns.
        let ready = unsafe { start(&raw mut (*p).main_sp, top, p as usize) };
        unsafe { (*p).log.push(format!("main: task started (said {ready})")) };
        let mut replies = Vec::new();
        let mut guard = 0x5eed_u64; // a local live across every switch
        for i in 1..=rounds {
            unsafe { (*p).log.push(format!("main: sends {i}")) };
            // SAFETY: the task is suspended in `switch`, its rsp in task_sp.
            let r = unsafe { switch(&raw mut (*p).main_sp, (*p).task_sp, i) };
            guard = guard.rotate_left(7) ^ r as u64;
            unsafe { (*p).log.push(format!("main: got {r}")) };
            replies.push(r);
        }
        let expect = (1..=rounds).fold(0x5eed_u64, |g, i| g.rotate_left(7) ^ (i * i) as u64);
        assert_eq!(
            guard, expect,
            "a value live across the switches was corrupted"
        );
        // The task stays suspended; its frame owns nothing, so freeing its stack is fine.
        drop(stack);
        (std::mem::take(&mut pair.log), replies)
    }
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
pub use imp::*;

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn main() {
    let (log, replies) = ping_pong(5);
    for line in &log {
        println!("{line}");
    }
    println!("replies: {replies:?}");
}

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
fn main() {
    println!("this example runs on Linux x86_64 only");
}
