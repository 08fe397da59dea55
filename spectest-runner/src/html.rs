//! The HTML report: one self-contained page (inline CSS, no script, nothing fetched) with the
//! engines and their versions, the date, the matrix (suites × engines: passed / failed /
//! unsupported), the agreement of every engine pair, and a drill-down per file (collapsible
//! `<details>`) listing every failure and every disagreement with both outcomes.

use crate::junit::escape;
use crate::record::{FileResult, Status};
use crate::report::{Counts, Report};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// At most this many failures per engine and file, and disagreements per pair and file, are
/// listed on the page (the JSON report has them all).
const LIST_LIMIT: usize = 200;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}\
th:first-child,td:first-child{text-align:left}th{background:#f0f0f0}\
td.pass{background:#e3f6e3}td.fail{background:#fbe3e3}td.part{background:#fff4d6}\
code,pre{font-family:ui-monospace,monospace;font-size:.9em}pre{white-space:pre-wrap;margin:.2em 0 .8em 1em}\
details{margin:.2em 0}summary{cursor:pointer}.muted{color:#777}#engines td{text-align:left}";

/// The HTML page of a run: `results` are the per-file results of each engine, by label.
pub fn render(report: &Report, results: &[(String, Vec<FileResult>)]) -> String {
    let engines: Vec<&str> = results.iter().map(|(l, _)| l.as_str()).collect();
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>WebAssembly conformance matrix</title><style>{STYLE}</style></head><body>\n<h1>WebAssembly conformance matrix</h1>\n<p>{} · {} · {:.1} s · produced by spectest-runner (epsilon {})</p>\n",
        escape(&report.date),
        escape(report.testsuite),
        report.seconds,
        escape(report.epsilon_version)
    );

    page.push_str("<h2>Engines</h2>\n<table id=\"engines\"><tr><th>engine</th><th>version</th><th>role</th><th>seconds</th></tr>\n");
    for e in &engines {
        let Some(r) = report.engines.get(*e) else { continue };
        let _ = writeln!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.1}</td></tr>",
            escape(e),
            escape(r.version.as_deref().unwrap_or("")),
            if r.peer { "peer" } else { "epsilon" },
            r.seconds
        );
    }
    page.push_str("</table>\n");

    page.push_str("<h2>Matrix</h2>\n<p>Each cell: passed / failed / unsupported directives (of all directives of the suite).</p>\n<table id=\"matrix\"><tr><th>suite</th>");
    for e in &engines {
        let _ = write!(page, "<th>{}</th>", escape(e));
    }
    page.push_str("</tr>\n");
    let suites = report.suite_names();
    for suite in &suites {
        let _ = write!(page, "<tr><td>{}</td>", escape(suite));
        for e in &engines {
            match report.engines.get(*e).and_then(|r| r.suites.get(*suite)) {
                Some(s) => page.push_str(&cell(&s.counts)),
                None => page.push_str("<td class=\"muted\">-</td>"),
            }
        }
        page.push_str("</tr>\n");
    }
    page.push_str("<tr><td><b>total</b></td>");
    for e in &engines {
        match report.engines.get(*e) {
            Some(r) => page.push_str(&cell(&r.total)),
            None => page.push_str("<td>-</td>"),
        }
    }
    page.push_str("</tr>\n</table>\n");

    page.push_str("<h2>Agreement</h2>\n<table id=\"agreement\"><tr><th>pair</th><th>compared</th><th>agreed</th><th>disagreed</th><th>unsupported</th><th>missing</th></tr>\n");
    for a in report.agreements() {
        let t = &a.total;
        let _ = writeln!(
            page,
            "<tr><td>{} = {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&a.left),
            escape(&a.right),
            t.compared,
            t.agreed,
            t.disagreed,
            t.unsupported,
            t.missing
        );
    }
    page.push_str("</table>\n");

    page.push_str("<h2>Files with failures or disagreements</h2>\n");
    drill_down(&mut page, report, results, &suites);

    let notes: Vec<String> = engines
        .iter()
        .filter_map(|e| report.engines.get(*e).map(|r| (e, r)))
        .flat_map(|(e, r)| r.notes.iter().map(move |n| format!("<li>{}: {}</li>", escape(e), escape(n))))
        .collect();
    if !notes.is_empty() {
        let _ = write!(page, "<h2>Notes</h2>\n<ul>\n{}\n</ul>\n", notes.join("\n"));
    }
    page.push_str("</body></html>\n");
    page
}

