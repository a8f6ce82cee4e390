//! The three renderings of an audit: rustc-style text, JSON lines, SARIF 2.1.0.

use super::Summary;
use super::scan::{FileReport, Finding, Item, ItemKind, Options, Region};
use annotate_snippets::{AnnotationKind, Group, Level as Lvl, Origin, Renderer, Snippet};
use checked_asm_engine::diag::Level;
use serde_json::{Value, json};
use std::io::{self, Write};
use std::path::Path;

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "note",
    }
}

fn snippet_level(level: Level) -> Lvl<'static> {
    match level {
        Level::Error => Lvl::ERROR,
        Level::Warning => Lvl::WARNING,
        Level::Note => Lvl::NOTE,
    }
}

/// rustc-style diagnostics, then the summary line.
pub fn text(
    out: &mut impl Write,
    reports: &[FileReport],
    display: &[String],
    summary: &Summary,
    opts: Options,
    color: bool,
) -> io::Result<()> {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    for (report, path) in reports.iter().zip(display) {
        for item in &report.items {
            let group = text_group(item, &report.source, path);
            writeln!(out, "{}\n", renderer.render(&[group]))?;
        }
    }
    writeln!(out, "{}", summary_line(summary, opts))
}

fn text_group<'a>(item: &'a Item, source: &'a str, path: &'a str) -> Group<'a> {
    let origin = || {
        Origin::path(path)
            .line(item.region.start.line.max(1))
            .char_column(item.region.start.column.max(1))
    };
    match &item.kind {
        ItemKind::Finding(f) => finding_group(f, item.region, source, path),
        ItemKind::NotCheckable { reason, .. } => Lvl::NOTE
            .primary_title(format!("not checkable here: {reason}"))
            .element(origin()),
        ItemKind::Waiver { rules, reason } => Lvl::NOTE
            .primary_title(format!("waived {}: {reason}", rules.join(", ")))
            .element(origin()),
        ItemKind::FileNotParsed { message } => Lvl::WARNING
            .primary_title(format!("file skipped: {message}"))
            .element(origin()),
        ItemKind::Internal { message } => Lvl::ERROR
            .primary_title(message.as_str())
            .id("internal")
            .element(origin()),
    }
}

fn finding_group<'a>(f: &'a Finding, region: Region, source: &'a str, path: &'a str) -> Group<'a> {
    let span =
        |r: Region| r.start.byte.min(source.len())..r.end.byte.clamp(r.start.byte, source.len());
    let mut snippet = Snippet::source(source)
        .path(path)
        .annotation(AnnotationKind::Primary.span(span(region)));
    for (r, label) in &f.labels {
        snippet = snippet.annotation(AnnotationKind::Context.span(span(*r)).label(label.as_str()));
    }
    let mut group = snippet_level(f.level)
        .primary_title(f.message.as_str())
        .id(f.rule.as_str())
        .element(snippet);
    for note in &f.notes {
        group = group.element(Lvl::NOTE.message(note.as_str()));
    }
    for help in &f.help {
        group = group.element(Lvl::HELP.message(help.as_str()));
    }
    group
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `summary: 3 files scanned, 10 blocks checked, ...`.
pub fn summary_line(s: &Summary, opts: Options) -> String {
    let by_rule = if s.findings_by_rule.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = s
            .findings_by_rule
            .iter()
            .map(|(rule, n)| format!("{rule}: {n}"))
            .collect();
        format!(" ({})", list.join(", "))
    };
    let mut parts = vec![
        plural(s.files, "file scanned", "files scanned"),
        format!(
            "{} for {}",
            plural(s.blocks, "block checked", "blocks checked"),
            opts.arch
        ),
        plural(
            s.blocks_with_violations,
            "block with violations",
            "blocks with violations",
        ),
        format!(
            "{}, {}{by_rule}",
            plural(s.errors, "error", "errors"),
            plural(s.warnings, "warning", "warnings")
        ),
        plural(s.notes, "note", "notes"),
        plural(
            s.not_checkable,
            "block not checkable here",
            "blocks not checkable here",
        ),
        plural(
            s.skipped_other_target,
            "block skipped for another target",
            "blocks skipped for another target",
        ),
    ];
    if s.files_not_parsed > 0 {
        parts.push(plural(
            s.files_not_parsed,
            "file not parsed",
            "files not parsed",
        ));
    }
    if s.waivers > 0 {
        parts.push(plural(s.waivers, "waiver", "waivers"));
    }
    if s.internal_errors > 0 {
        parts.push(plural(
            s.internal_errors,
            "internal error",
            "internal errors",
        ));
    }
    format!("summary: {}", parts.join(", "))
}

