//! The whole pipeline for one invocation, and its expansion: the caller's tokens handed
//! unchanged to `::core::arch::asm!` (or `naked_asm!`/`global_asm!`), preceded by a
//! `compile_error!` for each finding, each gated by the `cfg` under which it holds.

use crate::diag::{Code, Diagnostic, Level};
use crate::syntax::{
    AsmInvocation, Cfg, CfgAssignment, IncludeResolver, MacroKind, parse_invocation,
};
use crate::x86::effects::Os;
use crate::x86::{self, Arch, Finding};
use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};

mod cache;

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
    /// True when the invocation starts with `#![waive(...)]` markers, which the
    /// pass-through leaves out.
    pub waivers: bool,
}

/// The target the compiler builds for. The proc macro runs on the host and cannot see
/// it, but the facade crate is compiled for the target: under
/// `#[cfg(target_arch, target_os)]` it re-exports, as `checked_asm!` and its siblings,
/// the proc-macro crate's entry points for that target (`checked_asm_x86_64_linux`, ...),
/// each of which names its target. A block is then checked for that target only: half
/// the work, and no verdict gated by a cfg that the build has already decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BuildTarget {
    pub arch: Arch,
    /// The OS family whose kernel and calling-convention ABIs apply: [`Os::Linux`]
    /// (Linux, Android), [`Os::FreeBSD`], [`Os::Windows`] (Windows, UEFI) or
    /// [`Os::Other`].
    pub os: Os,
}

/// Parses and checks an invocation under every cfg configuration and both x86
/// architectures.
pub fn check(kind: MacroKind, tokens: TokenStream, includes: &dyn IncludeResolver) -> Verdicts {
    check_for(kind, tokens, includes, None)
}

/// [`check`] for one target when it is known.
pub fn check_for(
    kind: MacroKind,
    tokens: TokenStream,
    includes: &dyn IncludeResolver,
    target: Option<BuildTarget>,
) -> Verdicts {
    let inv = match parse_invocation(kind, tokens, includes) {
        Ok(inv) => inv,
        Err(errors) => {
            return Verdicts {
                findings: errors.into_iter().map(|d| (Cfg::Bool(true), d)).collect(),
                rejected: Vec::new(),
                unparsed: true,
                waivers: false,
            };
        }
    };
    match target {
        Some(target) => check_parsed_archs(&inv, &[target.arch], Some(target.os)),
        None => check_parsed(&inv),
    }
}

/// [`check`] for an already parsed invocation.
pub fn check_parsed(inv: &AsmInvocation) -> Verdicts {
    check_parsed_archs(inv, &Arch::ALL, None)
}

/// [`check_parsed`] for one architecture only, when the target is known (the CLI's
/// `audit --target`): the same verdicts as [`check_parsed`] restricted to `arch`, at
/// half the cost.
pub fn check_parsed_for(inv: &AsmInvocation, arch: Arch) -> Verdicts {
    check_parsed_archs(inv, &[arch], None)
}

fn check_parsed_archs(inv: &AsmInvocation, archs: &[Arch], os: Option<Os>) -> Verdicts {
    let mut verdicts = check_unwaived(inv, archs, os);
    verdicts.waivers = !inv.waivers.is_empty();
    // A waiver silences exactly the rules it names, nothing else (§5).
    verdicts
        .findings
        .retain(|(_, d)| !matches!(d.code, Code::Rule(id) if inv.waives(id)));
    verdicts
}

fn check_unwaived(inv: &AsmInvocation, archs: &[Arch], os: Option<Os>) -> Verdicts {
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
        return Verdicts {
            findings: vec![(Cfg::Bool(true), d)],
            rejected: Vec::new(),
            unparsed: false,
            waivers: false,
        };
    }

    // (key, extra condition, diagnostic, configurations where it holds), first-seen order.
    let mut grouped: Vec<(String, Option<Cfg>, Diagnostic, Vec<CfgAssignment>)> = Vec::new();
    let mut all_configs = Vec::new();
    let mut rejected = Vec::new();
    for &arch in archs {
        for assignment in CfgAssignment::enumerate(arch.cfg_name(), &atoms) {
            let findings = match inv.configure(&assignment) {
                Ok(asm) => x86::check(&asm, arch, os),
                Err(errors) => errors.into_iter().map(Finding::from).collect(),
            };
            if findings.iter().any(|f| {
                f.when.is_none() && f.diag.level == Level::Error && rustc_rejects(f.diag.code)
            }) {
                rejected.push(assignment.clone());
            }
            for Finding { when, diag } in findings {
                let key = format!(
                    "{}\u{0}{:?}\u{0}{:?}",
                    diag.render_message(),
                    diag.span.start,
                    when
                );
                match grouped.iter_mut().find(|(k, ..)| *k == key) {
                    Some((.., configs)) => configs.push(assignment.clone()),
                    None => grouped.push((key, when, diag, vec![assignment.clone()])),
                }
            }
            all_configs.push(assignment);
        }
    }
    Verdicts {
        findings: grouped
            .into_iter()
            .map(|(_, when, d, configs)| {
                let gate = gate(&configs, &all_configs);
                (
                    when.map_or(gate.clone(), |w| Cfg::All(vec![gate, w]).simplified()),
                    d,
                )
            })
            .collect(),
        rejected: if rejected.is_empty() {
            Vec::new()
        } else {
            vec![gate(&rejected, &all_configs)]
        },
        unparsed: false,
        waivers: false,
    }
}

