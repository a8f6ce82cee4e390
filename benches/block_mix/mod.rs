//! The blocks the benchmarks measure, shared by `benches/compile_time.rs` (generated
//! crates built with `asm!` and with `checked_asm!`) and the engine's
//! `benches/check.rs` (per-block analysis time).
//!
//! Drawn from the examples and from kernel/runtime code, in the proportions the brief
//! reports for real crates: about three quarters single instructions, system
//! instructions first, then cpuid, syscalls, string copies, SIMD arithmetic and
//! labelled loops. Every contract is the minimal one `checked_asm!` infers, so the
//! checked crate builds without errors or warnings.

/// One block: a function around an `asm!` invocation.
pub struct Block {
    /// The function's parameters, used by the operands.
    pub params: &'static str,
    /// The function's return type (` -> u64`), or empty.
    pub ret: &'static str,
    /// Statements before the invocation: the output places.
    pub locals: &'static str,
    /// The invocation's arguments (template pieces, operands, options).
    pub args: &'static str,
    /// The function's result after the invocation.
    pub value: &'static str,
}

pub const MIX: &[Block] = &[
    Block {
        params: "",
        ret: "",
        locals: "",
        args: r#""cli", options(nostack, preserves_flags)"#,
        value: "",
    },
    Block {
        params: "",
        ret: "",
        locals: "",
        args: r#""sti", options(nostack, preserves_flags)"#,
        value: "",
    },
    Block {
        params: "",
        ret: "",
        locals: "",
        args: r#""hlt", options(nomem, nostack, preserves_flags)"#,
        value: "",
    },
    Block {
        params: "port: u16, byte: u8",
        ret: "",
        locals: "",
        args: r#""out dx, al", in("dx") port, in("al") byte, options(nostack, preserves_flags)"#,
        value: "",
    },
    Block {
        params: "port: u16",
        ret: " -> u8",
        locals: "let v: u8;",
        args: r#""in al, dx", lateout("al") v, in("dx") port, options(nostack, preserves_flags)"#,
        value: "v",
    },
    Block {
        params: "msr: u32, lo: u32, hi: u32",
        ret: "",
        locals: "",
        args: r#""wrmsr", in("ecx") msr, in("eax") lo, in("edx") hi, options(nostack, preserves_flags)"#,
        value: "",
    },
    Block {
        params: "msr: u32",
        ret: " -> u64",
        locals: "let (lo, hi): (u32, u32);",
        args: r#""rdmsr", in("ecx") msr, lateout("eax") lo, lateout("edx") hi, options(nomem, nostack, preserves_flags)"#,
        value: "(hi as u64) << 32 | lo as u64",
    },
    Block {
        params: "ptr: *const u8",
        ret: "",
        locals: "",
        args: r#""lgdt [{}]", in(reg) ptr, options(readonly, nostack, preserves_flags)"#,
        value: "",
    },
    Block {
        params: "root: u64",
        ret: "",
        locals: "",
        args: r#""mov cr3, {}", in(reg) root, options(nostack)"#,
        value: "",
    },
    Block {
        params: "addr: u64",
        ret: "",
        locals: "",
        args: r#""invlpg [{}]", in(reg) addr, options(nostack, preserves_flags)"#,
        value: "",
    },
    Block {
        params: "",
        ret: "",
        locals: "",
        args: r#""swapgs", options(nostack, preserves_flags)"#,
        value: "",
    },
    Block {
        params: "",
        ret: "",
        locals: "",
        args: r#""pause", options(nomem, nostack, preserves_flags)"#,
        value: "",
    },
    Block {
        params: "",
        ret: " -> u64",
        locals: "let (lo, hi): (u32, u32);",
        args: r#""rdtsc", out("eax") lo, out("edx") hi, options(nomem, nostack, preserves_flags)"#,
        value: "(hi as u64) << 32 | lo as u64",
    },
    Block {
        params: "leaf: u32, sub: u32",
        ret: " -> [u32; 4]",
        locals: "let (a, b, c, d): (u32, u32, u32, u32);",
        args: r#""mov {t:r}, rbx", "cpuid", "xchg {t:r}, rbx", t = out(reg) b, inout("eax") leaf => a, inout("ecx") sub => c, lateout("edx") d, options(nomem, nostack, preserves_flags)"#,
        value: "[a, b, c, d]",
    },
    Block {
        params: "nr: usize, a0: usize, a1: usize, a2: usize",
        ret: " -> usize",
        locals: "let r: usize;",
        args: r#""syscall", inlateout("rax") nr => r, in("rdi") a0, in("rsi") a1, in("rdx") a2, lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags)"#,
        value: "r",
    },
    Block {
        params: "dst: *mut u8, src: *const u8, n: usize",
        ret: "",
        locals: "",
        args: r#""rep movsb", inout("rcx") n => _, inout("rdi") dst => _, inout("rsi") src => _, options(nostack, preserves_flags)"#,
        value: "",
    },
    Block {
        params: "a: core::arch::x86_64::__m128, b: core::arch::x86_64::__m128",
        ret: " -> core::arch::x86_64::__m128",
        locals: "let r;",
        args: r#""movaps {r}, {a}", "mulps {r}, {b}", "addps {r}, {a}", a = in(xmm_reg) a, b = in(xmm_reg) b, r = out(xmm_reg) r, options(pure, nomem, nostack)"#,
        value: "r",
    },
    Block {
        params: "p: *const u64, n: usize",
        ret: " -> u64",
        locals: "let sum: u64;",
        args: r#""xor {acc:e}, {acc:e}", "2:", "test {n}, {n}", "jz 3f", "add {acc}, qword ptr [{p}]", "add {p}, 8", "dec {n}", "jmp 2b", "3:", "nop", acc = out(reg) sum, n = inout(reg) n => _, p = inout(reg) p => _, options(pure, readonly, nostack)"#,
        value: "sum",
    },
    Block {
        params: "lock: *mut u32",
        ret: " -> u64",
        locals: "let spins: u64;",
        args: r#""xor {spins:e}, {spins:e}", "2:", "xor eax, eax", "lock cmpxchg dword ptr [{lock}], {one:e}", "je 4f", "3:", "pause", "inc {spins}", "cmp dword ptr [{lock}], 0", "jne 3b", "jmp 2b", "4:", lock = in(reg) lock, one = in(reg) 1u32, spins = out(reg) spins, out("eax") _, options(nostack)"#,
        value: "spins",
    },
    Block {
        params: "v: u64",
        ret: " -> u64",
        locals: "let r: u64;",
        args: r#""popcnt {r}, {v}", v = in(reg) v, r = lateout(reg) r, options(pure, nomem, nostack)"#,
        value: "r",
    },
];

