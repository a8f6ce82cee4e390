//! Zero runtime cost, proven (issue 6, item 4): every program of `examples/` is built in
//! release mode twice, as written (with `checked_asm!`) and with rustc's own `asm!` in
//! its place, and the machine code of every function of the two builds must be the same.
//!
//! How. Under `target/tmp/zero-cost/` (kept, so that a rerun is a no-op build) one scratch
//! package per variant holds the examples as `[[example]]` targets of the same names:
//! - `checked` builds the files of `examples/` in place, depending on `checked-asm`;
//! - `plain` builds copies in which `use checked_asm::checked_asm;` is
//!   `use core::arch::asm as checked_asm;` on the same line (so every other token, span and
//!   line number is the same), with no dependency at all;
//! - `mutant` builds `rdtsc.rs` of `plain` with two output registers swapped, a contract
//!   change rustc accepts without a word: the comparison must report it (see below).
//!
//! Each is built by `cargo build --release --examples` with `--emit=asm` added (for the
//! target only: `--target <host>` keeps it away from the proc macros), into its own
//! target directory, the three concurrently. The release profile is cargo's default
//! except `codegen-units = 1` (each example is then one LLVM module, so one listing);
//! both variants get exactly the same profile, flags and rustc. The listing of an
//! example holds every function LLVM emitted for that crate: its own functions and the
//! std generics instantiated in it (`lang_start`, thread closures, `drop_in_place`...,
//! into which LLVM inlines the examples' code, asm blocks included), not std's
//! precompiled code. `listing` normalises what two builds of one source legitimately
//! differ in (symbol hashes, anonymous-constant hashes, label numbers) and compares the
//! rest line by line: instructions, labels, alignment, CFI, constant pools and jump tables.
//!
//! The test covers the blocks as they are in the examples: none has a finding, so every
//! `checked_asm!` expands to the bare `::core::arch::asm!` call. A block with a
//! refinement warning would also call an empty local `#[deprecated]` function; the
//! examples have none (their build prints no warning). Tried once by hand: with
//! `preserves_flags` dropped from the `cpuid` block of `examples/cpuid.rs` (a refinement
//! warning, in both variants), the listings were still identical.
//!
//! Can it fail? The `listing` unit tests feed the comparison listings that differ in one
//! register, one callee, one constant, one function; the `mutant` build checks the
//! whole pipeline (scratch packages, cargo, finding the listings). Verified by hand as
//! well, by changing the contract of the `cpuid` block in the plain copy of `cpuid.rs`
//! only: with `out("r8") _` added the test failed with a diff of `cpuid::main` (the
//! block's inputs are loaded in another order). Dropping `nomem`, `nostack` or
//! `preserves_flags` there, or making `lateout("edx")` an `out`, left the machine code
//! unchanged: the compiler had nothing to gain from those promises in that program.
//!
//! ```text
//! cargo test --test zero_cost -- --nocapture
//! ```
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

#[path = "zero_cost/listing.rs"]
mod listing;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

/// The imports of the examples and the same macros from `core::arch`, line for line.
const PLAIN_IMPORTS: [(&str, &str); 3] = [
    (
        "use checked_asm::checked_asm;",
        "use core::arch::asm as checked_asm;",
    ),
    (
        "use checked_asm::checked_naked_asm;",
        "use core::arch::naked_asm as checked_naked_asm;",
    ),
    (
        "use checked_asm::checked_global_asm;",
        "use core::arch::global_asm as checked_global_asm;",
    ),
];

/// The mutant's change to `rdtsc.rs`: the outputs of the `rdtsc` block swapped.
const MUTANT_EXAMPLE: &str = "rdtsc";
const MUTATION: (&str, &str) = (
    "out(\"eax\") lo, out(\"edx\") hi",
    "out(\"edx\") lo, out(\"eax\") hi",
);

