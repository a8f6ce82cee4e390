//! Written mnemonic → the iced mnemonic(s) to try, with the operand size the spelling
//! implies (AT&T `addl`, Intel `pushfq`/`iretq`, x87 `fildll`), in order of preference.

use super::Syntax;
use super::att::att_special;
use super::table::{intel_alias, tables};

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub name: String,
    /// Operand size in bytes the spelling implies.
    pub size: Option<u32>,
    /// `movabs`: only the `imm64` / `moffs` forms of `mov`.
    pub movabs: bool,
    /// `ljmp`/`lcall`/`retf`: only far forms.
    pub far: bool,
}

fn r(name: &str, size: Option<u32>) -> Resolved {
    Resolved {
        name: name.to_string(),
        size,
        movabs: false,
        far: false,
    }
}

/// Intel mnemonics that name their operand size (iced has one mnemonic for all sizes).
fn sized_intel(m: &str) -> Option<(&'static str, u32)> {
    Some(match m {
        "pushfq" => ("pushf", 8),
        "pushfd" => ("pushf", 4),
        "pushfw" => ("pushf", 2),
        "popfq" => ("popf", 8),
        "popfd" => ("popf", 4),
        "popfw" => ("popf", 2),
        "pushad" => ("pusha", 4),
        "pushaw" => ("pusha", 2),
        "popad" => ("popa", 4),
        "popaw" => ("popa", 2),
        "iretq" => ("iret", 8),
        "iretd" => ("iret", 4),
        "iretw" => ("iret", 2),
        "sysretq" => ("sysret", 8),
        "sysexitq" => ("sysexit", 8),
        "retfq" | "lretq" => ("retf", 8),
        "retfd" | "lretl" => ("retf", 4),
        "retfw" | "lretw" => ("retf", 2),
        "pushw" => ("push", 2),
        "pushd" => ("push", 4),
        "pushq" => ("push", 8),
        "popw" => ("pop", 2),
        "popd" => ("pop", 4),
        "popq" => ("pop", 8),
        _ => return None,
    })
}

/// AT&T string instructions spell the dword form with `l` (`movsl` = Intel `movsd`).
fn att_string(m: &str) -> Option<&'static str> {
    Some(match m {
        "movsl" => "movsd",
        "stosl" => "stosd",
        "lodsl" => "lodsd",
        "scasl" => "scasd",
        "cmpsl" => "cmpsd",
        "insl" => "insd",
        "outsl" => "outsd",
        _ => return None,
    })
}

/// AT&T x87 size suffixes (GNU as manual, "i386-Mnemonics"): for floating-point operands
/// `s` = 32-bit, `l` = 64-bit, `t` = 80-bit; for integer operands (`fi*`) `s` = 16-bit,
/// `l` = 32-bit, `ll`/`q` = 64-bit.
fn x87_suffix(m: &str) -> Option<(String, u32)> {
    if !m.starts_with('f') {
        return None;
    }
    let int = m.starts_with("fi");
    if let Some(base) = m.strip_suffix("ll") {
        return int.then(|| (base.to_string(), 8));
    }
    let (base, suffix) = m.split_at(m.len() - 1);
    let size = match (suffix, int) {
        ("s", false) => 4,
        ("l", false) => 8,
        ("t", false) => 10,
        ("s", true) => 2,
        ("l", true) => 4,
        ("q", true) => 8,
        _ => return None,
    };
    Some((base.to_string(), size))
}

pub(crate) fn resolve(written: &str, syntax: Syntax) -> Vec<Resolved> {
    let m = written.to_ascii_lowercase();
    let t = tables();
    let mut out = Vec::new();
    let mut push = |res: Resolved| {
        if !out.contains(&res) {
            out.push(res);
        }
    };
    if m == "movabs" || (syntax == Syntax::Att && m.starts_with("movabs")) {
        let size = match m.as_str() {
            "movabsb" => Some(1),
            "movabsw" => Some(2),
            "movabsl" => Some(4),
            "movabsq" => Some(8),
            _ => None,
        };
        push(Resolved {
            name: "mov".into(),
            size,
            movabs: true,
            far: false,
        });
        return out;
    }
    if matches!(
        m.as_str(),
        "ljmp" | "lcall" | "ljmpl" | "ljmpq" | "ljmpw" | "lcalll" | "lcallq" | "lcallw"
    ) {
        let size = match m.chars().last() {
            Some('l') if m.len() > 5 && !m.ends_with("ll") || m == "lcalll" => Some(4),
            Some('q') => Some(8),
            Some('w') => Some(2),
            _ => None,
        };
        let name = if m.contains("jmp") { "jmp" } else { "call" };
        push(Resolved {
            name: name.into(),
            size,
            movabs: false,
            far: true,
        });
        return out;
    }
    if t.codes(&m).is_some() {
        push(r(&m, None));
    }
    if let Some((base, size)) = sized_intel(&m) {
        push(r(base, Some(size)));
    }
    if let Some(a) = intel_alias(&m) {
        if t.codes(&a).is_some() {
            push(r(&a, None));
        }
    }
    if syntax == Syntax::Att {
        if let Some((name, size)) = att_special(&m) {
            push(r(name, size));
        }
        if let Some(s) = att_string(&m) {
            push(r(s, None));
        }
        if let Some((base, size)) = x87_suffix(&m) {
            if t.codes(&base).is_some() {
                push(r(&base, Some(size)));
            }
        }
        let suffix = match m.chars().last() {
            Some('b') => Some(1),
            Some('w') => Some(2),
            Some('l') => Some(4),
            Some('q') => Some(8),
            _ => None,
        };
        if let Some(size) = suffix {
            let base = &m[..m.len() - 1];
            if t.codes(base).is_some() {
                push(r(base, Some(size)));
            }
            if let Some(a) = intel_alias(base) {
                if t.codes(&a).is_some() {
                    push(r(&a, Some(size)));
                }
            }
            if let Some((b2, _)) = sized_intel(base) {
                push(r(b2, Some(size)));
            }
        }
    }
    out
}
