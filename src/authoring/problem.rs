//! One thing wrong with a source, reported as `path: field: what is wrong`.

use std::fmt;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(path: &Path, field: impl Into<String>, message: impl Into<String>) -> Self {
        Problem { path: path.display().to_string(), field: field.into(), message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.path, self.field, self.message)
    }
}
