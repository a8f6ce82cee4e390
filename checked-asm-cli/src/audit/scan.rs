//! One file: read, parse, find the invocations, check each with the engine, and turn
//! every verdict into plain data (positions instead of spans).

use super::find::{Site, find};
use super::target::{Target, assume_arch, implies, satisfiable};
use checked_asm_engine::diag::{Diagnostic, Level, SpanRange};
use checked_asm_engine::expand::check_parsed_for;
use checked_asm_engine::syntax::{Cfg, IncludeResolver, parse_invocation};
use checked_asm_engine::x86::Arch;
use proc_macro2::{Span, TokenStream, TokenTree};
use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// What the audit checks for, the same for every file.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub arch: Arch,
    /// The `target_os` when a target triple was given.
    pub os: Option<&'static str>,
    /// Refinement warnings count as errors (the `strict` feature of the macro).
    pub strict: bool,
}

impl Options {
    pub fn target(&self) -> Target {
        Target {
            arch: self.arch.cfg_name(),
            os: self.os,
        }
    }
}

/// A position in a file: 1-based line and column (in characters, as rustc counts) and
/// the byte offset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub byte: usize,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Region {
    pub start: Position,
    pub end: Position,
}

/// A rule finding with the engine's texts.
#[derive(Clone, Debug)]
pub struct Finding {
    pub level: Level,
    /// `R06`, `syntax`, `assembler`...
    pub rule: String,
    pub message: String,
    pub notes: Vec<String>,
    pub help: Vec<String>,
    pub labels: Vec<(Region, String)>,
}

#[derive(Clone, Debug)]
pub enum ItemKind {
    Finding(Finding),
    /// A block the audit cannot check where it is written.
    NotCheckable {
        name: String,
        reason: String,
    },
    /// A `#![waive(...)]` marker of a checked block.
    Waiver {
        rules: Vec<String>,
        reason: String,
    },
    /// The file is not Rust that syn can parse; its blocks are not counted.
    FileNotParsed {
        message: String,
    },
    /// The audit itself failed on this block (a bug of checked-asm).
    Internal {
        message: String,
    },
}

#[derive(Clone, Debug)]
pub struct Item {
    pub region: Region,
    pub kind: ItemKind,
}

/// Everything found in one file.
#[derive(Debug, Default)]
pub struct FileReport {
    pub path: PathBuf,
    /// The text, kept only when there are items to show with a snippet.
    pub source: String,
    pub items: Vec<Item>,
    pub blocks: usize,
    pub blocks_with_violations: usize,
    pub not_checkable: usize,
    pub skipped_other_target: usize,
    pub waivers: usize,
    pub parsed: bool,
    pub io_error: Option<String>,
}

/// Deeper bracket nesting than this is refused before parsing: syn and the engine
/// recurse on it, and no real source file comes near.
const MAX_NESTING: usize = 1000;

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Keeps panics quiet and remembers their message for the report: a panic inside the
/// audit becomes an "internal error" item of the block, never a crash.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let text = info.to_string();
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(text));
    }));
}

fn panic_message() -> String {
    LAST_PANIC
        .with(|p| p.borrow_mut().take())
        .unwrap_or_else(|| "panic".to_string())
}

/// Reads and audits one file. `inherited` are the `#[cfg]` predicates of the `mod`
/// declarations that lead to it.
pub fn scan_file(path: &Path, opts: Options, inherited: &[Cfg]) -> FileReport {
    let mut report = FileReport {
        path: path.to_path_buf(),
        ..FileReport::default()
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            report.io_error = Some(format!("cannot read {}: {e}", path.display()));
            return report;
        }
    };
    let Ok(text) = String::from_utf8(bytes) else {
        report.items.push(Item {
            region: Region::default(),
            kind: ItemKind::FileNotParsed {
                message: "the file is not valid UTF-8".into(),
            },
        });
        return report;
    };
    report.source = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    let source = std::mem::take(&mut report.source);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        scan_source(&source, path, opts, inherited, &mut report)
    }));
    if outcome.is_err() {
        report.items.push(Item {
            region: Region::default(),
            kind: ItemKind::Internal {
                message: format!("checked-asm failed on this file: {}", panic_message()),
            },
        });
    }
    // Every span has been turned into a position: free this thread's source map, which
    // otherwise grows with every file parsed.
    proc_macro2::extra::invalidate_current_thread_spans();
    report.items.sort_by_key(|i| i.region.start);
    if !report.items.is_empty() {
        report.source = source;
    }
    report
}

