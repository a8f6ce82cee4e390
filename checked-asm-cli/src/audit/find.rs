//! Finding the `asm!`-family invocations of one parsed file, with the `#[cfg]`
//! predicates of everything that encloses them.
//!
//! syn parses items, statements and expressions, but not the arguments of macros: the
//! token trees of `macro_rules!` bodies, `cfg_if!` and any other macro are scanned here
//! for invocations too.

use checked_asm_engine::syntax::parse::parse_cfg;
use checked_asm_engine::syntax::{Cfg, MacroKind};
use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::parse::Parser;
use syn::visit::{self, Visit};
use syn::{Attribute, Expr, ImplItem, Item, Stmt, TraitItem};

/// One invocation as written, before any checking.
pub struct Site {
    pub kind: MacroKind,
    /// The macro's name as written (`asm`, `checked_asm`, `global_asm`...).
    pub name: String,
    /// The tokens between the delimiters.
    pub args: TokenStream,
    /// The first token of the macro path.
    pub span: Span,
    /// The `#[cfg]` predicates of the enclosing items, statements and expressions.
    pub cfg: Vec<Cfg>,
    /// The code generator whose body holds the invocation, if any: "the body of
    /// `macro_rules! name`" or "a `quote!` template".
    pub within: Option<String>,
    /// The metavariables (`$x`, `$(...)`; `#x`, `#(...)` in `quote!`) of its arguments:
    /// a block with any cannot be checked where it is written, only where it is expanded.
    pub metavars: Vec<String>,
}

/// An out-of-line `mod name;` (with its `#[path]`, if any) and the `#[cfg]` predicates
/// around it, so that the file it names inherits them.
pub struct ModDecl {
    /// The inline modules enclosing the declaration (`mod a { mod b; }` gives `["a"]`).
    pub inline_path: Vec<String>,
    pub name: String,
    pub path_attr: Option<String>,
    pub cfg: Vec<Cfg>,
}

/// Everything the finder collects in one file.
#[derive(Default)]
pub struct Found {
    pub sites: Vec<Site>,
    pub mods: Vec<ModDecl>,
}

/// The invocations and module declarations of `file`.
pub fn find(file: &syn::File) -> Found {
    let mut finder = Finder::default();
    finder.with_attrs(&file.attrs, |f| visit::visit_file(f, file));
    finder.found
}

/// The kind of invocation a macro path names, if it is one of ours or of `core::arch`.
fn classify(segments: &[String], leading_colon: bool) -> Option<MacroKind> {
    let (last, prefix) = segments.split_last()?;
    let core_kind = match last.as_str() {
        "asm" => Some(MacroKind::Asm),
        "naked_asm" => Some(MacroKind::NakedAsm),
        "global_asm" => Some(MacroKind::GlobalAsm),
        _ => None,
    };
    if let Some(kind) = core_kind {
        // `asm!`, `arch::asm!`, `core::arch::asm!`, `::std::arch::asm!`.
        let ok = match prefix {
            [] => !leading_colon,
            [.., arch] => arch == "arch",
        };
        return ok.then_some(kind);
    }
    // `checked_asm!`, `checked_asm::checked_asm!`, `$crate::checked_asm!`...
    match last.as_str() {
        "checked_asm" => Some(MacroKind::Asm),
        "checked_naked_asm" => Some(MacroKind::NakedAsm),
        "checked_global_asm" => Some(MacroKind::GlobalAsm),
        _ => None,
    }
}

fn path_segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

/// The predicate of a `#[cfg(...)]` attribute; `None` for other attributes. A predicate
/// that does not parse is "maybe" (no constraint).
fn cfg_of(attr: &Attribute) -> Option<Cfg> {
    if !attr.path().is_ident("cfg") {
        return None;
    }
    attr.parse_args_with(parse_cfg).ok()
}

fn item_attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

fn expr_attrs(expr: &Expr) -> &[Attribute] {
    macro_rules! attrs {
        ($($variant:ident),*) => {
            match expr {
                $(Expr::$variant(e) => &e.attrs,)*
                _ => &[],
            }
        };
    }
    attrs!(
        Array, Assign, Async, Await, Binary, Block, Break, Call, Cast, Closure, Const, Continue,
        Field, ForLoop, Group, If, Index, Infer, Let, Lit, Loop, Macro, Match, MethodCall, Paren,
        Path, Range, RawAddr, Reference, Repeat, Return, Struct, Try, TryBlock, Tuple, Unary,
        Unsafe, While, Yield
    )
}

