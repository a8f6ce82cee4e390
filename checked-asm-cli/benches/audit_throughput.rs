//! Audit throughput: a generated tree of 10,000 realistic blocks (200 files of 50),
//! audited by the release binary; prints blocks per second.
//!
//! `cargo bench -p checked-asm-cli --bench audit_throughput` (options after `--`:
//! `--runs N`, `--jobs N`, `--blocks N`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// One block each: correct ones and the usual bugs, in the proportions of a kernel or
/// runtime crate.
const BLOCKS: &[&str] = &[
    r#"asm!("cli", options(nomem, nostack));"#,
    r#"asm!("hlt", options(nomem, nostack, preserves_flags));"#,
    r#"asm!("wrmsr", in("ecx") msr, in("eax") lo, in("edx") hi, options(nostack, preserves_flags));"#,
    r#"asm!("out dx, al", in("dx") port, in("al") byte, options(nomem, nostack, preserves_flags));"#,
    r#"asm!("mov cr3, {}", in(reg) root, options(nostack, preserves_flags));"#,
    r#"asm!("mov {t:r}, rbx", "cpuid", "xchg {t:r}, rbx", t = lateout(reg) b, inout("eax") leaf => a, inout("ecx") 0 => c, lateout("edx") d, options(nomem, nostack, preserves_flags));"#,
    r#"asm!("syscall", inlateout("rax") nr => ret, in("rdi") a0, in("rsi") a1, in("rdx") a2, lateout("rcx") _, lateout("r11") _, options(nostack, preserves_flags));"#,
    r#"asm!("rep movsb", inout("rcx") n => _, inout("rdi") dst => _, inout("rsi") src => _, options(nostack, preserves_flags));"#,
    r#"asm!("movdqu {t}, [{p}]", "pxor {acc}, {t}", "addps {acc}, {t}", p = in(reg) src, t = out(xmm_reg) _, acc = inout(xmm_reg) v, options(readonly, nostack));"#,
    r#"asm!("xor {acc:e}, {acc:e}", "2:", "test {n}, {n}", "jz 3f", "add {acc}, qword ptr [{p}]", "add {p}, 8", "dec {n}", "jmp 2b", "3:", "nop", acc = out(reg) sum, n = inout(reg) n => _, p = inout(reg) src => _, options(readonly, nostack));"#,
    // Bugs.
    r#"asm!("cpuid", inout("eax") leaf => a, options(nomem, nostack, preserves_flags));"#,
    r#"asm!("syscall", inlateout("rax") nr => ret, options(nostack, preserves_flags));"#,
    r#"asm!("lgdt [{}]", in(reg) ptr, options(nomem, nostack, preserves_flags));"#,
    r#"asm!("push {x}", "pop {x}", x = inout(reg) x, options(nomem, nostack, preserves_flags));"#,
    r#"asm!("rdtscp", out("eax") lo, out("edx") hi, options(nomem, nostack, preserves_flags));"#,
];

fn generate(dir: &Path, blocks: usize) {
    const PER_FILE: usize = 50;
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("src")).expect("create the tree");
    std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"generated\"\n").expect("write");
    let mut written = 0;
    let mut file = 0;
    while written < blocks {
        let mut text = String::from("use core::arch::asm;\n\n");
        for i in 0..PER_FILE.min(blocks - written) {
            let block = BLOCKS[(written + i) % BLOCKS.len()];
            text.push_str(&format!(
                "#[allow(unused)]\npub unsafe fn f{i}() {{\n    {block}\n}}\n\n"
            ));
        }
        written += PER_FILE.min(blocks - written);
        let sub = dir.join("src").join(format!("m{:02}", file / 20));
        std::fs::create_dir_all(&sub).expect("create a module directory");
        std::fs::write(sub.join(format!("f{file:03}.rs")), text).expect("write a file");
        file += 1;
    }
}

fn main() {
    let mut runs = 3usize;
    let mut jobs: Option<String> = None;
    let mut blocks = 10_000usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(runs),
            "--jobs" => jobs = args.next(),
            "--blocks" => blocks = args.next().and_then(|v| v.parse().ok()).unwrap_or(blocks),
            // `cargo bench` passes `--bench`.
            _ => {}
        }
    }
    let dir: PathBuf =
        std::env::temp_dir().join(format!("checked-asm-audit-bench-{}", std::process::id()));
    generate(&dir, blocks);
    let mut rates = Vec::new();
    for run in 0..runs {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-checked-asm"));
        cmd.args(["audit", "--format", "json"]).arg(&dir);
        if let Some(j) = &jobs {
            cmd.args(["--jobs", j]);
        }
        let start = Instant::now();
        let out = cmd.output().expect("run the audit");
        let secs = start.elapsed().as_secs_f64();
        let text = String::from_utf8_lossy(&out.stdout);
        let summary = text.lines().last().unwrap_or_default();
        let checked: usize = summary
            .split("\"blocks\":")
            .nth(1)
            .and_then(|s| s.split(',').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        assert_eq!(
            checked, blocks,
            "every generated block is checked: {summary}"
        );
        let rate = checked as f64 / secs;
        println!(
            "run {run}: {checked} blocks in {secs:.2} s: {rate:.0} blocks/s (exit {:?})",
            out.status.code()
        );
        rates.push(rate);
    }
    rates.sort_by(f64::total_cmp);
    println!(
        "audit throughput: median {:.0} blocks/s over {runs} runs (jobs: {})",
        rates[rates.len() / 2],
        jobs.as_deref().unwrap_or("all cores")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
