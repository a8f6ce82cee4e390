//! Assembler diagnostics: a value with the byte range of the offending text, rendered by
//! the caller (the macro maps the range back to the template's spans).

use std::ops::Range;

/// One assembler error, in the words an assembler would use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsmError {
    /// Byte range in the assembled source of the offending statement or operand.
    pub range: Range<usize>,
    pub message: String,
    pub help: Option<String>,
}

impl AsmError {
    pub fn new(range: Range<usize>, message: impl Into<String>) -> Self {
        AsmError {
            range,
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl std::fmt::Display for AsmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

impl std::error::Error for AsmError {}
