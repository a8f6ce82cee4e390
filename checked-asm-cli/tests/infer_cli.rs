//! End-to-end tests of `cargo-checked-asm infer`: the built binary, its output and exit codes.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cargo-checked-asm"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cargo-checked-asm");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn json_one_object_per_line_of_stdin() {
    let o = run(
        &["infer", "--format", "json"],
        "mov eax, 1; ret\nin al, dx\nmovx eax, ebx\n",
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "one block fails, so the exit status is 1"
    );
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].starts_with("{\"ok\":true,\"hex\":\"b801000000c3\",\"error\":null"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("\"instructions\":[{"));
    assert!(lines[1].contains("\"hex\":\"ec\""));
    assert!(
        lines[2].starts_with("{\"ok\":false,\"hex\":\"\",\"error\":\"unknown instruction `movx`"),
        "{}",
        lines[2]
    );
}

#[test]
fn template_option_att_and_32_bit() {
    let o = run(
        &[
            "infer",
            "--template",
            "inb %dx, %al; outb %al, $0x80",
            "--syntax",
            "att",
            "--mode",
            "32",
            "--format=json",
        ],
        "",
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("\"hex\":\"ece680\""), "{}", stdout(&o));
}

#[test]
fn runs_as_a_cargo_subcommand() {
    // `cargo checked-asm infer ...` runs `cargo-checked-asm checked-asm infer ...`.
    let o = run(&["checked-asm", "infer", "-t", "cli; hlt"], "");
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.contains("fa") && out.contains("f4") && out.contains("Cli"),
        "{out}"
    );
}

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(run(&[], "").status.code(), Some(2));
    let help = run(&["infer", "--help"], "");
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("usage"));
    assert_eq!(run(&["frobnicate"], "").status.code(), Some(2));
    assert_eq!(
        run(&["infer", "--syntax", "masm"], "").status.code(),
        Some(2)
    );
    assert_eq!(run(&["infer", "--mode"], "").status.code(), Some(2));
    let o = run(&["infer", "--bogus"], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("usage"));
}

#[test]
fn text_output_shows_encodings_and_errors() {
    let o = run(&["infer", "-t", "mov [rax], 1"], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("ambiguous operand size"),
        "{}",
        stdout(&o)
    );
    let o = run(&["infer", "-t", "swapgs"], "");
    assert!(stdout(&o).contains("0f01f8"));
}

#[test]
fn invocation_prints_effects_minimal_contract_and_findings() {
    let o = run(
        &["infer", "--format", "json"],
        "checked_asm!(\"rdtscp\", out(\"eax\") lo, out(\"edx\") hi)\n",
    );
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("\"clobbers\":[\"rcx\"]"), "{out}");
    assert!(
        out.contains("\"options\":[\"nomem\",\"nostack\",\"preserves_flags\"]"),
        "{out}"
    );
    assert!(out.contains("lateout(\\\"rcx\\\") _"), "{out}");
    assert!(out.contains("R01"), "{out}");
    assert!(
        out.contains("\"effects\":\"") && out.contains("writes"),
        "{out}"
    );
}

#[test]
fn raw_template_with_contract_flag() {
    let o = run(&["infer", "--contract", "--template", "cpuid"], "");
    let out = stdout(&o);
    // rbx cannot be declared: the block must restore it, so no contract is the fix.
    assert!(out.contains("minimal contract: none: the template must change first (R05, below); as written it would declare `lateout(\"rax\") _, lateout(\"rcx\") _, lateout(\"rdx\") _, options(nomem, nostack, preserves_flags)`"), "{out}");
    assert!(out.contains("R05"), "{out}");
    let att = run(
        &[
            "infer",
            "--contract",
            "--syntax",
            "att",
            "--template",
            "popcnt %rdi, %rax",
        ],
        "",
    );
    assert!(stdout(&att).contains("flags modified"), "{}", stdout(&att));
}

#[test]
fn no_contract_is_offered_as_the_fix_when_the_template_must_change() {
    // `bsr` leaves its destination unwritten for a zero input (R18): the contract of the
    // template as written (a `lateout`) would fail again, so it is not called the fix.
    let block = "asm!(\"bsr {o}, {i}\", i = in(reg) x, o = out(reg) y)\n";
    let text = stdout(&run(&["infer"], block));
    assert!(
        text.contains("minimal contract: none: the template must change first (R18, below)"),
        "{text}"
    );
    assert!(text.contains("error: [checked-asm R18]"), "{text}");
    let json = stdout(&run(&["infer", "--format", "json"], block));
    assert!(
        json.contains("\"template_must_change\":[\"R18\"]"),
        "{json}"
    );
    // A declaration mistake keeps its paste-ready contract.
    let json = stdout(&run(
        &["infer", "--format", "json"],
        "asm!(\"rdtscp\", out(\"eax\") lo, out(\"edx\") hi)\n",
    ));
    assert!(json.contains("\"template_must_change\":[]"), "{json}");
    assert!(json.contains("lateout(\\\"rcx\\\") _"), "{json}");
}
