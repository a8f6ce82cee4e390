//! `#[cfg(...)]` predicates on template strings, operands, `options` and `clobber_abi`
//! (r[asm.attributes.supported-attributes], stable since Rust 1.93).
//!
//! The macro runs on the host and cannot evaluate them, so the engine checks the block
//! under every assignment of the predicates it meets and gates each verdict with the
//! assignment it holds under.

use proc_macro2::TokenStream;
use quote::quote;
use std::collections::BTreeMap;
use std::fmt;

/// A cfg predicate (the Reference's ConfigurationPredicate).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cfg {
    /// `name` or `name = "value"`.
    Option {
        name: String,
        value: Option<String>,
    },
    All(Vec<Cfg>),
    Any(Vec<Cfg>),
    Not(Box<Cfg>),
    /// `true` / `false` (stable since 1.88).
    Bool(bool),
}

impl Cfg {
    pub fn all(mut preds: Vec<Cfg>) -> Cfg {
        if preds.len() == 1 {
            preds.pop().unwrap()
        } else {
            Cfg::All(preds)
        }
    }

    /// The same predicate with nested `any(any(..))`/`all(all(..))` flattened,
    /// one-element lists unwrapped and constants folded.
    pub fn simplified(&self) -> Cfg {
        match self {
            Cfg::All(v) | Cfg::Any(v) => {
                let is_all = matches!(self, Cfg::All(_));
                let mut flat = Vec::new();
                for c in v.iter().map(Cfg::simplified) {
                    match c {
                        Cfg::All(inner) if is_all => flat.extend(inner),
                        Cfg::Any(inner) if !is_all => flat.extend(inner),
                        other => flat.push(other),
                    }
                }
                let flat = if is_all {
                    Cfg::All(flat)
                } else {
                    Cfg::Any(flat)
                };
                // Folds constants (`all(true, x)` is `x`) and a single member.
                flat.decide(&|_, _| None)
            }
            Cfg::Not(c) => Cfg::Not(Box::new(c.simplified())).decide(&|_, _| None),
            other => other.clone(),
        }
    }

    /// The predicate with the `name = "value"` options that `value_of` decides replaced
    /// by their truth, and constants folded (`all(false, x)` is `false`).
    pub fn decide(&self, value_of: &dyn Fn(&str, &str) -> Option<bool>) -> Cfg {
        match self {
            Cfg::Option {
                name,
                value: Some(v),
            } => value_of(name, v).map_or_else(|| self.clone(), Cfg::Bool),
            Cfg::Option { .. } | Cfg::Bool(_) => self.clone(),
            Cfg::Not(c) => match c.decide(value_of) {
                Cfg::Bool(b) => Cfg::Bool(!b),
                other => Cfg::Not(Box::new(other)),
            },
            Cfg::All(v) | Cfg::Any(v) => {
                let is_all = matches!(self, Cfg::All(_));
                let mut rest = Vec::new();
                for c in v {
                    match c.decide(value_of) {
                        // `false` decides an `all`, `true` an `any`.
                        Cfg::Bool(b) if b != is_all => return Cfg::Bool(b),
                        Cfg::Bool(_) => {}
                        other => rest.push(other),
                    }
                }
                match rest.len() {
                    0 => Cfg::Bool(is_all),
                    1 => rest.pop().expect("one"),
                    _ if is_all => Cfg::All(rest),
                    _ => Cfg::Any(rest),
                }
            }
        }
    }

    /// The atomic options this predicate mentions, in order of first appearance.
    pub fn atoms(&self, out: &mut Vec<Cfg>) {
        match self {
            Cfg::Option { .. } => {
                if !out.contains(self) {
                    out.push(self.clone());
                }
            }
            Cfg::All(v) | Cfg::Any(v) => v.iter().for_each(|c| c.atoms(out)),
            Cfg::Not(c) => c.atoms(out),
            Cfg::Bool(_) => {}
        }
    }

