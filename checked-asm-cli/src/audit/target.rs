//! `#[cfg]` predicates against the audited target: `target_arch` is known (and
//! `target_os` when a full target triple is given), every other option is "maybe".

use checked_asm_engine::syntax::{Cfg, CfgAssignment};
use std::collections::BTreeMap;

/// Options that hold exactly one value on a target, so that `all(target_os = "linux",
/// target_os = "windows")` is never true.
const SINGLE_VALUED: &[&str] = &[
    "target_arch",
    "target_os",
    "target_env",
    "target_abi",
    "target_vendor",
    "target_endian",
    "target_pointer_width",
    "panic",
];

/// Above this many free options, satisfiability is assumed rather than enumerated.
const MAX_ENUMERATED_ATOMS: usize = 16;

/// What the audit knows of the target.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub arch: &'static str,
    pub os: Option<&'static str>,
}

/// `x86_64`, `x86`, or a target triple (`x86_64-unknown-linux-gnu`, `i686-pc-windows-msvc`).
pub fn parse_target(text: &str) -> Option<Target> {
    let mut parts = text.split('-');
    let arch = match parts.next()? {
        "x86_64" => "x86_64",
        "x86" | "i386" | "i486" | "i586" | "i686" => "x86",
        _ => return None,
    };
    const OSES: &[(&str, &str)] = &[
        ("linux", "linux"),
        ("android", "android"),
        ("windows", "windows"),
        ("uefi", "uefi"),
        ("freebsd", "freebsd"),
        ("netbsd", "netbsd"),
        ("openbsd", "openbsd"),
        ("dragonfly", "dragonfly"),
        ("darwin", "macos"),
        ("ios", "ios"),
        ("illumos", "illumos"),
        ("solaris", "solaris"),
        ("fuchsia", "fuchsia"),
        ("redox", "redox"),
        ("hermit", "hermit"),
        ("haiku", "haiku"),
        ("none", "none"),
    ];
    // `x86_64-linux-android`: the OS can follow the arch directly, the vendor is optional.
    let os = parts.find_map(|p| OSES.iter().find(|(k, _)| *k == p).map(|(_, v)| *v));
    if text.contains('-') && os.is_none() {
        return None;
    }
    Some(Target { arch, os })
}

/// `cfg` with `target_arch` (and `target_os`, when known) decided, constants folded.
pub fn assume_arch(cfg: &Cfg, target: &Target) -> Cfg {
    cfg.decide(&|name, v| match name {
        "target_arch" => Some(v == target.arch),
        "target_os" => target.os.map(|os| v == os),
        _ => None,
    })
}

/// Whether some configuration of the target makes every predicate of `preds` true.
pub fn satisfiable(preds: &[Cfg], target: &Target) -> bool {
    let cfg = assume_arch(&Cfg::All(preds.to_vec()), target);
    let mut atoms = Vec::new();
    cfg.atoms(&mut atoms);
    if let Cfg::Bool(b) = cfg {
        return b;
    }
    if atoms.len() > MAX_ENUMERATED_ATOMS {
        return true;
    }
    (0..1u32 << atoms.len()).any(|bits| {
        let values: BTreeMap<Cfg, bool> = atoms
            .iter()
            .enumerate()
            .map(|(i, a)| (a.clone(), bits & (1 << i) != 0))
            .collect();
        consistent(&values) && cfg.eval(&CfgAssignment { arch: None, values }) == Some(true)
    })
}

/// No single-valued option holds two values.
fn consistent(values: &BTreeMap<Cfg, bool>) -> bool {
    SINGLE_VALUED.iter().all(|key| {
        values
            .iter()
            .filter(|(atom, on)| {
                **on && matches!(atom, Cfg::Option { name, value: Some(_) } if name == key)
            })
            .count()
            <= 1
    })
}

/// Whether `context` implies `cfg` on the target.
pub fn implies(context: &[Cfg], cfg: &Cfg, target: &Target) -> bool {
    let mut preds = context.to_vec();
    preds.push(Cfg::Not(Box::new(cfg.clone())));
    !satisfiable(&preds, target)
}

#[cfg(test)]
mod tests {
    use super::*;

    const X86_64: &Target = &Target {
        arch: "x86_64",
        os: None,
    };

    fn os(v: &str) -> Cfg {
        Cfg::Option {
            name: "target_os".into(),
            value: Some(v.into()),
        }
    }

    #[test]
    fn target_arch_decides_and_other_options_are_maybe() {
        let arm = Cfg::target_arch("aarch64");
        assert!(!satisfiable(std::slice::from_ref(&arm), X86_64));
        assert!(satisfiable(&[Cfg::Not(Box::new(arm.clone()))], X86_64));
        assert!(satisfiable(&[Cfg::All(vec![os("linux")])], X86_64));
        assert!(satisfiable(
            &[Cfg::Any(vec![arm.clone(), os("linux")])],
            X86_64
        ));
        assert!(!satisfiable(&[Cfg::All(vec![arm, os("linux")])], X86_64));
        assert!(!satisfiable(
            &[Cfg::Not(Box::new(Cfg::Any(vec![
                Cfg::target_arch("x86"),
                Cfg::target_arch("x86_64")
            ])))],
            &parse_target("i686-unknown-linux-gnu").unwrap()
        ));
    }

    #[test]
    fn single_valued_options_exclude_each_other() {
        assert!(!satisfiable(&[os("linux"), os("windows")], X86_64));
        assert!(implies(
            &[os("linux")],
            &Cfg::Not(Box::new(Cfg::Any(vec![os("windows"), os("uefi")]))),
            X86_64
        ));
        assert!(!implies(&[], &os("linux"), X86_64));
    }

    #[test]
    fn a_triple_decides_target_os() {
        let linux = parse_target("x86_64-unknown-linux-gnu").unwrap();
        assert_eq!((linux.arch, linux.os), ("x86_64", Some("linux")));
        assert!(!satisfiable(&[os("windows")], &linux));
        assert!(satisfiable(&[os("windows")], X86_64));
        let mac = parse_target("x86_64-apple-darwin").unwrap();
        assert_eq!(mac.os, Some("macos"));
        assert_eq!(parse_target("i686-pc-windows-msvc").unwrap().arch, "x86");
        assert!(parse_target("aarch64-unknown-linux-gnu").is_none());
        assert!(parse_target("x86_64-unknown-plan9").is_none());
        assert_eq!(parse_target("x86").unwrap().os, None);
    }
}
