//! The one piece of command-line parsing both subcommands share: `--key value` and
//! `--key=value` (the CLI has two subcommands and a handful of flags, not enough for a
//! parser dependency).

/// Splits `--key=value` into the key and its inline value; other arguments are keys.
pub fn split(arg: &str) -> (String, Option<String>) {
    match arg.split_once('=') {
        Some((k, v)) if k.starts_with("--") => (k.to_string(), Some(v.to_string())),
        _ => (arg.to_string(), None),
    }
}

/// The value of `key`: inline, or the next argument.
pub fn value(
    key: &str,
    inline: Option<String>,
    rest: &mut impl Iterator<Item = String>,
) -> Result<String, String> {
    inline
        .or_else(|| rest.next())
        .ok_or_else(|| format!("`{key}` needs a value"))
}
