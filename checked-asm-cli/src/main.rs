//! `cargo-checked-asm`: `infer` assembles raw x86 templates the way `checked_asm!` does
//! and shows the instructions, encodings and contracts; `audit` checks the `asm!` blocks
//! of an existing crate (see [`audit`]). Also runs as `cargo checked-asm ...` (cargo
//! passes `checked-asm` as the first argument).

mod audit;
mod flags;

use checked_asm_engine::x86::asm::{AsmError, Mode, Program, StmtKind, Syntax, assemble};
use std::io::{BufRead, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo-checked-asm infer|audit ...
       cargo-checked-asm audit --help
       cargo-checked-asm infer [--template TEXT] [--syntax intel|att] [--mode 64|32|16] [--format text|json] [--contract]
  Reads one block per line from standard input unless --template is given: a raw
  template (statements separated by `;`) or a whole `asm!(...)`/`checked_asm!(...)`
  invocation. A raw template is listed with its encodings; with --contract, and always
  for an invocation, each instruction's effects and the block's minimal contract are
  printed (JSON fields `clobbers`, `options`, `contract`, `findings`).";

struct Args {
    templates: Vec<String>,
    syntax: Syntax,
    mode: Mode,
    json: bool,
    contract: bool,
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
        contract: false,
    };
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let (key, inline) = crate::flags::split(&a);
        let mut value = || crate::flags::value(&key, inline.clone(), &mut it);
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
            "--contract" => out.contract = true,
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

/// `asm!(...)`, `checked_asm!(...)`, `core::arch::asm!(...)`: the tokens inside, or
/// `None` for a raw template.
fn invocation_arguments(line: &str) -> Option<proc_macro2::TokenStream> {
    use proc_macro2::TokenTree;
    let trimmed = line.trim().trim_end_matches(';');
    let head = trimmed.split('!').next()?;
    let name = head.rsplit("::").next()?.trim();
    if !trimmed.contains('!') || !matches!(name, "asm" | "checked_asm") {
        return None;
    }
    let tokens: proc_macro2::TokenStream = trimmed.parse().ok()?;
    tokens.into_iter().find_map(|tt| match tt {
        TokenTree::Group(g) => Some(g.stream()),
        _ => None,
    })
}

/// Effects and the minimal contract of one block (an invocation, or a raw template
/// treated as a block with no operands, so that every register it writes shows up).
fn report_contract(line: &str, args: &Args, out: &mut impl Write) -> std::io::Result<bool> {
    use checked_asm_engine::x86::regs::Arch;
    let tokens = invocation_arguments(line).unwrap_or_else(|| {
        let lit = proc_macro2::Literal::string(line);
        let mut ts: proc_macro2::TokenStream = proc_macro2::TokenTree::Literal(lit).into();
        if args.syntax == Syntax::Att {
            ts.extend(
                "options(att_syntax)"
                    .parse::<proc_macro2::TokenStream>()
                    .into_iter()
                    .flat_map(|t| {
                        let comma: proc_macro2::TokenStream = ",".parse().expect("comma");
                        comma.into_iter().chain(t)
                    }),
            );
        }
        ts
    });
    let arch = if args.mode == Mode::Bits32 {
        Arch::X86
    } else {
        Arch::X86_64
    };
    match checked_asm_engine::infer::infer_invocation(tokens, arch) {
        Ok(inf) => {
            if args.json {
                let instrs: Vec<String> = inf
                    .instructions
                    .iter()
                    .map(|(t, e)| {
                        format!("{{\"text\":{},\"effects\":{}}}", json_str(t), json_str(e))
                    })
                    .collect();
                let list =
                    |v: &[String]| v.iter().map(|s| json_str(s)).collect::<Vec<_>>().join(",");
                let findings: Vec<String> = inf
                    .findings
                    .iter()
                    .map(|d| json_str(&d.render_message()))
                    .collect();
                writeln!(
                    out,
                    "{{\"ok\":true,\"hex\":{},\"error\":null,\"instructions\":[{}],\"clobbers\":[{}],\"options\":[{}],\"contract\":{},\"template_must_change\":[{}],\"findings\":[{}]}}",
                    json_str(&hex(&inf.bytes)),
                    instrs.join(","),
                    list(&inf.clobbers),
                    list(&inf.options),
                    json_str(&inf.contract),
                    inf.template_must_change
                        .iter()
                        .map(|r| json_str(r))
                        .collect::<Vec<_>>()
                        .join(","),
                    findings.join(",")
                )?;
            } else {
                for (t, e) in &inf.instructions {
                    writeln!(out, "{t:<36} {e}")?;
                }
                if inf.template_must_change.is_empty() {
                    writeln!(out, "minimal contract: {}", inf.contract)?;
                } else {
                    writeln!(
                        out,
                        "minimal contract: none: the template must change first ({}, below); \
                         as written it would declare `{}`",
                        inf.template_must_change.join(", "),
                        inf.contract
                    )?;
                }
                for d in &inf.findings {
                    writeln!(out, "{d}")?;
                }
            }
            Ok(true)
        }
        Err(errors) => {
            let msg = errors
                .iter()
                .map(|d| d.render_message())
                .collect::<Vec<_>>()
                .join("; ");
            if args.json {
                writeln!(
                    out,
                    "{{\"ok\":false,\"hex\":\"\",\"error\":{},\"instructions\":[]}}",
                    json_str(&msg)
                )?;
            } else {
                writeln!(out, "error: {msg}")?;
            }
            Ok(false)
        }
    }
}

fn main() -> ExitCode {
    let mut argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some("checked-asm") {
        argv.remove(0);
    }
    if argv.first().map(String::as_str) == Some("audit") {
        argv.remove(0);
        return audit::main(argv);
    }
    let mut args = match parse_args(argv) {
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
        std::mem::take(&mut args.templates)
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut all_ok = true;
    for t in &templates {
        if args.contract || invocation_arguments(t).is_some() {
            match report_contract(t, &args, &mut out) {
                Ok(ok) => all_ok &= ok,
                Err(_) => return ExitCode::from(2),
            }
            continue;
        }
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
