//! The functions of an assembly listing written by `rustc --emit asm` (LLVM, x86, AT&T
//! syntax, ELF), normalised so that two builds of the same code compare equal, and
//! their comparison.
//!
//! What legitimately differs between two builds of the same source in two packages is
//! only naming: the hash suffix of legacy-mangled symbols (`17h0123456789abcdefE`, it
//! hashes the package's metadata), the names of anonymous constants (`.Lanon.<hash>.3`:
//! the hash and the creation order both follow the crate's metadata), and the numbers
//! of local labels (`.LBB4_3`: LLVM numbers them by the function's position in the
//! module, which follows the symbol names). Everything else of a function is compared:
//! instructions (inline assembly included, as LLVM parsed and re-printed it), labels,
//! alignment, CFI directives, and the contents of the constant pools, jump tables and
//! anonymous constants (panic messages and locations) it uses.

use std::collections::{BTreeMap, HashMap, HashSet};

/// One function of a listing.
#[derive(Debug)]
pub struct Function {
    /// The symbol without its hash; several instantiations of one generic share a
    /// legacy-mangled path, so those are told apart by a rank (`name[1]`), see
    /// [`functions`].
    pub name: String,
    /// Every line from the symbol's label to `.Lfunc_endN:`, normalised, then the
    /// data of the constant pools and jump tables it refers to.
    pub body: Vec<String>,
}

impl Function {
    /// Lines that are instructions (not a directive, not a label).
    pub fn instructions(&self) -> usize {
        self.body
            .iter()
            .filter(|l| !l.starts_with('.') && !l.ends_with(':'))
            .count()
    }
}

/// The lines of the constant pools and jump tables, by label.
type Data<'a> = HashMap<&'a str, Vec<&'a str>>;

/// A function as it appears in the listing.
struct Raw<'a> {
    symbol: &'a str,
    lines: Vec<&'a str>,
}

/// The functions of `listing`, in the order LLVM emitted them.
///
/// A call to an instantiation of a generic and a call to another instantiation of the
/// same generic must not look alike, although both symbols lose their hash: each
/// function is first normalised with every symbol's hash removed, and same-named
/// functions are ranked by that body. References to them are then written with the
/// rank (`drop_slow[0]`, `drop_slow[1]`). Instantiations whose bodies are identical get
/// the same rank: calling one or the other runs the same code.
pub fn functions(listing: &str) -> Result<Vec<Function>, String> {
    let (raw, data) = split(listing)?;
    let no_ranks: HashMap<&str, String> = HashMap::new();
    let first: Vec<Vec<String>> = raw.iter().map(|f| normalise(f, &data, &no_ranks)).collect();
    let mut by_name: BTreeMap<String, Vec<&[String]>> = BTreeMap::new();
    for (f, body) in raw.iter().zip(&first) {
        by_name.entry(strip_hash(f.symbol)).or_default().push(body);
    }
    let mut canonical: HashMap<&str, String> = HashMap::new();
    for (f, body) in raw.iter().zip(&first) {
        let name = strip_hash(f.symbol);
        let mut bodies = by_name[&name].clone();
        if bodies.len() > 1 {
            bodies.sort();
            bodies.dedup();
            let rank = bodies
                .iter()
                .position(|b| *b == &body[..])
                .expect("own body");
            canonical.insert(f.symbol, format!("{name}[{rank}]"));
        } else {
            canonical.insert(f.symbol, name);
        }
    }
    Ok(raw
        .iter()
        .map(|f| Function {
            name: canonical[f.symbol].clone(),
            body: normalise(f, &data, &canonical),
        })
        .collect())
}