#[derive(Default)]
struct Finder {
    cfg: Vec<Cfg>,
    /// Names of the inline modules being visited.
    inline_mods: Vec<String>,
    found: Found,
}

impl Finder {
    fn with_attrs(&mut self, attrs: &[Attribute], f: impl FnOnce(&mut Self)) {
        let before = self.cfg.len();
        self.cfg.extend(attrs.iter().filter_map(cfg_of));
        f(self);
        self.cfg.truncate(before);
    }

    fn macro_invocation(&mut self, mac: &syn::Macro) {
        let segments = path_segments(&mac.path);
        if let Some(kind) = classify(&segments, mac.path.leading_colon.is_some()) {
            let site = Site {
                kind,
                name: segments.last().cloned().unwrap_or_default(),
                args: mac.tokens.clone(),
                span: first_span(&mac.path),
                cfg: self.cfg.clone(),
                within: None,
                metavars: Vec::new(),
            };
            // `label { ... }` operands are blocks that may hold invocations of their own.
            let mut scanner = Scanner::new(&mut self.found.sites, self.cfg.clone(), None);
            scanner.scan(mac.tokens.clone());
            self.found.sites.push(site);
        } else if mac.path.is_ident("macro_rules") {
            scan_macro_rules(&mut self.found.sites, &self.cfg, "?", mac.tokens.clone());
        } else {
            let mut scanner = Scanner::new(&mut self.found.sites, self.cfg.clone(), None);
            scanner.scan_macro_args(&segments, mac.tokens.clone());
        }
    }
}

fn first_span(path: &syn::Path) -> Span {
    match (&path.leading_colon, path.segments.first()) {
        (Some(colon), _) => colon.spans[0],
        (None, Some(seg)) => seg.ident.span(),
        (None, None) => Span::call_site(),
    }
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_item(&mut self, i: &'ast Item) {
        self.with_attrs(item_attrs(i), |f| match i {
            Item::Mod(m) if m.content.is_none() => {
                let path_attr = m.attrs.iter().find_map(|a| match &a.meta {
                    syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
                        Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(s),
                            ..
                        }) => Some(s.value()),
                        _ => None,
                    },
                    _ => None,
                });
                f.found.mods.push(ModDecl {
                    inline_path: f.inline_mods.clone(),
                    name: m.ident.to_string(),
                    path_attr,
                    cfg: f.cfg.clone(),
                });
            }
            Item::Mod(m) => {
                f.inline_mods.push(m.ident.to_string());
                visit::visit_item(f, i);
                f.inline_mods.pop();
            }
            Item::Macro(m) if m.mac.path.is_ident("macro_rules") => {
                let name = m
                    .ident
                    .as_ref()
                    .map_or_else(|| "?".to_string(), ToString::to_string);
                scan_macro_rules(&mut f.found.sites, &f.cfg, &name, m.mac.tokens.clone());
            }
            _ => visit::visit_item(f, i),
        });
    }

    fn visit_impl_item(&mut self, i: &'ast ImplItem) {
        let attrs: &[Attribute] = match i {
            ImplItem::Const(i) => &i.attrs,
            ImplItem::Fn(i) => &i.attrs,
            ImplItem::Type(i) => &i.attrs,
            ImplItem::Macro(i) => &i.attrs,
            _ => &[],
        };
        self.with_attrs(attrs, |f| visit::visit_impl_item(f, i));
    }

    fn visit_trait_item(&mut self, i: &'ast TraitItem) {
        let attrs: &[Attribute] = match i {
            TraitItem::Const(i) => &i.attrs,
            TraitItem::Fn(i) => &i.attrs,
            TraitItem::Type(i) => &i.attrs,
            TraitItem::Macro(i) => &i.attrs,
            _ => &[],
        };
        self.with_attrs(attrs, |f| visit::visit_trait_item(f, i));
    }

    fn visit_foreign_item(&mut self, i: &'ast syn::ForeignItem) {
        let attrs: &[Attribute] = match i {
            syn::ForeignItem::Fn(i) => &i.attrs,
            syn::ForeignItem::Static(i) => &i.attrs,
            syn::ForeignItem::Type(i) => &i.attrs,
            syn::ForeignItem::Macro(i) => &i.attrs,
            _ => &[],
        };
        self.with_attrs(attrs, |f| visit::visit_foreign_item(f, i));
    }

    fn visit_stmt(&mut self, s: &'ast Stmt) {
        match s {
            Stmt::Local(l) => self.with_attrs(&l.attrs, |f| visit::visit_stmt(f, s)),
            Stmt::Macro(m) => self.with_attrs(&m.attrs, |f| visit::visit_stmt(f, s)),
            _ => visit::visit_stmt(self, s),
        }
    }

    fn visit_expr(&mut self, e: &'ast Expr) {
        self.with_attrs(expr_attrs(e), |f| visit::visit_expr(f, e));
    }

    fn visit_arm(&mut self, a: &'ast syn::Arm) {
        self.with_attrs(&a.attrs, |f| visit::visit_arm(f, a));
    }

    fn visit_field_value(&mut self, v: &'ast syn::FieldValue) {
        self.with_attrs(&v.attrs, |f| visit::visit_field_value(f, v));
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.macro_invocation(mac);
    }
}

