//! The expected-failures list (`testsuite/expected-failures.txt`) and the judgement of a
//! file's records against it.
//!
//! # Format
//!
//! One entry per line; blank lines and lines starting with `#` are ignored. Every entry
//! must end with a `#` comment giving the reason:
//!
//! ```text
//! simd/simd_lane.wast:123 assert_return  # one directive: file id, line, directive kind
//! simd/simd_lane.wast:*                  # the whole file: any directive in it may fail
//! ```
//!
//! A listed failure still counts as a failure in the report (as an *expected* failure).
//! An entry is *stale* when what it lists no longer fails: a directive entry whose directive
//! passes (or does not exist), or a file entry for a file without any failure.

use crate::record::{DirectiveRecord, FileResult, Status};
use std::collections::HashSet;
use std::path::Path;

/// What an entry covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The directive(s) of this kind starting on this line.
    Directive {
        /// 1-based line.
        line: u32,
        /// Directive kind, as in [`crate::run::kind_name`].
        kind: String,
    },
    /// Every directive of the file.
    File,
}

/// One entry of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The file id, `<suite>/<file>`.
    pub file: String,
    /// What the entry covers.
    pub target: Target,
    /// Why the failure is expected.
    pub reason: String,
    /// The 1-based line of the entry in the list.
    pub source_line: usize,
}

impl Entry {
    /// The entry without its reason, as it would be written in the list.
    pub fn spec(&self) -> String {
        match &self.target {
            Target::Directive { line, kind } => format!("{}:{line} {kind}", self.file),
            Target::File => format!("{}:*", self.file),
        }
    }
}

/// The parsed expected-failures list.
#[derive(Debug, Clone, Default)]
pub struct ExpectedFailures {
    entries: Vec<Entry>,
}

impl ExpectedFailures {
    /// A list without entries.
    pub fn empty() -> Self {
        ExpectedFailures::default()
    }

    /// Reads and parses the list at `path`; a missing file is an empty list.
    ///
    /// # Errors
    /// If the file cannot be read or has malformed entries (all problems are reported).
    pub fn load(path: &Path) -> Result<Self, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => ExpectedFailures::parse(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ExpectedFailures::empty()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Parses the text of a list.
    ///
    /// # Errors
    /// Every malformed or duplicate entry, one per line of the message.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut entries: Vec<Entry> = Vec::new();
        let mut errors = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let source_line = i + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match parse_entry(line, source_line) {
                Ok(entry) => {
                    if entries.iter().any(|e| e.file == entry.file && e.target == entry.target) {
                        errors.push(format!("line {source_line}: duplicate entry `{}`", entry.spec()));
                    } else {
                        entries.push(entry);
                    }
                }
                Err(e) => errors.push(format!("line {source_line}: {e}")),
            }
        }
        if errors.is_empty() { Ok(ExpectedFailures { entries }) } else { Err(errors.join("\n")) }
    }

    /// All entries, in list order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Entries naming a file that is not among `known_files` (file ids), as written.
    pub fn unknown_files(&self, known_files: &HashSet<String>) -> Vec<String> {
        self.entries.iter().filter(|e| !known_files.contains(&e.file)).map(Entry::spec).collect()
    }

    /// Marks the listed failures among `records` of the file `file` and finds stale entries.
    pub fn judge(&self, file: &str, mut records: Vec<DirectiveRecord>) -> FileResult {
        let entries: Vec<&Entry> = self.entries.iter().filter(|e| e.file == file).collect();
        let whole_file = entries.iter().any(|e| e.target == Target::File);
        let mut used = vec![false; entries.len()];
        let mut any_failure = false;
        for record in records.iter_mut().filter(|r| r.status == Status::Failed) {
            any_failure = true;
            for (entry, used) in entries.iter().zip(used.iter_mut()) {
                if let Target::Directive { line, kind } = &entry.target
                    && *line == record.line
                    && kind == record.kind
                {
                    *used = true;
                    record.expected_failure = true;
                }
            }
            if whole_file {
                record.expected_failure = true;
            }
        }
        let stale = entries
            .iter()
            .zip(&used)
            .filter(|(entry, used)| match entry.target {
                Target::File => !any_failure,
                Target::Directive { .. } => !**used,
            })
            .map(|(entry, _)| format!("{}  # {}", entry.spec(), entry.reason))
            .collect();
        FileResult { file: file.to_string(), records, stale }
    }
}

