//! Blocks already found clean in this process.
//!
//! A compiler process runs the macro once per block of a crate, and rust-analyzer's
//! proc-macro server runs it again for every block of a file on each edit. Many of those
//! blocks are ones it has already checked: the same `cli` or `in al, dx` written in
//! several places, the copies a `macro_rules!` wrapper stamps out, the unchanged blocks
//! of a file being edited. A block that was clean, that is, whose expansion is exactly
//! the pass-through, is remembered by its text, and the next block with that text
//! expands to its own pass-through without being parsed, assembled or analysed again.
//!
//! Why the text decides the verdict:
//! - The key is the macro, the target it checks for and its whole input as the compiler
//!   prints it (`TokenStream`'s `Display`, which keeps every token and its spacing).
//!   Two blocks with the same key differ only in spans, hygiene and invisible groups. The checks read none of them: a verdict depends on the template
//!   text, the operands' directions, registers and `_`s, the options and the `#[cfg]`s,
//!   all of which print.
//! - An invisible group (a `$e:expr` fragment) prints as its contents. If rustc reads
//!   such a block as it reads the unwrapped one, the verdict is the same. If it reads it
//!   differently, it rejects the block itself (an expression where a keyword or a
//!   literal is expected), so the build fails either way.
//! - Two inputs are read from outside the tokens. `include_str!` reads a file named
//!   relative to the calling file, and the same text in another directory names
//!   another file. `stringify!` is left out too, so that its reading of spacing never
//!   has to agree with the printer's. Blocks that use either are never remembered.
//! - Only blocks with no finding at all are remembered: no error, no warning, no
//!   configuration withheld, no waiver. Their expansion carries no span of ours, and
//!   the `strict` setting changes nothing for them. A block with a finding is checked
//!   every time, so that each copy gets its own diagnostics at its own spans.
//! - Only the proc macro, which knows its target, remembers; the engine's `expand` and
//!   `expand_for`, which the CLI and the benchmarks call, check every block.

use super::BuildTarget;
use crate::syntax::MacroKind;
use proc_macro2::TokenStream;
use std::cell::RefCell;
use std::collections::BTreeSet;

/// A bound on the memory a crate with many distinct blocks (or the fuzzer) can make the
/// cache hold: some 2 MB of keys. When it is full it starts again, empty.
const CAPACITY: usize = 8192;

thread_local! {
    static CLEAN: RefCell<BTreeSet<Key>> = const { RefCell::new(BTreeSet::new()) };
}

/// A block's macro, its target and its arguments as the compiler prints them.
///
/// Kept ordered rather than hashed: comparing two texts is `memcmp`, optimised whatever
/// the macro's profile, where hashing one in a macro built without optimisation cost
/// some 10 instructions per byte (5,500 per block of the benchmark's mix, against about
/// 1,700 for the ordered set's lookup).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Key {
    kind: MacroKind,
    target: BuildTarget,
    text: String,
}

impl Ord for Key {
    /// By text first, the field that tells blocks apart, then by macro and target.
    fn cmp(&self, other: &Key) -> std::cmp::Ordering {
        let rank = |key: &Key| (key.kind as u8, key.target.arch as u8, key.target.os as u8);
        self.text
            .cmp(&other.text)
            .then_with(|| rank(self).cmp(&rank(other)))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Key {
    /// The key of a block, or `None` when its verdict may depend on more than its text.
    pub(super) fn of(kind: MacroKind, target: BuildTarget, input: &TokenStream) -> Option<Key> {
        let text = input.to_string();
        if calls_a_macro_reading_more_than_tokens(&text) {
            return None;
        }
        Some(Key { kind, target, text })
    }
}

/// True when a block with this key was found clean before.
pub(super) fn is_clean(key: &Key) -> bool {
    CLEAN.with_borrow(|clean| clean.contains(key))
}

/// Remembers a block found clean.
pub(super) fn remember(key: Key) {
    CLEAN.with_borrow_mut(|clean| {
        if clean.len() >= CAPACITY {
            clean.clear();
        }
        clean.insert(key);
    });
}

/// True when the text has `include_str!` or `stringify!` (or the words in a string).
/// The `!`s are found with `str::find(char)`, whose byte search is the standard
/// library's optimised `memchr` whatever the macro's profile: a byte loop of our own
/// cost some 20 instructions per byte in a macro built without optimisation (cargo's
/// default), and `str::contains` with a string pattern hundreds.
fn calls_a_macro_reading_more_than_tokens(text: &str) -> bool {
    let mut from = 0;
    while let Some(at) = text[from..].find('!') {
        let bang = from + at;
        // The printer may put a space between a macro's name and its `!`.
        let before = text[..bang].trim_ascii_end();
        if before.ends_with("include_str") || before.ends_with("stringify") {
            return true;
        }
        from = bang + 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINUX64: BuildTarget = BuildTarget {
        arch: crate::x86::Arch::X86_64,
        os: crate::x86::effects::Os::Linux,
    };

    fn key(args: &str) -> Option<Key> {
        Key::of(
            MacroKind::Asm,
            LINUX64,
            &args.parse().expect("valid tokens"),
        )
    }

    #[test]
    fn blocks_that_read_files_or_stringify_tokens_have_no_key() {
        assert!(key(r#"include_str!("a.s")"#).is_none());
        assert!(key(r#"concat!("nop\n", include_str!("a.s"))"#).is_none());
        assert!(key("stringify!(nop)").is_none());
        assert!(key("stringify ! (nop)").is_none());
        assert!(key(r#"r#include_str!("a.s")"#).is_none());
        assert!(key(r#"concat!("a", "b")"#).is_some());
        assert!(key(r#""nop""#).is_some());
    }

    #[test]
    fn the_key_keeps_every_token_and_the_spacing_of_puncts() {
        assert_ne!(key(r#""nop", in(reg) a"#), key(r#""nop", in(reg) b"#));
        // `->` (joint) and `- >` (alone) are different token sequences.
        assert_ne!(
            key(r#""nop", in(reg) x->y"#),
            key(r#""nop", in(reg) x- >y"#)
        );
        // Whitespace between tokens is not a token.
        assert_eq!(key(r#""nop",  in(reg)a"#), key(r#""nop", in(reg) a"#));
    }

    #[test]
    fn the_key_keeps_token_boundaries_and_groups() {
        let differ = [
            // Two identifiers and one.
            (r#""nop", in(reg) a b"#, r#""nop", in(reg) ab"#),
            // Two literals and one literal holding what they print.
            (r#""a" "b""#, r#""a\" \"b""#),
            (r#""a", 1"#, r#""a, 1""#),
            // Where a group ends, and which delimiter it has.
            ("(a) b", "(a b)"),
            ("(a)", "[a]"),
            ("(a)", "{a}"),
            ("a", "a::b"),
        ];
        for (one, two) in differ {
            assert_ne!(key(one), key(two), "{one} / {two}");
        }
    }

    #[test]
    fn a_full_cache_starts_again() {
        let first = key(r#""nop", options(nomem, nostack)"#).expect("a key");
        remember(first.clone());
        assert!(is_clean(&first));
        for i in 0..CAPACITY {
            remember(key(&format!(r#""nop /* {i} */""#)).expect("a key"));
        }
        assert!(!is_clean(&first), "cleared when full");
        CLEAN.with_borrow(|clean| assert!(clean.len() <= CAPACITY));
    }
}