/// The functions (every `.type X,@function`, from `X:` to `.Lfunc_endN:`) and the data
/// blocks of local labels outside them (constant pools, jump tables), comments removed.
fn split(listing: &str) -> Result<(Vec<Raw<'_>>, Data<'_>), String> {
    let mut declared: HashSet<&str> = HashSet::new();
    let mut functions = Vec::new();
    let mut data = Data::new();
    let mut current: Option<Raw> = None;
    let mut data_label: Option<&str> = None;
    for line in listing.lines() {
        let code = strip_comment(line).trim();
        if let Some(f) = &mut current {
            if code.starts_with(".Lfunc_end") && code.ends_with(':') {
                functions.push(current.take().expect("in a function"));
            } else if !code.is_empty() {
                f.lines.push(code);
            }
            continue;
        }
        if let Some(rest) = code.strip_prefix(".type")
            && let Some(name) = rest.trim().strip_suffix(",@function")
        {
            declared.insert(name.trim());
        }
        if let Some(label) = code.strip_suffix(':') {
            data_label = None;
            if declared.contains(label) {
                current = Some(Raw {
                    symbol: label,
                    lines: Vec::new(),
                });
            } else if label.starts_with(".LCPI")
                || label.starts_with(".LJTI")
                || label.starts_with(".Lanon.")
            {
                data_label = Some(label);
                data.insert(label, Vec::new());
            }
        } else if code.is_empty() || code.starts_with(".section") {
            data_label = None;
        } else if let Some(label) = data_label {
            data.get_mut(label).expect("data block").push(code);
        }
    }
    if let Some(f) = current {
        return Err(format!("`{}` has no `.Lfunc_end` label", f.symbol));
    }
    let found: HashSet<&str> = functions.iter().map(|f| f.symbol).collect();
    if let Some(missing) = declared.iter().find(|s| !found.contains(*s)) {
        return Err(format!(
            "`{missing}` is declared a function but has no body"
        ));
    }
    Ok((functions, data))
}

/// `line` without its `#` comment (LLVM's comment character for x86), quotes respected.
fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '#' if !quoted => return &line[..i],
            _ => {}
        }
    }
    line
}

/// The lines of `f` with symbols renamed by `canonical` (hash removed when absent),
/// local labels numbered in order of first use, and the data of the constant pools and
/// jump tables it uses appended (with the same label numbering).
fn normalise(f: &Raw, data: &Data, canonical: &HashMap<&str, String>) -> Vec<String> {
    let mut labels: HashMap<String, String> = HashMap::new();
    let mut body: Vec<String> = f
        .lines
        .iter()
        .map(|l| rename(l, &mut labels, canonical))
        .collect();
    let mut appended = HashSet::new();
    // A jump table may refer to a constant pool in principle: follow until closed.
    loop {
        let mut pending: Vec<(&str, String)> = data
            .keys()
            .filter(|k| labels.contains_key(**k) && !appended.contains(*k))
            .map(|k| (*k, labels[*k].clone()))
            .collect();
        if pending.is_empty() {
            return body;
        }
        pending.sort_by(|a, b| a.1.cmp(&b.1));
        for (label, renamed) in pending {
            appended.insert(label);
            body.push(format!("{renamed}:"));
            for l in &data[label] {
                body.push(rename(l, &mut labels, canonical));
            }
        }
    }
}

/// The local labels LLVM numbers by the function's position in the module (`.LBB4_3`,
/// `.Ltmp12`, `.LCPI4_0`...). Anonymous constants (`.Lanon.<hash>.3`) are numbered in
/// the order rustc creates them, which follows the crate's hash: they are renumbered too,
/// and their contents compared.
const NUMBERED_LABELS: [&str; 6] = [
    ".LBB",
    ".Ltmp",
    ".LCPI",
    ".LJTI",
    ".Lfunc_begin",
    ".Lexception",
];

/// `line` with each symbol token renamed (see [`normalise`]).
fn rename(
    line: &str,
    labels: &mut HashMap<String, String>,
    canonical: &HashMap<&str, String>,
) -> String {
    let is_symbol_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '$');
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find(is_symbol_char) {
        out.push_str(&rest[..start]);
        let len = rest[start..]
            .find(|c| !is_symbol_char(c))
            .unwrap_or(rest.len() - start);
        let token = &rest[start..start + len];
        if let Some(name) = canonical.get(token) {
            out.push_str(name);
        } else if token.starts_with(".Lanon.") {
            let n = labels.len();
            let renamed = labels
                .entry(token.to_string())
                .or_insert_with(|| format!(".Lanon~{n}"));
            out.push_str(renamed);
        } else if let Some(kind) = NUMBERED_LABELS.iter().find(|kind| {
            token.strip_prefix(**kind).is_some_and(|n| {
                !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit() || b == b'_')
            })
        }) {
            let n = labels.len();
            let renamed = labels
                .entry(token.to_string())
                .or_insert_with(|| format!("{kind}~{n}"));
            out.push_str(renamed);
        } else {
            out.push_str(&without_hex_hashes(&strip_hash(token)));
        }
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

