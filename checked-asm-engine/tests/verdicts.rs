//! Verdicts as the macro computes them, read per target: 32-bit x86 findings (no 32-bit
//! Rust target is installed here, so the trybuild suite only ever compiles the x86_64
//! ones), and notes, which a stable proc macro has no channel for (the CLI shows them).

use checked_asm_engine::diag::{Code, Level};
use checked_asm_engine::syntax::{Cfg, CfgAssignment, MacroKind, NoIncludes};
use proc_macro2::TokenStream;
use std::str::FromStr;

/// `(level, rule, message)` of every finding that holds for `arch` on Linux.
fn findings(args: &str, arch: &'static str) -> Vec<(Level, String, String)> {
    let tokens = TokenStream::from_str(args).expect("test input tokenizes");
    let verdicts = checked_asm_engine::check(MacroKind::Asm, tokens, &NoIncludes);
    verdicts
        .findings
        .iter()
        .filter(|(cfg, _)| holds(cfg, arch, "linux"))
        .map(|(_, d)| {
            let rule = match d.code {
                Code::Rule(r) => r.to_string(),
                other => format!("{other:?}"),
            };
            (d.level, rule, d.message.clone())
        })
        .collect()
}

fn holds(cfg: &Cfg, arch: &'static str, os: &str) -> bool {
    let mut atoms = Vec::new();
    cfg.atoms(&mut atoms);
    let values = atoms
        .into_iter()
        .filter(|a| !matches!(a, Cfg::Option { name, .. } if name == "target_arch"))
        .map(|a| {
            let v = matches!(&a, Cfg::Option { name, value: Some(v) } if name == "target_os" && v == os);
            (a, v)
        })
        .collect();
    let assignment = CfgAssignment {
        arch: Some(arch),
        values,
    };
    cfg.eval(&assignment).expect("every atom assigned")
}

fn rules(args: &str, arch: &'static str, level: Level) -> Vec<String> {
    findings(args, arch)
        .into_iter()
        .filter(|(l, ..)| *l == level)
        .map(|(_, r, _)| r)
        .collect()
}

const X86: &str = "x86";
const X86_64: &str = "x86_64";

#[test]
fn cpuid_with_ebx_operand_is_correct_on_x86_only() {
    // contract-rules.md §6: rustc rejects rbx on x86_64; on x86 ebx is a legal operand.
    let block = r#""cpuid", inout("eax") 0 => a, out("ebx") b, out("ecx") c, out("edx") d, options(nomem, nostack, preserves_flags)"#;
    assert_eq!(rules(block, X86_64, Level::Error), ["R00"]);
    assert!(
        rules(block, X86, Level::Error).is_empty(),
        "{:?}",
        findings(block, X86)
    );
}

#[test]
fn esi_is_reserved_on_x86_and_declarable_on_x86_64() {
    // LLVM uses esi as the base pointer on x86: a write must be undone (R05), while on
    // x86_64 rsi is an ordinary undeclared register (R01).
    let block = r#""mov esi, 1", options(nomem, nostack, preserves_flags)"#;
    assert_eq!(rules(block, X86, Level::Error), ["R05"]);
    assert_eq!(rules(block, X86_64, Level::Error), ["R01"]);
    let restored = r#""push esi", "mov esi, 1", "pop esi""#;
    assert!(
        rules(restored, X86, Level::Error).is_empty(),
        "{:?}",
        findings(restored, X86)
    );
}

#[test]
fn x86_implicit_writes_and_stack_rules() {
    let rdtscp = r#""rdtscp", out("eax") lo, out("edx") hi, options(nomem, nostack)"#;
    assert_eq!(rules(rdtscp, X86, Level::Error), ["R01"]);
    let push = r#""push eax", "pop eax", options(nostack)"#;
    assert_eq!(rules(push, X86, Level::Error), ["R08"]);
    let unbalanced = r#""push eax""#;
    assert_eq!(rules(unbalanced, X86, Level::Error), ["R09"]);
    let misaligned = r#""sub esp, 4", "call {f}", "add esp, 4", f = sym g, clobber_abi("C")"#;
    assert_eq!(rules(misaligned, X86, Level::Error), ["R09"]);
    let aligned = r#""sub esp, 16", "call {f}", "add esp, 16", f = sym g, clobber_abi("C")"#;
    assert!(
        rules(aligned, X86, Level::Error).is_empty(),
        "{:?}",
        findings(aligned, X86)
    );
}

#[test]
fn x86_linux_int_0x80() {
    // Linux i386 system calls: eax in and out, everything else preserved.
    let ok = r#""int 0x80", inlateout("eax") 20 => pid, options(nostack, preserves_flags)"#;
    assert!(
        rules(ok, X86, Level::Error).is_empty(),
        "{:?}",
        findings(ok, X86)
    );
    let clobbered_input = r#""int 0x80", in("eax") 20, options(nostack)"#;
    assert_eq!(rules(clobbered_input, X86, Level::Error), ["R02"]);
}