#[test]
fn examples_have_the_same_machine_code_with_checked_asm_as_with_asm() {
    let start = Instant::now();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("zero-cost");
    let examples = examples(&repo.join("examples"));
    assert!(!examples.is_empty(), "no example in examples/");
    let [checked, plain, mutant] = write_packages(repo, &root, &examples);

    let host = host_triple();
    let in_place = repo.join("examples");
    let builds: Vec<(&Path, Child)> = [
        (&checked, in_place),
        (&plain, plain.join("examples")),
        (&mutant, mutant.join("examples")),
    ]
    .into_iter()
    .map(|(dir, sources)| (dir.as_path(), cargo_build(dir, &sources, &host)))
    .collect();
    for (dir, child) in builds {
        let out = child.wait_with_output().expect("wait for cargo build");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "cargo build of {} failed:\n{stderr}",
            dir.display()
        );
        // Warnings of the examples, if any; shown with --nocapture.
        print!("{stderr}");
    }
    let built = start.elapsed();

    let release = |dir: &Path| dir.join("target").join(&host).join("release/examples");
    let mut total = listing::Identical {
        functions: 0,
        instructions: 0,
    };
    for (name, _) in &examples {
        let with_checked = functions_of(&release(&checked), name);
        let with_asm = functions_of(&release(&plain), name);
        match listing::compare(&with_checked, &with_asm, "checked_asm!", "asm!") {
            Ok(same) => {
                println!(
                    "{name:>16}: {:>3} functions, {:>5} instructions identical",
                    same.functions, same.instructions
                );
                total.functions += same.functions;
                total.instructions += same.instructions;
            }
            Err(difference) => panic!("examples/{name}.rs: {difference}"),
        }
    }

    let with_asm = functions_of(&release(&plain), MUTANT_EXAMPLE);
    let mutated = functions_of(&release(&mutant), MUTANT_EXAMPLE);
    let caught = listing::compare(&with_asm, &mutated, "asm!", "the swapped outputs")
        .expect_err("the mutant's swapped outputs must change the machine code");
    assert!(caught.contains(" differs between "), "{caught}");
    println!(
        "pipeline check: {MUTANT_EXAMPLE} with {} reported as {}",
        MUTATION.1,
        caught
            .lines()
            .next()
            .unwrap_or_default()
            .trim_end_matches(':')
    );
    println!(
        "zero runtime cost: {} examples, {} functions, {} instructions identical \
         (builds {:.1} s, comparison {:.1} s)",
        examples.len(),
        total.functions,
        total.instructions,
        built.as_secs_f64(),
        (start.elapsed() - built).as_secs_f64()
    );
}

/// The programs of `examples/` (every `.rs` file), by name.
fn examples(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .expect("read examples/")
        .map(|e| e.expect("read examples/").path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    found.sort();
    found
}

/// The scratch packages `checked`, `plain` and `mutant` under `root`.
fn write_packages(repo: &Path, root: &Path, examples: &[(String, PathBuf)]) -> [PathBuf; 3] {
    let checked = root.join("checked");
    let dependency = format!(
        "checked-asm = {{ path = {:?} }}\n",
        path_str(&repo.join("checked-asm"))
    );
    write_package(&checked, "zero-cost-checked", &dependency, examples);
    // The versions the workspace builds with; cargo drops what is not needed.
    let lock = std::fs::read_to_string(repo.join("Cargo.lock")).expect("read Cargo.lock");
    write_if_changed(&checked.join("Cargo.lock"), &lock);

    let plain = root.join("plain");
    let mut plain_examples = Vec::new();
    for (name, path) in examples {
        let source = std::fs::read_to_string(path).expect("read an example");
        let copy = plain.join("examples").join(format!("{name}.rs"));
        write_if_changed(&copy, &with_plain_asm(name, &source));
        plain_examples.push((name.clone(), copy));
    }
    write_package(&plain, "zero-cost-plain", "", &plain_examples);

    let mutant = root.join("mutant");
    let (_, plain_copy) = plain_examples
        .iter()
        .find(|(name, _)| name == MUTANT_EXAMPLE)
        .expect("examples/rdtsc.rs");
    let source = std::fs::read_to_string(plain_copy).expect("read the plain rdtsc.rs");
    assert_eq!(
        source.matches(MUTATION.0).count(),
        1,
        "the mutation of rdtsc.rs no longer applies: update MUTATION"
    );
    let mutant_copy = mutant.join("examples").join(format!("{MUTANT_EXAMPLE}.rs"));
    write_if_changed(&mutant_copy, &source.replace(MUTATION.0, MUTATION.1));
    let mutant_examples = [(MUTANT_EXAMPLE.to_string(), mutant_copy)];
    write_package(&mutant, "zero-cost-mutant", "", &mutant_examples);
    [checked, plain, mutant]
}

/// `source` with each import of a `checked_asm` macro replaced by its `core::arch` one.
fn with_plain_asm(name: &str, source: &str) -> String {
    let mut replaced = 0;
    let lines: Vec<String> = source
        .lines()
        .map(|line| {
            let code = line.trim();
            match PLAIN_IMPORTS.iter().find(|(import, _)| code == *import) {
                Some((import, plain)) => {
                    replaced += 1;
                    line.replacen(import, plain, 1)
                }
                None => line.to_string(),
            }
        })
        .collect();
    // Without a replacement both builds would be of the same file and prove nothing.
    assert!(
        replaced > 0,
        "examples/{name}.rs imports no checked_asm macro as `use checked_asm::<macro>;`"
    );
    // Any other use of the crate fails to compile: the plain package has no dependency.
    lines.join("\n") + "\n"
}

fn write_package(dir: &Path, package: &str, dependencies: &str, examples: &[(String, PathBuf)]) {
    // edition: the root package's, which owns the examples.
    let mut manifest = format!(
        "# Generated by tests/zero_cost.rs.\n[package]\nname = \"{package}\"\nversion = \"0.0.0\"\n\
         edition = \"2024\"\npublish = false\nautoexamples = false\n\n[dependencies]\n{dependencies}\n\
         [profile.release]\ncodegen-units = 1\n\n[workspace]\n"
    );
    for (name, path) in examples {
        manifest.push_str(&format!(
            "\n[[example]]\nname = \"{name}\"\npath = {:?}\n",
            path_str(path)
        ));
    }
    write_if_changed(&dir.join("Cargo.toml"), &manifest);
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// Writes only what changed, so that a rerun finds the builds fresh.
fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::create_dir_all(path.parent().expect("a file in a directory"))
            .expect("create a scratch directory");
        std::fs::write(path, text).expect("write a scratch file");
    }
}

