//! `cargo checked-asm audit [PATH...]`: what `checked_asm!` would say about every
//! `asm!` block of an existing crate, without editing it.
//!
//! ```text
//! paths --walk--> files --scan (parallel)--> FileReport --sort--> text | json | sarif
//! ```

mod find;
mod output;
mod scan;
mod target;
mod walk;

use checked_asm_engine::diag::Level;
use checked_asm_engine::syntax::Cfg;
use checked_asm_engine::x86::Arch;
use scan::{FileReport, ItemKind, Options};
use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const USAGE: &str = "usage: cargo-checked-asm audit [PATH...] [--target x86_64|x86|TRIPLE] [--format text|json|sarif]
                               [--color auto|always|never] [--strict] [--jobs N]
  Checks every asm!, naked_asm!, global_asm! and checked_asm! invocation of the .rs files
  under PATH (default: the crate around the current directory; .gitignore is respected,
  target/ is skipped) with the engine of checked_asm!, for one target architecture
  (default x86_64; a triple such as x86_64-unknown-linux-gnu also fixes target_os).
  Refinement warnings are shown but do not fail the audit unless --strict is given.
  Exit status: 1 when a block has an error, 0 otherwise, 2 on usage or I/O errors.";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Sarif,
}

struct Args {
    paths: Vec<PathBuf>,
    format: Format,
    color: Option<bool>,
    opts: Options,
    jobs: Option<usize>,
}

fn parse_args(args: Vec<String>) -> Result<Args, String> {
    let mut out = Args {
        paths: Vec::new(),
        format: Format::Text,
        color: None,
        opts: Options {
            arch: Arch::X86_64,
            os: None,
            strict: false,
        },
        jobs: None,
    };
    let mut it = args.into_iter();
    let mut only_paths = false;
    while let Some(a) = it.next() {
        if only_paths || !a.starts_with('-') || a == "-" {
            out.paths.push(PathBuf::from(a));
            continue;
        }
        let (key, inline) = crate::flags::split(&a);
        let mut value = || crate::flags::value(&key, inline.clone(), &mut it);
        match key.as_str() {
            "--" => only_paths = true,
            "--target" => {
                let v = value()?;
                let t = target::parse_target(&v).ok_or_else(|| {
                    format!(
                        "unknown target `{v}` (expected x86_64, x86, or an x86 target triple such \
                         as x86_64-unknown-linux-gnu)"
                    )
                })?;
                out.opts.arch = if t.arch == "x86" {
                    Arch::X86
                } else {
                    Arch::X86_64
                };
                out.opts.os = t.os;
            }
            "--format" => {
                out.format = match value()?.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "sarif" => Format::Sarif,
                    v => {
                        return Err(format!(
                            "unknown format `{v}` (expected text, json or sarif)"
                        ));
                    }
                }
            }
            "--color" => {
                out.color = match value()?.as_str() {
                    "auto" => None,
                    "always" => Some(true),
                    "never" => Some(false),
                    v => {
                        return Err(format!(
                            "unknown color choice `{v}` (expected auto, always or never)"
                        ));
                    }
                }
            }
            "--strict" => out.opts.strict = true,
            "--jobs" | "-j" => {
                let v = value()?;
                out.jobs = match v.parse::<usize>() {
                    Ok(n) if n > 0 => Some(n),
                    _ => return Err(format!("`--jobs` needs a positive number, not `{v}`")),
                }
            }
            "--help" | "-h" => return Err(String::new()),
            _ => return Err(format!("unexpected argument `{a}`")),
        }
    }
    Ok(out)
}

/// Totals over all files.
#[derive(Debug, Default)]
pub struct Summary {
    pub files: usize,
    pub files_not_parsed: usize,
    pub blocks: usize,
    pub blocks_with_violations: usize,
    pub not_checkable: usize,
    pub skipped_other_target: usize,
    pub waivers: usize,
    pub errors: usize,
    pub warnings: usize,
    /// Notes (a claim the checker cannot verify, e.g. `nomem` on a `call`): neither
    /// violations nor counted by rule.
    pub notes: usize,
    pub internal_errors: usize,
    pub io_errors: usize,
    pub findings_by_rule: BTreeMap<String, usize>,
}

impl Summary {
    fn of(reports: &[FileReport]) -> Summary {
        let mut s = Summary {
            files: reports.len(),
            ..Summary::default()
        };
        for r in reports {
            s.blocks += r.blocks;
            s.blocks_with_violations += r.blocks_with_violations;
            s.not_checkable += r.not_checkable;
            s.skipped_other_target += r.skipped_other_target;
            s.waivers += r.waivers;
            s.io_errors += usize::from(r.io_error.is_some());
            for item in &r.items {
                match &item.kind {
                    ItemKind::Finding(f) => {
                        match f.level {
                            Level::Error => s.errors += 1,
                            Level::Warning => s.warnings += 1,
                            Level::Note => {
                                s.notes += 1;
                                continue;
                            }
                        }
                        *s.findings_by_rule.entry(f.rule.clone()).or_default() += 1;
                    }
                    ItemKind::FileNotParsed { .. } => s.files_not_parsed += 1,
                    ItemKind::Internal { .. } => s.internal_errors += 1,
                    ItemKind::NotCheckable { .. } | ItemKind::Waiver { .. } => {}
                }
            }
        }
        s
    }

