//! What the inferred contract buys at run time (issue 6, item 5).
//!
//! Each kernel is written once, generic over the blocks it uses, and compiled twice:
//! with the contract a cautious user writes by default (no options, `out` rather than
//! `lateout`), which `checked_asm!` accepts with a refinement warning, and with the
//! minimal contract exactly as `cargo checked-asm infer` prints it. The machine code
//! differs only where the contract lets LLVM do more:
//!
//! 1. `seeded_hash_sum` (`hash of a seeded stream`): every value is hashed with
//!    `mix(v ^ mix(seed, K1), K2)`. With `pure, nomem` the `mix(seed, K1)` block is
//!    loop-invariant and LLVM hoists it before the loop: the loop runs one `imul`/`rol`
//!    block per value. The conservative version runs both blocks for each of the 1,024
//!    values, since a block with side effects must execute as often as it is written.
//! 2. `mask_with_wire_key` (`mask with a big-endian key`): every word is XORed with
//!    `bswap(key)`. With `pure` the `bswap` is hoisted, the loop body is plain Rust and
//!    LLVM vectorises it (SSE2 `pxor` on two words at a time, four words per
//!    iteration). The conservative version keeps `bswap` and a scalar
//!    read-modify-write `xor` per word.
//! 3. `BitIndex::count_ones` (`popcount of an indexed bit set`): an indexed loop over the
//!    words of one set of a `Vec<BitSet>`. Without `nomem` the block may write any
//!    memory, including the `Vec` header of the set, which lives on the heap where the
//!    `&self` borrow tells LLVM nothing: the conservative loop reloads the length and
//!    the data pointer and checks the bound on every iteration. With `nomem` both are
//!    loaded once and the bound check disappears (the range is the length). Here `pure`
//!    plays no part: `options(nomem, nostack)` alone gives the same loop.
//!
//! The conservative hash and mask kernels also align the stack at entry (`push rax`: no
//! `nostack`), once per call, outside the loop.
//!
//! Tried and left out because nothing measurable came of them on the development
//! machine (AMD EPYC, 2 cores), with the variants alternating:
//! - a counter in a heap buffer accumulated through the block (`*slot += popcount(w)`, or
//!   three fields of a statistics struct): the conservative loop does `add [mem], reg`
//!   per word, the minimal one keeps the sums in registers, and the CPU's store-to-load
//!   forwarding makes the two equally fast (1.01–1.03);
//! - `nostack` alone: a leaf function without it keeps a `push rax`/`pop rcx` pair to
//!   align the stack (1.00–1.04 over 1,024 calls through a function pointer);
//! - `preserves_flags`: no change in the machine code of the loops tried, LLVM
//!   recomputes flags rather than keeping them live across a block.
//!
//! Code placement matters on some cores. On the Zen 1 host of the latest measure the
//! default build's minimal popcount loop straddles a 64-byte boundary where the
//! conservative one does not, and measures slower (×0.83); built with every loop at the
//! start of a 64-byte line (`-align-loops=64` below) the same source measures ×1.16, and
//! over three builds the popcount moves between ×0.83 and ×1.72 and the hash between
//! ×0.97 and ×1.32 (the README gives the figures). The vectorised mask (×2.2–2.5) does
//! not depend on it.
//!
//! ```text
//! cargo bench --bench inferred_options
//! RUSTFLAGS="-C llvm-args=-align-loops=64" CARGO_TARGET_DIR=target/aligned \
//!     cargo bench --bench inferred_options                       # loops 64-byte aligned
//! cargo rustc --release --bench inferred_options -- --emit asm   # then read
//! # target/release/deps/inferred_options-*.s (kernels::seeded_hash_sum, ...)
//! ```
//!
//! After criterion's figures (one variant measured after the other), the benchmark
//! prints the speed-up of each case measured with the two variants alternating (see
//! `paired`), which a shared machine's changing load distorts less.
//!
//! The kernels are `#[inline(never)]` so that each is compiled once, as a library
//! function would be, against arguments LLVM cannot see (`black_box`), and can be found
//! by name in the assembly. `popcnt` is x86-64-v2, not baseline x86_64 (hence the check
//! in `main`); `imul`, `rol` and `bswap` are baseline.

