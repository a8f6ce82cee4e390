//! The whole pipeline for one invocation, and its expansion: the caller's tokens handed
//! unchanged to `::core::arch::asm!` (or `naked_asm!`/`global_asm!`), preceded by a
//! `compile_error!` for each finding, each gated by the `cfg` under which it holds.

use crate::diag::{Code, Diagnostic, Level};
use crate::syntax::{AsmInvocation, Cfg, CfgAssignment, IncludeResolver, MacroKind, parse_invocation};
use crate::x86::{self, Arch};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};

/// At most this many distinct non-arch cfg options are enumerated (2^N configurations
/// per architecture).
const MAX_FREE_CFG_ATOMS: usize = 5;

/// The findings for one invocation.
#[derive(Debug, Default)]
pub struct Verdicts {
    /// Findings with the configurations they hold under.
    pub findings: Vec<(Cfg, Diagnostic)>,
    /// Configurations in which rustc itself would reject the invocation: the
    /// pass-through is withheld there so the user reads one error, ours.
    pub rejected: Vec<Cfg>,
    /// True when the invocation could not be parsed at all (nothing is passed through).
    pub unparsed: bool,
}

/// Parses and checks an invocation under every cfg configuration and both x86
/// architectures.
pub fn check(kind: MacroKind, tokens: TokenStream, includes: &dyn IncludeResolver) -> Verdicts {
    let inv = match parse_invocation(kind, tokens, includes) {
        Ok(inv) => inv,
        Err(errors) => {
            return Verdicts {
                findings: errors.into_iter().map(|d| (Cfg::Bool(true), d)).collect(),
                rejected: Vec::new(),
                unparsed: true,
            };
        }
    };
    check_parsed(&inv)
}

/// [`check`] for an already parsed invocation.
pub fn check_parsed(inv: &AsmInvocation) -> Verdicts {
    let atoms = inv.cfg_atoms();
    let free = atoms
        .iter()
        .filter(|a| !matches!(a, Cfg::Option { name, .. } if name == "target_arch"))
        .count();
    if free > MAX_FREE_CFG_ATOMS {
        let d = Diagnostic::error(
            Code::Rule("R21"),
            inv.span,
            format!(
                "this block has {free} distinct `#[cfg]` conditions; checked-asm checks every combination \
                 and stops at {MAX_FREE_CFG_ATOMS}"
            ),
        )
        .with_help("split the block into several `checked_asm!` invocations, each under its own `#[cfg]`");
        return Verdicts { findings: vec![(Cfg::Bool(true), d)], rejected: Vec::new(), unparsed: false };
    }

    // (diagnostic, configurations where it holds), in first-seen order.
    let mut grouped: Vec<(String, Diagnostic, Vec<CfgAssignment>)> = Vec::new();
    let mut all_configs = Vec::new();
    let mut rejected = Vec::new();
    for arch in Arch::ALL {
        for assignment in CfgAssignment::enumerate(arch.cfg_name(), &atoms) {
            let diags = match inv.configure(&assignment) {
                Ok(asm) => x86::check(&asm, arch),
                Err(errors) => errors,
            };
            if diags.iter().any(|d| d.level == Level::Error && rustc_rejects(d.code)) {
                rejected.push(assignment.clone());
            }
            for d in diags {
                let key = format!("{}\u{0}{:?}", d.render_message(), d.span.start);
                match grouped.iter_mut().find(|(k, _, _)| *k == key) {
                    Some((_, _, configs)) => configs.push(assignment.clone()),
                    None => grouped.push((key, d, vec![assignment.clone()])),
                }
            }
            all_configs.push(assignment);
        }
    }
    Verdicts {
        findings: grouped
            .into_iter()
            .map(|(_, d, configs)| (gate(&configs, &all_configs), d))
            .collect(),
        rejected: if rejected.is_empty() { Vec::new() } else { vec![gate(&rejected, &all_configs)] },
        unparsed: false,
    }
}

