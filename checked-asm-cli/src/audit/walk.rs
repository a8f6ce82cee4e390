//! Which files to audit: `.rs` files under the given paths, `.gitignore` respected,
//! cargo's `target/` skipped.

use std::path::{Component, Path, PathBuf};

/// The directory of the nearest `Cargo.toml` at or above `dir`.
pub fn crate_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join("Cargo.toml").is_file())
        .map(Path::to_path_buf)
}

/// A build directory of cargo: named `target` and beside a `Cargo.toml`, or tagged
/// as a cache directory (cargo writes `CACHEDIR.TAG` into every target directory).
fn is_target_dir(dir: &Path) -> bool {
    dir.file_name().is_some_and(|n| n == "target")
        && (dir.join("CACHEDIR.TAG").is_file()
            || dir.parent().is_some_and(|p| p.join("Cargo.toml").is_file()))
}

/// The `.rs` files under `roots` (a root that is a file is taken as it is), sorted.
pub fn rust_files(roots: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for root in roots {
        let meta = std::fs::metadata(root)
            .map_err(|e| format!("cannot read `{}`: {e}", root.display()))?;
        if meta.is_file() {
            files.push(root.clone());
            continue;
        }
        let walker = ignore::WalkBuilder::new(root)
            // `.gitignore` applies even outside a git checkout (a crate unpacked from
            // crates.io, a fixture).
            .require_git(false)
            .filter_entry(|e| {
                !(e.file_type().is_some_and(|t| t.is_dir()) && is_target_dir(e.path()))
            })
            .build();
        for entry in walker {
            let entry = entry.map_err(|e| format!("walking `{}`: {e}", root.display()))?;
            if entry.file_type().is_some_and(|t| t.is_file())
                && entry.path().extension().is_some_and(|x| x == "rs")
            {
                files.push(entry.into_path());
            }
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// `path` as the user reads it: relative to `cwd` (with `..` where needed), `/`-separated
/// on every platform's output being the same.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let relative = if path.is_absolute() {
        relative_to(path, cwd).unwrap_or_else(|| path.to_path_buf())
    } else {
        path.components()
            .filter(|c| !matches!(c, Component::CurDir))
            .collect()
    };
    relative.to_string_lossy().replace('\\', "/")
}

fn relative_to(path: &Path, base: &Path) -> Option<PathBuf> {
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return None;
    }
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c);
    }
    Some(out)
}