fn location(path: &str, r: Region) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("file".into(), json!(path));
    m.insert("line".into(), json!(r.start.line));
    m.insert("column".into(), json!(r.start.column));
    m.insert("end_line".into(), json!(r.end.line));
    m.insert("end_column".into(), json!(r.end.column));
    m
}

fn kind_name(kind: &ItemKind) -> &'static str {
    match kind {
        ItemKind::Finding(_) => "finding",
        ItemKind::NotCheckable { .. } => "not_checkable",
        ItemKind::Waiver { .. } => "waiver",
        ItemKind::FileNotParsed { .. } => "file_not_parsed",
        ItemKind::Internal { .. } => "internal_error",
    }
}

/// The JSON object of one item (`kind` tells which).
fn item_json(item: &Item, path: &str) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("kind".into(), json!(kind_name(&item.kind)));
    m.extend(location(path, item.region));
    match &item.kind {
        ItemKind::Finding(f) => {
            m.insert("rule".into(), json!(f.rule));
            m.insert("level".into(), json!(level_name(f.level)));
            m.insert("message".into(), json!(f.message));
            let help = (!f.help.is_empty()).then(|| f.help.join("\n"));
            m.insert("help".into(), json!(help));
            // Labels become notes, as in the macro's message.
            let notes: Vec<&str> = f
                .notes
                .iter()
                .map(String::as_str)
                .chain(f.labels.iter().map(|(_, l)| l.as_str()))
                .collect();
            m.insert("notes".into(), json!(notes));
        }
        ItemKind::NotCheckable { name, reason } => {
            m.insert("macro".into(), json!(name));
            m.insert("message".into(), json!(reason));
        }
        ItemKind::Waiver { rules, reason } => {
            m.insert("rules".into(), json!(rules));
            m.insert("message".into(), json!(reason));
        }
        ItemKind::FileNotParsed { message } => {
            m.insert("message".into(), json!(message));
        }
        ItemKind::Internal { message } => {
            m.insert("message".into(), json!(message));
        }
    }
    Value::Object(m)
}

pub fn summary_json(s: &Summary, opts: Options) -> Value {
    json!({
        "summary": {
            "files": s.files,
            "blocks": s.blocks,
            "blocks_with_violations": s.blocks_with_violations,
            "not_checkable": s.not_checkable,
            "skipped_other_target": s.skipped_other_target,
            "findings_by_rule": s.findings_by_rule,
            "errors": s.errors,
            "warnings": s.warnings,
            "notes": s.notes,
            "files_not_parsed": s.files_not_parsed,
            "waivers": s.waivers,
            "internal_errors": s.internal_errors,
            "target": opts.arch.cfg_name(),
        }
    })
}

/// One JSON object per line: the items, then `{"summary": {...}}`.
pub fn json_lines(
    out: &mut impl Write,
    reports: &[FileReport],
    display: &[String],
    summary: &Summary,
    opts: Options,
) -> io::Result<()> {
    for (report, path) in reports.iter().zip(display) {
        for item in &report.items {
            writeln!(out, "{}", item_json(item, path))?;
        }
    }
    writeln!(out, "{}", summary_json(summary, opts))
}