impl Verdicts {
    /// True when there is nothing to report and nothing to take out: the expansion is
    /// the pass-through alone.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty() && self.rejected.is_empty() && !self.unparsed && !self.waivers
    }
}

/// Findings rustc would also report: the pass-through is withheld for them.
fn rustc_rejects(code: Code) -> bool {
    matches!(
        code,
        Code::Syntax
            | Code::Template
            | Code::Placeholder
            | Code::Assembler
            | Code::Rule("R00" | "R17")
    )
}

/// The cfg predicate that holds exactly in `configs` (a subset of `all`), simplified by
/// merging configurations that differ in one condition (Quine–McCluskey without the
/// cover step: the result is exact, not always minimal).
fn gate(configs: &[CfgAssignment], all: &[CfgAssignment]) -> Cfg {
    let atoms: Vec<Cfg> = all
        .first()
        .map(|c| c.values.keys().cloned().collect())
        .unwrap_or_default();
    // Variable 0 is "target_arch is x86_64" (undecided when only one architecture is
    // checked: the predicate holds there); the others are the cfg atoms.
    let one_arch = all.iter().all(|c| c.arch == all[0].arch);
    let term_of = |c: &CfgAssignment| -> Vec<Option<bool>> {
        std::iter::once((!one_arch).then(|| c.arch == Some(Arch::X86_64.cfg_name())))
            .chain(atoms.iter().map(|a| c.values.get(a).copied()))
            .collect()
    };
    let mut terms: Vec<Vec<Option<bool>>> = configs.iter().map(term_of).collect();
    terms.dedup();
    loop {
        let mut merged_any = false;
        let mut next: Vec<Vec<Option<bool>>> = Vec::new();
        let mut used = vec![false; terms.len()];
        for i in 0..terms.len() {
            for j in i + 1..terms.len() {
                let diff: Vec<usize> = (0..terms[i].len())
                    .filter(|&k| terms[i][k] != terms[j][k])
                    .collect();
                if let [k] = diff[..]
                    && terms[i][k].is_some()
                    && terms[j][k].is_some()
                {
                    let mut m = terms[i].clone();
                    m[k] = None;
                    if !next.contains(&m) {
                        next.push(m);
                    }
                    used[i] = true;
                    used[j] = true;
                    merged_any = true;
                }
            }
        }
        for (i, t) in terms.iter().enumerate() {
            if !used[i] && !next.contains(t) {
                next.push(t.clone());
            }
        }
        terms = next;
        if !merged_any {
            break;
        }
    }
    let literal = |k: usize, v: bool| -> Cfg {
        let atom = if k == 0 {
            return Cfg::target_arch(if v {
                Arch::X86_64.cfg_name()
            } else {
                Arch::X86.cfg_name()
            });
        } else {
            atoms[k - 1].clone()
        };
        if v { atom } else { Cfg::Not(Box::new(atom)) }
    };
    let mut parts: Vec<Cfg> = terms
        .iter()
        .map(|t| {
            let lits: Vec<Cfg> = t
                .iter()
                .enumerate()
                .filter_map(|(k, v)| v.map(|v| literal(k, v)))
                .collect();
            match lits.len() {
                0 if one_arch => Cfg::Bool(true),
                0 => x86_targets(),
                1 => lits.into_iter().next().expect("one literal"),
                _ => Cfg::All(lits),
            }
        })
        .collect();
    if parts.len() == 1 {
        parts.pop().expect("one part")
    } else {
        Cfg::Any(parts)
    }
}

