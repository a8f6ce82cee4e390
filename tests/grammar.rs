//! Every form of the `asm!` grammar goes through `checked_asm!` and behaves exactly as
//! with `asm!`: each test runs the block and asserts the value it computes, and where
//! the template is built by a macro, the template the engine resolved.
#![cfg(target_arch = "x86_64")]
// These blocks exercise the grammar, not tight contracts: refinement warnings (which
// checked-asm emits as `deprecated` warnings) are allowed for the whole file.
#![allow(deprecated)]

use checked_asm::{__resolved_template as resolved, checked_asm};
use std::arch::x86_64::{__m128i, __m256i, _mm_cvtsi128_si64, _mm_set_epi64x};

#[test]
fn string_literal_templates_cooked_and_raw() {
    let a: u64;
    let b: u64;
    let c: u64;
    unsafe {
        checked_asm!("mov {}, 1", out(reg) a, options(nomem, nostack, preserves_flags));
        checked_asm!(r"mov {}, 2", out(reg) b, options(nomem, nostack, preserves_flags));
        checked_asm!(r#"mov {}, 3 # a "quoted" comment"#, out(reg) c, options(nomem, nostack, preserves_flags));
    }
    assert_eq!((a, b, c), (1, 2, 3));
}

#[test]
fn several_template_pieces_are_joined_by_newlines() {
    let x: u64;
    unsafe {
        checked_asm!(
            "mov {0}, 10",
            "add {0}, 5",
            "shl {0}, 1",
            out(reg) x,
            options(nomem, nostack),
        );
    }
    assert_eq!(x, 30);
    assert_eq!(
        resolved!("mov {0}, 10", "add {0}, 5", "shl {0}, 1", out(reg) x),
        "mov {0}, 10\nadd {0}, 5\nshl {0}, 1"
    );
}

#[test]
fn concat_of_literals_and_nested_macros() {
    let x: u64;
    unsafe {
        checked_asm!(
            concat!("mov {}, ", 40, "\n", "add {0}, ", stringify!(2)),
            out(reg) x,
            options(nomem, nostack),
        );
    }
    assert_eq!(x, 42);
    // rustc renders integers in decimal without suffix, chars and strings by value.
    assert_eq!(
        resolved!(concat!("mov {}, ", 0x10u8, ';', " neg {0}", core::concat!(" # ", -3, " ", 1.5, " ", true)), out(reg) x),
        "mov {0}, 16; neg {0} # -3 1.5 true"
    );
}

#[test]
fn stringify_matches_rustc() {
    let x: u64;
    unsafe { checked_asm!(stringify!(mov {}, 7), out(reg) x, options(nomem, nostack)) };
    assert_eq!(x, 7);
    assert_eq!(resolved!(stringify!(mov {}, 7), out(reg) _), "mov {0}, 7");
    // The engine's layout of `stringify!` must be rustc's, line breaks included: a
    // newline ends an assembly statement.
    macro_rules! same_as_rustc {
        ($($t:tt)*) => {
            assert_eq!(resolved!(stringify!($($t)*), options(raw)), stringify!($($t)*));
        };
    }
    same_as_rustc!(mov rax, qword ptr [rbx + 8*rcx + 0x100]; add rax, 1; sub rcx, 2; mov qword ptr [rdi + 8], rax; nop; nop);
    same_as_rustc!(lea rax, [rip + 2f]; 2: jmp 2b; -1; a.b; f(x); $0x10, %rax);
    same_as_rustc!(mov   rax ,  1);
    same_as_rustc!({ a } {} [ b ] ( c ) {x:e});
    same_as_rustc!(vaddps zmm0 {k1} {z}, zmm1, zmm2);
}

#[test]
fn include_str_resolves_relative_to_the_calling_file() {
    let x: u64;
    unsafe {
        checked_asm!(include_str!("fixtures/add_three.s"), inout(reg) 4u64 => x, options(nomem, nostack))
    };
    assert_eq!(x, 7);
    assert_eq!(
        resolved!(include_str!("fixtures/add_three.s"), inout(reg) 4u64 => x).trim_end(),
        "add {0}, 3"
    );
}

macro_rules! with_literal {
    ($t:literal, $x:expr) => {{
        let out: u64;
        unsafe { checked_asm!($t, out = out(reg) out, x = in(reg) $x, options(pure, nomem, nostack)) };
        out
    }};
}

macro_rules! with_expr {
    ($t:expr, $x:expr) => {{
        let out: u64;
        unsafe { checked_asm!($t, out(reg) out, in(reg) $x, options(pure, nomem, nostack)) };
        out
    }};
}

macro_rules! with_tt {
    ($op:tt $imm:tt) => {{
        let out: u64;
        unsafe { checked_asm!(concat!(stringify!($op), " {}, ", $imm), inout(reg) 100u64 => out, options(nomem, nostack)) };
        out
    }};
}

#[test]
fn macro_rules_fragments_arrive_as_invisible_groups() {
    assert_eq!(with_literal!("lea {out}, [{x} + 1]", 1u64), 2);
    assert_eq!(with_expr!(concat!("lea {}, [{} + ", 2, "]"), 1u64), 3);
    assert_eq!(with_tt!(sub 1), 99);
    assert_eq!(with_tt!(add "0x10"), 116);
}

#[test]
fn brace_and_bracket_invocations() {
    let a: u64;
    let b: u64;
    unsafe {
        checked_asm! { "mov {}, 11", out(reg) a, options(nomem, nostack) }
        checked_asm!["mov {}, 12", out(reg) b, options(nomem, nostack)];
    }
    assert_eq!((a, b), (11, 12));
}

#[test]
fn cfg_on_templates_operands_options_and_clobber_abi() {
    let x: u64;
    unsafe {
        checked_asm!(
            "mov rax, 1",
            #[cfg(any())]
            "add rax, 100",
            #[cfg(all())]
            "add rax, 2",
            #[cfg(any())]
            "add rax, {never}",
            #[cfg_attr(all(), cfg(target_pointer_width = "64"))]
            "add rax, 4",
            #[cfg(any())]
            never = in(reg) 1000u64,
            out("rax") x,
            #[cfg(all())]
            clobber_abi("C"),
            #[cfg(any())]
            options(pure, nomem),
            options(nostack),
        );
    }
    assert_eq!(x, 7);
}

#[test]
fn cfg_with_undecidable_conditions_is_checked_in_every_configuration() {
    let x: u64;
    unsafe {
        checked_asm!(
            "mov {x}, 1",
            #[cfg(debug_assertions)]
            "add {x}, 2",
            #[cfg(not(debug_assertions))]
            "add {x}, 4",
            x = out(reg) x,
            options(nomem, nostack),
        );
    }
    assert_eq!(x, if cfg!(debug_assertions) { 3 } else { 5 });
}

#[test]
fn every_operand_direction() {
    let (mut a, b, c, d, e): (u64, u64, u64, u64, u64);
    a = 1;
    let mut f = 5u64;
    unsafe {
        checked_asm!(
            "mov {b}, {i}",     // in, out
            "mov {c}, 3",       // lateout
            "add {a}, 1",       // inout
            "lea {s}, [{s} + 1]", // inout =>
            "mov {e}, {il}",    // inlateout =>
            "add {f}, 1",       // inlateout
            "mov {t}, 0",       // inout => _
            i = in(reg) 2u64,
            b = out(reg) b,
            c = lateout(reg) c,
            a = inout(reg) a,
            s = inout(reg) 3u64 => d,
            e = out(reg) e,
            il = inlateout(reg) 9u64 => _,
            f = inlateout(reg) f,
            t = inout(reg) 77u64 => _,
            options(nomem, nostack),
        );
    }
    assert_eq!((a, b, c, d, e, f), (2, 2, 3, 4, 9, 6));
}

#[test]
fn general_register_classes_and_modifiers() {
    let (r, e, x, l): (u64, u32, u16, u8);
    unsafe {
        checked_asm!(
            "mov {r:r}, -1",
            "mov {e:e}, 0x12345678",
            "mov {x:x}, 0x1234",
            "mov {l}, 0x12",
            r = out(reg) r,
            e = out(reg) e,
            x = out(reg) x,
            l = out(reg_byte) l,
            options(nomem, nostack),
        );
    }
    assert_eq!((r, e, x, l), (u64::MAX, 0x1234_5678, 0x1234, 0x12));
    // `h` names bits 8..16 of an a/b/c/d register.
    let hi: u16;
    unsafe {
        checked_asm!("xor {0:e}, {0:e}", "mov {0:h}, 0x34", out(reg_abcd) hi, options(nomem, nostack))
    };
    assert_eq!(hi, 0x3400);
}

#[test]
fn explicit_registers_and_aliases() {
    let (a, b, c, d): (u64, u32, u16, u8);
    unsafe {
        checked_asm!(
            "mov rax, rdi",
            "lea ecx, [esi + 1]",
            "mov dx, 7",
            "mov r8b, 9",
            in("rdi") 5u64,
            in("esi") 6u32,
            out("rax") a,
            out("ecx") b,
            out("dx") c,
            out("r8b") d,
            options(nomem, nostack),
        );
    }
    assert_eq!((a, b, c, d), (5, 7, 7, 9));
}

#[test]
fn vector_registers() {
    let v = unsafe { _mm_set_epi64x(0, 21) };
    let out: __m128i;
    unsafe {
        checked_asm!("paddq {0}, {0}", inout(xmm_reg) v => out, options(pure, nomem, nostack))
    };
    assert_eq!(unsafe { _mm_cvtsi128_si64(out) }, 42);
    let explicit: __m128i;
    unsafe {
        checked_asm!("movdqa xmm1, xmm0", "paddq xmm1, xmm1", in("xmm0") v, out("xmm1") explicit, options(pure, nomem, nostack))
    };
    assert_eq!(unsafe { _mm_cvtsi128_si64(explicit) }, 42);
    if std::is_x86_feature_detected!("avx2") {
        assert_eq!(unsafe { ymm_double(21) }, 42);
    }
}

#[target_feature(enable = "avx2")]
unsafe fn ymm_double(x: i64) -> i64 {
    use std::arch::x86_64::{_mm256_castsi256_si128, _mm256_set_epi64x};
    let v = _mm256_set_epi64x(0, 0, 0, x);
    let out: __m256i;
    unsafe {
        checked_asm!("vpaddq {0}, {0}, {0}", "vmovdqa {1:x}, {0:x}", inout(ymm_reg) v => _, out(ymm_reg) out, options(pure, nomem, nostack))
    };
    _mm_cvtsi128_si64(_mm256_castsi256_si128(out))
}

/// AVX-512 classes compile here; the CPU running the tests may lack AVX-512.
#[target_feature(enable = "avx512f")]
#[allow(dead_code)]
unsafe fn zmm_and_kreg(v: std::arch::x86_64::__m512i, m: u16) -> std::arch::x86_64::__m512i {
    let out;
    unsafe {
        checked_asm!(
            "vpaddd {o}{{{k}}}{{z}}, {v}, {v}",
            o = out(zmm_reg) out,
            v = in(zmm_reg) v,
            k = in(kreg) m,
            out("k0") _,
            options(pure, nomem, nostack),
        )
    };
    out
}

#[test]
fn clobber_only_registers() {
    unsafe {
        checked_asm!("fldz", "fstp st(0)", out("st(0)") _, out("st(1)") _, out("mm0") _, options(nomem, nostack));
        checked_asm!("nop", out("tmm0") _, out("k0") _, options(nomem, nostack, preserves_flags));
    }
}

#[test]
fn const_and_sym_operands() {
    const K: u64 = 40;
    let x: u64;
    unsafe { checked_asm!("mov {}, {}", out(reg) x, const K + 2, options(nomem, nostack)) };
    assert_eq!(x, 42);

    extern "C" fn seven() -> u64 {
        7
    }
    static ANSWER: u64 = 42;
    let (y, z): (u64, u64);
    unsafe {
        checked_asm!("call {f}", f = sym seven, out("rax") y, clobber_abi("C"));
        checked_asm!("mov {0}, qword ptr [rip + {s}]", out(reg) z, s = sym ANSWER, options(readonly, nostack));
    }
    assert_eq!((y, z), (7, 42));
}

#[test]
fn label_operands() {
    fn is_zero(x: u64) -> bool {
        unsafe {
            checked_asm!("test {0}, {0}", "jz {1}", in(reg) x, label { return true; }, options(nomem, nostack));
        }
        false
    }
    assert!(is_zero(0));
    assert!(!is_zero(3));
}

#[test]
fn escaped_braces_and_raw() {
    let x: u64;
    unsafe {
        checked_asm!("mov {}, 5 # {{not a placeholder}}", out(reg) x, options(nomem, nostack))
    };
    assert_eq!(x, 5);
    unsafe {
        checked_asm!(
            "nop # {raw braces}",
            options(raw, nomem, nostack, preserves_flags)
        )
    };
    assert_eq!(resolved!("nop # {raw}", options(raw)), "nop # {raw}");
    assert_eq!(resolved!("nop # {{x}}", options(nomem)), "nop # {x}");
}

#[test]
fn several_clobber_abi_and_options_groups() {
    extern "C" fn nine() -> u64 {
        9
    }
    let x: u64;
    unsafe {
        checked_asm!(
            "call {}",
            sym nine,
            out("rax") x,
            clobber_abi("C"),
            clobber_abi("win64",),
            options(readonly,),
            options(),
        );
    }
    assert_eq!(x, 9);
}

#[test]
fn every_option() {
    let x: u64;
    let y: u64;
    unsafe {
        checked_asm!("mov {}, 1", out(reg) x, options(pure, nomem, nostack, preserves_flags));
        checked_asm!("movq ${}, %rax", "mov %rax, {}", const 2, out(reg) y, out("rax") _, options(att_syntax, readonly, nostack));
    }
    assert_eq!((x, y), (1, 2));
}

#[test]
fn noreturn_blocks() {
    fn spin_until_called() -> ! {
        unsafe { checked_asm!("2:", "pause", "jmp 2b", options(noreturn, nomem, nostack)) }
    }
    // Never called: a noreturn block is an expression of type `!`.
    let _f: fn() -> ! = spin_until_called;
}