/// A block of `len` register-only instructions on two operands, for the growth of the
/// cost with block length.
pub fn long_block(len: usize) -> Block {
    const STEPS: &[&str] = &[
        "add {a}, {b}",
        "xor {b}, {a}",
        "rol {a}, 7",
        "imul {b}, {a}",
        "lea {a}, [{a} + {b}*2 + 1]",
    ];
    let template: Vec<String> = (0..len)
        .map(|i| format!("\"{}\"", STEPS[i % STEPS.len()]))
        .collect();
    register_block(&template)
}

/// A block like [`long_block`] whose statements are not repeated: each has an immediate
/// derived from `first` (distinct for every statement of every block numbered apart by
/// at least `len`), so the assembler's statement cache, which a crate that repeats its
/// blocks hits, is not what is measured.
pub fn unique_long_block(len: usize, first: usize) -> Block {
    let template: Vec<String> = (0..len)
        .map(|i| {
            let k = first + i + 1;
            // The first statement uses both operands and changes the flags, so a
            // 1-statement block has the same minimal contract as the others.
            let step = match i % 4 {
                0 => format!("imul {{a}}, {{b}}, {k}"),
                1 => format!("add {{a}}, {k}"),
                2 => format!("xor {{b}}, {k}"),
                _ => format!("lea {{a}}, [{{a}} + {{b}}*2 + {k}]"),
            };
            format!("\"{step}\"")
        })
        .collect();
    register_block(&template)
}

/// A block of register arithmetic on `a` and `b` with the given template pieces.
fn register_block(template: &[String]) -> Block {
    let args = format!(
        "{}, a = inout(reg) a => r, b = inout(reg) b => _, options(pure, nomem, nostack)",
        template.join(", ")
    );
    Block {
        params: "a: u64, b: u64",
        ret: " -> u64",
        locals: "let r: u64;",
        args: Box::leak(args.into_boxed_str()),
        value: "r",
    }
}