fn scan_source(
    source: &str,
    path: &Path,
    opts: Options,
    inherited: &[Cfg],
    report: &mut FileReport,
) {
    let lines = LineIndex::new(source);
    if nesting_depth(source) > MAX_NESTING {
        report.items.push(Item {
            region: lines.region_at(1, 0, 1, 0),
            kind: ItemKind::FileNotParsed {
                message: format!("brackets nested deeper than {MAX_NESTING} levels"),
            },
        });
        return;
    }
    let file = match syn::parse_file(source) {
        Ok(f) => f,
        Err(e) => {
            let region = lines.span_region(e.span(), e.span()).unwrap_or_default();
            report.items.push(Item {
                region,
                kind: ItemKind::FileNotParsed {
                    // proc-macro2's lexer error names no cause.
                    message: if e.to_string() == "cannot parse string into token stream" {
                        "the file does not lex (unbalanced delimiters or an invalid token)".into()
                    } else {
                        format!("syn cannot parse this file: {e}")
                    },
                },
            });
            return;
        }
    };
    report.parsed = true;
    let found = find(&file);
    let includes = FileIncludes {
        dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    for site in &found.sites {
        let site_region = lines.span_region(site.span, site.span).unwrap_or_default();
        let checked = catch_unwind(AssertUnwindSafe(|| {
            check_site(site, opts, inherited, &includes, &lines, site_region)
        }));
        match checked {
            Ok(Outcome::SkippedOtherTarget) => report.skipped_other_target += 1,
            Ok(Outcome::NotCheckable(reason)) => {
                report.not_checkable += 1;
                report.items.push(Item {
                    region: site_region,
                    kind: ItemKind::NotCheckable {
                        name: site.name.clone(),
                        reason,
                    },
                });
            }
            Ok(Outcome::Checked(items)) => {
                report.blocks += 1;
                if items
                    .iter()
                    .any(|i| matches!(&i.kind, ItemKind::Finding(f) if f.level == Level::Error))
                {
                    report.blocks_with_violations += 1;
                }
                report.waivers += items
                    .iter()
                    .filter(|i| matches!(i.kind, ItemKind::Waiver { .. }))
                    .count();
                report.items.extend(items);
            }
            Err(_) => {
                report.blocks += 1;
                report.items.push(Item {
                    region: site_region,
                    kind: ItemKind::Internal {
                        message: format!(
                            "checked-asm failed on this `{}!` block: {}",
                            site.name,
                            panic_message()
                        ),
                    },
                });
            }
        }
    }
}

enum Outcome {
    SkippedOtherTarget,
    NotCheckable(String),
    Checked(Vec<Item>),
}

fn check_site(
    site: &Site,
    opts: Options,
    inherited: &[Cfg],
    includes: &FileIncludes,
    lines: &LineIndex,
    site_region: Region,
) -> Outcome {
    let target = &opts.target();
    let context: Vec<Cfg> = inherited.iter().chain(&site.cfg).cloned().collect();
    if !satisfiable(&context, target) {
        return Outcome::SkippedOtherTarget;
    }
    if !site.metavars.is_empty() {
        let within = site.within.as_deref().unwrap_or("a macro");
        return Outcome::NotCheckable(format!(
            "this `{}!` in {within} uses the metavariables {}: it can only be checked where \
             the macro is expanded (use `checked_asm!` there)",
            site.name,
            site.metavars.join(", ")
        ));
    }
    let inv = match parse_invocation(site.kind, site.args.clone(), includes) {
        Ok(inv) => inv,
        Err(errors) => {
            if let Some(name) = opaque_template_macro(&site.args) {
                return Outcome::NotCheckable(format!(
                    "the template of this `{}!` is produced by `{name}!`, which checked-asm \
                     cannot see through",
                    site.name
                ));
            }
            let items = errors
                .into_iter()
                .map(|d| finding_item(d, None, opts, lines, site_region))
                .collect();
            return Outcome::Checked(items);
        }
    };
    let verdicts = check_parsed_for(&inv, opts.arch);
    let mut items: Vec<Item> = Vec::new();
    for (gate, diag) in verdicts.findings {
        let mut preds = context.clone();
        preds.push(gate.clone());
        if !satisfiable(&preds, target) {
            continue;
        }
        // Say when the finding holds, unless everywhere the block is compiled.
        let residual = assume_arch(&gate, target);
        let note = (!implies(&context, &residual, target))
            .then(|| format!("found when checking the block for `cfg({residual})`"));
        items.push(finding_item(diag, note, opts, lines, site_region));
    }
    for w in &inv.waivers {
        items.push(Item {
            region: lines
                .span_region(w.span.start, w.span.end)
                .unwrap_or(site_region),
            kind: ItemKind::Waiver {
                rules: w.rules.iter().map(|(r, _)| r.clone()).collect(),
                reason: w.reason.clone(),
            },
        });
    }
    Outcome::Checked(items)
}

fn finding_item(
    diag: Diagnostic,
    gate_note: Option<String>,
    opts: Options,
    lines: &LineIndex,
    site_region: Region,
) -> Item {
    let region_of = |r: &SpanRange| lines.span_region(r.start, r.end).unwrap_or(site_region);
    let mut notes = diag.notes.clone();
    notes.extend(gate_note);
    let mut level = diag.level;
    if level == Level::Warning && opts.strict {
        level = Level::Error;
        notes.push("an error because `--strict` is given".into());
    }
    Item {
        region: region_of(&diag.span),
        kind: ItemKind::Finding(Finding {
            level,
            rule: diag.code.to_string(),
            message: diag.message.clone(),
            notes,
            help: diag.help.clone(),
            labels: diag
                .labels
                .iter()
                .map(|(r, text)| (region_of(r), text.clone()))
                .collect(),
        }),
    }
}

/// `include_str!` relative to the audited file, as rustc resolves it.
struct FileIncludes {
    dir: PathBuf,
}

impl IncludeResolver for FileIncludes {
    fn read(&self, _span: Span, path: &str) -> Result<String, String> {
        let full = self.dir.join(path);
        std::fs::read_to_string(&full)
            .map_err(|e| format!("couldn't read `{}`: {e}", full.display()))
    }
}

/// The name of a macro other than `concat!`, `stringify!` and `include_str!` that
/// produces (part of) a template argument: such a block cannot be checked here.
fn opaque_template_macro(args: &TokenStream) -> Option<String> {
    const OPERAND_KEYWORDS: &[&str] = &[
        "in",
        "out",
        "lateout",
        "inout",
        "inlateout",
        "const",
        "sym",
        "label",
        "options",
        "clobber_abi",
    ];
    for piece in split_commas(args) {
        let mut tts: &[TokenTree] = &piece;
        // `#![waive(..)]` markers and `#[cfg(..)]` attributes.
        while let [TokenTree::Punct(p), rest @ ..] = tts
            && p.as_char() == '#'
        {
            tts = match rest {
                [TokenTree::Punct(b), TokenTree::Group(_), rest @ ..] if b.as_char() == '!' => rest,
                [TokenTree::Group(_), rest @ ..] => rest,
                _ => break,
            };
        }
        match tts {
            [TokenTree::Ident(_), TokenTree::Punct(eq), ..]
                if eq.as_char() == '=' && eq.spacing() == proc_macro2::Spacing::Alone =>
            {
                return None;
            }
            // `in(reg) x`, `options(...)`: the templates are over (but not `concat!`).
            [TokenTree::Ident(id), next, ..]
                if OPERAND_KEYWORDS.contains(&id.to_string().as_str())
                    && !matches!(next, TokenTree::Punct(p) if p.as_char() == '!') =>
            {
                return None;
            }
            _ => {}
        }
        if let Some(name) = opaque_macro_in_expr(tts) {
            return Some(name);
        }
    }
    None
}

fn opaque_macro_in_expr(tts: &[TokenTree]) -> Option<String> {
    let bang = tts
        .iter()
        .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == '!'))?;
    let name = match bang.checked_sub(1).and_then(|i| tts.get(i)) {
        Some(TokenTree::Ident(id)) => id.to_string(),
        _ => return None,
    };
    let Some(TokenTree::Group(g)) = tts.get(bang + 1) else {
        return None;
    };
    match name.as_str() {
        "stringify" | "include_str" => None,
        "concat" => split_commas(&g.stream())
            .iter()
            .find_map(|arg| opaque_macro_in_expr(arg)),
        _ => Some(name),
    }
}