/// Short descriptions of the rules (contract-rules.md §3) and the front-end codes.
const RULES: &[(&str, &str)] = &[
    ("R00", "rustc-rule: an invocation rustc itself rejects"),
    (
        "R01",
        "undeclared-write: a register written but not declared",
    ),
    (
        "R02",
        "input-modified: an input register changed at an exit",
    ),
    (
        "R03",
        "undefined-value: an undefined value influences the result",
    ),
    (
        "R04",
        "lateout-hazard: a late output may share a register with a later-read input",
    ),
    (
        "R05",
        "hard-coded registers: rbx/rbp/rsp not restored, or aliased by an operand",
    ),
    ("R06", "nomem-violation: `nomem` with a memory effect"),
    (
        "R07",
        "readonly-violation: `readonly` with a memory write or ordering effect",
    ),
    ("R08", "nostack-violation: `nostack` with stack use"),
    (
        "R09",
        "stack: unbalanced stack, misaligned call, or access to the compiler's frame",
    ),
    ("R10", "flags: `preserves_flags` with flags changed"),
    ("R11", "direction-flag: DF may be set at an exit or a call"),
    (
        "R12",
        "pure-violation: `pure` with side effects or state reads",
    ),
    (
        "R13",
        "noreturn-violation: `noreturn` with a path to the end",
    ),
    (
        "R14",
        "control-flow: undefined label or return into the caller's frame",
    ),
    (
        "R15",
        "x87-mmx-fp-environment: x87/MMX state or FP control not restored",
    ),
    (
        "R16",
        "call-contract: a call without its requirements declared",
    ),
    (
        "R17",
        "operand-constraint: an instruction needs a fixed register",
    ),
    (
        "R18",
        "output-never-written: an output not written on some path",
    ),
    (
        "R19",
        "directives: sections, syntax or symbols left switched",
    ),
    ("R20", "trailing-prefix: the block ends with a prefix"),
    (
        "R21",
        "unknown-effects: behaviour the model cannot describe",
    ),
    ("syntax", "the invocation is not valid asm! syntax"),
    ("template", "the template cannot be evaluated"),
    (
        "placeholder",
        "an invalid or unresolvable template placeholder",
    ),
    ("assembler", "the template does not assemble"),
    ("target", "the target is not x86"),
    ("internal", "checked-asm failed on this block"),
];

fn sarif_level(level: Level) -> &'static str {
    level_name(level)
}

fn artifact(path: &str) -> Value {
    if Path::new(path).is_absolute() {
        json!({ "uri": format!("file://{path}") })
    } else {
        json!({ "uri": path, "uriBaseId": "%SRCROOT%" })
    }
}

fn region_json(r: Region) -> Value {
    json!({
        "startLine": r.start.line.max(1),
        "startColumn": r.start.column.max(1),
        "endLine": r.end.line.max(r.start.line).max(1),
        "endColumn": r.end.column.max(1),
    })
}

/// One SARIF 2.1.0 log with one run: findings (and internal errors) as results; files
/// not parsed and blocks not checkable as tool notifications.
pub fn sarif(
    out: &mut impl Write,
    reports: &[FileReport],
    display: &[String],
    cwd: &Path,
) -> io::Result<()> {
    let rule_index = |id: &str| RULES.iter().position(|(r, _)| *r == id);
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for (report, path) in reports.iter().zip(display) {
        for item in &report.items {
            let loc = json!({
                "physicalLocation": {
                    "artifactLocation": artifact(path),
                    "region": region_json(item.region),
                }
            });
            match &item.kind {
                ItemKind::Finding(f) => {
                    let mut text = f.message.clone();
                    for n in f.notes.iter().chain(f.labels.iter().map(|(_, l)| l)) {
                        text.push_str(&format!("\nnote: {n}"));
                    }
                    for h in &f.help {
                        text.push_str(&format!("\nhelp: {h}"));
                    }
                    let mut result = json!({
                        "ruleId": f.rule,
                        "level": sarif_level(f.level),
                        "message": { "text": text },
                        "locations": [loc],
                    });
                    if let Some(i) = rule_index(&f.rule) {
                        result["ruleIndex"] = json!(i);
                    }
                    results.push(result);
                }
                ItemKind::Internal { message } => results.push(json!({
                    "ruleId": "internal",
                    "ruleIndex": rule_index("internal"),
                    "level": "error",
                    "message": { "text": message },
                    "locations": [loc],
                })),
                ItemKind::NotCheckable { reason, .. } => notifications.push(json!({
                    "level": "note",
                    "message": { "text": format!("not checkable here: {reason}") },
                    "locations": [loc],
                })),
                ItemKind::FileNotParsed { message } => notifications.push(json!({
                    "level": "warning",
                    "message": { "text": format!("file skipped: {message}") },
                    "locations": [loc],
                })),
                ItemKind::Waiver { rules, reason } => notifications.push(json!({
                    "level": "note",
                    "message": { "text": format!("waived {}: {reason}", rules.join(", ")) },
                    "locations": [loc],
                })),
            }
        }
    }
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, description)| {
            json!({
                "id": id,
                "shortDescription": { "text": description },
                "defaultConfiguration": { "level": "error" },
            })
        })
        .collect();
    let root = format!("file://{}/", cwd.display());
    let log = json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "checked-asm",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": rules,
                }
            },
            "originalUriBaseIds": { "%SRCROOT%": { "uri": root } },
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }]
    });
    let text = serde_json::to_string_pretty(&log).map_err(io::Error::other)?;
    writeln!(out, "{text}")
}