#[test]
fn x86_context_switch_followed() {
    let switch = r#""push ebp", "push esi", "push ebx", "push edi",
        "lea eax, [2f]", "push eax", "mov [ecx], esp", "mov esp, edx", "ret",
        "2:", "pop edi", "pop ebx", "pop esi", "pop ebp",
        in("ecx") save, in("edx") to, clobber_abi("C")"#;
    assert!(
        rules(switch, X86, Level::Error).is_empty(),
        "{:?}",
        findings(switch, X86)
    );
    let forgets_edi = switch
        .replace(r#""push edi","#, "")
        .replace(r#""pop edi","#, "");
    let errors = findings(&forgets_edi, X86);
    assert!(
        errors
            .iter()
            .any(|(l, r, m)| *l == Level::Error && r == "R01" && m.contains("edi")),
        "{errors:?}"
    );
}

#[test]
fn opaque_transfers_with_nomem_get_a_note_not_an_error() {
    // contract-rules.md §2, M5: the memory effect of a call or kernel transfer is the
    // user's claim.
    let call = r#""call {f}", f = sym g, clobber_abi("C"), options(nomem)"#;
    let all = findings(call, X86_64);
    assert!(!all.iter().any(|(l, ..)| *l == Level::Error), "{all:?}");
    assert!(
        all.iter()
            .any(|(l, r, m)| *l == Level::Note && r == "R06" && m.contains("callee")),
        "{all:?}"
    );
    let syscall = r#""syscall", inlateout("rax") 39 => pid, lateout("rcx") _, lateout("r11") _, options(nostack, readonly)"#;
    assert!(
        findings(syscall, X86_64)
            .iter()
            .any(|(l, r, _)| *l == Level::Note && r == "R07"),
        "{:?}",
        findings(syscall, X86_64)
    );
}

#[test]
fn cpuid_with_a_run_time_leaf_and_no_subleaf_is_a_note() {
    let block = r#""mov {t:r}, rbx", "cpuid", "xchg {t:r}, rbx", t = out(reg) b, inout("eax") leaf => a, lateout("ecx") c, lateout("edx") d, options(nomem, nostack, preserves_flags)"#;
    let all = findings(block, X86_64);
    assert!(!all.iter().any(|(l, ..)| *l == Level::Error), "{all:?}");
    assert!(
        all.iter()
            .any(|(l, r, m)| *l == Level::Note && r == "R03" && m.contains("subleaf")),
        "{all:?}"
    );
    let with_subleaf = block.replace(r#"lateout("ecx") c"#, r#"inout("ecx") 0 => c"#);
    assert!(
        !findings(&with_subleaf, X86_64)
            .iter()
            .any(|(_, r, _)| r == "R03"),
        "{:?}",
        findings(&with_subleaf, X86_64)
    );
}

#[test]
fn mov_cr3_with_preserves_flags_is_r10u_not_r10() {
    let block = r#""mov cr3, {}", in(reg) root, options(nostack, preserves_flags)"#;
    for arch in [X86, X86_64] {
        let all = findings(block, arch);
        assert!(
            all.iter()
                .any(|(l, r, _)| *l == Level::Warning && r == "R10u"),
            "{arch}: {all:?}"
        );
        assert!(
            !all.iter().any(|(l, ..)| *l == Level::Error),
            "{arch}: {all:?}"
        );
    }
    let add = r#""add {0}, 1", inout(reg) x, options(nomem, nostack, preserves_flags)"#;
    assert_eq!(rules(add, X86, Level::Error), ["R10"]);
}

/// Found by auditing the `x86` crate (0.52): reading the frame pointer into an output is
/// correct even where the output may be allocated to rbp itself (`mov rbp, rbp`).
#[test]
fn reading_rbp_into_a_class_output_is_correct() {
    let block = r#""mov {0}, rbp", out(reg) fp, options(nomem, nostack, preserves_flags)"#;
    assert!(
        rules(block, X86_64, Level::Error).is_empty(),
        "{:?}",
        findings(block, X86_64)
    );
}

/// `ltr` reads the TSS descriptor and writes its busy bit: `readonly` is not the fix for
/// `nomem` (found by auditing the `x86` crate's `load_tr`).
#[test]
fn ltr_with_nomem_is_told_to_drop_nomem_not_to_use_readonly() {
    let block = "\"ltr {0:x}\", in(reg) sel, options(nostack, nomem, preserves_flags)";
    let tokens = TokenStream::from_str(block).expect("tokens");
    let verdicts = checked_asm_engine::check(MacroKind::Asm, tokens, &NoIncludes);
    let r06: Vec<_> = verdicts
        .findings
        .iter()
        .map(|(_, d)| d)
        .filter(|d| d.code == Code::Rule("R06"))
        .collect();
    assert!(!r06.is_empty());
    for d in r06 {
        assert!(d.message.contains("busy bit"), "{d:?}");
        assert_eq!(d.help, ["remove `nomem` from `options(...)`"], "{d:?}");
    }
}

/// `fninit` and `emms` leave the x87 stack empty, as rustc requires it to be around a
/// block that declares no x87 register: not R15 (the control word part of `fninit` is,
/// see `r15_*` UI tests). Loading a value is.
#[test]
fn emptying_the_x87_stack_is_not_a_register_change() {
    let emms = r#""emms", options(nomem, nostack, preserves_flags)"#;
    assert!(
        rules(emms, X86_64, Level::Error).is_empty(),
        "{:?}",
        findings(emms, X86_64)
    );
    let fld = r#""fld1", "fstp qword ptr [{p}]", "emms", p = in(reg) p, options(nostack)"#;
    let all = findings(fld, X86_64);
    assert!(
        all.iter()
            .any(|(l, r, m)| *l == Level::Error && r == "R15" && m.contains("`fld1`")),
        "{all:?}"
    );
}