fn host_triple() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(rustc)
        .arg("-vV")
        .output()
        .expect("run rustc -vV");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV names the host")
        .to_string()
}

/// Builds the package in `dir`, whose examples are the files of `sources`.
fn cargo_build(dir: &Path, sources: &Path, host: &str) -> Child {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(["build", "--quiet", "--release", "--examples", "--offline"])
        .args(["--target", host])
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(dir.join("target"))
        // Takes precedence over every other source of flags; with `--target`, cargo
        // gives it to the target's crates only (not to proc macros and their deps).
        // Panic locations embed the source path, so both variants must name their files
        // alike, or their anonymous constants differ in content and in numbering: cargo
        // hands rustc `examples/x.rs` for the copies inside a package and an absolute
        // path for the checked variant's examples, which are outside its package.
        .env(
            "CARGO_ENCODED_RUSTFLAGS",
            format!(
                "--emit=asm,link\x1f--remap-path-prefix={}=/examples\x1f--remap-path-prefix=examples=/examples",
                path_str(sources)
            ),
        )
        .env("CARGO_INCREMENTAL", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // The outer `cargo test`'s configuration must reach neither build (profile
    // overrides would leave cargo's release profile, a build target would move the output).
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("CARGO_PROFILE_") || key.starts_with("CARGO_BUILD_") {
            cmd.env_remove(&*key);
        }
    }
    cmd.spawn().expect("start cargo build")
}

/// The functions of the listing of example `name` in `dir`. Cargo hard-links the binary
/// it reports, `<name>`, to `<name>-<hash>`, and rustc writes the listing next to the
/// latter as `<name>-<hash>.s`; binaries and listings of earlier builds with other hashes
/// may still be there.
fn functions_of(dir: &Path, name: &str) -> Vec<listing::Function> {
    let binary = std::fs::metadata(dir.join(name)).expect("the example's binary");
    let prefix = format!("{name}-");
    let built = std::fs::read_dir(dir)
        .expect("read the examples' output directory")
        .map(|e| e.expect("read the output directory").path())
        .find(|p| {
            let file = p.file_name().unwrap().to_string_lossy();
            file.strip_prefix(&prefix)
                .is_some_and(|hash| hash.bytes().all(|b| b.is_ascii_hexdigit()))
                && std::fs::metadata(p)
                    .is_ok_and(|m| (m.dev(), m.ino()) == (binary.dev(), binary.ino()))
        })
        .unwrap_or_else(|| panic!("no {name}-<hash> hard link of {}", dir.join(name).display()));
    let listing_path = built.with_extension("s");
    let text = std::fs::read_to_string(&listing_path)
        .unwrap_or_else(|e| panic!("read {}: {e}", listing_path.display()));
    listing::functions(&text).unwrap_or_else(|e| panic!("{}: {e}", listing_path.display()))
}