/// `any(target_arch = "x86_64", target_arch = "x86")`.
fn x86_targets() -> Cfg {
    Cfg::Any(
        Arch::ALL
            .iter()
            .map(|a| Cfg::target_arch(a.cfg_name()))
            .collect(),
    )
}

/// Says when a gated finding applies, unless it applies on every x86 target.
fn gate_note(cfg: &Cfg) -> Option<String> {
    let both = x86_targets();
    match cfg {
        Cfg::Bool(true) => None,
        c if *c == both => None,
        Cfg::Option {
            name,
            value: Some(arch),
        } if name == "target_arch" => Some(format!("found when checking the block for {arch}")),
        c => Some(format!("found when checking the block for `cfg({c})`")),
    }
}

/// How findings that are not errors are treated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    /// Strict mode (the `strict` feature of `checked-asm`): refinements are errors.
    pub strict: bool,
}

/// The whole expansion of `checked_asm!` and its siblings, checked for every x86
/// target.
pub fn expand(kind: MacroKind, tokens: TokenStream, includes: &dyn IncludeResolver) -> TokenStream {
    expand_for(kind, tokens, includes, Settings::default(), None)
}

/// [`expand`] with explicit [`Settings`], for one target when it is known.
pub fn expand_for(
    kind: MacroKind,
    tokens: TokenStream,
    includes: &dyn IncludeResolver,
    settings: Settings,
    target: Option<BuildTarget>,
) -> TokenStream {
    let verdicts = check_for(kind, tokens.clone(), includes, target);
    render_for(kind, tokens, &verdicts, settings, target)
}

/// What [`expand_remembering`] makes of a block.
#[derive(Debug)]
pub enum Expansion {
    /// A block with nothing to report, found clean now or with the tokens of one found
    /// clean before: its expansion is the pass-through alone,
    /// `::core::arch::<kind's macro>!(<tokens>)` (with a `;` after a `global_asm!`),
    /// built by [`Expansion::into_tokens`] or by the caller. The proc macro builds it
    /// with the compiler's own token types, in less than half the instructions
    /// proc_macro2's wrappers take in a macro built without optimisation.
    PassThrough {
        /// The block's macro.
        kind: MacroKind,
        /// The block's arguments, to pass through unchanged.
        tokens: TokenStream,
    },
    /// Every other block: the expansion, checked.
    Checked(TokenStream),
}

impl Expansion {
    /// The expansion's tokens.
    pub fn into_tokens(self) -> TokenStream {
        match self {
            Expansion::PassThrough { kind, tokens } => pass_through_alone(kind, tokens),
            Expansion::Checked(tokens) => tokens,
        }
    }
}

/// [`expand_for`] as the proc macro runs it: a block with the tokens of one already
/// found clean in this process for the same target is not checked again (the
/// `expand/cache.rs` module says why its text decides its verdict), and the expansion
/// of every clean block, remembered or just checked, the pass-through alone, is left to
/// the caller to build. The benchmarks of the checker's own work call [`expand_for`],
/// which checks every block.
pub fn expand_remembering(
    kind: MacroKind,
    tokens: TokenStream,
    includes: &dyn IncludeResolver,
    settings: Settings,
    target: BuildTarget,
) -> Expansion {
    let key = cache::Key::of(kind, target, &tokens);
    if let Some(key) = &key
        && cache::is_clean(key)
    {
        return Expansion::PassThrough { kind, tokens };
    }
    let verdicts = check_for(kind, tokens.clone(), includes, Some(target));
    if !verdicts.is_clean() {
        return Expansion::Checked(render_for(kind, tokens, &verdicts, settings, Some(target)));
    }
    if let Some(key) = key {
        cache::remember(key);
    }
    // What `render_for` gives a clean block, left to the caller like a remembered one.
    Expansion::PassThrough { kind, tokens }
}