/// `macro_rules! name { (matcher) => { transcriber }; ... }`: the transcribers are
/// scanned, the matchers are not (they hold patterns, not code).
fn scan_macro_rules(sites: &mut Vec<Site>, cfg: &[Cfg], name: &str, body: TokenStream) {
    let tts: Vec<TokenTree> = body.into_iter().collect();
    let mut transcribers = Vec::new();
    let mut i = 0;
    let well_formed = loop {
        if i >= tts.len() {
            break true;
        }
        match (&tts[i], tts.get(i + 1), tts.get(i + 2), tts.get(i + 3)) {
            (
                TokenTree::Group(_),
                Some(TokenTree::Punct(eq)),
                Some(TokenTree::Punct(gt)),
                Some(TokenTree::Group(t)),
            ) if eq.as_char() == '=' && gt.as_char() == '>' => {
                transcribers.push(t.stream());
                i += 4;
                if matches!(tts.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ';') {
                    i += 1;
                }
            }
            _ => break false,
        }
    };
    let mut scanner = Scanner::new(sites, cfg.to_vec(), None);
    scanner.within = Some((format!("the body of `macro_rules! {name}`"), '$'));
    if well_formed {
        for t in transcribers {
            scanner.scan(t);
        }
    } else {
        scanner.scan(tts.into_iter().collect());
    }
}

/// The metavariables of a macro_rules fragment (`sigil` `$`) or the interpolations of
/// a `quote!` template (`sigil` `#`), in order of appearance.
fn metavars(tokens: &TokenStream, sigil: char, out: &mut Vec<String>) {
    let tts: Vec<TokenTree> = tokens.clone().into_iter().collect();
    for (i, tt) in tts.iter().enumerate() {
        match tt {
            TokenTree::Punct(p) if p.as_char() == sigil => match tts.get(i + 1) {
                Some(TokenTree::Ident(id)) if !(sigil == '$' && id == "crate") => {
                    let name = format!("{sigil}{id}");
                    if !out.contains(&name) {
                        out.push(name);
                    }
                }
                // `$(..)*`, `#(..)*`; not `#[attr]`.
                Some(TokenTree::Group(g))
                    if (sigil == '$' || g.delimiter() == Delimiter::Parenthesis)
                        && !out.contains(&format!("{sigil}(...)")) =>
                {
                    out.push(format!("{sigil}(...)"));
                }
                _ => {}
            },
            TokenTree::Group(g) => metavars(&g.stream(), sigil, out),
            _ => {}
        }
    }
}

/// The tokens with `$crate` turned into `crate`, so that a macro_rules body without
/// metavariables parses as ordinary Rust (`sym $crate::f`).
fn strip_dollar_crate(tokens: TokenStream) -> TokenStream {
    let tts: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(tts.len());
    for (i, tt) in tts.iter().enumerate() {
        match tt {
            TokenTree::Punct(p)
                if p.as_char() == '$'
                    && matches!(tts.get(i + 1), Some(TokenTree::Ident(id)) if id == "crate") => {}
            TokenTree::Group(g) => {
                let mut ng = proc_macro2::Group::new(g.delimiter(), strip_dollar_crate(g.stream()));
                ng.set_span(g.span());
                out.push(TokenTree::Group(ng));
            }
            other => out.push(other.clone()),
        }
    }
    out.into_iter().collect()
}

/// Finds invocations in raw token trees (macro arguments and bodies).
struct Scanner<'a> {
    sites: &'a mut Vec<Site>,
    cfg: Vec<Cfg>,
    /// The code generator being scanned and the sigil of its metavariables.
    within: Option<(String, char)>,
}

/// Macros whose arguments are Rust code with `#x` interpolations.
const QUOTE_MACROS: &[&str] = &[
    "quote",
    "quote_spanned",
    "parse_quote",
    "parse_quote_spanned",
];