fn split_commas(tokens: &TokenStream) -> Vec<Vec<TokenTree>> {
    let mut pieces = vec![Vec::new()];
    for tt in tokens.clone() {
        match &tt {
            TokenTree::Punct(p) if p.as_char() == ',' => pieces.push(Vec::new()),
            _ => pieces.last_mut().expect("one piece").push(tt),
        }
    }
    pieces.retain(|p| !p.is_empty());
    pieces
}

/// The deepest bracket nesting of the text, counting brackets inside strings and
/// comments too (an upper bound, cheap).
fn nesting_depth(source: &str) -> usize {
    let mut depth = 0usize;
    let mut max = 0usize;
    for b in source.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Line starts of a source text, to turn proc-macro2's line/column into byte offsets.
struct LineIndex<'a> {
    source: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(source: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { source, starts }
    }

    /// Line (1-based) and column (0-based, in characters) to a position.
    fn position(&self, line: usize, column: usize) -> Option<Position> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self.starts.get(line).copied().unwrap_or(self.source.len());
        let text = &self.source[start..end];
        let byte = text
            .char_indices()
            .nth(column)
            .map_or(text.len(), |(i, _)| i);
        Some(Position {
            line,
            column: column + 1,
            byte: start + byte,
        })
    }

    fn region_at(&self, l1: usize, c1: usize, l2: usize, c2: usize) -> Region {
        let start = self.position(l1, c1).unwrap_or_default();
        Region {
            start,
            end: self.position(l2, c2).unwrap_or(start),
        }
    }

    /// The region from the start of `start` to the end of `end`; `None` for spans that
    /// do not point into this file (the call site).
    fn span_region(&self, start: Span, end: Span) -> Option<Region> {
        if start.byte_range() == (0..0) {
            return None;
        }
        let s = start.start();
        let mut e = end.end();
        if end.byte_range() == (0..0) || (e.line, e.column) < (s.line, s.column) {
            e = start.end();
        }
        Some(Region {
            start: self.position(s.line, s.column)?,
            end: self.position(e.line, e.column)?,
        })
    }
}

