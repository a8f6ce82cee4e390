//! Evaluation of a template argument to the string rustc assembles: string literals,
//! `concat!`, `stringify!` and `include_str!` (nested), through macro_rules fragments
//! (None-delimited groups). Any other macro is refused by name: we do not check what we
//! cannot see.

use super::TemplateOrigin;
use super::parse::IncludeResolver;
use super::stringify::stringify_tokens;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Lit, Macro, Token, UnOp};

/// The built-in macros we evaluate, by the last segment of their path.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Builtin {
    Concat,
    Stringify,
    IncludeStr,
}

pub(super) fn eval_template(
    expr: &Expr,
    includes: &dyn IncludeResolver,
) -> syn::Result<(String, TemplateOrigin)> {
    match strip_groups(expr) {
        Expr::Lit(lit) => match &lit.lit {
            Lit::Str(s) => Ok((s.value(), TemplateOrigin::Literal)),
            other => Err(syn::Error::new(
                other.span(),
                "asm template must be a string literal",
            )),
        },
        Expr::Macro(m) => {
            let name = macro_name(&m.mac);
            let text = eval_macro(&m.mac, includes)?;
            Ok((text, TemplateOrigin::Macro(name)))
        }
        other => Err(syn::Error::new_spanned(
            other,
            "asm template must be a string literal (or `concat!`, `stringify!`, `include_str!` of literals)",
        )),
    }
}

fn strip_groups(expr: &Expr) -> &Expr {
    match expr {
        Expr::Group(g) => strip_groups(&g.expr),
        other => other,
    }
}

fn macro_name(mac: &Macro) -> String {
    mac.path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

fn builtin(mac: &Macro) -> Option<Builtin> {
    let segments: Vec<String> = mac
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let (last, prefix) = segments.split_last()?;
    // `concat!`, `core::concat!`, `::std::concat!`: the prelude and the two crates that
    // re-export the built-ins.
    let prefix_ok = match prefix {
        [] => mac.path.leading_colon.is_none(),
        [krate] => krate == "core" || krate == "std",
        _ => false,
    };
    if !prefix_ok || mac.path.segments.iter().any(|s| !s.arguments.is_none()) {
        return None;
    }
    match last.as_str() {
        "concat" => Some(Builtin::Concat),
        "stringify" => Some(Builtin::Stringify),
        "include_str" => Some(Builtin::IncludeStr),
        _ => None,
    }
}

fn eval_macro(mac: &Macro, includes: &dyn IncludeResolver) -> syn::Result<String> {
    let Some(which) = builtin(mac) else {
        let name = macro_name(mac);
        return Err(syn::Error::new_spanned(
            mac,
            format!(
                "checked_asm! cannot see the template produced by `{name}!`: only string \
                 literals, `concat!`, `stringify!` and `include_str!` can be checked\n  \
                 = help: build the template from literals, or move the text into a \
                 `macro_rules!` that passes it as a `$t:literal` fragment"
            ),
        ));
    };
    match which {
        Builtin::Stringify => Ok(stringify_tokens(&mac.tokens)),
        Builtin::Concat => {
            let args: Punctuated<Expr, Token![,]> =
                mac.parse_body_with(Punctuated::parse_terminated)?;
            let mut out = String::new();
            for arg in &args {
                out.push_str(&eval_concat_arg(arg, includes)?);
            }
            Ok(out)
        }
        Builtin::IncludeStr => {
            let arg: Expr = mac.parse_body_with(parse_single_arg)?;
            let path = match strip_groups(&arg) {
                Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(s), ..
                }) => s.value(),
                Expr::Macro(m) if builtin(&m.mac) == Some(Builtin::Concat) => {
                    eval_macro(&m.mac, includes)?
                }
                other => {
                    return Err(syn::Error::new_spanned(
                        other,
                        "argument to `include_str!` must be a string literal",
                    ));
                }
            };
            includes
                .read(arg.span(), &path)
                .map_err(|e| syn::Error::new_spanned(mac, e))
        }
    }
}

fn parse_single_arg(input: syn::parse::ParseStream) -> syn::Result<Expr> {
    let expr: Expr = input.parse()?;
    let _: Option<Token![,]> = input.parse()?;
    if !input.is_empty() {
        return Err(input.error("`include_str!` takes 1 argument"));
    }
    Ok(expr)
}

/// One argument of `concat!`, rendered as rustc renders it
/// (compiler/rustc_builtin_macros/src/concat.rs): strings and chars by value, integers
/// in decimal without suffix, floats as written without suffix, `-` kept.
fn eval_concat_arg(expr: &Expr, includes: &dyn IncludeResolver) -> syn::Result<String> {
    match strip_groups(expr) {
        Expr::Lit(lit) => lit_text(&lit.lit),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => match strip_groups(&u.expr) {
            Expr::Lit(syn::ExprLit {
                lit: lit @ (Lit::Int(_) | Lit::Float(_)),
                ..
            }) => Ok(format!("-{}", lit_text(lit)?)),
            _ => Err(syn::Error::new_spanned(expr, "expected a literal")),
        },
        Expr::Macro(m) => eval_macro(&m.mac, includes),
        other => Err(syn::Error::new_spanned(
            other,
            "expected a literal: only literals (like `\"foo\"`, `-42` and `3.14`) can be \
             passed to `concat!()`",
        )),
    }
}

fn lit_text(lit: &Lit) -> syn::Result<String> {
    Ok(match lit {
        Lit::Str(s) => s.value(),
        Lit::Char(c) => c.value().to_string(),
        Lit::Int(i) => i
            .base10_parse::<u128>()
            .map(|v| v.to_string())
            .unwrap_or_else(|_| i.base10_digits().to_string()),
        Lit::Float(f) => {
            let repr = f.to_string();
            repr.strip_suffix(f.suffix()).unwrap_or(&repr).to_string()
        }
        Lit::Bool(b) => b.value.to_string(),
        Lit::Byte(_) | Lit::ByteStr(_) | Lit::CStr(_) => {
            return Err(syn::Error::new(
                lit.span(),
                "cannot concatenate a byte string or C string literal",
            ));
        }
        other => {
            return Err(syn::Error::new(
                other.span(),
                "unsupported literal in `concat!`",
            ));
        }
    })
}