/// Findings rustc would also report: the pass-through is withheld for them.
fn rustc_rejects(code: Code) -> bool {
    matches!(code, Code::Syntax | Code::Template | Code::Placeholder | Code::Rule("R00"))
}

/// The cfg predicate that holds exactly in `configs` (a subset of `all`).
fn gate(configs: &[CfgAssignment], all: &[CfgAssignment]) -> Cfg {
    let mut parts = Vec::new();
    for arch in Arch::ALL {
        let of_arch: Vec<&CfgAssignment> = all.iter().filter(|c| c.arch == Some(arch.cfg_name())).collect();
        let hit: Vec<&CfgAssignment> = configs.iter().filter(|c| c.arch == Some(arch.cfg_name())).collect();
        if hit.is_empty() {
            continue;
        }
        if hit.len() == of_arch.len() {
            parts.push(Cfg::target_arch(arch.cfg_name()));
        } else {
            parts.extend(hit.iter().map(|c| c.as_cfg()));
        }
    }
    if parts.len() == 1 { parts.pop().expect("one part") } else { Cfg::Any(parts) }
}

/// The whole expansion of `checked_asm!` and its siblings.
pub fn expand(kind: MacroKind, tokens: TokenStream, includes: &dyn IncludeResolver) -> TokenStream {
    let verdicts = check(kind, tokens.clone(), includes);
    render(kind, tokens, &verdicts)
}

/// Tokens for the verdicts plus the pass-through.
pub fn render(kind: MacroKind, tokens: TokenStream, verdicts: &Verdicts) -> TokenStream {
    let checked = kind.checked_macro();
    let other_target = format!(
        "{checked}! checks x86 and x86_64 inline assembly only; on this target use \
         `core::arch::{}!` directly",
        kind.core_macro()
    );
    let mut items = vec![quote! {
        #[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
        ::core::compile_error! { #other_target }
    }];
    for (cfg, diag) in &verdicts.findings {
        if diag.level != Level::Error {
            continue;
        }
        let error = diag.to_compile_error();
        items.push(match cfg {
            Cfg::Bool(true) => error,
            cfg => {
                let pred = cfg.to_tokens();
                quote!(#[cfg(#pred)] #error)
            }
        });
    }
    let core_macro = proc_macro2::Ident::new(kind.core_macro(), Span::call_site());
    let passthrough = quote_spanned!(Span::call_site()=> ::core::arch::#core_macro!(#tokens));
    let gate = if verdicts.unparsed {
        None
    } else if verdicts.rejected.is_empty() {
        Some(None)
    } else {
        let pred = Cfg::Not(Box::new(Cfg::Any(verdicts.rejected.clone()))).to_tokens();
        Some(Some(quote!(#[cfg(#pred)])))
    };
    match kind {
        MacroKind::Asm => {
            let stmts = items.iter().map(|i| quote!(#i;));
            match gate {
                None => quote!({ #(#stmts)* }),
                Some(None) => quote!({ #(#stmts)* #passthrough }),
                Some(Some(attr)) => quote!({ #(#stmts)* #attr #passthrough; }),
            }
        }
        // The body of a naked function must be a single `naked_asm!` (E0787), so the
        // errors travel inside it as `#[cfg]`-gated template arguments, which rustc
        // expands (and so reports) only where their cfg holds.
        MacroKind::NakedAsm => {
            let pieces = items.iter().map(|i| quote!(#i,));
            let body = if verdicts.unparsed { quote!("") } else { tokens };
            quote_spanned!(Span::call_site()=> ::core::arch::naked_asm!(#(#pieces)* #body))
        }
        MacroKind::GlobalAsm => {
            let items = items.iter().map(|i| quote!(#i));
            match gate {
                None => quote!(#(#items)*),
                Some(None) => quote!(#(#items)* #passthrough;),
                Some(Some(attr)) => quote!(#(#items)* #attr #passthrough;),
            }
        }
    }
}
