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
    /// Comparison pseudo-ops (`vcmple_oqps`, `vpcmpltud`, `pclmulhqlqdq`) carry their
    /// predicate as an implied last immediate.
    pub imm: Option<u8>,
}

fn r(name: &str, size: Option<u32>) -> Resolved {
    Resolved {
        name: name.to_string(),
        size,
        movabs: false,
        far: false,
        imm: None,
    }
}

/// SSE/AVX `cmpps` predicates by immediate (Intel SDM Vol. 2A, CMPPS, Table 3-1);
/// `cmp*` without `v` knows only the first eight.
const CMP_PREDICATES: [&str; 32] = [
    "eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord", "eq_uq", "nge", "ngt", "false",
    "neq_oq", "ge", "gt", "true", "eq_os", "lt_oq", "le_oq", "unord_s", "neq_us", "nlt_uq",
    "nle_uq", "ord_s", "eq_us", "nge_uq", "ngt_uq", "false_os", "neq_os", "ge_oq", "gt_oq",
    "true_us",
];

/// Synonyms LLVM accepts for the first eight predicates.
const CMP_SYNONYMS: [(&str, u8); 8] = [
    ("eq_oq", 0),
    ("lt_os", 1),
    ("le_os", 2),
    ("unord_q", 3),
    ("neq_uq", 4),
    ("nlt_us", 5),
    ("nle_us", 6),
    ("ord_q", 7),
];

/// `vpcmp{pred}{b,w,d,q,ub,uw,ud,uq}` (AVX-512) and XOP `vpcom{pred}...` predicates.
const VPCMP_PREDICATES: [(&str, u8); 8] = [
    ("eq", 0),
    ("lt", 1),
    ("le", 2),
    ("false", 3),
    ("neq", 4),
    ("nlt", 5),
    ("nle", 6),
    ("true", 7),
];
const VPCOM_PREDICATES: [(&str, u8); 8] = [
    ("lt", 0),
    ("le", 1),
    ("gt", 2),
    ("ge", 3),
    ("eq", 4),
    ("neq", 5),
    ("false", 6),
    ("true", 7),
];

