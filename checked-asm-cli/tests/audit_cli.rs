//! End-to-end tests of `cargo-checked-asm audit`: the built binary on fixture crates
//! (`tests/fixtures/{clean,buggy}`, scanned, never compiled), its text, JSON lines and
//! SARIF output, and its exit codes.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    manifest_dir().join("tests/fixtures").join(name)
}

fn audit_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-checked-asm"))
        .arg("audit")
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run cargo-checked-asm")
}

/// Runs the audit from the fixtures directory, so that paths read `buggy/src/lib.rs`.
fn audit(args: &[&str]) -> Output {
    audit_in(&manifest_dir().join("tests/fixtures"), args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json_lines(o: &Output) -> (Vec<Value>, Value) {
    let mut items: Vec<Value> = stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let summary = items.pop().expect("a summary line");
    (items, summary["summary"].clone())
}

/// `(file, line, rule)` of every finding.
fn findings(items: &[Value]) -> Vec<(String, u64, String)> {
    items
        .iter()
        .filter(|i| i["kind"] == "finding")
        .map(|i| {
            (
                i["file"].as_str().unwrap().to_string(),
                i["line"].as_u64().unwrap(),
                i["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn buggy_fixture_reports_exactly_the_expected_rules() {
    let o = audit(&["buggy", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let (items, summary) = json_lines(&o);
    let expected: Vec<(String, u64, String)> = [
        ("lib.rs", 16, "R01"),  // syscall without rcx/r11
        ("lib.rs", 23, "R05"),  // cpuid: rbx not restored
        ("lib.rs", 23, "R01"),  // cpuid: ecx, edx
        ("lib.rs", 30, "R01"),  // rdtscp: ecx
        ("lib.rs", 37, "R01"),  // xgetbv: edx
        ("lib.rs", 45, "R08"),  // push/pop with nostack
        ("lib.rs", 53, "R06"),  // lgdt with nomem
        ("lib.rs", 59, "R08"),  // pushfq with nostack
        ("lib.rs", 66, "R06"),  // AT&T load with nomem
        ("lib.rs", 72, "R11"),  // concat! template leaving DF set
        ("lib.rs", 100, "R13"), // macro_rules without metavariables: hlt returns
        ("sys.rs", 6, "R01"),   // cfg_if x86_64 branch: mul writes rdx
        ("sys.rs", 19, "R06"),  // include_str! template: wrmsr with nomem
    ]
    .iter()
    .map(|(f, l, r)| (format!("buggy/src/{f}"), *l, r.to_string()))
    .collect();
    assert_eq!(findings(&items), expected);
    assert!(
        items
            .iter()
            .filter(|i| i["kind"] == "finding")
            .all(|i| i["level"] == "error" && i["message"].is_string() && i["column"].is_u64()),
        "{items:?}"
    );

    assert_eq!(summary["files"], 4);
    assert_eq!(summary["blocks"], 13);
    assert_eq!(summary["blocks_with_violations"], 12);
    // The read_msr! body with `$msr`.
    assert_eq!(summary["not_checkable"], 1);
    // `mod arm;` under cfg(aarch64), the aarch64 cfg_if branch, the riscv64/aarch64 fn.
    assert_eq!(summary["skipped_other_target"], 3);
    assert_eq!(summary["files_not_parsed"], 1);
    assert_eq!(summary["waivers"], 1);
    assert_eq!(
        summary["findings_by_rule"],
        serde_json::json!({"R01": 5, "R05": 1, "R06": 3, "R08": 2, "R11": 1, "R13": 1})
    );

    let kinds = |k: &str| -> Vec<(String, u64)> {
        items
            .iter()
            .filter(|i| i["kind"] == k)
            .map(|i| {
                (
                    i["file"].as_str().unwrap().to_string(),
                    i["line"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        kinds("not_checkable"),
        [("buggy/src/lib.rs".to_string(), 92)]
    );
    assert_eq!(
        kinds("file_not_parsed"),
        [("buggy/src/broken.rs".to_string(), 3)]
    );
    let waiver = items.iter().find(|i| i["kind"] == "waiver").unwrap();
    assert_eq!(waiver["rules"], serde_json::json!(["R10"]));
    assert_eq!(waiver["line"], 80);
    let r01 = &items.iter().find(|i| i["line"] == 16).unwrap();
    assert_eq!(r01["help"], "add `lateout(\"rcx\") _, lateout(\"r11\") _`");
    assert_eq!(r01["column"], 10);
}

#[test]
fn text_output_is_rustc_style() {
    let o = audit(&["buggy", "--color", "never"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    for line in [
        "error[R06]: `lgdt [{}]` reads memory (memory operand), but the block declares `nomem`",
        "  --> buggy/src/lib.rs:53:10",
        "53 |     asm!(\"lgdt [{}]\", in(reg) ptr, options(nomem, nostack, preserves_flags));",
        "   = help: declare `readonly` instead of `nomem`: the block only reads memory",
        "   = help: add `lateout(\"rcx\") _, lateout(\"r11\") _`",
        "error[R01]: `rdtscp` writes rcx, but the block does not declare it",
        "--> buggy/src/lib.rs:92:9",
        "--> buggy/src/broken.rs:3:16",
        "note: waived R10: fixture: the caller does not read the flags",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "missing `{line}` in:\n{out}"
        );
    }
    assert!(
        out.contains("note: not checkable here: this `asm!` in the body of `macro_rules! read_msr` uses the metavariables $msr"),
        "{out}"
    );
    assert_eq!(
        out.lines().last(),
        Some(
            "summary: 4 files scanned, 13 blocks checked for x86_64, 12 blocks with violations, \
             13 errors, 0 warnings (R01: 5, R05: 1, R06: 3, R08: 2, R11: 1, R13: 1), 0 notes, \
             1 block not checkable here, 3 blocks skipped for another target, 1 file not parsed, \
             1 waiver"
        )
    );
    assert!(!out.contains('\u{1b}'), "no colours when asked for none");
    let coloured = stdout(&audit(&["buggy", "--color", "always"]));
    assert!(coloured.contains("\u{1b}["), "colours when asked for");
}

#[test]
fn clean_fixture_passes_with_a_refinement_warning() {
    let o = audit(&["clean", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let (items, summary) = json_lines(&o);
    assert_eq!(summary["files"], 2);
    assert_eq!(summary["blocks"], 9);
    assert_eq!(summary["blocks_with_violations"], 0);
    assert_eq!(summary["errors"], 0);
    // `read_cr!` uses `$cr` in a concat! template.
    assert_eq!(summary["not_checkable"], 1);
    // The aarch64 fn and the aarch64 cfg_if branch.
    assert_eq!(summary["skipped_other_target"], 2);
    // A warning is reported but is not a violation.
    assert_eq!(
        findings(&items),
        [("clean/src/lib.rs".to_string(), 75, "refinement".to_string())]
    );
    assert_eq!(items[1]["level"], "warning");

    // --strict makes the refinement an error, as the macro's `strict` feature does.
    let strict = audit(&["clean", "--format", "json", "--strict"]);
    assert_eq!(strict.status.code(), Some(1));
    let (_, summary) = json_lines(&strict);
    assert_eq!(summary["errors"], 1);
    assert_eq!(summary["blocks_with_violations"], 1);
}

#[test]
fn sarif_has_the_2_1_0_structure() {
    let o = audit(&["buggy", "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &log["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "checked-asm");
    assert!(
        driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for r in rules {
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 13);
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        assert!(ids.contains(&id), "{id} is not among the rules");
        assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"], id);
        assert_eq!(r["level"], "error");
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("buggy/src/"), "relative uri: {uri}");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &loc["region"];
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[key].as_u64().unwrap() >= 1, "{key} in {region}");
        }
    }
    let lgdt = results
        .iter()
        .find(|r| {
            r["ruleId"] == "R06"
                && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 53
        })
        .expect("the lgdt finding");
    assert_eq!(
        lgdt["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 53, "startColumn": 10, "endLine": 53, "endColumn": 21})
    );
    assert!(
        lgdt["message"]["text"]
            .as_str()
            .unwrap()
            .contains("\nhelp: declare `readonly`")
    );
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(
        notes.len(),
        3,
        "not parsed, not checkable, waiver: {notes:?}"
    );
}

#[test]
fn usage_and_io_errors_exit_2() {
    for args in [
        &["--frobnicate"][..],
        &["--target", "aarch64"],
        &["--format", "xml"],
        &["--jobs", "0"],
        &["no/such/path"],
    ] {
        let o = audit(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).starts_with("error: "),
            "{args:?}"
        );
    }
    let help = audit(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).starts_with("usage: cargo-checked-asm audit"));
}

#[test]
fn runs_as_a_cargo_subcommand() {
    let o = Command::new(env!("CARGO_BIN_EXE_cargo-checked-asm"))
        .args(["checked-asm", "audit", "clean", "--format", "json"])
        .current_dir(manifest_dir().join("tests/fixtures"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(json_lines(&o).1["blocks"], 9);
}

#[test]
fn default_path_is_the_crate_around_the_current_directory() {
    // From `clean/src`, the crate is `clean`: both files, paths relative to the cwd.
    let o = audit_in(&fixture("clean").join("src"), &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let (items, summary) = json_lines(&o);
    assert_eq!(summary["files"], 2);
    assert_eq!(summary["blocks"], 9);
    assert_eq!(items[0]["file"], "arch.rs");
}

/// A scratch directory under the system's temporary directory, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("checked-asm-audit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, text: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const NOMEM_LGDT: &str = "pub unsafe fn f(p: *const u8) { core::arch::asm!(\"lgdt [{}]\", in(reg) p, options(nomem)); }\n";

#[test]
fn gitignored_files_and_target_are_skipped() {
    let dir = scratch("walk");
    write(&dir.join("Cargo.toml"), "[package]\nname = \"w\"\n");
    write(&dir.join(".gitignore"), "/generated\n");
    write(&dir.join("src/lib.rs"), "pub fn f() {}\n");
    write(&dir.join("generated/bad.rs"), NOMEM_LGDT);
    write(&dir.join("target/debug/build/out/bad.rs"), NOMEM_LGDT);
    let o = audit_in(&dir, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(json_lines(&o).1["files"], 1);
    // Named explicitly, a file is audited whatever .gitignore says.
    let o = audit_in(&dir, &["generated/bad.rs", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json_lines(&o).1["findings_by_rule"]["R06"], 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn target_decides_which_cfg_gated_blocks_are_checked() {
    let dir = scratch("target");
    write(
        &dir.join("lib.rs"),
        r#"
#[cfg(target_arch = "x86")]
pub fn cpuid_x86() -> u32 {
    let b: u32;
    // Correct on x86, where ebx can be an operand.
    unsafe { core::arch::asm!("cpuid", inout("eax") 0 => _, lateout("ebx") b, lateout("ecx") _, lateout("edx") _, options(nomem, nostack, preserves_flags)) };
    b
}
#[cfg(all(target_arch = "x86_64", target_os = "windows"))]
pub fn only_windows() {
    unsafe { core::arch::asm!("mfence", options(nomem, nostack, preserves_flags)) };
}
"#,
    );
    let run = |target: &str| {
        let o = audit_in(&dir, &["lib.rs", "--format", "json", "--target", target]);
        let (items, summary) = json_lines(&o);
        (o.status.code(), findings(&items), summary)
    };
    let (code, found, summary) = run("x86");
    assert_eq!((code, found.len()), (Some(0), 0));
    assert_eq!(
        (
            summary["blocks"].as_u64(),
            summary["skipped_other_target"].as_u64()
        ),
        (Some(1), Some(1))
    );
    let (code, found, summary) = run("x86_64");
    assert_eq!(code, Some(1));
    assert_eq!(found, [("lib.rs".to_string(), 11, "R06".to_string())]);
    assert_eq!(summary["skipped_other_target"], 1);
    // A triple fixes target_os too: the Windows-only block is skipped on Linux.
    let (code, _, summary) = run("x86_64-unknown-linux-gnu");
    assert_eq!(code, Some(0));
    assert_eq!(summary["skipped_other_target"], 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn output_does_not_depend_on_the_number_of_threads() {
    let one = audit(&["buggy", "clean", "--format", "json", "--jobs", "1"]);
    let four = audit(&["buggy", "clean", "--format", "json", "--jobs", "4"]);
    assert_eq!(stdout(&one), stdout(&four));
    assert_eq!(one.status.code(), Some(1));
}

#[test]
fn the_repository_examples_have_no_violations() {
    let examples = manifest_dir().join("../examples");
    let o = audit_in(&examples, &[".", "--format", "json"]);
    let (items, summary) = json_lines(&o);
    assert_eq!(o.status.code(), Some(0), "{items:#?}");
    assert_eq!(summary["errors"], 0);
    assert_eq!(summary["warnings"], 0);
    assert!(summary["blocks"].as_u64().unwrap() >= 20, "{summary}");
    // The context switch is followed through its re-entry: no waiver is needed.
    assert_eq!(summary["waivers"], 0, "{summary}");
    // `nomem`/`readonly` on the `write(2)` syscalls: notes (M5), not violations.
    let notes: Vec<_> = items.iter().filter(|i| i["level"] == "note").collect();
    assert_eq!(summary["notes"], notes.len());
    assert!(
        notes
            .iter()
            .all(|n| n["file"].as_str().unwrap().ends_with("write_syscall.rs")),
        "{notes:#?}"
    );
}

/// A small deterministic generator (xorshift), to mutate files without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn garbage_never_makes_the_audit_panic() {
    let dir = scratch("garbage");
    let mut sources: Vec<Vec<u8>> = Vec::new();
    for d in [
        fixture("buggy/src"),
        fixture("clean/src"),
        manifest_dir().join("../examples"),
    ] {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "rs") {
                sources.push(std::fs::read(p).unwrap());
            }
        }
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let noise: &[u8] = b"{}()[]\",;!#$\\'r0x\n:=_ asm!reg{0}";
    let mut n = 0;
    for src in &sources {
        for round in 0..12 {
            let mut m = src.clone();
            match round % 4 {
                // Truncated at any byte.
                0 => m.truncate(rng.below(m.len() + 1)),
                // A run of bytes deleted.
                1 => {
                    let at = rng.below(m.len());
                    let end = (at + 1 + rng.below(24)).min(m.len());
                    m.drain(at..end);
                }
                // Punctuation sprinkled in, arbitrary bytes too.
                2 => {
                    for _ in 0..6 {
                        let at = rng.below(m.len());
                        m[at] = noise[rng.below(noise.len())];
                    }
                }
                _ => {
                    for _ in 0..4 {
                        let at = rng.below(m.len());
                        m[at] = rng.next() as u8;
                    }
                }
            }
            write(&dir.join(format!("m{n}.rs")), &m);
            n += 1;
        }
    }
    let deep = format!("fn f() {{ {}1{} }}", "(".repeat(5000), ")".repeat(5000));
    let nasty = [
        "",
        "asm!",
        "fn f() { asm!() }",
        "fn f() { asm!(",
        "fn f() { core::arch::asm!(\"{}\", in(reg) ) }",
        "fn f() { asm!(\"{0:q}\", const 1 << 70, label {}, sym, options(,)) }",
        "global_asm!(\".rept 1000000000\", \"nop\", \".endr\");",
        "macro_rules! m { ($($t:tt)*) => { asm!($($t)*) } }",
        "macro_rules! m { => }",
        "cfg_if::cfg_if! { if #[cfg(] { asm!(\"nop\") } else }",
        "#[cfg(any(all(not(target_arch = \"x86_64\"))))] fn f() { asm!(\"nop\") }",
        "fn f() { asm!(concat!(concat!(concat!())), include_str!(\"/\")) }",
        "fn f() { asm!(\"\\u{0}\\n\\n.byte 0xff\"); checked_asm!(#![waive()] \"nop\") }",
        &deep,
    ];
    for (i, text) in nasty.iter().enumerate() {
        write(&dir.join(format!("nasty{i}.rs")), text);
    }
    write(
        &dir.join("not_utf8.rs"),
        [0xff, 0xfe, b'a', b's', b'm', b'!'],
    );
    let o = audit_in(&dir, &[".", "--format", "json"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{:?} {stderr}",
        o.status
    );
    let (items, summary) = json_lines(&o);
    assert_eq!(
        summary["internal_errors"],
        0,
        "{:#?}",
        items
            .iter()
            .filter(|i| i["kind"] == "internal_error")
            .collect::<Vec<_>>()
    );
    assert_eq!(
        summary["files"].as_u64(),
        Some((n + nasty.len() + 1) as u64)
    );
    assert!(summary["files_not_parsed"].as_u64().unwrap() > 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_template_from_an_unknown_macro_is_not_checkable() {
    let dir = scratch("opaque");
    write(
        &dir.join("lib.rs"),
        "macro_rules! tpl { () => { \"hlt\" } }\n\
         pub fn f() { unsafe { core::arch::asm!(tpl!(), options(nomem, nostack)) } }\n\
         pub fn g() { unsafe { core::arch::asm!(concat!(\"nop;\", tpl!()), options(nomem, nostack)) } }\n\
         pub fn h() { unsafe { core::arch::asm!(concat!(\"mfence\"), options(nomem, nostack)) } }\n",
    );
    let o = audit_in(&dir, &["lib.rs", "--format", "json"]);
    let (items, summary) = json_lines(&o);
    assert_eq!(summary["not_checkable"], 2, "{items:#?}");
    let reasons: Vec<&str> = items
        .iter()
        .filter(|i| i["kind"] == "not_checkable")
        .map(|i| i["message"].as_str().unwrap())
        .collect();
    assert!(
        reasons.iter().all(|r| r.contains("produced by `tpl!`")),
        "{reasons:?}"
    );
    // concat! of literals is checked: mfence with nomem.
    assert_eq!(
        findings(&items),
        [("lib.rs".to_string(), 4, "R06".to_string())]
    );
    assert_eq!(o.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}