/// The out-of-line `mod` declarations of a file: the path of the file each names (when
/// it exists) and the `#[cfg]` predicates around it.
pub fn mod_children(path: &Path) -> Vec<(PathBuf, Vec<Cfg>)> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    // Only a file with both can pass a cfg to a child; skip parsing the others.
    if !(text.contains("mod") && text.contains("cfg")) || nesting_depth(&text) > MAX_NESTING {
        return Vec::new();
    }
    let result = catch_unwind(AssertUnwindSafe(|| {
        let Ok(file) = syn::parse_file(&text) else {
            return Vec::new();
        };
        let found = find(&file);
        let dir = module_dir(path);
        let mut out = Vec::new();
        for m in found.mods {
            if m.cfg.is_empty() {
                continue;
            }
            let mut base = dir.clone();
            base.extend(&m.inline_path);
            let candidates = match &m.path_attr {
                Some(p) => vec![path.parent().unwrap_or(Path::new("")).join(p)],
                None => vec![
                    base.join(format!("{}.rs", m.name)),
                    base.join(&m.name).join("mod.rs"),
                ],
            };
            if let Some(child) = candidates.into_iter().find(|c| c.is_file()) {
                out.push((child, m.cfg));
            }
        }
        out
    }));
    proc_macro2::extra::invalidate_current_thread_spans();
    result.unwrap_or_default()
}

/// The directory in which `mod x;` of `path` looks for `x.rs`.
fn module_dir(path: &Path) -> PathBuf {
    let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    match path.file_name().and_then(|n| n.to_str()) {
        Some("lib.rs" | "main.rs" | "mod.rs") => dir,
        _ => match path.file_stem() {
            Some(stem) => dir.join(stem),
            None => dir,
        },
    }
}
