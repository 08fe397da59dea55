//! Agreement between two engines: their outcomes joined per `(file, line, kind)` (and the
//! occurrence among directives sharing all three, which is almost always the first).
//!
//! A directive is *agreed* when both engines produced the same canonical outcome string
//! (the same bits, the same trap message, the same rejection class), *disagreed* when both
//! produced one and they differ, and *missing* when one engine has no outcome for it (no
//! record, or the `missing` outcome), *unsupported* when either engine does not support it
//! (an `unsupported:` outcome). `compared` counts every directive of either side:
//! `compared = agreed + disagreed + unsupported + missing`. An engine that does not tell
//! malformed from invalid reports `rejected`, which agrees with either class
//! ([`crate::outcome::agree`]).

use crate::outcome::{self, MISSING};
use crate::record::{DirectiveRecord, Status};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// One engine's outcome of one directive, as the join needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct Outcome {
    /// File id.
    pub file: String,
    /// 1-based line of the directive.
    pub line: u32,
    /// Directive kind.
    pub kind: String,
    /// Canonical outcome.
    pub got: String,
    /// Canonical expectation, when known.
    #[serde(default)]
    pub expected: Option<String>,
    /// Status, when judged.
    #[serde(default)]
    pub status: Option<Status>,
    /// Full message or reason.
    #[serde(default)]
    pub detail: Option<String>,
    /// The engine label, in a records file of several engines.
    #[serde(default)]
    pub engine: Option<String>,
}

impl From<&DirectiveRecord> for Outcome {
    fn from(r: &DirectiveRecord) -> Self {
        Outcome {
            file: r.file.clone(),
            line: r.line,
            kind: r.kind.to_string(),
            got: r.got.clone(),
            expected: Some(r.expected.clone()),
            status: Some(r.status),
            detail: r.detail.clone(),
            engine: None,
        }
    }
}

/// Counts of a comparison.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct AgreementCounts {
    /// Directives of either side.
    pub compared: usize,
    /// Same outcome on both sides.
    pub agreed: usize,
    /// Different outcomes.
    pub disagreed: usize,
    /// An outcome on one side only.
    pub missing: usize,
    /// Not supported by either engine.
    pub unsupported: usize,
}

/// One side of a disagreement.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// Canonical outcome.
    pub got: String,
    /// Status, when judged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Full message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A directive on which the engines disagree.
#[derive(Debug, Clone, Serialize)]
pub struct Disagreement {
    /// File id.
    pub file: String,
    /// Line.
    pub line: u32,
    /// Kind.
    pub kind: String,
    /// Canonical expectation, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// Both outcomes, by engine label.
    pub outcomes: BTreeMap<String, Side>,
}

/// A directive one engine has no outcome for.
#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    /// File id.
    pub file: String,
    /// Line.
    pub line: u32,
    /// Kind.
    pub kind: String,
    /// The engine without an outcome.
    pub engine: String,
    /// Why (the `missing` record's detail, or "no record").
    pub reason: String,
}

/// The comparison of two engines.
#[derive(Debug, Clone, Serialize)]
pub struct Agreement {
    /// The reference engine.
    pub left: String,
    /// The other engine.
    pub right: String,
    /// Over every suite.
    #[serde(flatten)]
    pub total: AgreementCounts,
    /// Per suite (the part of the file id before `/`).
    pub suites: BTreeMap<String, AgreementCounts>,
    /// Every disagreement, in file order.
    pub disagreements: Vec<Disagreement>,
    /// Every missing directive, in file order.
    pub missing_directives: Vec<Missing>,
}

impl Agreement {
    /// Whether every directive was agreed.
    pub fn is_complete(&self) -> bool {
        self.total.disagreed == 0 && self.total.missing == 0
    }

    /// One line for logs.
    pub fn summary(&self) -> String {
        let t = &self.total;
        format!(
            "[agreement {} = {}] {} compared: {} agreed, {} disagreed, {} unsupported, {} missing",
            self.left, self.right, t.compared, t.agreed, t.disagreed, t.unsupported, t.missing
        )
    }
}

type Key = (String, u32, String, usize);

/// Outcomes grouped by engine label, in the order the labels first appear.
pub type EngineOutcomes = Vec<(String, Vec<Outcome>)>;

/// Keys every outcome by `(file, line, kind, occurrence)`.
fn keyed(outcomes: &[Outcome]) -> Vec<Key> {
    let mut seen: HashMap<(&str, u32, &str), usize> = HashMap::new();
    outcomes
        .iter()
        .map(|o| {
            let n = seen.entry((&o.file, o.line, &o.kind)).or_insert(0);
            *n += 1;
            (o.file.clone(), o.line, o.kind.clone(), *n - 1)
        })
        .collect()
}

