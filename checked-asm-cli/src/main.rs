//! `cargo-checked-asm`: assemble raw x86 templates the way `checked_asm!` does and show the
//! instructions and encodings. Also runs as `cargo checked-asm ...` (cargo passes
//! `checked-asm` as the first argument).

use checked_asm_engine::x86::asm::{AsmError, Mode, Program, StmtKind, Syntax, assemble};
use std::io::{BufRead, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo-checked-asm infer [--template TEXT] [--syntax intel|att] [--mode 64|32|16] [--format text|json]
  Reads one template per line from standard input unless --template is given;
  statements within a line are separated by `;`.";

struct Args {
    templates: Vec<String>,
    syntax: Syntax,
    mode: Mode,
    json: bool,
}

fn parse_args(mut args: Vec<String>) -> Result<Args, String> {
    if args.first().map(String::as_str) == Some("checked-asm") {
        args.remove(0);
    }
    match args.first().map(String::as_str) {
        Some("infer") => {
            args.remove(0);
        }
        Some("--help" | "-h") => return Err(String::new()),
        Some(other) => return Err(format!("unknown subcommand `{other}`")),
        None => return Err("missing subcommand".into()),
    }
    let mut out = Args {
        templates: Vec::new(),
        syntax: Syntax::Intel,
        mode: Mode::Bits64,
        json: false,
    };
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let (key, inline) = match a.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("`{key}` needs a value"))
        };
        match key.as_str() {
            "--template" | "-t" => out.templates.push(value()?),
            "--syntax" => {
                out.syntax = match value()?.as_str() {
                    "intel" => Syntax::Intel,
                    "att" => Syntax::Att,
                    v => return Err(format!("unknown syntax `{v}` (expected intel or att)")),
                }
            }
            "--mode" => {
                out.mode = match value()?.as_str() {
                    "64" => Mode::Bits64,
                    "32" => Mode::Bits32,
                    "16" => Mode::Bits16,
                    v => return Err(format!("unknown mode `{v}` (expected 64 or 32)")),
                }
            }
            "--format" => {
                out.json = match value()?.as_str() {
                    "json" => true,
                    "text" => false,
                    v => return Err(format!("unknown format `{v}` (expected text or json)")),
                }
            }
            "--help" | "-h" => return Err(String::new()),
            _ => return Err(format!("unexpected argument `{a}`")),
        }
    }
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn describe(e: &AsmError, src: &str) -> String {
    let text = src.get(e.range.clone()).unwrap_or("");
    let mut s = format!(
        "{} (at {}..{}: `{}`)",
        e.message, e.range.start, e.range.end, text
    );
    if let Some(h) = &e.help {
        s.push_str(&format!("; help: {h}"));
    }
    s
}

/// Prints `instr` in Intel syntax without a formatter dependency: the code name is exact.
fn instr_text(i: &iced_x86::Instruction) -> String {
    format!("{:?}", i.code())
}

fn report(
    template: &str,
    result: &Result<Program, Vec<AsmError>>,
    json: bool,
    out: &mut impl Write,
) -> std::io::Result<()> {
    match (result, json) {
        (Ok(p), false) => {
            for s in &p.stmts {
                let src = &template[s.range.clone()];
                match &s.kind {
                    StmtKind::Instr(i) => writeln!(
                        out,
                        "{:6x}: {:<30} {:<24} {}",
                        s.address,
                        hex(&i.bytes),
                        src,
                        instr_text(&i.instruction)
                    )?,
                    StmtKind::Data(d) => {
                        writeln!(out, "{:6x}: {:<30} {}", s.address, hex(&d.bytes), src)?
                    }
                    StmtKind::Label(_) => writeln!(out, "{src}")?,
                    _ => writeln!(out, "{:6}  {:<30} {}", "", "", src)?,
                }
            }
        }
        (Err(errs), false) => {
            for e in errs {
                writeln!(out, "error: {}", describe(e, template))?;
            }
        }
        (Ok(p), true) => {
            let instrs: Vec<String> = p
                .stmts
                .iter()
                .filter_map(|s| match &s.kind {
                    StmtKind::Instr(i) => Some(format!(
                        "{{\"text\":{},\"code\":{},\"address\":{},\"hex\":{}}}",
                        json_str(&template[s.range.clone()]),
                        json_str(&instr_text(&i.instruction)),
                        s.address,
                        json_str(&hex(&i.bytes))
                    )),
                    _ => None,
                })
                .collect();
            writeln!(
                out,
                "{{\"ok\":true,\"hex\":{},\"error\":null,\"instructions\":[{}]}}",
                json_str(&hex(&p.text_bytes())),
                instrs.join(",")
            )?;
        }
        (Err(errs), true) => {
            let msg = errs
                .iter()
                .map(|e| describe(e, template))
                .collect::<Vec<_>>()
                .join("; ");
            writeln!(
                out,
                "{{\"ok\":false,\"hex\":\"\",\"error\":{},\"instructions\":[]}}",
                json_str(&msg)
            )?;
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1).collect()) {
        Ok(a) => a,
        // `--help` is not an error: usage on stdout, success.
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
    let templates = if args.templates.is_empty() {
        let stdin = std::io::stdin();
        let mut v = Vec::new();
        for line in stdin.lock().lines() {
            match line {
                Ok(l) => v.push(l),
                Err(e) => {
                    eprintln!("error: reading standard input: {e}");
                    return ExitCode::from(2);
                }
            }
        }
        v
    } else {
        args.templates
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut all_ok = true;
    for t in &templates {
        let result = assemble(t, args.syntax, args.mode);
        all_ok &= result.is_ok();
        if report(t, &result, args.json, &mut out).is_err() {
            return ExitCode::from(2);
        }
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
