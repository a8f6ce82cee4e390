//! Token streams for the parser tests: what `macro_rules!` makes of them.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

/// `tokens` inside an invisible group, as a `$x:tt`-free fragment (`$e:expr`) arrives.
pub(super) fn invisible(tokens: TokenStream) -> TokenStream {
    TokenTree::Group(Group::new(Delimiter::None, tokens)).into()
}

/// `tokens` with only their first token tree inside an invisible group (empty if there
/// is none).
pub(super) fn first_invisible(tokens: TokenStream) -> TokenStream {
    let mut trees = tokens.into_iter();
    let Some(first) = trees.next() else {
        return TokenStream::new();
    };
    let mut out = invisible(first.into());
    out.extend(trees);
    out
}
