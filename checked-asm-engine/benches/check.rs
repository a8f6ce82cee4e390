//! What `checked_asm!` costs per block inside the compiler: the whole expansion (parse,
//! configure, assemble, effects, analysis for the target under every cfg combination,
//! rendering) as the facade calls it when building for x86_64 Linux, of blocks of 1, 10 and 100 instructions and of the realistic
//! mix the compile-time benchmark builds; and the one-time set-up a compiler process
//! pays on its first block.
//!
//! `cargo bench -p checked-asm-engine --bench check` (criterion; `-- --quick` for a
//! short run). The proc macro runs unoptimised in a default `cargo build` (cargo builds
//! proc macros and their dependencies at `opt-level = 0` unless the profile says
//! otherwise), so the figures that matter for build times are those of
//! `cargo bench -p checked-asm-engine --bench check --profile dev`; criterion's own
//! statistics work the same in both.

// The compile-time benchmark's blocks; it also uses the fields this one does not.
#[allow(dead_code)]
#[path = "../../benches/block_mix/mod.rs"]
mod block_mix;
#[path = "support/expand.rs"]
mod support;
use support::expand;

use block_mix::{Block, MIX, long_block, unique_long_block};
use checked_asm_engine::diag::Level;
use checked_asm_engine::syntax::{Cfg, MacroKind, NoIncludes};
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use proc_macro2::TokenStream;
use std::hint::black_box;

fn tokens(block: &Block) -> TokenStream {
    block.args.parse().expect("the mix is valid Rust")
}

/// A block of `n` instructions with the realistic shapes of the mix: system
/// instructions, memory operands, a labelled loop, SIMD, fixed and class registers.
fn realistic(n: usize) -> TokenStream {
    const BODY: &[&str] = &[
        "mov {t}, [{p}]",
        "add {t}, 8",
        "2:",
        "dec {n}",
        "jnz 2b",
        "movdqu {x}, xmmword ptr [{p}]",
        "paddd {x}, {x}",
        "movdqu xmmword ptr [{p}], {x}",
        "lock xadd [{p}], {t}",
        "pause",
    ];
    const OPERANDS: &[(&str, &str)] = &[
        ("{p}", "p = in(reg) p"),
        ("{t}", "t = out(reg) _"),
        ("{n}", "n = inout(reg) n => _"),
        ("{x}", "x = out(xmm_reg) _"),
    ];
    let body: Vec<&str> = (0..n).map(|i| BODY[i % BODY.len()]).collect();
    let pieces = body.iter().map(|s| format!("\"{s}\""));
    let operands = OPERANDS
        .iter()
        .filter(|(name, _)| body.iter().any(|s| s.contains(name)))
        .map(|(_, operand)| operand.to_string());
    let args: Vec<String> = pieces
        .chain(operands)
        .chain(["options(nostack)".to_string()])
        .collect();
    args.join(", ").parse().expect("valid tokens")
}

/// The benchmark measures blocks that are correct on x86_64 Linux: no errors there, and
/// for the mix (which the compile-time benchmark builds) no warnings either. The
/// expansion still carries, under their `cfg`, the errors that hold on x86 (`swapgs`
/// is 64-bit only, as in a kernel) or on other systems (`syscall` on FreeBSD).
fn assert_correct(label: &str, tokens: &TokenStream, allow_warnings: bool) {
    let verdicts = checked_asm_engine::check(MacroKind::Asm, tokens.clone(), &NoIncludes);
    let wrong: Vec<String> = verdicts
        .findings
        .iter()
        .filter(|(cfg, d)| {
            holds_on_x86_64_linux(cfg) && (!allow_warnings || d.level == Level::Error)
        })
        .map(|(_, d)| d.render_message())
        .collect();
    assert!(wrong.is_empty(), "{label}: {wrong:?}");
}

fn holds_on_x86_64_linux(cfg: &Cfg) -> bool {
    let linux = cfg.decide(&|name, v| match name {
        "target_arch" => Some(v == "x86_64"),
        "target_os" => Some(v == "linux"),
        "target_family" => Some(v == "unix"),
        _ => None,
    });
    linux != Cfg::Bool(false)
}

fn bench(c: &mut Criterion) {
    // The first expansion in a process pays for the tables (assembler, effect model).
    let first = tokens(&MIX[0]);
    let t = std::time::Instant::now();
    black_box(expand(first.clone()));
    let cold = t.elapsed();
    let t = std::time::Instant::now();
    black_box(expand(first));
    let warm = t.elapsed();
    eprintln!(
        "one-time set-up in this process: {:?} (first `cli` block {cold:?}, second {warm:?})",
        cold.saturating_sub(warm)
    );

    let mut group = c.benchmark_group("expand");
    for n in [1usize, 10, 100] {
        let block = realistic(n);
        assert_correct(&format!("the {n}-instruction block"), &block, true);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("instructions", n), &block, |b, block| {
            b.iter(|| expand(black_box(block.clone())))
        });
    }
    for len in [10usize, 100] {
        let block = tokens(&long_block(len));
        assert_correct(
            &format!("the {len}-instruction register block"),
            &block,
            false,
        );
        group.bench_with_input(
            BenchmarkId::new("register-only", len),
            &block,
            |b, block| b.iter(|| expand(black_box(block.clone()))),
        );
    }
    let mix: Vec<TokenStream> = MIX.iter().map(tokens).collect();
    for (i, block) in mix.iter().enumerate() {
        assert_correct(&format!("mix block {i}"), block, false);
    }
    group.throughput(Throughput::Elements(mix.len() as u64));
    group.bench_function("mix of 20 blocks", |b| {
        b.iter(|| {
            for block in &mix {
                black_box(expand(block.clone()));
            }
        })
    });
    // A block whose statements were never assembled before in this process: each
    // iteration gets a new one, so the statement cache never hits (the blocks above are
    // the same every iteration, as a crate's repeated blocks are). Last, because the
    // thousands of new statements churn the cache and the heap for whatever runs after
    // them (the mix measured after them took 1.7 times as long).
    for len in [1usize, 10, 100] {
        assert_correct(
            &format!("the {len}-instruction unique block"),
            &tokens(&unique_long_block(len, 0)),
            false,
        );
        let mut next = 1_000_000usize;
        group.throughput(Throughput::Elements(len as u64));
        group.bench_function(BenchmarkId::new("unique", len), |b| {
            b.iter_batched(
                || {
                    next += len;
                    tokens(&unique_long_block(len, next))
                },
                expand,
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
