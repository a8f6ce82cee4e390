//! Error messages and robustness of the template assembler: what users see when a template
//! is wrong, and no input (garbage, mutations, pathological sizes) makes it panic.

use checked_asm_engine::x86::asm::{AsmError, Mode, Program, Syntax, assemble};

fn ok(src: &str) -> Program {
    match assemble(src, Syntax::Intel, Mode::Bits64) {
        Ok(p) => p,
        Err(e) => panic!("`{src}` failed: {e:?}"),
    }
}

fn err(src: &str) -> AsmError {
    match assemble(src, Syntax::Intel, Mode::Bits64) {
        Ok(p) => panic!("`{src}` assembled: {:x?}", p.text_bytes()),
        Err(mut e) => e.remove(0),
    }
}

// ---- error messages ----

#[test]
fn error_messages_say_what_is_wrong() {
    let cases: &[(&str, &str)] = &[
        ("movx eax, ebx", "unknown instruction `movx`"),
        (
            "shl eax, bl",
            "`shl` takes its count in `cl` or as an immediate",
        ),
        (
            "mov qword ptr [rax], qword ptr [rbx]",
            "cannot take two memory operands",
        ),
        ("mov eax, rbx", "must have the same size"),
        ("add eax", "takes 2"),
        ("int 256", "does not fit"),
        ("in al, bx", "`in` takes the port in `dx`"),
        ("mov eax, [rip + rax]", "invalid operand"),
        ("jmp 0x10:0x1000", "far pointer"),
        ("mov eax, %eax", "unexpected"),
        ("inc [rax]", "ambiguous operand size for instruction `inc`"),
        (
            "mov eax, byte ptr [rax]",
            "`byte ptr` does not match the operand size of `mov`",
        ),
        ("lock nop", "`lock` cannot be used with `nop`"),
    ];
    for (src, want) in cases {
        let e = err(src);
        assert!(e.message.contains(want), "`{src}`: got `{}`", e.message);
        assert!(
            e.range.end <= src.len() && e.range.start <= e.range.end,
            "`{src}`: bad range {:?}",
            e.range
        );
    }
    // The range points at the offending operand where one is to blame.
    let src = "nop; mov [rax], 1";
    let e = err(src);
    assert_eq!(&src[e.range.clone()], "[rax]");
}

// ---- robustness ----

/// A small deterministic generator (no dependency needed for this).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn garbage_and_mutated_templates_never_panic() {
    let seeds = [
        "mov rax, qword ptr [rip + foo@GOTPCREL]",
        "vaddps zmm0 {k1} {z}, zmm1, dword ptr [rax] {1to16}",
        "2: dec ecx; jnz 2b; .p2align 4; jmp 2f; 2: ret",
        "movl %fs:0x28(%rax,%rbx,8), %eax",
        ".pushsection .rodata; .ascii \"a\\\"b\"; .popsection",
        "lock; cmpxchg qword ptr [rdi], rcx # c",
        "ljmp $0x10, $0x1000",
        "fsubp %st, %st(1)",
        ".set X, (1 << 3) | 2; mov eax, X",
    ];
    let alphabet: Vec<char> =
        "abcdefghijklmnopqrstuvwxyz0123456789 ,.;:#$%*()[]{}+-/\"'\n@_\\~<>|&^!=\u{e9}"
            .chars()
            .collect();
    let mut rng = Lcg(0x5eed);
    let rounds: usize = std::env::var("ASM_FUZZ_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    for round in 0..rounds {
        let mut s: Vec<char> = if round % 3 == 0 {
            (0..rng.below(40))
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect()
        } else {
            seeds[rng.below(seeds.len())].chars().collect()
        };
        for _ in 0..rng.below(6) {
            if s.is_empty() {
                break;
            }
            let at = rng.below(s.len());
            match rng.below(3) {
                0 => {
                    s.remove(at);
                }
                1 => s.insert(at, alphabet[rng.below(alphabet.len())]),
                _ => s[at] = alphabet[rng.below(alphabet.len())],
            }
        }
        let text: String = s.into_iter().collect();
        for syntax in [Syntax::Intel, Syntax::Att] {
            for mode in [Mode::Bits64, Mode::Bits32, Mode::Bits16] {
                if let Err(errors) = assemble(&text, syntax, mode) {
                    for e in errors {
                        assert!(
                            e.range.start <= e.range.end && e.range.end <= text.len(),
                            "`{text}`: range {:?}",
                            e.range
                        );
                        assert!(!e.message.is_empty());
                    }
                }
            }
        }
    }
}

#[test]
fn pathological_inputs_are_errors_not_crashes() {
    let deep = format!("mov eax, {}1{}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(err(&deep).message.contains("nested too deeply"));
    let negs = format!("mov eax, {}1", "-".repeat(100_000));
    assert!(err(&negs).message.contains("nested too deeply"));
    assert!(
        err("nop; .p2align 30")
            .message
            .contains("alignments up to 65536")
    );
    assert!(
        err(".zero 100000000")
            .message
            .contains("between 0 and 1 MiB")
    );
    let many = "nop;".repeat(20_000);
    assert_eq!(ok(&many).instructions().count(), 20_000);
}

#[test]
fn sized_64_bit_spellings_are_refused_outside_64_bit_mode() {
    // llvm-mc 22 rejects them for i686 ("instruction requires: 64-bit mode"); they once
    // assembled as the 16-bit forms (`pushfq` as 66 9C, `pushfw`).
    for src in ["pushfq", "popfq", "iretq", "retq"] {
        let e = match assemble(src, Syntax::Intel, Mode::Bits32) {
            Ok(p) => panic!("`{src}` assembled in 32-bit mode: {:x?}", p.text_bytes()),
            Err(mut e) => e.remove(0),
        };
        assert!(
            e.message.contains("not available in 32-bit mode"),
            "{src}: {e:?}"
        );
        ok(src);
    }
    let p = assemble("pushfd\npopfd", Syntax::Intel, Mode::Bits32).expect("32-bit forms");
    assert_eq!(p.text_bytes(), [0x9c, 0x9d]);
}