fn parse_entry(line: &str, source_line: usize) -> Result<Entry, String> {
    let Some((spec, reason)) = line.split_once('#') else {
        return Err(format!("`{line}` has no `# reason`"));
    };
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(format!("`{line}` has an empty reason"));
    }
    let mut words = spec.split_whitespace();
    let location = words.next().ok_or_else(|| format!("`{line}` has no file"))?;
    let kind = words.next();
    if let Some(extra) = words.next() {
        return Err(format!("unexpected `{extra}` (expected `<suite>/<file>:<line> <kind>  # reason`)"));
    }
    let (file, at) = location
        .rsplit_once(':')
        .ok_or_else(|| format!("`{location}` is not `<suite>/<file>:<line>` or `<suite>/<file>:*`"))?;
    if !file.contains('/') || !file.ends_with(".wast") {
        return Err(format!("`{file}` is not a file id like `simd/simd_lane.wast`"));
    }
    let target = if at == "*" {
        if let Some(kind) = kind {
            return Err(format!("a whole-file entry takes no kind (got `{kind}`)"));
        }
        Target::File
    } else {
        let line: u32 = at.parse().map_err(|_| format!("`{at}` is not a line number or `*`"))?;
        let kind = kind.ok_or_else(|| format!("`{location}` needs a directive kind"))?;
        if !crate::run::KINDS.contains(&kind) {
            return Err(format!("unknown directive kind `{kind}`"));
        }
        Target::Directive { line, kind: kind.to_string() }
    };
    Ok(Entry { file: file.to_string(), target, reason: reason.to_string(), source_line })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(line: u32, kind: &'static str, status: Status) -> DirectiveRecord {
        DirectiveRecord {
            file: "v2/a.wast".into(),
            index: 0,
            line,
            kind,
            expected: "ok".into(),
            got: "ok".into(),
            status,
            detail: None,
            expected_failure: false,
        }
    }

    #[test]
    fn parses_both_forms_and_rejects_missing_reasons() {
        let list = ExpectedFailures::parse(
            "# comment\n\nsimd/simd_lane.wast:123 assert_return  # why\nsimd/x.wast:*  # because\n",
        )
        .unwrap();
        assert_eq!(list.entries().len(), 2);
        assert_eq!(list.entries()[0].spec(), "simd/simd_lane.wast:123 assert_return");
        assert_eq!(list.entries()[1].target, Target::File);
        assert!(ExpectedFailures::parse("simd/x.wast:*\n").is_err());
        assert!(ExpectedFailures::parse("simd/x.wast:12  # no kind\n").is_err());
        assert!(ExpectedFailures::parse("simd/x.wast:12 frobnicate  # bad kind\n").is_err());
        assert!(
            ExpectedFailures::parse("simd/x.wast:* \nsimd/x.wast:*  # dup\nsimd/x.wast:*  # dup\n").is_err()
        );
    }

    #[test]
    fn judges_listed_failures_and_stale_entries() {
        let list = ExpectedFailures::parse("v2/a.wast:3 invoke  # r\nv2/a.wast:9 invoke  # gone\n").unwrap();
        let result = list.judge(
            "v2/a.wast",
            vec![record(3, "invoke", Status::Failed), record(5, "module", Status::Failed)],
        );
        assert!(result.records[0].expected_failure);
        assert!(!result.records[1].expected_failure);
        assert_eq!(result.stale, vec!["v2/a.wast:9 invoke  # gone".to_string()]);
        assert!(!result.is_ok());

        let whole = ExpectedFailures::parse("v2/a.wast:*  # r\n").unwrap();
        assert!(whole.judge("v2/a.wast", vec![record(5, "module", Status::Failed)]).is_ok());
        assert!(!whole.judge("v2/a.wast", vec![record(5, "module", Status::Passed)]).is_ok());
    }
}
