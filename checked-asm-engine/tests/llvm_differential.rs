//! Differential test against LLVM's assembler (`llvm-mc-22`, what rustc's integrated
//! assembler is): a corpus of one-line templates (every round-trip instance, hand-written
//! system-instruction, AT&T and symbol cases, and invalid ones) is assembled by `llvm-mc` in
//! one batch process per syntax and mode, and by us. LLVM's bytes and ours are decoded with
//! iced and compared as instructions (several encodings can be valid).
//!
//! Done when >= 99% of what LLVM accepts gives the same decoded instructions and nothing
//! LLVM rejects is accepted by us, except the entries of `llvm_exceptions.txt`.
//! Without `llvm-mc-22` the test is skipped with a message, but fails when `CI` is set.

mod common;

use checked_asm_engine::x86::asm::{Mode, Syntax, assemble};
use common::*;
use iced_x86::{Decoder, DecoderOptions, Instruction};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Command, Stdio};

fn llvm_mc() -> Option<String> {
    let candidates = [
        std::env::var("LLVM_MC").unwrap_or_default(),
        "llvm-mc-22".into(),
        "/usr/bin/llvm-mc-22".into(),
        "/usr/lib/llvm-22/bin/llvm-mc".into(),
    ];
    candidates.into_iter().filter(|c| !c.is_empty()).find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Hand-written cases from `llvm_corpus.txt` for this syntax and mode.
fn handwritten(syntax: Syntax, mode: Mode) -> Vec<String> {
    let want = format!(
        "[{} {}]",
        if syntax == Syntax::Intel {
            "intel"
        } else {
            "att"
        },
        if mode == Mode::Bits64 { 64 } else { 32 }
    );
    let mut in_section = false;
    let mut out = Vec::new();
    for line in include_str!("llvm_corpus.txt").lines() {
        if line.starts_with('[') {
            in_section = line.trim() == want;
        } else if in_section && !line.trim().is_empty() && !line.starts_with('#') {
            out.push(line.to_string());
        }
    }
    out
}

/// The corpus for a syntax and mode: every round-trip instance, then the hand-written cases.
fn corpus(syntax: Syntax, mode: Mode) -> Vec<String> {
    let mut intel = intel_formatter();
    let mut gas = gas_formatter();
    let mut out: Vec<String> = Vec::new();
    for code in codes_for(mode) {
        let Some(ins) = instance(code, mode) else {
            continue;
        };
        out.push(match syntax {
            Syntax::Intel => llvm_intel(&ins, &format(&mut intel, &ins)),
            Syntax::Att => llvm_att(&ins, &format(&mut gas, &ins)),
        });
    }
    out.extend(handwritten(syntax, mode));
    out
}

/// Runs llvm-mc once over all entries; returns each entry's bytes, or `None` if LLVM
/// reported an error on its line.
fn run_llvm(llvm: &str, entries: &[String], syntax: Syntax, mode: Mode) -> Vec<Option<Vec<u8>>> {
    // Each entry is followed by a marker line so the output can be split per entry; a
    // fresh `.intel_syntax`/`.att_syntax` and mode directive resets entries that switch.
    let (syntax_dir, arg) = match syntax {
        Syntax::Intel => (".intel_syntax noprefix", "-x86-asm-syntax=intel"),
        Syntax::Att => (".att_syntax prefix", "-x86-asm-syntax=att"),
    };
    let (triple, code_dir) = match mode {
        Mode::Bits64 => ("--triple=x86_64", ".code64"),
        _ => ("--triple=i686", ".code32"),
    };
    let mut input = String::new();
    for (i, e) in entries.iter().enumerate() {
        // Line 3*i+1: the entry; 3*i+2: the marker; 3*i+3: the reset.
        input.push_str(e);
        input.push('\n');
        input.push_str(&format!(".ascii \"@@{i}\"\n"));
        input.push_str(&format!("{syntax_dir}; {code_dir}; .text\n"));
    }
    let mut child = Command::new(llvm)
        .args([triple, arg, "--output-asm-variant=1", "-show-encoding"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn llvm-mc");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("llvm-mc output");
    writer.join().unwrap().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut rejected = BTreeSet::new();
    for line in stderr.lines() {
        // `<stdin>:LINE:COL: error: ...`
        let mut parts = line.splitn(4, ':');
        if let (Some(_), Some(l), Some(_), Some(rest)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
            && rest.trim_start().starts_with("error")
            && let Ok(l) = l.parse::<usize>()
        {
            rejected.insert((l - 1) / 3);
        }
    }
    let mut result: Vec<Option<Vec<u8>>> = vec![Some(Vec::new()); entries.len()];
    let mut current = 0usize;
    let mut bytes = Vec::new();
    for line in stdout.lines() {
        if let Some(pos) = line.find("\"@@") {
            let n: usize = line[pos + 3..]
                .trim_end_matches('"')
                .parse()
                .unwrap_or(current);
            result[n] = Some(std::mem::take(&mut bytes));
            current = n + 1;
            continue;
        }
        if let Some(enc) = line.split("encoding: [").nth(1) {
            let enc = enc.split(']').next().unwrap_or("");
            for b in enc.split(',') {
                let b = b.trim();
                // Fixup placeholders (`A`, `B`) are relocations: 0 in our encoding too.
                bytes.push(
                    b.strip_prefix("0x")
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                        .unwrap_or(0),
                );
            }
        } else {
            // Data directives print without encodings: rebuild their bytes.
            let t = line.trim();
            let width = [(".byte", 1), (".short", 2), (".long", 4), (".quad", 8)]
                .into_iter()
                .find(|(d, _)| t.starts_with(&format!("{d}\t")) || t.starts_with(&format!("{d} ")));
            if let Some((d, w)) = width {
                for v in t[d.len()..].split(',') {
                    let v = v.trim();
                    let n = v
                        .parse::<i64>()
                        .or_else(|_| i64::from_str_radix(v.trim_start_matches("0x"), 16))
                        .unwrap_or(0);
                    bytes.extend_from_slice(&n.to_le_bytes()[..w]);
                }
            } else if let Some(s) = t.strip_prefix(".ascii").map(str::trim)
                && !s.contains("@@")
            {
                bytes.extend_from_slice(s.trim_matches('"').as_bytes());
            }
        }
    }
    for r in rejected {
        if r < result.len() {
            result[r] = None;
        }
    }
    result
}

fn decode_all(bytes: &[u8], mode: Mode) -> Vec<Instruction> {
    let mut d = Decoder::with_ip(mode.bitness(), bytes, 0, DecoderOptions::NONE);
    let mut v = Vec::new();
    while d.can_decode() {
        v.push(d.decode());
    }
    v
}

fn exceptions() -> BTreeMap<String, String> {
    include_str!("llvm_exceptions.txt")
        .lines()
        .filter(|l| !l.trim_start().starts_with("##") && !l.trim().is_empty())
        .filter_map(|l| {
            let (entry, why) = l.split_once(" ## ")?;
            Some((entry.trim().to_string(), why.trim().to_string()))
        })
        .collect()
}

#[test]
fn llvm_differential() {
    let Some(llvm) = llvm_mc() else {
        if std::env::var_os("CI").is_some() {
            panic!("llvm-mc-22 is required in CI (apt-get install llvm-22)");
        }
        println!(
            "llvm-mc-22 not found: skipping the LLVM differential test (install Debian's llvm-22)"
        );
        return;
    };
    let listed = exceptions();
    let mut report = String::new();
    let mut unexpected = Vec::new();
    let mut still_differing = std::collections::BTreeSet::new();
    let mut figures = Vec::new();
    for (syntax, mode) in [
        (Syntax::Intel, Mode::Bits64),
        (Syntax::Att, Mode::Bits64),
        (Syntax::Intel, Mode::Bits32),
        (Syntax::Att, Mode::Bits32),
    ] {
        let entries = corpus(syntax, mode);
        let llvm_results = run_llvm(&llvm, &entries, syntax, mode);
        let (mut accepted, mut agree, mut rejected, mut silently) =
            (0usize, 0usize, 0usize, 0usize);
        for (entry, theirs) in entries.iter().zip(&llvm_results) {
            let key = format!("{} {:?} {entry}", mode.bitness(), syntax);
            let ours = assemble(entry, syntax, mode);
            let verdict: Result<(), String> = match (theirs, &ours) {
                (None, Err(_)) => {
                    rejected += 1;
                    Ok(())
                }
                (None, Ok(p)) => {
                    rejected += 1;
                    silently += 1;
                    Err(format!(
                        "LLVM rejects, we accept ({})",
                        hex(&p.text_bytes())
                    ))
                }
                (Some(bytes), ours) => {
                    accepted += 1;
                    match ours {
                        Err(e) => Err(format!(
                            "LLVM accepts ({}), we reject: {}",
                            hex(bytes),
                            e[0].message
                        )),
                        Ok(p) => {
                            let ours_bytes = p.text_bytes();
                            let a = decode_all(bytes, mode);
                            let b = decode_all(&ours_bytes, mode);
                            if (a.len() == b.len()
                                && a.iter().zip(&b).all(|(x, y)| same_ignoring_targets(x, y)))
                                || bytes.is_empty() && !entry.contains(' ') && ours_bytes.is_empty()
                            {
                                agree += 1;
                                Ok(())
                            } else {
                                Err(format!(
                                    "differ: LLVM {} ours {}",
                                    hex(bytes),
                                    hex(&ours_bytes)
                                ))
                            }
                        }
                    }
                }
            };
            if let Err(why) = verdict {
                report.push_str(&format!("{key} ## {why}\n"));
                still_differing.insert(key.clone());
                if !listed.contains_key(&key) {
                    unexpected.push(format!("{key} ## {why}"));
                }
            }
        }
        let pct = 100.0 * agree as f64 / accepted.max(1) as f64;
        println!(
            "llvm {}-bit {:?}: {agree}/{accepted} LLVM-accepted entries agree ({pct:.2}%); {rejected} rejected by LLVM, {silently} of them accepted by us",
            mode.bitness(),
            syntax
        );
        figures.push((mode, syntax, pct));
    }
    let stale: Vec<&String> = listed
        .keys()
        .filter(|k| !still_differing.contains(*k))
        .collect();
    if !stale.is_empty() {
        println!(
            "{} entries of llvm_exceptions.txt now agree with LLVM and can be removed:",
            stale.len()
        );
        for k in stale {
            println!("  {k}");
        }
    }
    if let Ok(path) = std::env::var("LLVM_DIFF_DUMP") {
        std::fs::write(path, &report).unwrap();
    }
    assert!(
        unexpected.is_empty(),
        "{} entries disagree with LLVM and are not in llvm_exceptions.txt:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    for (mode, syntax, pct) in figures {
        assert!(
            pct >= 99.0,
            "LLVM agreement {}-bit {:?} is {pct:.2}%, below 99%",
            mode.bitness(),
            syntax
        );
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Label-heavy templates checked against LLVM's object file rather than `-show-encoding`
/// (which leaves fixups unresolved): branch relaxation, local-label displacements,
/// alignment padding. Syntax, mode, template.
const LAYOUT_CASES: &[(Syntax, Mode, &str)] = &[
    (
        Syntax::Intel,
        Mode::Bits64,
        "2: pause; cmp byte ptr [rdi], 0; je 2b",
    ),
    (
        Syntax::Intel,
        Mode::Bits64,
        "push 0x08; lea rax, [rip + 1f]; push rax; retfq; 1:",
    ),
    (Syntax::Intel, Mode::Bits64, "jmp 1f; .zero 127; 1: nop"),
    (Syntax::Intel, Mode::Bits64, "jmp 1f; .zero 128; 1: nop"),
    (Syntax::Intel, Mode::Bits64, "1: .zero 120; jne 1b"),
    (Syntax::Intel, Mode::Bits64, "1: .zero 130; jne 1b"),
    (
        Syntax::Intel,
        Mode::Bits64,
        "je 1f; .p2align 4; nop; 1: ret",
    ),
    (
        Syntax::Intel,
        Mode::Bits64,
        "nop; .p2align 5; ret; .nops 13; ret",
    ),
    (Syntax::Intel, Mode::Bits64, "call 1f; 1: pop rax; jmp foo"),
    (
        Syntax::Intel,
        Mode::Bits64,
        "mov al, byte ptr [rip + 1f]; ret; 1: .byte 5",
    ),
    (
        Syntax::Intel,
        Mode::Bits64,
        "lea rax, [rip + 2f + 4]; 2: .quad 0",
    ),
    (Syntax::Intel, Mode::Bits64, "xbegin 1f; xend; 1: nop"),
    (
        Syntax::Intel,
        Mode::Bits64,
        "1: jmp 2f; .zero 100; 2: jmp 1b; .zero 100; jmp 1b",
    ),
    (Syntax::Intel, Mode::Bits64, "loop 1f; 1: jrcxz 1b"),
    (
        Syntax::Intel,
        Mode::Bits64,
        "mov rax, qword ptr [rip + foo@GOTPCREL]; call foo@PLT; mov eax, dword ptr fs:[foo@tpoff]",
    ),
    (
        Syntax::Att,
        Mode::Bits64,
        "1: decl %ecx; jnz 1b; .p2align 3; ret",
    ),
    (
        Syntax::Att,
        Mode::Bits64,
        "leaq 1f(%rip), %rax; jmp *%rax; 1: ret",
    ),
    (
        Syntax::Att,
        Mode::Bits64,
        "jmp 1f; .zero 200; 1: movq $foo+8, %rax",
    ),
    (
        Syntax::Intel,
        Mode::Bits32,
        "1: dec ecx; jnz 1b; call foo; jmp 2f; .zero 150; 2: ret",
    ),
    (
        Syntax::Intel,
        Mode::Bits32,
        "mov eax, offset foo + 8; mov ecx, offset lbl; ret; lbl: nop",
    ),
    (
        Syntax::Att,
        Mode::Bits32,
        "call 1f; 1: popl %eax; leal foo@GOTOFF(%eax), %eax",
    ),
    (
        Syntax::Intel,
        Mode::Bits64,
        ".quad foo + 8; .long 1f; 1: .byte 1b",
    ),
    (
        Syntax::Intel,
        Mode::Bits32,
        ".code16; call foo; jmp 1f; push 1000; 1: ret",
    ),
    (
        Syntax::Intel,
        Mode::Bits32,
        ".long foo + 8; .long 1f; 1: .byte 1b; call bar",
    ),
];

#[test]
fn llvm_object_layout() {
    let Some(llvm) = llvm_mc() else {
        if std::env::var_os("CI").is_some() {
            panic!("llvm-mc-22 is required in CI (apt-get install llvm-22)");
        }
        println!("llvm-mc-22 not found: skipping the LLVM object layout test");
        return;
    };
    let objcopy = llvm.replace("llvm-mc", "llvm-objcopy");
    let dir = std::env::temp_dir().join(format!("checked-asm-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut failures = Vec::new();
    for (syntax, mode) in [
        (Syntax::Intel, Mode::Bits64),
        (Syntax::Att, Mode::Bits64),
        (Syntax::Intel, Mode::Bits32),
        (Syntax::Att, Mode::Bits32),
    ] {
        let cases: Vec<&str> = LAYOUT_CASES
            .iter()
            .filter(|(s, m, _)| *s == syntax && *m == mode)
            .map(|(_, _, t)| *t)
            .collect();
        if cases.is_empty() {
            continue;
        }
        // One section per template, one llvm-mc and one llvm-objcopy process per syntax/mode.
        // rustc's default CPUs (x86-64, pentium4) decide the NOP padding.
        let mut input = String::new();
        for (i, t) in cases.iter().enumerate() {
            // Reset the mode: `.code16` in one template must not leak into the next.
            let code = if mode == Mode::Bits64 {
                ".code64"
            } else {
                ".code32"
            };
            input.push_str(&format!(
                ".section .text.ck{i},\"ax\",@progbits\n{code}\n{t}\n"
            ));
        }
        let (triple, cpu) = if mode == Mode::Bits64 {
            ("--triple=x86_64", "-mcpu=x86-64")
        } else {
            ("--triple=i686", "-mcpu=pentium4")
        };
        let syntax_arg = if syntax == Syntax::Intel {
            "-x86-asm-syntax=intel"
        } else {
            "-x86-asm-syntax=att"
        };
        let obj = dir.join("blocks.o");
        let mut child = Command::new(&llvm)
            .args([triple, cpu, syntax_arg, "-filetype=obj", "-o"])
            .arg(&obj)
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn llvm-mc");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "llvm-mc failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut cmd = Command::new(&objcopy);
        for i in 0..cases.len() {
            cmd.arg(format!(
                "--dump-section=.text.ck{i}={}",
                dir.join(format!("{i}.bin")).display()
            ));
        }
        let st = cmd
            .arg(&obj)
            .arg(dir.join("ignored.o"))
            .status()
            .expect("llvm-objcopy");
        assert!(st.success());
        for (i, t) in cases.iter().enumerate() {
            let theirs = std::fs::read(dir.join(format!("{i}.bin"))).unwrap();
            let ours = assemble(t, syntax, mode).map(|p| p.text_bytes());
            match ours {
                Ok(ours) if ours == theirs => {}
                Ok(ours) => {
                    let (a, b) = (decode_all(&theirs, mode), decode_all(&ours, mode));
                    let same = a.len() == b.len()
                        && a.iter()
                            .zip(&b)
                            .all(|(x, y)| checked_asm_engine::x86::asm::same_instruction(x, y));
                    if !same {
                        failures.push(format!(
                            "{} {syntax:?} `{t}`: LLVM {} ours {}",
                            mode.bitness(),
                            hex(&theirs),
                            hex(&ours)
                        ));
                    }
                }
                Err(e) => failures.push(format!(
                    "{} {syntax:?} `{t}`: we reject: {}",
                    mode.bitness(),
                    e[0].message
                )),
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "llvm object layout: {} of {} templates agree",
        LAYOUT_CASES.len() - failures.len(),
        LAYOUT_CASES.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
