//! The per-target entry points the facade selects: a block checked for the target the
//! compiler builds for must get exactly the verdicts that the all-targets check gates to that
//! target, no fewer (a false "ok" would be the worst bug) and no more.

use checked_asm_engine::diag::{Code, Level};
use checked_asm_engine::expand::{BuildTarget, check_for};
use checked_asm_engine::syntax::{Cfg, MacroKind, NoIncludes};
use checked_asm_engine::x86::Arch;
use checked_asm_engine::x86::effects::Os;
use proc_macro2::TokenStream;
use std::str::FromStr;

/// Blocks whose verdicts depend on the architecture or the OS: kernel transfers, calls,
/// `clobber_abi`, reserved registers, 64-bit-only instructions; correct and wrong.
const BLOCKS: &[&str] = &[
    r#""syscall", in("rax") n, out("rcx") _, out("r11") _, options(nostack, nomem)"#,
    r#""syscall", inlateout("rax") n => r, in("rdi") a, lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags)"#,
    r#""int 0x80", inlateout("eax") n => r, in("ebx") a, options(nostack, preserves_flags)"#,
    r#""call {f}", f = sym f, options(nostack)"#,
    r#""call {f}", f = sym f, in("rdi") x, clobber_abi("C")"#,
    r#""mov rdi, {a}", "mov rsi, {b}", "call {f}", a = in(reg) a, b = in(reg) b, f = sym f, clobber_abi("C")"#,
    r#""sub rsp, 8", "call {f}", "add rsp, 8", f = sym f, clobber_abi("C")"#,
    r#""nop", clobber_abi("C", "sysv64")"#,
    r#""nop", clobber_abi("C", "win64")"#,
    r#""cpuid", inout("eax") 0 => a, out("ebx") b, out("ecx") c, out("edx") d, options(nomem, nostack, preserves_flags)"#,
    r#""mov {t:r}, rbx", "cpuid", "xchg {t:r}, rbx", t = out(reg) b, inout("eax") 0 => a, inout("ecx") 0 => c, lateout("edx") d, options(nomem, nostack, preserves_flags)"#,
    r#""swapgs", options(nostack, preserves_flags)"#,
    r#""push esi", "pop esi", options(nomem, preserves_flags)"#,
    r#""lgdt [{}]", in(reg) p, options(nomem, nostack, preserves_flags)"#,
    r#""mov cr3, {}", in(reg) v, options(nostack, preserves_flags)"#,
    r#"#[cfg(feature = "x")] "cpuid", "nop", options(nomem, nostack)"#,
];

/// One representative `target_os` per family, and one that is in no family.
const OSES: [(&str, Os); 5] = [
    ("linux", Os::Linux),
    ("android", Os::Linux),
    ("freebsd", Os::FreeBSD),
    ("windows", Os::Windows),
    ("none", Os::Other),
];

type Verdict = (Code, Level, String, String);

fn tokens(text: &str) -> TokenStream {
    TokenStream::from_str(text).expect("test input tokenizes")
}

/// Findings that hold on (`arch`, `os`) with every other cfg option `feature`-like left
/// as `with` says, reduced to what a user reads first.
fn verdicts(
    verdicts: &checked_asm_engine::Verdicts,
    arch: Arch,
    os: &str,
    with: bool,
) -> Vec<Verdict> {
    let mut out: Vec<Verdict> = verdicts
        .findings
        .iter()
        .filter(|(cfg, _)| {
            let here = cfg.decide(&|name, v| match name {
                "target_arch" => Some(v == arch.cfg_name()),
                "target_os" => Some(v == os),
                _ => Some(with),
            });
            match here {
                Cfg::Bool(holds) => holds,
                other => panic!("`{other}` left undecided"),
            }
        })
        .map(|(_, d)| {
            (
                d.code,
                d.level,
                d.message.clone(),
                format!("{:?}", d.span.start.start()),
            )
        })
        .collect();
    out.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    out
}

#[test]
fn the_marker_gives_the_verdicts_of_its_target_and_no_others() {
    let mut compared = 0;
    for block in BLOCKS {
        let everywhere = check_for(MacroKind::Asm, tokens(block), &NoIncludes, None);
        for arch in Arch::ALL {
            for (os_name, os) in OSES {
                let target = Some(BuildTarget { arch, os });
                let here = check_for(MacroKind::Asm, tokens(block), &NoIncludes, target);
                for with in [false, true] {
                    assert_eq!(
                        verdicts(&here, arch, os_name, with),
                        verdicts(&everywhere, arch, os_name, with),
                        "{block} on {arch:?} {os_name} (other options {with})"
                    );
                    compared += 1;
                }
                // Nothing the marker's check reports is gated by the target again.
                for (cfg, d) in &here.findings {
                    let mut atoms = Vec::new();
                    cfg.atoms(&mut atoms);
                    assert!(
                        atoms.iter().all(|a| !matches!(a, Cfg::Option { name, .. }
                            if name == "target_arch" || name == "target_os")),
                        "{block}: `{}` gated by {cfg}",
                        d.message
                    );
                }
            }
        }
    }
    assert_eq!(compared, BLOCKS.len() * 2 * OSES.len() * 2);
}

#[test]
fn freebsd_syscall_also_misses_rdx_and_r8_to_r10() {
    // contract-rules.md §6: on Linux R02 (rax); on FreeBSD also R01 for rdx and r8–r10.
    let block = BLOCKS[0];
    let rules = |os| {
        let target = Some(BuildTarget {
            arch: Arch::X86_64,
            os,
        });
        let v = check_for(MacroKind::Asm, tokens(block), &NoIncludes, target);
        v.findings
            .iter()
            .filter(|(_, d)| d.level == Level::Error)
            .map(|(_, d)| (d.code, d.message.clone()))
            .collect::<Vec<_>>()
    };
    let linux = rules(Os::Linux);
    assert_eq!(linux.len(), 1, "{linux:?}");
    assert_eq!(linux[0].0, Code::Rule("R02"));
    let freebsd = rules(Os::FreeBSD);
    assert!(
        freebsd
            .iter()
            .any(|(c, m)| *c == Code::Rule("R02") && m.contains("rax")),
        "{freebsd:?}"
    );
    assert!(
        freebsd.iter().any(|(c, m)| *c == Code::Rule("R01")
            && m.contains("rdx")
            && m.contains("r8")
            && m.contains("r10")),
        "{freebsd:?}"
    );
}