/// Joins the outcomes of two engines.
pub fn join(left_name: &str, left: &[Outcome], right_name: &str, right: &[Outcome]) -> Agreement {
    let mut agreement = Agreement {
        left: left_name.to_string(),
        right: right_name.to_string(),
        total: AgreementCounts::default(),
        suites: BTreeMap::new(),
        disagreements: Vec::new(),
        missing_directives: Vec::new(),
    };
    let right_keys = keyed(right);
    let mut right_index: HashMap<&Key, usize> = right_keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
    let left_keys = keyed(left);
    // Left order first, then what only the right side has.
    let mut pairs: Vec<(Option<&Outcome>, Option<&Outcome>)> = Vec::with_capacity(left.len());
    for (o, k) in left.iter().zip(&left_keys) {
        pairs.push((Some(o), right_index.remove(k).map(|i| &right[i])));
    }
    let mut only_right: Vec<usize> = right_index.into_values().collect();
    only_right.sort_unstable();
    pairs.extend(only_right.into_iter().map(|i| (None, Some(&right[i]))));

    for (l, r) in pairs {
        let any = l.or(r).expect("one side is present");
        let suite = any.file.split('/').next().unwrap_or_default().to_string();
        let counts = agreement.suites.entry(suite).or_default();
        counts.compared += 1;
        agreement.total.compared += 1;
        let absent = |side: Option<&Outcome>, name: &str| -> Option<Missing> {
            match side {
                None => Some(Missing {
                    file: any.file.clone(),
                    line: any.line,
                    kind: any.kind.clone(),
                    engine: name.to_string(),
                    reason: "no record".to_string(),
                }),
                Some(o) if o.got == MISSING => Some(Missing {
                    file: o.file.clone(),
                    line: o.line,
                    kind: o.kind.clone(),
                    engine: name.to_string(),
                    reason: o.detail.clone().unwrap_or_else(|| "no outcome".to_string()),
                }),
                Some(_) => None,
            }
        };
        let missing: Vec<Missing> =
            [absent(l, left_name), absent(r, right_name)].into_iter().flatten().collect();
        if !missing.is_empty() {
            counts.missing += 1;
            agreement.total.missing += 1;
            agreement.missing_directives.extend(missing);
            continue;
        }
        let (Some(l), Some(r)) = (l, r) else { continue };
        if outcome::is_unsupported(&l.got) || outcome::is_unsupported(&r.got) {
            counts.unsupported += 1;
            agreement.total.unsupported += 1;
        } else if outcome::agree(&l.got, &r.got) {
            counts.agreed += 1;
            agreement.total.agreed += 1;
        } else {
            counts.disagreed += 1;
            agreement.total.disagreed += 1;
            let side = |o: &Outcome| Side { got: o.got.clone(), status: o.status, detail: o.detail.clone() };
            agreement.disagreements.push(Disagreement {
                file: l.file.clone(),
                line: l.line,
                kind: l.kind.clone(),
                expected: l.expected.clone().or_else(|| r.expected.clone()),
                outcomes: [(left_name.to_string(), side(l)), (right_name.to_string(), side(r))].into(),
            });
        }
    }
    agreement
}