#[cfg(target_arch = "x86_64")]
mod kernels {
    use checked_asm::checked_asm;
    use criterion::{Criterion, Throughput};
    use std::hint::black_box;
    use std::time::Instant;

    /// The blocks the kernels use; one implementation per contract.
    pub trait Blocks {
        /// One multiply-rotate round, the mixing step of many non-cryptographic hashes.
        fn mix(x: u64, k: u64) -> u64;
        fn bswap(x: u64) -> u64;
        fn popcount(x: u64) -> u64;
    }

    /// What a cautious user writes first: no options, `out` for the popcount result.
    pub struct Conservative;

    /// The contracts `cargo checked-asm infer` prints for the same blocks.
    pub struct Minimal;

    // Every block here gets a refinement warning: the checker telling the user which
    // options they are leaving on the table. This benchmark measures what that costs.
    #[allow(deprecated)]
    impl Blocks for Conservative {
        #[inline(always)]
        fn mix(x: u64, k: u64) -> u64 {
            let mut x = x;
            // SAFETY: register arithmetic only.
            unsafe {
                checked_asm!("imul {x}, {k}", "rol {x}, 23", x = inout(reg) x, k = in(reg) k)
            };
            x
        }

        #[inline(always)]
        fn bswap(x: u64) -> u64 {
            let mut x = x;
            // SAFETY: register arithmetic only.
            unsafe { checked_asm!("bswap {x}", x = inout(reg) x) };
            x
        }

        #[inline(always)]
        fn popcount(x: u64) -> u64 {
            let n: u64;
            // SAFETY: register arithmetic only; `main` checked that the CPU has popcnt.
            unsafe { checked_asm!("popcnt {o}, {i}", i = in(reg) x, o = out(reg) n) };
            n
        }
    }

    impl Blocks for Minimal {
        #[inline(always)]
        fn mix(x: u64, k: u64) -> u64 {
            let mut x = x;
            // SAFETY: register arithmetic only.
            unsafe {
                checked_asm!(
                    "imul {x}, {k}",
                    "rol {x}, 23",
                    x = inout(reg) x,
                    k = in(reg) k,
                    options(pure, nomem, nostack),
                )
            };
            x
        }

        #[inline(always)]
        fn bswap(x: u64) -> u64 {
            let mut x = x;
            // SAFETY: register arithmetic only.
            unsafe {
                checked_asm!(
                    "bswap {x}",
                    x = inout(reg) x,
                    options(pure, nomem, nostack, preserves_flags),
                )
            };
            x
        }

        #[inline(always)]
        fn popcount(x: u64) -> u64 {
            let n: u64;
            // SAFETY: register arithmetic only; `main` checked that the CPU has popcnt.
            unsafe {
                checked_asm!(
                    "popcnt {o}, {i}",
                    i = in(reg) x,
                    o = lateout(reg) n,
                    options(pure, nomem, nostack),
                )
            };
            n
        }
    }

    const K1: u64 = 0x9e37_79b9_7f4a_7c15;
    const K2: u64 = 0xbf58_476d_1ce4_e5b9;

    #[inline(never)]
    pub fn seeded_hash_sum<B: Blocks>(values: &[u64], seed: u64) -> u64 {
        values.iter().fold(0u64, |sum, &v| {
            sum.wrapping_add(B::mix(v ^ B::mix(seed, K1), K2))
        })
    }

    /// XORs every word with a key that arrived big-endian (a wire format's masking key).
    #[inline(never)]
    pub fn mask_with_wire_key<B: Blocks>(words: &mut [u64], wire_key: u64) {
        for w in words {
            *w ^= B::bswap(wire_key);
        }
    }

    pub struct BitSet {
        pub words: Vec<u64>,
    }

    pub struct BitIndex {
        pub sets: Vec<BitSet>,
    }

    impl BitIndex {
        // The indexed loop is the point: iterating over the slice would read the `Vec`
        // header once whatever the contract says.
        #[allow(clippy::needless_range_loop)]
        #[inline(never)]
        pub fn count_ones<B: Blocks>(&self, set: usize) -> u64 {
            let mut n = 0;
            for i in 0..self.sets[set].words.len() {
                n += B::popcount(self.sets[set].words[i]);
            }
            n
        }
    }

