// Found while writing examples/spinlock.rs: with `spins` late, LLVM gave `spins` and
// `one` one register (release build): `xor {spins:e}, {spins:e}` zeroed `one`, the
// cmpxchg stored 0, and the lock was never taken.
use checked_asm::checked_asm;

fn main() {
    let word = std::cell::UnsafeCell::new(0u32);
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
            lock = in(reg) word.get(),
            one = in(reg) 1u32,
            spins = lateout(reg) spins,
            out("eax") _,
            options(nostack),
        )
    };
    println!("{spins}");
}
