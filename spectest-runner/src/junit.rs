//! JUnit XML for CI systems: one `<testsuite>` per engine and suite (`rust/v2`,
//! `wasmi/simd`, ...), one `<testcase>` per file.
//!
//! A file's testcase fails (`<failure>`) when a directive failed that is not listed in the
//! expected-failures list; the failure's text lists every such directive as
//! `file:line kind: expected E, got G`. A file whose directives are all unsupported or skipped
//! is `<skipped>`. Every testsuite carries the directive counts of the JSON report as
//! properties (`directives`, `passed`, `failed`, `unsupported`, `skipped`), and every testcase
//! its own counts in `<system-out>`.

use crate::record::{FileResult, Status};
use crate::report::Report;
use std::fmt::Write as _;

/// The JUnit XML document of a run: `results` are the per-file results of each engine, by
/// label, as the report was made from.
pub fn render(report: &Report, results: &[(String, Vec<FileResult>)]) -> String {
    let mut suites = String::new();
    let (mut all_tests, mut all_failures, mut all_skipped) = (0, 0, 0);
    for (label, files) in results {
        let engine = report.engines.get(label);
        for suite in report.suite_names() {
            let prefix = format!("{suite}/");
            let in_suite: Vec<&FileResult> = files.iter().filter(|f| f.file.starts_with(&prefix)).collect();
            if in_suite.is_empty() {
                continue;
            }
            let failures = in_suite.iter().filter(|f| f.unexpected_failures().next().is_some()).count();
            let skipped = in_suite.iter().filter(|f| all_not_run(f)).count();
            all_tests += in_suite.len();
            all_failures += failures;
            all_skipped += skipped;
            let counts = engine.and_then(|e| e.suites.get(suite));
            let _ = writeln!(
                suites,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" timestamp=\"{}\">",
                escape(&format!("{label}/{suite}")),
                in_suite.len(),
                escape(&report.date),
            );
            suites.push_str("    <properties>\n");
            let mut property = |name: &str, value: &str| {
                let _ = writeln!(suites, "      <property name=\"{name}\" value=\"{}\"/>", escape(value));
            };
            property("engine", label);
            if let Some(v) = engine.and_then(|e| e.version.as_deref()) {
                property("version", v);
            }
            property("testsuite", report.testsuite);
            if let Some(c) = counts {
                property("directives", &c.counts.directives.to_string());
                property("passed", &c.counts.passed.to_string());
                property("failed", &c.counts.failed.to_string());
                property("unsupported", &c.counts.unsupported.to_string());
                property("skipped", &c.counts.skipped.to_string());
            }
            suites.push_str("    </properties>\n");
            for file in in_suite {
                testcase(&mut suites, label, suite, file);
            }
            suites.push_str("  </testsuite>\n");
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"spectest-runner\" tests=\"{all_tests}\" failures=\"{all_failures}\" errors=\"0\" skipped=\"{all_skipped}\">\n{suites}</testsuites>\n"
    )
}

/// Whether no directive of the file ran: every one unsupported or skipped.
fn all_not_run(file: &FileResult) -> bool {
    !file.records.is_empty()
        && file.records.iter().all(|r| matches!(r.status, Status::Unsupported | Status::Skipped))
        && file.unsupported() > 0
}

fn testcase(out: &mut String, label: &str, suite: &str, file: &FileResult) {
    let classname = format!("{}.{}", label.replace('.', "_"), suite.replace('.', "_"));
    let _ = writeln!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\" time=\"0\">",
        escape(&classname),
        escape(&file.file)
    );
    let unexpected: Vec<String> = file
        .unexpected_failures()
        .map(|r| {
            // One line per directive: a multi-line detail (a crashed engine's stderr) is joined.
            let detail = r
                .detail
                .as_deref()
                .map(|d| format!(" ({})", d.split_whitespace().collect::<Vec<_>>().join(" ")))
                .unwrap_or_default();
            format!("{}:{} {}: expected {}, got {}{detail}", r.file, r.line, r.kind, r.expected, r.got)
        })
        .collect();
    if !unexpected.is_empty() {
        let _ = writeln!(
            out,
            "      <failure type=\"failed directives\" message=\"{} of {} directives failed\">{}</failure>",
            unexpected.len(),
            file.records.len(),
            escape(&unexpected.join("\n"))
        );
    } else if all_not_run(file) {
        let reason =
            file.records.iter().find(|r| r.status == Status::Unsupported).map_or("", |r| r.got.as_str());
        let _ = writeln!(out, "      <skipped message=\"{}\"/>", escape(reason));
    }
    let _ = writeln!(
        out,
        "      <system-out>{} directives: {} passed, {} failed ({} expected), {} unsupported, {} skipped</system-out>",
        file.records.len(),
        file.passed(),
        file.failed(),
        file.expected_failures(),
        file.unsupported(),
        file.skipped()
    );
    out.push_str("    </testcase>\n");
}

/// `text` escaped for XML attribute values and text, without characters XML 1.0 forbids.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::DirectiveRecord;
    use crate::report::{EngineReport, SuiteRun};
    use crate::suites::Suite;

    fn record(line: u32, got: &str, status: Status) -> DirectiveRecord {
        DirectiveRecord {
            file: "v2/a.wast".into(),
            index: line as usize,
            line,
            kind: "assert_return",
            expected: "i32:0x00000001".into(),
            got: got.into(),
            status,
            detail: None,
            expected_failure: false,
        }
    }

    #[test]
    fn one_testcase_per_file_failing_on_unexpected_failures() {
        let file = FileResult {
            file: "v2/a.wast".into(),
            records: vec![
                record(1, "i32:0x00000001", Status::Passed),
                record(2, "i32:<&>", Status::Failed),
                DirectiveRecord {
                    detail: Some("the adapter stopped\nstderr: boom".into()),
                    ..record(3, "missing", Status::Failed)
                },
            ],
            stale: Vec::new(),
        };
        let results = vec![("rust".to_string(), vec![file.clone()])];
        let mut report = Report::default();
        report.add_engine(
            "rust",
            EngineReport::new(&[SuiteRun { suite: Suite::V2, files: vec![file] }], Vec::new()),
        );
        let xml = render(&report, &results);
        assert!(xml.contains("<testsuite name=\"rust/v2\" tests=\"1\" failures=\"1\""), "{xml}");
        assert!(
            xml.contains("v2/a.wast:2 assert_return: expected i32:0x00000001, got i32:&lt;&amp;&gt;\n"),
            "{xml}"
        );
        assert!(
            xml.contains("got missing (the adapter stopped stderr: boom)</failure>"),
            "one line each: {xml}"
        );
        assert!(xml.contains("<property name=\"failed\" value=\"2\"/>"), "{xml}");
        assert_eq!(escape("a\u{1}b"), "a\\u{1}b");
    }
}