/// A legacy-mangled symbol without its hash (`_ZN5cpuid4main17h0123456789abcdefE` →
/// `_ZN5cpuid4mainE`); other tokens unchanged.
fn strip_hash(token: &str) -> String {
    let b = token.as_bytes();
    let n = b.len();
    let hashed = token.starts_with("_ZN")
        && n > 20
        && &b[n - 20..n - 17] == b"17h"
        && b[n - 17..n - 1].iter().all(u8::is_ascii_hexdigit)
        && b[n - 1] == b'E';
    if hashed {
        format!("{}E", &token[..n - 20])
    } else {
        token.to_string()
    }
}

/// `token` with each `.`-separated component of 32 hex digits (the crate hash in
/// `.Lanon.<hash>.3`) replaced by `~`.
fn without_hex_hashes(token: &str) -> String {
    token
        .split('.')
        .map(|part| {
            if part.len() == 32 && part.bytes().all(|b| b.is_ascii_hexdigit()) {
                "~"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// What two listings hold in common when they are the same code.
#[derive(Debug, PartialEq)]
pub struct Identical {
    pub functions: usize,
    pub instructions: usize,
}

/// Compares the functions of two listings, named `left` and `right` in the message:
/// the same functions (by name, with multiplicity) with the same bodies, or a readable
/// account of the first difference.
pub fn compare(
    a: &[Function],
    b: &[Function],
    left: &str,
    right: &str,
) -> Result<Identical, String> {
    let group = |fs: &[Function]| {
        let mut m: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
        for f in fs {
            m.entry(f.name.clone()).or_default().push(f.body.clone());
        }
        m.values_mut().for_each(|v| v.sort());
        m
    };
    let (ga, gb) = (group(a), group(b));
    let only = |x: &BTreeMap<String, Vec<Vec<String>>>, y: &BTreeMap<String, Vec<Vec<String>>>| {
        x.iter()
            .filter(|(k, v)| y.get(*k).map_or(0, Vec::len) < v.len())
            .map(|(k, _)| k.clone())
            .collect::<Vec<_>>()
    };
    let (only_a, only_b) = (only(&ga, &gb), only(&gb, &ga));
    if !only_a.is_empty() || !only_b.is_empty() {
        let names = |v: Vec<String>| v.iter().map(|n| demangle(n)).collect::<Vec<_>>().join(", ");
        return Err(format!(
            "the two builds have different functions\n  only with {left}: {}\n  only with {right}: {}",
            names(only_a),
            names(only_b)
        ));
    }
    // In listing order, so that "the first differing function" means what one reads first.
    for f in a {
        for (x, y) in ga[&f.name].iter().zip(&gb[&f.name]) {
            if x != y {
                return Err(format!(
                    "`{}` differs between the build with {left} (-) and the build with {right} (+):\n{}",
                    demangle(&f.name),
                    diff(x, y)
                ));
            }
        }
    }
    Ok(Identical {
        functions: a.len(),
        instructions: a.iter().map(Function::instructions).sum(),
    })
}

/// A legacy-mangled name as a Rust path, for messages (`_ZN5alloc4sync16Arc$LT$T$GT$9drop_slowE[1]`
/// → `alloc::sync::Arc<T>::drop_slow[1]`); other names unchanged.
fn demangle(name: &str) -> String {
    let Some(mut rest) = name.strip_prefix("_ZN") else {
        return name.to_string();
    };
    let mut parts = Vec::new();
    while let Some(digits) = rest.find(|c: char| !c.is_ascii_digit()).filter(|&d| d > 0) {
        let len: usize = rest[..digits].parse().expect("digits");
        let Some(part) = rest.get(digits..digits + len) else {
            return name.to_string();
        };
        parts.push(
            part.strip_prefix('_')
                .filter(|p| p.starts_with('$'))
                .unwrap_or(part),
        );
        rest = &rest[digits + len..];
    }
    let Some(suffix) = rest.strip_prefix('E') else {
        return name.to_string();
    };
    let mut path = parts.join("::").replace("..", "::");
    for (escape, c) in [
        ("$LT$", "<"),
        ("$GT$", ">"),
        ("$C$", ","),
        ("$RF$", "&"),
        ("$BP$", "*"),
        ("$SP$", "@"),
        ("$u20$", " "),
        ("$u27$", "'"),
        ("$u2b$", "+"),
        ("$u3b$", ";"),
        ("$u5b$", "["),
        ("$u5d$", "]"),
        ("$u7b$", "{"),
        ("$u7d$", "}"),
        ("$u7e$", "~"),
    ] {
        path = path.replace(escape, c);
    }
    path + suffix
}

/// A line diff of `a` and `b` (longest common subsequence), changed lines with three
/// lines of context, at most 80 lines.
fn diff(a: &[String], b: &[String]) -> String {
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', &a[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', &a[i]));
            i += 1;
        } else {
            ops.push(('+', &b[j]));
            j += 1;
        }
    }
    let near_change = |k: usize| {
        ops[k.saturating_sub(3)..(k + 4).min(ops.len())]
            .iter()
            .any(|(c, _)| *c != ' ')
    };
    let mut out = Vec::new();
    let mut elided = false;
    for (k, (c, line)) in ops.iter().enumerate() {
        if near_change(k) {
            out.push(format!("  {c} {line}"));
            elided = false;
        } else if !elided {
            out.push("    ...".to_string());
            elided = true;
        }
    }
    if out.len() > 80 {
        let more = out.len() - 80;
        out.truncate(80);
        out.push(format!("    ({more} more lines)"));
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A listing shaped like rustc's: a constant pool, a function using it and calling
    /// one of two instantiations of a generic, the two instantiations.
    fn listing(hash: &str, block: &str, callee: usize, label: usize) -> String {
        let callees = ["17h1111111111111111E", "17h2222222222222222E"];
        format!(
            "\t.file\t\"ex.{hash}-cgu.0\"\n\
             \t.section\t.rodata.cst16,\"aM\",@progbits,16\n\
             .LCPI{label}_0:\n\t.quad\t7\n\t.quad\t9\n\n\
             \t.section\t.text._ZN2ex4main17h{hash:.16}E,\"ax\",@progbits\n\
             \t.type\t_ZN2ex4main17h{hash:.16}E,@function\n\
             _ZN2ex4main17h{hash:.16}E:\n\
             \t.cfi_startproc\n\
             \tmovaps\t.LCPI{label}_0(%rip), %xmm0\n\
             \tleaq\t.Lanon.{hash}.0(%rip), %rdi\n\
             #APP\n\t{block}\n#NO_APP\n\
             \ttestq\t%rdi, %rdi  # a comment\n\
             \tje\t.LBB{label}_2\n\
             \tcallq\t_ZN4core3ptr13drop_in_place{}\n\
             .LBB{label}_2:\n\
             \tretq\n\
             .Lfunc_end{label}:\n\
             \t.cfi_endproc\n\n\
             \t.type\t_ZN4core3ptr13drop_in_place{},@function\n\
             _ZN4core3ptr13drop_in_place{}:\n\tretq\n.Lfunc_end{}:\n\n\
             \t.type\t_ZN4core3ptr13drop_in_place{},@function\n\
             _ZN4core3ptr13drop_in_place{}:\n\tud2\n.Lfunc_end{}:\n",
            callees[callee],
            callees[0],
            callees[0],
            label + 1,
            callees[1],
            callees[1],
            label + 2,
        )
    }

    const HASH_A: &str = "0123456789abcdef0123456789abcdef";
    const HASH_B: &str = "fedcba9876543210fedcba9876543210";

    fn compare_listings(a: &str, b: &str) -> Result<Identical, String> {
        compare(&functions(a)?, &functions(b)?, "checked_asm!", "asm!")
    }

    #[test]
    fn hashes_and_label_numbers_do_not_matter() {
        let a = listing(HASH_A, "movq\t%rbx, %r15", 0, 4);
        let b = listing(HASH_B, "movq\t%rbx, %r15", 0, 9);
        assert_ne!(a, b);
        let same = compare_listings(&a, &b).unwrap();
        // main: movaps, leaq, movq, testq, je, callq, retq; two drop_in_place bodies.
        assert_eq!(
            same,
            Identical {
                functions: 3,
                instructions: 9
            }
        );
    }

    #[test]
    fn one_register_of_an_asm_block_is_a_difference() {
        let a = listing(HASH_A, "movq\t%rbx, %r15", 0, 4);
        let b = listing(HASH_A, "movq\t%rbx, %r14", 0, 4);
        let err = compare_listings(&a, &b).unwrap_err();
        assert!(err.starts_with("`ex::main` differs"), "{err}");
        assert!(
            err.contains("  - movq\t%rbx, %r15\n  + movq\t%rbx, %r14"),
            "{err}"
        );
    }

    #[test]
    fn calling_another_instantiation_of_a_generic_is_a_difference() {
        let a = listing(HASH_A, "nop", 0, 4);
        let b = listing(HASH_B, "nop", 1, 4);
        let err = compare_listings(&a, &b).unwrap_err();
        assert!(
            err.contains(
                "  - callq\t_ZN4core3ptr13drop_in_placeE[0]\n  + callq\t_ZN4core3ptr13drop_in_placeE[1]"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_different_constant_is_a_difference() {
        let a = listing(HASH_A, "nop", 0, 4);
        let b = a.replace("\t.quad\t9", "\t.quad\t8");
        let err = compare_listings(&a, &b).unwrap_err();
        assert!(err.contains("  - .quad\t9\n  + .quad\t8"), "{err}");
    }

    /// A function using two anonymous constants, numbered `first` and `second`, the
    /// second a panic location pointing at the first.
    fn with_constants(first: usize, second: usize, file: &str) -> String {
        let h = HASH_A;
        format!(
            "\t.type\t_ZN2ex4main17h{h:.16}E,@function\n\
             _ZN2ex4main17h{h:.16}E:\n\
             \tleaq\t.Lanon.{h}.{second}(%rip), %rdi\n\
             \tretq\n\
             .Lfunc_end0:\n\n\
             \t.section\t.rodata.str1.1,\"aMS\",@progbits,1\n\
             .Lanon.{h}.{first}:\n\t.asciz\t\"{file}\"\n\t.size\t.Lanon.{h}.{first}, 8\n\n\
             \t.section\t.data.rel.ro,\"aw\",@progbits\n\
             .Lanon.{h}.{second}:\n\t.quad\t.Lanon.{h}.{first}\n\t.asciz\t\"\\007\"\n\n"
        )
    }

    #[test]
    fn anonymous_constants_compare_by_content_not_number() {
        let a = with_constants(3, 4, "/ex.rs");
        let b = with_constants(7, 2, "/ex.rs");
        assert!(compare_listings(&a, &b).is_ok());
        let err = compare_listings(&a, &with_constants(3, 4, "/ey.rs")).unwrap_err();
        assert!(err.contains("/ex.rs") && err.contains("/ey.rs"), "{err}");
    }

    #[test]
    fn a_missing_function_is_a_difference() {
        let a = listing(HASH_A, "nop", 0, 4);
        let b = a[..a.rfind("\t.type").unwrap()].to_string();
        let err = compare_listings(&a, &b).unwrap_err();
        assert!(err.contains("different functions"), "{err}");
    }

    #[test]
    fn names_are_shown_as_paths() {
        assert_eq!(
            demangle("_ZN5alloc4sync16Arc$LT$T$C$A$GT$9drop_slowE[1]"),
            "alloc::sync::Arc<T,A>::drop_slow[1]"
        );
        assert_eq!(
            demangle("_ZN4core3ptr51drop_in_place$LT$std..thread..Packet$LT$u64$GT$$GT$E"),
            "core::ptr::drop_in_place<std::thread::Packet<u64>>"
        );
        assert_eq!(
            demangle("_ZN3std2rt10lang_start28_$u7b$$u7b$closure$u7d$$u7d$E"),
            "std::rt::lang_start::{{closure}}"
        );
        assert_eq!(demangle("main"), "main");
    }

    #[test]
    fn a_function_without_its_end_is_refused() {
        let a = listing(HASH_A, "nop", 0, 4);
        let cut = &a[..a.find(".Lfunc_end4:").unwrap()];
        assert!(functions(cut).unwrap_err().contains("no `.Lfunc_end`"));
    }
}