    /// Evaluates under `assignment`; atoms it does not mention are an internal error
    /// reported as `None`.
    pub fn eval(&self, assignment: &CfgAssignment) -> Option<bool> {
        Some(match self {
            Cfg::Option { .. } => assignment.value_of(self)?,
            Cfg::All(v) => {
                let mut r = true;
                for c in v {
                    r &= c.eval(assignment)?;
                }
                r
            }
            Cfg::Any(v) => {
                let mut r = false;
                for c in v {
                    r |= c.eval(assignment)?;
                }
                r
            }
            Cfg::Not(c) => !c.eval(assignment)?,
            Cfg::Bool(b) => *b,
        })
    }

    /// The predicate as tokens, to be put back inside `#[cfg(...)]`.
    pub fn to_tokens(&self) -> TokenStream {
        match self {
            Cfg::Option { name, value: None } => {
                let ident = proc_macro2::Ident::new(name, proc_macro2::Span::call_site());
                quote!(#ident)
            }
            Cfg::Option {
                name,
                value: Some(v),
            } => {
                let ident = proc_macro2::Ident::new(name, proc_macro2::Span::call_site());
                quote!(#ident = #v)
            }
            Cfg::All(v) => {
                let inner = v.iter().map(Cfg::to_tokens);
                quote!(all(#(#inner),*))
            }
            Cfg::Any(v) => {
                let inner = v.iter().map(Cfg::to_tokens);
                quote!(any(#(#inner),*))
            }
            Cfg::Not(c) => {
                let inner = c.to_tokens();
                quote!(not(#inner))
            }
            // `all()` is true and `any()` is false, in every edition and toolchain.
            Cfg::Bool(true) => quote!(all()),
            Cfg::Bool(false) => quote!(any()),
        }
    }

    pub fn target_arch(arch: &str) -> Cfg {
        Cfg::Option {
            name: "target_arch".into(),
            value: Some(arch.into()),
        }
    }
}

impl fmt::Display for Cfg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cfg::Option { name, value: None } => write!(f, "{name}"),
            Cfg::Option {
                name,
                value: Some(v),
            } => write!(f, "{name} = {v:?}"),
            Cfg::All(v) | Cfg::Any(v) => {
                f.write_str(if matches!(self, Cfg::All(_)) {
                    "all("
                } else {
                    "any("
                })?;
                for (i, c) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{c}")?;
                }
                f.write_str(")")
            }
            Cfg::Not(c) => write!(f, "not({c})"),
            Cfg::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// Truth values for a set of atomic cfg options. `target_arch` atoms are decided by the
/// architecture under analysis; the others are enumerated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CfgAssignment {
    pub arch: Option<&'static str>,
    pub values: BTreeMap<Cfg, bool>,
}

impl CfgAssignment {
    pub fn value_of(&self, atom: &Cfg) -> Option<bool> {
        if let (Cfg::Option { name, value }, Some(arch)) = (atom, self.arch)
            && name == "target_arch"
        {
            return Some(value.as_deref() == Some(arch));
        }
        self.values.get(atom).copied()
    }

    /// The predicate that holds exactly under this assignment.
    pub fn as_cfg(&self) -> Cfg {
        let mut parts = Vec::new();
        if let Some(arch) = self.arch {
            parts.push(Cfg::target_arch(arch));
        }
        for (atom, value) in &self.values {
            parts.push(if *value {
                atom.clone()
            } else {
                Cfg::Not(Box::new(atom.clone()))
            });
        }
        if parts.is_empty() {
            Cfg::Bool(true)
        } else {
            Cfg::all(parts)
        }
    }

    /// Every assignment of `atoms` (those about `target_arch` excluded), for one arch.
    pub fn enumerate(arch: &'static str, atoms: &[Cfg]) -> Vec<CfgAssignment> {
        let free: Vec<&Cfg> = atoms
            .iter()
            .filter(|a| !matches!(a, Cfg::Option { name, .. } if name == "target_arch"))
            .collect();
        (0..1u32 << free.len())
            .map(|bits| CfgAssignment {
                arch: Some(arch),
                values: free
                    .iter()
                    .enumerate()
                    .map(|(i, a)| ((*a).clone(), bits & (1 << i) != 0))
                    .collect(),
            })
            .collect()
    }
}
