//! The macro must never panic: every input, however malformed, becomes diagnostics.
//! This feeds the engine mutations of valid invocations (tokens deleted, duplicated,
//! swapped, replaced) from a fixed-seed generator, so failures reproduce.

use checked_asm_engine::syntax::{MacroKind, NoIncludes};
use proc_macro2::{TokenStream, TokenTree};
use std::str::FromStr;

const SEEDS: &[&str] = &[
    r#""mov {}, {}", out(reg) x, in(reg) y, options(pure, nomem, nostack)"#,
    r#""cpuid", inout("eax") 0u32 => a, out("ecx") c, out("edx") d, options(nostack, preserves_flags)"#,
    r#"concat!("mov {x}, ", 1, stringify!(; add {x}, 2)), x = inout(reg) v, clobber_abi("C")"#,
    r#"#[cfg(unix)] "nop", #[cfg_attr(windows, cfg(any()))] "int3", y = const 3, options(att_syntax, raw)"#,
    r#""call {f}", "jmp {l}", f = sym foo::bar::<u8>, l = label { return; }, clobber_abi("C", "system")"#,
    r#""vaddps {o}{{{k}}}{{z}}, {a:y}, {b:z}", o = out(zmm_reg) o, a = in(ymm_reg) a, b = in(zmm_reg) b, k = in(kreg) m"#,
    r#"include_str!("x.s"), in("st(0)") _, out("rbx") _, inlateout("al") z => _, options(noreturn, may_unwind)"#,
    r#""{0:ex} {} {name} {{ }} }", out(reg_abcd) _, name = out(x87_reg) _"#,
];

/// SplitMix64: tiny, fixed-seed, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn flatten(ts: TokenStream, out: &mut Vec<String>) {
    for tt in ts {
        match tt {
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    proc_macro2::Delimiter::Parenthesis => ("(", ")"),
                    proc_macro2::Delimiter::Brace => ("{", "}"),
                    proc_macro2::Delimiter::Bracket => ("[", "]"),
                    proc_macro2::Delimiter::None => ("", ""),
                };
                out.push(open.into());
                flatten(g.stream(), out);
                out.push(close.into());
            }
            other => out.push(other.to_string()),
        }
    }
}

fn check_all_kinds(text: &str) {
    let Ok(tokens) = TokenStream::from_str(text) else {
        return;
    };
    for kind in [MacroKind::Asm, MacroKind::NakedAsm, MacroKind::GlobalAsm] {
        let verdicts = checked_asm_engine::check(kind, tokens.clone(), &NoIncludes);
        let expansion = checked_asm_engine::expand::render(kind, tokens.clone(), &verdicts);
        assert!(!expansion.is_empty(), "empty expansion for {text}");
    }
}

#[test]
fn seeds_do_not_panic() {
    for seed in SEEDS {
        check_all_kinds(seed);
    }
}

#[test]
fn mutated_invocations_do_not_panic() {
    let mut rng = Rng(0x00C0_FFEE);
    let pool: Vec<String> = SEEDS
        .iter()
        .flat_map(|s| {
            let mut v = Vec::new();
            flatten(TokenStream::from_str(s).expect("seed lexes"), &mut v);
            v
        })
        .chain(
            [
                "\"\"",
                "_",
                "=>",
                "=",
                ",",
                "#",
                "!",
                "r#\"{\"#",
                "'c'",
                "-1",
                "1.5",
                "\"{}{}{}\"",
            ]
            .map(String::from),
        )
        .collect();
    for round in 0..4000 {
        let seed = SEEDS[rng.below(SEEDS.len())];
        let mut toks = Vec::new();
        flatten(TokenStream::from_str(seed).expect("seed lexes"), &mut toks);
        for _ in 0..1 + rng.below(4) {
            let i = rng.below(toks.len());
            match rng.below(4) {
                0 if !toks.is_empty() => {
                    toks.remove(i);
                }
                1 => {
                    let t = pool[rng.below(pool.len())].clone();
                    toks.insert(i.min(toks.len()), t);
                }
                2 if !toks.is_empty() => {
                    let j = rng.below(toks.len());
                    toks.swap(i, j);
                }
                _ if !toks.is_empty() => {
                    toks[i] = pool[rng.below(pool.len())].clone();
                }
                _ => {}
            }
        }
        let text = toks.join(" ");
        let result = std::panic::catch_unwind(|| check_all_kinds(&text));
        assert!(
            result.is_ok(),
            "round {round}: the engine panicked on `{text}`"
        );
    }
}