fn pseudo(m: &str) -> Option<Resolved> {
    let with = |name: String, imm: u8| {
        Some(Resolved {
            name,
            size: None,
            movabs: false,
            far: false,
            imm: Some(imm),
        })
    };
    for (prefix, vex) in [("vcmp", true), ("cmp", false)] {
        let Some(rest) = m.strip_prefix(prefix) else {
            continue;
        };
        for suffix in ["ps", "pd", "ss", "sd", "ph", "sh"] {
            let Some(pred) = rest.strip_suffix(suffix) else {
                continue;
            };
            let limit = if vex { 32 } else { 8 };
            let imm = CMP_PREDICATES[..limit]
                .iter()
                .position(|p| *p == pred)
                .map(|i| i as u8)
                .or_else(|| {
                    CMP_SYNONYMS
                        .iter()
                        .find(|(p, _)| *p == pred)
                        .map(|(_, i)| *i)
                });
            if let Some(imm) = imm {
                return with(format!("{prefix}{suffix}"), imm);
            }
        }
    }
    for (prefix, table) in [("vpcmp", &VPCMP_PREDICATES), ("vpcom", &VPCOM_PREDICATES)] {
        let Some(rest) = m.strip_prefix(prefix) else {
            continue;
        };
        for suffix in ["ub", "uw", "ud", "uq", "b", "w", "d", "q"] {
            let Some(pred) = rest.strip_suffix(suffix) else {
                continue;
            };
            if let Some((_, imm)) = table.iter().find(|(p, _)| *p == pred) {
                return with(format!("{prefix}{suffix}"), *imm);
            }
        }
    }
    for (prefix, name) in [("vpclmul", "vpclmulqdq"), ("pclmul", "pclmulqdq")] {
        let Some(rest) = m.strip_prefix(prefix) else {
            continue;
        };
        let imm = match rest {
            "lqlqdq" => 0x00,
            "hqlqdq" => 0x01,
            "lqhqdq" => 0x10,
            "hqhqdq" => 0x11,
            _ => continue,
        };
        return with(name.to_string(), imm);
    }
    None
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
        "retw" => ("ret", 2),
        "retl" | "retd" => ("ret", 4),
        "retq" => ("ret", 8),
        "callw" => ("call", 2),
        "calll" => ("call", 4),
        "callq" => ("call", 8),
        "jmpw" => ("jmp", 2),
        "jmpl" => ("jmp", 4),
        "jmpq" => ("jmp", 8),
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
    if let (true, Some(base)) = (int, m.strip_suffix("ll")) {
        return Some((base.to_string(), 8));
    }
    let (base, suffix) = m.split_at(m.len() - 1);
    // Environment and state images: `s` = 16-bit layout (14/94 bytes), `l` = 32-bit.
    if matches!(
        base,
        "fldenv" | "fnstenv" | "fstenv" | "frstor" | "fnsave" | "fsave"
    ) {
        return match suffix {
            "s" => Some((base.to_string(), 2)),
            "l" => Some((base.to_string(), 4)),
            _ => None,
        };
    }
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

/// `resolve_uncached`, memoized per thread: templates repeat a small set of mnemonics.
pub(crate) fn resolve(written: &str, syntax: Syntax) -> std::rc::Rc<Vec<Resolved>> {
    use crate::hash::FastMap;
    use std::cell::RefCell;
    use std::rc::Rc;
    thread_local! {
        static CACHE: RefCell<[FastMap<String, Rc<Vec<Resolved>>>; 2]> = RefCell::new([FastMap::default(), FastMap::default()]);
    }
    let slot = usize::from(syntax == Syntax::Att);
    CACHE.with(|cache| {
        if let Some(hit) = cache.borrow()[slot].get(written) {
            return hit.clone();
        }
        let resolved = Rc::new(resolve_uncached(written, syntax));
        let mut cache = cache.borrow_mut();
        // Bounded: garbage input must not grow it without limit.
        if cache[slot].len() > 4096 {
            cache[slot].clear();
        }
        cache[slot].insert(written.to_string(), resolved.clone());
        resolved
    })
}

fn resolve_uncached(written: &str, syntax: Syntax) -> Vec<Resolved> {
    let m = written.to_ascii_lowercase();
    // Every x86 mnemonic is ASCII; the suffix handling below slices bytes.
    if !m.is_ascii() {
        return Vec::new();
    }
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
            imm: None,
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
            imm: None,
        });
        return out;
    }
    // Without a size, `pushf`/`popf` are the mode's natural size (iced's `pushf` is the
    // 16-bit one).
    // LLVM reads `pushf`/`popf` as 64-bit in 64-bit mode but as the 16-bit form in 32-bit
    // mode (llvm-mc 22: `pushf` is 66 9C for i686), and `pusha`/`popa` as the 32-bit form.
    if matches!(m.as_str(), "pushf" | "popf") {
        push(r(&format!("{m}q"), None));
    }
    if matches!(m.as_str(), "pusha" | "popa") || (syntax == Syntax::Att && m == "iret") {
        push(r(&format!("{m}d"), None));
    }
    if t.codes(&m).is_some() {
        push(r(&m, None));
    }
    if let Some((base, size)) = sized_intel(&m) {
        push(r(base, Some(size)));
    }
    if let Some(a) = intel_alias(&m)
        && t.codes(&a).is_some()
    {
        push(r(&a, None));
    }
    if let Some(p) = pseudo(&m)
        && t.codes(&p.name).is_some()
    {
        push(p);
    }
    if syntax == Syntax::Att {
        if let Some((name, size)) = att_special(&m) {
            push(r(name, size));
        }
        if let Some(s) = att_string(&m) {
            push(r(s, None));
        }
        if let Some((base, size)) = x87_suffix(&m)
            && t.codes(&base).is_some()
        {
            push(r(&base, Some(size)));
        }
        let suffix = match m.chars().last() {
            Some('b') => Some(1),
            Some('w') => Some(2),
            Some('l') => Some(4),
            Some('q') => Some(8),
            _ => None,
        };
        // `vcvtpd2psx`/`vcvtpd2psy`: the memory operand is 128/256-bit (only conversions
        // and `vfpclass`, whose source size the destination does not show).
        let xyz = m.starts_with("vcvt") || m.starts_with("cvt") || m.starts_with("vfpclass");
        if let Some(size) = match m.chars().last().filter(|_| xyz) {
            Some('x') => Some(16),
            Some('y') => Some(32),
            Some('z') => Some(64),
            _ => None,
        } {
            let base = &m[..m.len() - 1];
            if t.codes(base).is_some() {
                push(r(base, Some(size)));
            }
        }
        if let Some(size) = suffix {
            let base = &m[..m.len() - 1];
            // `pushfl` is iced's `pushfd`, `iretl` its `iretd`.
            let named = match size {
                4 => format!("{base}d"),
                8 => format!("{base}q"),
                _ => String::new(),
            };
            if t.codes(&named).is_some() {
                push(r(&named, Some(size)));
            }
            // `pcmpestriq`: iced names the REX.W form `pcmpestri64`.
            let wide = format!("{base}64");
            if size == 8 && t.codes(&wide).is_some() {
                push(r(&wide, None));
            }
            if t.codes(base).is_some() {
                push(r(base, Some(size)));
            }
            if let Some(a) = intel_alias(base)
                && t.codes(&a).is_some()
            {
                push(r(&a, Some(size)));
            }
            if let Some((b2, _)) = sized_intel(base) {
                push(r(b2, Some(size)));
            }
        }
    }
    out
}