impl<'a> Scanner<'a> {
    fn new(sites: &'a mut Vec<Site>, cfg: Vec<Cfg>, within: Option<(String, char)>) -> Self {
        Scanner { sites, cfg, within }
    }

    /// The arguments of a macro named by `segments`: `cfg_if!` is understood, anything
    /// else is scanned as plain tokens.
    fn scan_macro_args(&mut self, segments: &[String], tokens: TokenStream) {
        let last = segments.last().map(String::as_str).unwrap_or_default();
        if last == "cfg_if" && self.scan_cfg_if(&tokens) {
            return;
        }
        if QUOTE_MACROS.contains(&last) && self.within.is_none() {
            self.within = Some((format!("a `{last}!` template"), '#'));
            self.scan(tokens);
            self.within = None;
            return;
        }
        self.scan(tokens);
    }

    /// `if #[cfg(a)] { .. } else if #[cfg(b)] { .. } else { .. }`: each branch under its
    /// condition and the negation of the earlier ones. False when the tokens are not in
    /// that shape (the caller then scans them as plain tokens).
    fn scan_cfg_if(&mut self, tokens: &TokenStream) -> bool {
        let tts: Vec<TokenTree> = tokens.clone().into_iter().collect();
        let mut branches: Vec<(Cfg, TokenStream)> = Vec::new();
        let mut earlier: Vec<Cfg> = Vec::new();
        let mut i = 0;
        let is_ident =
            |tt: Option<&TokenTree>, s: &str| matches!(tt, Some(TokenTree::Ident(id)) if id == s);
        while i < tts.len() {
            let chained = if is_ident(tts.get(i), "else") {
                i += 1;
                true
            } else {
                earlier.clear();
                false
            };
            if is_ident(tts.get(i), "if") {
                let pred = match (tts.get(i + 1), tts.get(i + 2), tts.get(i + 3)) {
                    (
                        Some(TokenTree::Punct(p)),
                        Some(TokenTree::Group(attr)),
                        Some(TokenTree::Group(body)),
                    ) if p.as_char() == '#'
                        && attr.delimiter() == Delimiter::Bracket
                        && body.delimiter() == Delimiter::Brace =>
                    {
                        match attr_cfg(&attr.stream()) {
                            Some(pred) => (pred, body.stream()),
                            None => return false,
                        }
                    }
                    _ => return false,
                };
                let mut cond: Vec<Cfg> = earlier
                    .iter()
                    .map(|c| Cfg::Not(Box::new(c.clone())))
                    .collect();
                cond.push(pred.0.clone());
                branches.push((Cfg::all(cond), pred.1));
                earlier.push(pred.0);
                i += 4;
            } else if chained {
                match tts.get(i) {
                    Some(TokenTree::Group(body)) if body.delimiter() == Delimiter::Brace => {
                        let cond: Vec<Cfg> = earlier
                            .iter()
                            .map(|c| Cfg::Not(Box::new(c.clone())))
                            .collect();
                        branches.push((Cfg::All(cond), body.stream()));
                        earlier.clear();
                        i += 1;
                    }
                    _ => return false,
                }
            } else {
                return false;
            }
        }
        for (cond, body) in branches {
            self.cfg.push(cond);
            self.scan(body);
            self.cfg.pop();
        }
        true
    }

    fn scan(&mut self, tokens: TokenStream) {
        let tts: Vec<TokenTree> = tokens.into_iter().collect();
        // A `#[cfg]` seen at this level applies to what follows, up to the next `;` or
        // `,`, or through the next braced group (an item's body).
        let mut pending: Vec<Cfg> = Vec::new();
        let mut i = 0;
        while i < tts.len() {
            match &tts[i] {
                TokenTree::Punct(p) if p.as_char() == '#' => {
                    let mut j = i + 1;
                    if matches!(tts.get(j), Some(TokenTree::Punct(b)) if b.as_char() == '!') {
                        j += 1;
                    }
                    if let Some(TokenTree::Group(g)) = tts.get(j)
                        && g.delimiter() == Delimiter::Bracket
                    {
                        pending.extend(attr_cfg(&g.stream()));
                        i = j + 1;
                        continue;
                    }
                    i += 1;
                }
                TokenTree::Punct(p) if matches!(p.as_char(), ';' | ',') => {
                    pending.clear();
                    i += 1;
                }
                TokenTree::Group(g) => {
                    let n = pending.len();
                    self.cfg.append(&mut pending);
                    self.scan(g.stream());
                    if g.delimiter() == Delimiter::Brace {
                        self.cfg.truncate(self.cfg.len() - n);
                    } else {
                        pending = self.cfg.split_off(self.cfg.len() - n);
                    }
                    i += 1;
                }
                TokenTree::Ident(_) | TokenTree::Punct(_) => match self.invocation_at(&tts, i) {
                    Some((segments, leading_colon, group_at)) => {
                        let TokenTree::Group(g) = &tts[group_at] else {
                            unreachable!("invocation_at returns a group")
                        };
                        let n = pending.len();
                        self.cfg.append(&mut pending);
                        if segments == ["macro_rules"] {
                            let name = tts[group_at - 1].to_string();
                            let cfg = self.cfg.clone();
                            scan_macro_rules(self.sites, &cfg, &name, g.stream());
                        } else {
                            self.invocation(&segments, leading_colon, tts[i].span(), g.stream());
                        }
                        self.cfg.truncate(self.cfg.len() - n);
                        i = group_at + 1;
                    }
                    None => i += 1,
                },
                TokenTree::Literal(_) => i += 1,
            }
        }
    }