    const WORDS: usize = 1024;

    /// What the kernels run on: 1,024 words (8 KiB, in L1 cache) per case.
    pub struct Inputs {
        values: Vec<u64>,
        words: Vec<u64>,
        index: BitIndex,
    }

    impl Inputs {
        pub fn new() -> Inputs {
            let values: Vec<u64> = (0..WORDS as u64).map(|i| i.wrapping_mul(K2)).collect();
            let sets = (0..4)
                .map(|_| BitSet {
                    words: values.clone(),
                })
                .collect();
            Inputs {
                words: values.clone(),
                index: BitIndex { sets },
                values,
            }
        }
    }

    fn hash<B: Blocks>(inputs: &mut Inputs) -> u64 {
        seeded_hash_sum::<B>(black_box(&inputs.values), black_box(7))
    }

    fn mask<B: Blocks>(inputs: &mut Inputs) -> u64 {
        mask_with_wire_key::<B>(black_box(&mut inputs.words), black_box(K1));
        inputs.words[0]
    }

    fn popcount<B: Blocks>(inputs: &mut Inputs) -> u64 {
        black_box(&inputs.index).count_ones::<B>(black_box(2))
    }

    type Kernel = fn(&mut Inputs) -> u64;

    /// Each case: its name, the kernel with the conservative blocks, the same kernel with
    /// the minimal ones.
    const CASES: [(&str, Kernel, Kernel); 3] = [
        (
            "hash of a seeded stream",
            hash::<Conservative>,
            hash::<Minimal>,
        ),
        (
            "mask with a big-endian key",
            mask::<Conservative>,
            mask::<Minimal>,
        ),
        (
            "popcount of an indexed bit set",
            popcount::<Conservative>,
            popcount::<Minimal>,
        ),
    ];

    pub fn bench(c: &mut Criterion) {
        let mut inputs = Inputs::new();
        for (name, conservative, minimal) in CASES {
            let mut group = c.benchmark_group(name);
            group.throughput(Throughput::Elements(WORDS as u64));
            group.bench_function("conservative", |b| b.iter(|| conservative(&mut inputs)));
            group.bench_function("minimal", |b| b.iter(|| minimal(&mut inputs)));
            group.finish();
        }
    }

    /// The speed-up measured with the two variants alternating in batches of 1,000 calls.
    ///
    /// Criterion measures one variant after the other, for seconds each; on a shared
    /// machine a compile starting in between shifts one figure and not the other.
    /// Alternating short batches exposes both variants to the same load, and the median
    /// over the batches drops the batches a burst of load hit.
    pub fn paired() {
        const BATCH: u32 = 1000;
        const PAIRS: usize = 301;
        let mut inputs = Inputs::new();
        let mut batch_ns = |kernel: Kernel| {
            let start = Instant::now();
            for _ in 0..BATCH {
                black_box(kernel(&mut inputs));
            }
            start.elapsed().as_nanos() as f64 / f64::from(BATCH)
        };
        println!("paired: medians of {PAIRS} alternating batches of {BATCH} calls");
        for (name, conservative, minimal) in CASES {
            let (mut c, mut m) = (Vec::with_capacity(PAIRS), Vec::with_capacity(PAIRS));
            for _ in 0..PAIRS {
                c.push(batch_ns(conservative));
                m.push(batch_ns(minimal));
            }
            let (c, m) = (median(c), median(m));
            println!(
                "{name:32} conservative {c:7.1} ns  minimal {m:7.1} ns  speed-up {:.2}",
                c / m
            );
        }
    }

    fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    }
}

#[cfg(target_arch = "x86_64")]
criterion::criterion_group!(benches, kernels::bench);

#[cfg(target_arch = "x86_64")]
fn main() {
    assert!(
        is_x86_feature_detected!("popcnt"),
        "this benchmark's popcount kernel needs popcnt"
    );
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and criterion then
    // runs each benchmark once as a test, where timing would be wasted.
    if std::env::args().any(|arg| arg == "--bench") {
        kernels::paired();
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn main() {
    eprintln!("checked_asm! checks x86 blocks: this benchmark runs on x86_64 only");
}
