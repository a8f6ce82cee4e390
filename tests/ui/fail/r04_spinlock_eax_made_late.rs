// The spinlock's acquire loop with eax declared `lateout`: LLVM may then put `{lock}` or
// `{one}` in eax, which `xor eax, eax` destroys before `lock cmpxchg` reads them (on the
// first iteration, and again on every retry).
use checked_asm::checked_asm;

#[allow(dead_code)]
unsafe fn lock(word: *mut u32) -> u64 {
    let spins: u64;
    unsafe {
        checked_asm!(
            "xor {spins:e}, {spins:e}",
            "2:",
            "xor eax, eax",
            "lock cmpxchg dword ptr [{lock}], {one:e}",
            "je 4f",
            "3:",
            "pause",
            "inc {spins}",
            "cmp dword ptr [{lock}], 0",
            "jne 3b",
            "jmp 2b",
            "4:",
            lock = in(reg) word,
            one = in(reg) 1u32,
            spins = out(reg) spins,
            lateout("eax") _,
            options(nostack),
        )
    };
    spins
}

fn main() {}