    /// A macro invocation starting at `tts[i]`: `[::] [$crate ::] a :: b ! (group)`.
    /// Returns the path's segments, whether it had a leading `::`, and the index of the
    /// group.
    fn invocation_at(&self, tts: &[TokenTree], i: usize) -> Option<(Vec<String>, bool, usize)> {
        let is_punct =
            |k: usize, c: char| matches!(tts.get(k), Some(TokenTree::Punct(p)) if p.as_char() == c);
        // A path segment must not continue an earlier path (`a::asm!` is handled at `a`).
        if i > 0 && (is_punct(i - 1, ':') || is_punct(i - 1, '$')) {
            return None;
        }
        let mut k = i;
        let mut leading_colon = false;
        if is_punct(k, ':') && is_punct(k + 1, ':') {
            leading_colon = true;
            k += 2;
        }
        let mut segments = Vec::new();
        if is_punct(k, '$') && matches!(tts.get(k + 1), Some(TokenTree::Ident(id)) if id == "crate")
        {
            segments.push("crate".to_string());
            k += 2;
            if !(is_punct(k, ':') && is_punct(k + 1, ':')) {
                return None;
            }
            k += 2;
        }
        loop {
            match tts.get(k) {
                Some(TokenTree::Ident(id)) => segments.push(id.to_string()),
                _ => return None,
            }
            k += 1;
            if is_punct(k, ':') && is_punct(k + 1, ':') {
                k += 2;
            } else {
                break;
            }
        }
        if !is_punct(k, '!') {
            return None;
        }
        // `macro_rules! name { ... }`
        if segments == ["macro_rules"] {
            return match (tts.get(k + 1), tts.get(k + 2)) {
                (Some(TokenTree::Ident(_)), Some(TokenTree::Group(_))) => {
                    Some((segments, leading_colon, k + 2))
                }
                _ => None,
            };
        }
        match tts.get(k + 1) {
            Some(TokenTree::Group(_)) => Some((segments, leading_colon, k + 1)),
            _ => None,
        }
    }

    fn invocation(
        &mut self,
        segments: &[String],
        leading_colon: bool,
        span: Span,
        args: TokenStream,
    ) {
        let Some(kind) = classify(segments, leading_colon) else {
            self.scan_macro_args(segments, args);
            return;
        };
        let mut vars = Vec::new();
        if let Some((_, sigil)) = &self.within {
            metavars(&args, *sigil, &mut vars);
        }
        // Nested invocations (`label { asm!(..) }`).
        self.scan(args.clone());
        let args = if matches!(self.within, Some((_, '$'))) && vars.is_empty() {
            strip_dollar_crate(args)
        } else {
            args
        };
        self.sites.push(Site {
            kind,
            name: segments.last().cloned().unwrap_or_default(),
            args,
            span,
            cfg: self.cfg.clone(),
            within: self.within.as_ref().map(|(w, _)| w.clone()),
            metavars: vars,
        });
    }
}

/// The predicate of the inside of `#[...]` when it is `cfg(...)`.
fn attr_cfg(attr: &TokenStream) -> Option<Cfg> {
    let mut it = attr.clone().into_iter();
    match (it.next(), it.next(), it.next()) {
        (Some(TokenTree::Ident(id)), Some(TokenTree::Group(g)), None)
            if id == "cfg" && g.delimiter() == Delimiter::Parenthesis =>
        {
            parse_cfg.parse2(g.stream()).ok()
        }
        _ => None,
    }
}
