//! A driver for profilers: expands blocks the way the macro does when building for
//! x86_64 Linux, many times, with nothing else in the process. Criterion (`benches/`)
//! measures time; this is for counting instructions, which on a shared machine are
//! steadier than time:
//!
//! ```text
//! cargo build -p checked-asm-engine --example profile      # opt-level 0, as cargo builds macros
//! valgrind --tool=callgrind target/debug/examples/profile mix 50
//! valgrind --tool=callgrind target/debug/examples/profile same 100 10
//! valgrind --tool=callgrind target/debug/examples/profile unique 100 10
//! callgrind_annotate --inclusive=yes callgrind.out.<pid>
//! ```
//!
//! `mix N [I]`: N rounds of the compile-time benchmark's 20 blocks (or of block I alone),
//! after one round that pays the one-time set-up. `same N LEN`: one block of LEN register
//! instructions N times (its statements cached after the first). `unique N LEN`: N blocks
//! of LEN register instructions, no statement seen before. Prints the time per block.

#[allow(dead_code)]
#[path = "../../benches/block_mix/mod.rs"]
mod block_mix;
#[path = "../benches/support/expand.rs"]
mod support;
use support::expand;

use proc_macro2::TokenStream;
use std::hint::black_box;
use std::time::Instant;

fn tokens(args: &str) -> TokenStream {
    args.parse().expect("the blocks are valid tokens")
}

fn number(args: &[String], i: usize, default: usize) -> usize {
    args.get(i)
        .map_or(default, |s| s.parse().expect("a number"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map_or("mix", String::as_str);
    let rounds = number(&args, 2, 50);
    let blocks: Vec<TokenStream> = match what {
        "mix" => {
            let only = args
                .get(3)
                .map(|s| s.parse::<usize>().expect("a block index"));
            let chosen: Vec<TokenStream> = block_mix::MIX
                .iter()
                .enumerate()
                .filter(|(i, _)| only.is_none_or(|o| o == *i))
                .map(|(_, b)| tokens(b.args))
                .collect();
            for block in &chosen {
                black_box(expand(block.clone()));
            }
            (0..rounds).flat_map(|_| chosen.iter().cloned()).collect()
        }
        "same" => {
            let block = tokens(block_mix::long_block(number(&args, 3, 10)).args);
            black_box(expand(block.clone()));
            (0..rounds).map(|_| block.clone()).collect()
        }
        "unique" => {
            let len = number(&args, 3, 10);
            let first = tokens(block_mix::unique_long_block(len, 0).args);
            black_box(expand(first));
            (1..=rounds)
                .map(|i| tokens(block_mix::unique_long_block(len, i * len).args))
                .collect()
        }
        other => panic!("unknown workload `{other}`: use `mix`, `same` or `unique`"),
    };
    let start = Instant::now();
    for block in &blocks {
        black_box(expand(block.clone()));
    }
    eprintln!(
        "{} blocks, {:?} per block",
        blocks.len(),
        start.elapsed() / blocks.len().max(1) as u32
    );
}