/// Reads records files (JSON lines, as written by `--records` or by the Python driver) and
/// groups their outcomes by engine label: the record's `engine` field, else the file's path.
/// Lines that are not outcome records (driver events) are ignored; lines that are not JSON
/// are returned as errors.
pub fn read_records(paths: &[std::path::PathBuf]) -> Result<(EngineOutcomes, Vec<String>), String> {
    let mut groups: EngineOutcomes = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let default = path.display().to_string();
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let value: serde_json::Value = match serde_json::from_str(line) {
                Ok(v) => v,
                Err(e) => {
                    errors.push(format!("{}:{}: not JSON: {e}", path.display(), n + 1));
                    continue;
                }
            };
            if value.get("event").is_some() {
                continue;
            }
            match serde_json::from_value::<Outcome>(value) {
                Ok(o) => {
                    let label = o.engine.clone().unwrap_or_else(|| default.clone());
                    match groups.iter_mut().find(|(l, _)| *l == label) {
                        Some((_, v)) => v.push(o),
                        None => groups.push((label, vec![o])),
                    }
                }
                Err(e) => errors.push(format!("{}:{}: not a record: {e}", path.display(), n + 1)),
            }
        }
    }
    Ok((groups, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(file: &str, line: u32, kind: &str, got: &str) -> Outcome {
        Outcome {
            file: file.into(),
            line,
            kind: kind.into(),
            got: got.into(),
            expected: None,
            status: None,
            detail: None,
            engine: None,
        }
    }

    #[test]
    fn detects_agreement_disagreement_and_missing() {
        let left = vec![
            o("v2/a.wast", 1, "module", "ok"),
            o("v2/a.wast", 2, "assert_return", "f32:0x7fc00000"),
            o("v2/a.wast", 3, "assert_return", "i32:0x00000001"),
            o("v2/a.wast", 3, "assert_return", "i32:0x00000002"),
            o("simd/b.wast", 9, "assert_invalid", "invalid"),
        ];
        let mut right = vec![
            o("v2/a.wast", 1, "module", "ok"),
            o("v2/a.wast", 2, "assert_return", "f32:0xffc00000"),
            o("v2/a.wast", 3, "assert_return", "i32:0x00000001"),
            o("v2/a.wast", 3, "assert_return", "i32:0x00000002"),
            o("simd/b.wast", 9, "assert_invalid", "missing"),
            o("simd/b.wast", 12, "module", "ok"),
        ];
        right[4].detail = Some("driver crashed".into());
        let a = join("rust", &left, "python", &right);
        assert_eq!(
            a.total,
            AgreementCounts { compared: 6, agreed: 3, disagreed: 1, missing: 2, unsupported: 0 }
        );
        assert_eq!(
            a.suites["v2"],
            AgreementCounts { compared: 4, agreed: 3, disagreed: 1, missing: 0, unsupported: 0 }
        );
        assert_eq!(a.disagreements.len(), 1);
        assert_eq!(a.disagreements[0].line, 2, "a NaN's sign is a disagreement even if both pass");
        assert_eq!(a.disagreements[0].outcomes["python"].got, "f32:0xffc00000");
        assert_eq!(a.missing_directives.len(), 2);
        assert_eq!(a.missing_directives[0].reason, "driver crashed");
        assert_eq!((a.missing_directives[1].line, a.missing_directives[1].engine.as_str()), (12, "rust"));
        assert!(!a.is_complete());
        assert!(join("rust", &left, "rust2", &left).is_complete());
    }

    #[test]
    fn repeated_keys_pair_in_order() {
        let left = vec![o("v2/a.wast", 3, "invoke", "ok"), o("v2/a.wast", 3, "invoke", "i32:0x00000001")];
        let right = vec![o("v2/a.wast", 3, "invoke", "ok")];
        let a = join("l", &left, "r", &right);
        assert_eq!(
            a.total,
            AgreementCounts { compared: 2, agreed: 1, disagreed: 0, missing: 1, unsupported: 0 }
        );
    }

    #[test]
    fn unsupported_and_unclassified_rejections_are_not_disagreements() {
        let left = [o("v2/a.wast", 1, "assert_invalid", "invalid"), o("v2/a.wast", 2, "assert_return", "ok")];
        let right = [
            o("v2/a.wast", 1, "assert_invalid", "rejected"),
            o("v2/a.wast", 2, "assert_return", "unsupported:v128 arguments"),
        ];
        let a = join("rust", &left, "peer", &right);
        assert_eq!(
            a.total,
            AgreementCounts { compared: 2, agreed: 1, disagreed: 0, missing: 0, unsupported: 1 }
        );
        let l = [o("v2/a.wast", 1, "assert_trap", "trap:uninitialized element 2")];
        let r = [o("v2/a.wast", 1, "assert_trap", "trap:uninitialized element")];
        assert_eq!(join("a", &l, "b", &r).total.agreed, 1, "a detail after the same words");
        let r = [o("v2/a.wast", 1, "assert_trap", "trap:uninitialized elements")];
        assert_eq!(join("a", &l, "b", &r).total.disagreed, 1);
        let l = [o("v2/a.wast", 1, "assert_invalid", "invalid")];
        let r = [o("v2/a.wast", 1, "assert_invalid", "malformed")];
        assert_eq!(join("a", &l, "b", &r).total.disagreed, 1, "two known classes must be the same");
    }

    #[test]
    fn reads_records_of_several_engines_and_reports_corrupt_lines() {
        let dir = std::env::temp_dir().join(format!("spectest-compare-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("records.jsonl");
        std::fs::write(
            &path,
            "{\"engine\":\"rust\",\"file\":\"v2/a.wast\",\"line\":1,\"kind\":\"module\",\"got\":\"ok\"}\n\
             {\"event\":\"start\",\"dir\":\"x\"}\n\
             {\"engine\":\"python\",\"file\":\"v2/a.wast\",\"line\":1,\"kind\":\"module\",\"got\":\"ok\"}\n\
             {\"engine\":\"python\",\"file\":\n",
        )
        .unwrap();
        let (groups, errors) = read_records(std::slice::from_ref(&path)).unwrap();
        assert_eq!(
            groups.iter().map(|(l, v)| (l.as_str(), v.len())).collect::<Vec<_>>(),
            [("rust", 1), ("python", 1)]
        );
        assert_eq!(errors.len(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