    fn exit_code(&self) -> ExitCode {
        if self.io_errors > 0 || self.internal_errors > 0 {
            ExitCode::from(2)
        } else if self.errors > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }
}

/// Runs `audit` with the arguments after the subcommand.
pub fn main(args: Vec<String>) -> ExitCode {
    let args = match parse_args(args) {
        Ok(a) => a,
        Err(msg) if msg.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("error: {msg}");
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let roots = if args.paths.is_empty() {
        match walk::crate_root(&cwd) {
            Some(root) => vec![root],
            None => {
                eprintln!(
                    "error: no Cargo.toml in the current directory or above it; name the files \
                     or directories to audit"
                );
                return ExitCode::from(2);
            }
        }
    } else {
        args.paths.clone()
    };
    let files = match walk::rust_files(&roots) {
        Ok(f) => f,
        Err(msg) => {
            eprintln!("error: {msg}");
            return ExitCode::from(2);
        }
    };
    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1)
    });
    scan::install_panic_hook();
    let reports = audit_files(&files, args.opts, jobs);
    let _ = std::panic::take_hook();
    let summary = Summary::of(&reports);

    let display: Vec<String> = reports
        .iter()
        .map(|r| walk::display_path(&r.path, &cwd))
        .collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match args.format {
        Format::Text => {
            let color = args.color.unwrap_or_else(|| {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            });
            output::text(&mut out, &reports, &display, &summary, args.opts, color)
        }
        Format::Json => output::json_lines(&mut out, &reports, &display, &summary, args.opts),
        Format::Sarif => output::sarif(&mut out, &reports, &display, &cwd),
    };
    if written.and_then(|()| out.flush()).is_err() {
        return ExitCode::from(2);
    }
    for r in &reports {
        if let Some(e) = &r.io_error {
            eprintln!("error: {e}");
        }
    }
    summary.exit_code()
}

/// Scans `files` on `jobs` threads; the reports come back in the order of `files`.
pub fn audit_files(files: &[PathBuf], opts: Options, jobs: usize) -> Vec<FileReport> {
    // First the `mod` declarations under a `#[cfg]`, so that `#[cfg(target_arch =
    // "aarch64")] mod arm;` excludes the blocks of `arm.rs`.
    let children: Vec<Vec<(PathBuf, Vec<Cfg>)>> =
        parallel_map(files, jobs, |p| scan::mod_children(p));
    let inherited = inherited_cfgs(files, &children);
    let empty = Vec::new();
    parallel_map(files, jobs, |path| {
        let cfg = if inherited.is_empty() {
            &empty
        } else {
            canonical(path)
                .and_then(|c| inherited.get(&c))
                .unwrap_or(&empty)
        };
        scan::scan_file(path, opts, cfg)
    })
}

fn canonical(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}

/// For each file named by a cfg-gated `mod` declaration, the predicates of the chain of
/// declarations that lead to it.
fn inherited_cfgs(
    files: &[PathBuf],
    children: &[Vec<(PathBuf, Vec<Cfg>)>],
) -> HashMap<PathBuf, Vec<Cfg>> {
    let mut parent: HashMap<PathBuf, (PathBuf, Vec<Cfg>)> = HashMap::new();
    for (file, kids) in files.iter().zip(children) {
        if kids.is_empty() {
            continue;
        }
        let Some(file) = canonical(file) else {
            continue;
        };
        for (child, cfg) in kids {
            if let Some(child) = canonical(child) {
                parent.insert(child, (file.clone(), cfg.clone()));
            }
        }
    }
    let mut out = HashMap::new();
    for child in parent.keys() {
        let mut preds = Vec::new();
        let mut at = child;
        // A chain longer than this is a cycle of `#[path]`s.
        for _ in 0..64 {
            match parent.get(at) {
                Some((p, cfg)) => {
                    preds.extend(cfg.iter().cloned());
                    at = p;
                }
                None => break,
            }
        }
        out.insert(child.clone(), preds);
    }
    out
}

/// `f` over `items` on `jobs` threads with large stacks (syn and the engine recurse on
/// nesting), results in the order of `items`.
fn parallel_map<T: Sync, R: Send>(items: &[T], jobs: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    const STACK: usize = 256 << 20;
    let next = AtomicUsize::new(0);
    let jobs = jobs.clamp(1, items.len().max(1));
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..jobs)
            .map(|_| {
                std::thread::Builder::new()
                    .stack_size(STACK)
                    .spawn_scoped(scope, || {
                        let mut done = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(item) = items.get(i) else { break };
                            done.push((i, f(item)));
                        }
                        done
                    })
                    .expect("spawn an audit thread")
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}