/// The expansion of a block with nothing to report: the pass-through alone. For `asm!`
/// and `naked_asm!` the macro call is itself the expression (or statement) the caller's
/// invocation stands for, so it is not wrapped in a block; `global_asm!` is an item.
fn pass_through_alone(kind: MacroKind, tokens: TokenStream) -> TokenStream {
    let passthrough = passthrough(kind.core_macro(), tokens);
    match kind {
        MacroKind::Asm | MacroKind::NakedAsm => passthrough,
        MacroKind::GlobalAsm => quote!(#passthrough;),
    }
}

/// Tokens for the verdicts plus the pass-through.
pub fn render(kind: MacroKind, tokens: TokenStream, verdicts: &Verdicts) -> TokenStream {
    render_with(kind, tokens, verdicts, Settings::default())
}

/// A warning on stable Rust: a call to a local `#[deprecated]` function whose note is
/// the message, spanned at the finding. `#[allow(deprecated)]` on the block's statement,
/// function or crate silences it.
fn warning_tokens(diag: &Diagnostic) -> TokenStream {
    let message = diag.render_message();
    let span = diag.span.start;
    quote_spanned! {span=>
        {
            #[deprecated(note = #message)]
            #[allow(non_snake_case)]
            fn checked_asm_warning() {}
            checked_asm_warning();
        }
    }
}

/// [`render`] with explicit [`Settings`].
pub fn render_with(
    kind: MacroKind,
    tokens: TokenStream,
    verdicts: &Verdicts,
    settings: Settings,
) -> TokenStream {
    render_for(kind, tokens, verdicts, settings, None)
}

/// `::core::arch::<core_macro>!(<tokens>)` with call-site spans, as
/// `quote_spanned!(Span::call_site()=> ::core::arch::#core_macro!(#tokens))` builds it.
fn passthrough(core_macro: &str, tokens: TokenStream) -> TokenStream {
    let span = Span::call_site();
    let punct = |c, spacing| {
        let mut p = Punct::new(c, spacing);
        p.set_span(span);
        TokenTree::Punct(p)
    };
    let mut args = Group::new(Delimiter::Parenthesis, tokens);
    args.set_span(span);
    // Collected, not extended: proc_macro2 then hands the compiler all the trees in one
    // bridge call instead of keeping them aside and concatenating them on conversion.
    [
        punct(':', Spacing::Joint),
        punct(':', Spacing::Alone),
        TokenTree::Ident(Ident::new("core", span)),
        punct(':', Spacing::Joint),
        punct(':', Spacing::Alone),
        TokenTree::Ident(Ident::new("arch", span)),
        punct(':', Spacing::Joint),
        punct(':', Spacing::Alone),
        TokenTree::Ident(Ident::new(core_macro, span)),
        punct('!', Spacing::Alone),
        TokenTree::Group(args),
    ]
    .into_iter()
    .collect()
}

/// [`render_with`] for a known target, where the facade has already refused targets
/// that are not x86.
fn render_for(
    kind: MacroKind,
    tokens: TokenStream,
    verdicts: &Verdicts,
    settings: Settings,
    target: Option<BuildTarget>,
) -> TokenStream {
    let mut items = Vec::new();
    if target.is_none() {
        let other_target = format!(
            "{}! checks x86 and x86_64 inline assembly only; on this target use \
             `core::arch::{}!` directly",
            kind.checked_macro(),
            kind.core_macro()
        );
        items.push(quote! {
            #[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
            ::core::compile_error! { #other_target }
        });
    }
    for (cfg, diag) in &verdicts.findings {
        let diag = match gate_note(cfg) {
            Some(note) => diag.clone().with_note(note),
            None => diag.clone(),
        };
        let error = match diag.level {
            Level::Error => diag.to_compile_error(),
            Level::Warning if settings.strict => {
                let mut strict = diag
                    .clone()
                    .with_note("an error because the `strict` feature of checked-asm is enabled");
                strict.level = Level::Error;
                strict.to_compile_error()
            }
            // Warnings exist only for `asm!` blocks, which expand to a block expression.
            Level::Warning if kind == MacroKind::Asm => warning_tokens(&diag),
            _ => continue,
        };
        items.push(match cfg {
            Cfg::Bool(true) => error,
            cfg => {
                let pred = cfg.to_tokens();
                quote!(#[cfg(#pred)] #error)
            }
        });
    }
    // Every pass over the tokens converts each of them through the compiler's bridge:
    // only rebuild the stream when there are waivers to take out.
    let tokens = if verdicts.waivers || verdicts.unparsed {
        crate::syntax::strip_waivers(tokens)
    } else {
        tokens
    };
    let gate = if verdicts.unparsed {
        None
    } else if verdicts.rejected.is_empty() {
        Some(None)
    } else {
        let pred = Cfg::Not(Box::new(Cfg::Any(verdicts.rejected.clone()))).to_tokens();
        Some(Some(quote!(#[cfg(#pred)])))
    };
    if items.is_empty() && matches!(gate, Some(None)) {
        return pass_through_alone(kind, tokens);
    }
    match kind {
        MacroKind::Asm => {
            let passthrough = passthrough(kind.core_macro(), tokens);
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
            let body = if verdicts.unparsed {
                quote!("")
            } else {
                tokens
            };
            passthrough(kind.core_macro(), quote!(#(#pieces)* #body))
        }
        MacroKind::GlobalAsm => {
            let passthrough = passthrough(kind.core_macro(), tokens);
            let items = items.iter().map(|i| quote!(#i));
            match gate {
                None => quote!(#(#items)*),
                Some(None) => quote!(#(#items)* #passthrough;),
                Some(Some(attr)) => quote!(#(#items)* #attr #passthrough;),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The directly built pass-through is the tokens quote builds: the same
    /// trees, spacing, delimiters and spans (Debug shows all of them).
    #[test]
    fn the_passthrough_is_what_quote_builds() {
        let tokens: TokenStream = r#""mov {0}, {1}", out(reg) x, in(reg) &mut y"#
            .parse()
            .expect("valid tokens");
        for name in ["asm", "naked_asm", "global_asm"] {
            let ident = Ident::new(name, Span::call_site());
            let quoted = quote_spanned!(Span::call_site()=> ::core::arch::#ident!(#tokens));
            let built = passthrough(name, tokens.clone());
            assert_eq!(format!("{built:?}"), format!("{quoted:?}"), "{name}");
            assert_eq!(built.to_string(), quoted.to_string());
        }
    }

    /// The proc macro builds a clean block's pass-through by lexing
    /// `MacroKind::core_path` and appending the arguments: the same tokens as the
    /// engine's.
    #[test]
    fn the_core_path_lexes_to_the_passthroughs_path() {
        let args: TokenStream = r#""nop", options(nomem)"#.parse().expect("valid tokens");
        for kind in [MacroKind::Asm, MacroKind::NakedAsm, MacroKind::GlobalAsm] {
            let mut lexed: TokenStream = kind.core_path().parse().expect("a valid path");
            lexed.extend([TokenTree::Group(Group::new(
                Delimiter::Parenthesis,
                args.clone(),
            ))]);
            let built = passthrough(kind.core_macro(), args.clone());
            assert_eq!(lexed.to_string(), built.to_string(), "{kind:?}");
            let spacing = |ts: TokenStream| -> Vec<(char, Spacing)> {
                ts.into_iter()
                    .filter_map(|t| match t {
                        TokenTree::Punct(p) => Some((p.as_char(), p.spacing())),
                        _ => None,
                    })
                    .collect()
            };
            assert_eq!(spacing(lexed), spacing(built), "{kind:?}");
        }
    }

    /// A correct block expands to `::core::arch::asm!(<its tokens>)` and nothing else.
    #[test]
    fn a_correct_block_expands_to_the_passthrough_alone() {
        let args = r#""cli", options(nostack, preserves_flags)"#;
        let args: TokenStream = args.parse().expect("valid tokens");
        let out = expand_for(
            MacroKind::Asm,
            args.clone(),
            &crate::syntax::NoIncludes,
            Settings::default(),
            Some(LINUX64),
        );
        assert_eq!(
            out.to_string(),
            quote!(::core::arch::asm!(#args)).to_string()
        );
    }

    const LINUX64: BuildTarget = BuildTarget {
        arch: Arch::X86_64,
        os: Os::Linux,
    };

    const LINUX32: BuildTarget = BuildTarget {
        arch: Arch::X86,
        os: Os::Linux,
    };

    fn tokens(args: &str) -> TokenStream {
        args.parse().expect("valid tokens")
    }

    fn checked(kind: MacroKind, tokens: TokenStream) -> TokenStream {
        expand_for(
            kind,
            tokens,
            &crate::syntax::NoIncludes,
            Settings::default(),
            Some(LINUX64),
        )
    }

    fn expansion(kind: MacroKind, target: BuildTarget, tokens: TokenStream) -> Expansion {
        expand_remembering(
            kind,
            tokens,
            &crate::syntax::NoIncludes,
            Settings::default(),
            target,
        )
    }

    fn remembering(kind: MacroKind, target: BuildTarget, tokens: TokenStream) -> TokenStream {
        expansion(kind, target, tokens).into_tokens()
    }

    /// A remembered block expands to exactly what checking it gives: the same trees,
    /// spacing, delimiters and spans, its own tokens passed through.
    #[test]
    fn a_remembered_block_expands_as_a_checked_one() {
        let blocks = [
            (
                MacroKind::Asm,
                r#""cli", options(nostack, preserves_flags)"#,
            ),
            (
                MacroKind::Asm,
                r#""in al, dx", lateout("al") v, in("dx") port, options(nostack, preserves_flags)"#,
            ),
            (
                MacroKind::Asm,
                r#""mov {0}, cr3", out(reg) value, options(nomem, nostack)"#,
            ),
            (MacroKind::NakedAsm, r#""mov eax, 1", "ret""#),
            (MacroKind::GlobalAsm, r#"".globl f", "f:", "ret""#),
        ];
        for (kind, args) in blocks {
            // Each parse gives the tokens spans at new offsets, so the comparisons also
            // show that a remembered block's expansion carries its own spans.
            let (one, two) = (tokens(args), tokens(args));
            let checked_one = checked(kind, one.clone());
            let checked_two = checked(kind, two.clone());
            assert_ne!(format!("{checked_one:?}"), format!("{checked_two:?}"));
            // Its first sight: not remembered yet, so checked, found clean, and left to
            // the caller as a pass-through like the remembered copies.
            let key = cache::Key::of(kind, LINUX64, &one).expect("a key");
            assert!(!cache::is_clean(&key), "{args} is not remembered yet");
            let first = expansion(kind, LINUX64, one.clone());
            assert!(
                matches!(&first, Expansion::PassThrough { kind: k, .. } if *k == kind),
                "{first:?}"
            );
            assert_eq!(
                format!("{:?}", first.into_tokens()),
                format!("{checked_one:?}"),
                "{args}"
            );
            assert!(cache::is_clean(&key), "{args} is remembered");
            let again = expansion(kind, LINUX64, two.clone());
            assert!(
                matches!(&again, Expansion::PassThrough { kind: k, tokens: t }
                    if *k == kind && t.to_string() == two.to_string()),
                "{again:?}"
            );
            assert_eq!(
                format!("{:?}", remembering(kind, LINUX64, two)),
                format!("{checked_two:?}"),
                "{args}"
            );
        }
    }

    /// Each copy of a block with a finding gets its own diagnostics.
    #[test]
    fn a_block_with_a_finding_is_checked_every_time() {
        let args = r#""rdtscp", out("eax") _, out("edx") _, options(nomem, nostack)"#;
        let checked = checked(MacroKind::Asm, tokens(args));
        assert!(checked.to_string().contains("compile_error"), "{checked}");
        for _ in 0..2 {
            let out = remembering(MacroKind::Asm, LINUX64, tokens(args));
            assert_eq!(out.to_string(), checked.to_string());
        }
    }

    /// A block clean for one target or macro is checked again for another.
    #[test]
    fn the_target_and_the_macro_are_part_of_what_is_remembered() {
        let args = r#""mov rax, 1", out("rax") _, options(nomem, nostack, preserves_flags)"#;
        let clean = remembering(MacroKind::Asm, LINUX64, tokens(args));
        assert!(!clean.to_string().contains("compile_error"), "{clean}");
        let x86 = remembering(MacroKind::Asm, LINUX32, tokens(args));
        assert!(
            x86.to_string().contains("is not available in 32-bit mode"),
            "{x86}"
        );

        let args = r#""nop", options(nomem, nostack, preserves_flags)"#;
        let clean = remembering(MacroKind::Asm, LINUX64, tokens(args));
        assert!(!clean.to_string().contains("compile_error"), "{clean}");
        let naked = remembering(MacroKind::NakedAsm, LINUX64, tokens(args));
        assert!(
            naked
                .to_string()
                .contains("the `nomem` option cannot be used"),
            "{naked}"
        );
    }

    /// `include_str!` names a file relative to the calling file: the same text elsewhere
    /// is another file, so such a block is read and checked every time.
    #[test]
    fn a_block_that_includes_a_file_is_checked_every_time() {
        struct Counting(std::cell::Cell<usize>);
        impl IncludeResolver for Counting {
            fn read(&self, _: Span, _: &str) -> Result<String, String> {
                self.0.set(self.0.get() + 1);
                Ok("nop".into())
            }
        }
        let reads = Counting(std::cell::Cell::new(0));
        for _ in 0..2 {
            let out = expand_remembering(
                MacroKind::Asm,
                tokens(r#"include_str!("a.s"), options(nomem, nostack, preserves_flags)"#),
                &reads,
                Settings::default(),
                LINUX64,
            );
            // Clean each time, and read (so checked) each time.
            assert!(matches!(out, Expansion::PassThrough { .. }), "{out:?}");
        }
        assert_eq!(reads.0.get(), 2);
    }
}