fn cell(c: &Counts) -> String {
    let class = if c.failed == 0 && c.unsupported == 0 {
        "pass"
    } else if c.passed == 0 {
        "fail"
    } else {
        "part"
    };
    format!(
        "<td class=\"{class}\" title=\"{} directives, {} skipped\">{} / {} / {}</td>",
        c.directives, c.skipped, c.passed, c.failed, c.unsupported
    )
}

/// One `<details>` per file with a failure or a disagreement, grouped by suite.
fn drill_down(page: &mut String, report: &Report, results: &[(String, Vec<FileResult>)], suites: &[&str]) {
    // file -> engine -> failed records
    let mut failures: BTreeMap<&str, Vec<(&str, &FileResult)>> = BTreeMap::new();
    for (label, files) in results {
        for f in files.iter().filter(|f| f.failed() > 0) {
            failures.entry(f.file.as_str()).or_default().push((label.as_str(), f));
        }
    }
    let mut disagreements: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for a in report.agreements() {
        for d in &a.disagreements {
            let sides: Vec<String> = d.outcomes.iter().map(|(e, s)| format!("{e}: {}", s.got)).collect();
            disagreements.entry(d.file.as_str()).or_default().push(format!(
                "line {} {} ({} = {}): {}",
                d.line,
                d.kind,
                a.left,
                a.right,
                sides.join("; ")
            ));
        }
    }
    let mut any = false;
    for suite in suites {
        let prefix = format!("{suite}/");
        let mut files: Vec<&str> =
            failures.keys().chain(disagreements.keys()).copied().filter(|f| f.starts_with(&prefix)).collect();
        files.sort_unstable();
        files.dedup();
        if files.is_empty() {
            continue;
        }
        any = true;
        let _ = writeln!(page, "<h3>{}</h3>", escape(suite));
        for file in files {
            let engines_failing: Vec<String> = failures
                .get(file)
                .map(|v| v.iter().map(|(e, f)| format!("{e} {}", f.failed())).collect())
                .unwrap_or_default();
            let n_disagreements = disagreements.get(file).map_or(0, Vec::len);
            let _ = writeln!(
                page,
                "<details><summary><code>{}</code> — failed: {}; disagreements: {}</summary>",
                escape(file),
                escape(&if engines_failing.is_empty() {
                    "none".to_string()
                } else {
                    engines_failing.join(", ")
                }),
                n_disagreements
            );
            for (engine, f) in failures.get(file).into_iter().flatten() {
                let _ = writeln!(page, "<p>{} failures:</p><pre>", escape(engine));
                let failed: Vec<_> = f.records.iter().filter(|r| r.status == Status::Failed).collect();
                for r in failed.iter().take(LIST_LIMIT) {
                    let mark = if r.expected_failure { " [expected failure]" } else { "" };
                    let _ = writeln!(
                        page,
                        "{}",
                        escape(&format!(
                            "line {} {}: expected {}, got {}{mark}",
                            r.line, r.kind, r.expected, r.got
                        ))
                    );
                }
                if failed.len() > LIST_LIMIT {
                    let _ =
                        writeln!(page, "... and {} more (see the JSON report)", failed.len() - LIST_LIMIT);
                }
                page.push_str("</pre>\n");
            }
            if let Some(list) = disagreements.get(file) {
                page.push_str("<p>disagreements:</p><pre>");
                for line in list.iter().take(LIST_LIMIT) {
                    let _ = writeln!(page, "{}", escape(line));
                }
                if list.len() > LIST_LIMIT {
                    let _ = writeln!(page, "... and {} more (see the JSON report)", list.len() - LIST_LIMIT);
                }
                page.push_str("</pre>\n");
            }
            page.push_str("</details>\n");
        }
    }
    if !any {
        page.push_str(
            "<p>None: every engine passed every directive it supports, and all engines agreed.</p>\n",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{EngineReport, SuiteRun};
    use crate::suites::Suite;

    #[test]
    fn the_page_is_self_contained_and_has_the_matrix() {
        let file = FileResult { file: "v2/a.wast".into(), records: Vec::new(), stale: Vec::new() };
        let mut report = Report::default();
        report.add_engine(
            "rust",
            EngineReport::new(&[SuiteRun { suite: Suite::V2, files: vec![file.clone()] }], Vec::new()),
        );
        let page = render(&report, &[("rust".to_string(), vec![file])]);
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("<table id=\"matrix\">") && page.contains("<td>v2</td>"), "{page}");
        assert!(!page.contains("http://") && !page.contains("https://") && !page.contains("<script"));
    }
}
