//! A test-and-test-and-set spinlock: `lock cmpxchg` to acquire, `pause` while waiting,
//! a plain `mov` store to release; several threads increment a shared counter under it.
//!
//! Contract choices:
//! - `lock` is a class operand holding the lock word's address; `one` holds the value 1
//!   to store (`cmpxchg` needs a register source).
//! - acquire: eax is the expected value (0) and `cmpxchg` loads the current value into
//!   it on failure, so it is clobbered. It is `out("eax") _`, *not* `lateout`: the
//!   `xor eax, eax` at the top of the loop runs before `{lock}` and `{one}` are read
//!   (again on every retry), so eax must not share a register with them.
//! - try_lock: eax is an input (`inout("eax") 0 => _`, cmpxchg may overwrite it); the
//!   result `ok` is written by the last instruction, after every input was read, so
//!   `lateout(reg_byte)` is safe.
//! - No `nomem`/`readonly` on any of them: `lock cmpxchg` writes memory and is a full
//!   barrier (inter-thread ordering), and the release store writes memory. Without
//!   `nomem` the blocks are also compiler barriers, which is what keeps the protected
//!   accesses between acquire and release.
//! - Not `preserves_flags` for acquire/try_lock (`xor`, `cmpxchg`, `cmp` write the
//!   status flags); `preserves_flags` for release (`mov` writes none).
//! - `nostack` everywhere: nothing is pushed.
//! - Release is a plain store: x86 stores are not reordered with earlier loads or
//!   stores (TSO), so a `mov` is a release store.

#[cfg(target_arch = "x86_64")]
mod imp {
    use checked_asm::checked_asm;
    use std::cell::UnsafeCell;

    pub struct SpinLock<T> {
        word: UnsafeCell<u32>,
        value: UnsafeCell<T>,
    }

    // SAFETY: the lock serialises every access to `value`.
    unsafe impl<T: Send> Sync for SpinLock<T> {}

    impl<T> SpinLock<T> {
        pub const fn new(value: T) -> Self {
            Self {
                word: UnsafeCell::new(0),
                value: UnsafeCell::new(value),
            }
        }

        /// Spins until the lock word goes from 0 to 1; returns the number of `pause`
        /// iterations spent waiting.
        pub fn lock(&self) -> u64 {
            let spins: u64;
            // SAFETY: `word` is a valid, aligned u32 only ever accessed atomically here.
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
                    lock = in(reg) self.word.get(),
                    one = in(reg) 1u32,
                    spins = out(reg) spins,
                    out("eax") _,
                    options(nostack),
                )
            };
            spins
        }

        /// One attempt: true if the lock was free and is now held.
        pub fn try_lock(&self) -> bool {
            let ok: u8;
            // SAFETY: as for `lock`.
            unsafe {
                checked_asm!(
                    "lock cmpxchg dword ptr [{lock}], {one:e}",
                    "sete {ok}",
                    lock = in(reg) self.word.get(),
                    one = in(reg) 1u32,
                    ok = lateout(reg_byte) ok,
                    inout("eax") 0u32 => _,
                    options(nostack),
                )
            };
            ok != 0
        }

        /// `try_lock` with a `label` operand: on failure `jne` jumps straight into the
        /// Rust block `busy`, so no flag has to be materialised with `sete`. The contract
        /// is the same as `try_lock`'s minus the output (a jump to a label operand is an
        /// exit of the block, where every rule applies as at the fall-through end).
        pub fn try_lock_label(&self) -> bool {
            // SAFETY: as for `lock`.
            unsafe {
                checked_asm!(
                    "lock cmpxchg dword ptr [{lock}], {one:e}",
                    "jne {busy}",
                    lock = in(reg) self.word.get(),
                    one = in(reg) 1u32,
                    busy = label { return false; },
                    inout("eax") 0u32 => _,
                    options(nostack),
                )
            };
            true
        }

        /// Releases the lock (plain store of 0).
        ///
        /// # Safety
        /// The caller must hold the lock.
        pub unsafe fn unlock(&self) {
            // SAFETY: the caller holds the lock; `word` is valid and aligned.
            unsafe {
                checked_asm!(
                    "mov dword ptr [{lock}], 0",
                    lock = in(reg) self.word.get(),
                    options(nostack, preserves_flags),
                )
            };
        }

        /// Runs `f` with the lock held; returns its result and the spins spent waiting.
        pub fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> (R, u64) {
            let spins = self.lock();
            // SAFETY: the lock is held, so no other thread accesses `value`.
            let r = f(unsafe { &mut *self.value.get() });
            // SAFETY: acquired above.
            unsafe { self.unlock() };
            (r, spins)
        }

        pub fn into_inner(self) -> T {
            self.value.into_inner()
        }
    }

    /// `threads` threads each add 1 to a shared, non-atomic counter `iters` times
    /// under the lock; returns the final counter and the total spins.
    pub fn contended_count(threads: usize, iters: u64) -> (u64, u64) {
        let lock = SpinLock::new(0u64);
        let total_spins: u64 = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| {
                        let mut spins = 0;
                        for _ in 0..iters {
                            // A read-modify-write the lock must make atomic.
                            let ((), w) = lock.with(|c| {
                                let v = *c;
                                std::hint::black_box(());
                                *c = v + 1;
                            });
                            spins += w;
                        }
                        spins
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        (lock.into_inner(), total_spins)
    }
}

#[cfg(target_arch = "x86_64")]
pub use imp::*;

#[cfg(target_arch = "x86_64")]
fn main() {
    let l = SpinLock::new(());
    println!("try_lock on a free lock: {}", l.try_lock());
    println!("try_lock on a held lock: {}", l.try_lock());
    unsafe { l.unlock() };
    println!("try_lock after unlock: {}", l.try_lock());
    println!("try_lock_label on a held lock: {}", l.try_lock_label());
    unsafe { l.unlock() };
    println!("try_lock_label on a free lock: {}", l.try_lock_label());
    unsafe { l.unlock() };

    let (threads, iters) = (4, 100_000);
    let (count, spins) = contended_count(threads, iters);
    println!(
        "{threads} threads x {iters} increments under the spinlock: counter = {count} (expected {}), {spins} pause iterations",
        threads as u64 * iters
    );
}

#[cfg(not(target_arch = "x86_64"))]
fn main() {
    println!("this example runs on x86_64 only");
}
