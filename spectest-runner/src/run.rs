//! The Rust engine: executes one `.wast` file through epsilon's Rust API and records the
//! outcome of every top-level directive.
//!
//! Each file runs in a fresh [`Store`] with a fresh `spectest` host module. The engine only
//! produces canonical outcome strings ([`Produced`]); [`crate::expect::judge`] judges them,
//! as it does for the Python engine. Failures never stop the file: every directive gets
//! exactly one [`DirectiveRecord`]. Panics inside a directive are caught and recorded as that
//! directive's outcome (`panic:<message>`).

use crate::expect::Expectation;
use crate::lines::LineIndex;
use crate::outcome::{self, MALFORMED, OK, SKIPPED};
use crate::record::DirectiveRecord;
use crate::suites::{Limits, TestFile};
use crate::values::{self, ExternRefs};
use epsilon::{Engine, Error, Instance, Linker, Module, Store, Val};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};
use wast::parser::{self, ParseBuffer};
use wast::token::Id;
use wast::{QuoteWat, Wast, WastDirective, WastExecute, WastInvoke, Wat};

/// The deadline set on every store when interruption is on: far enough never to fire.
const DEADLINE: Duration = Duration::from_secs(3600);

/// Runs every directive of `file` and returns one record per top-level directive.
///
/// A file that does not parse gives a single failed record of kind `parse`.
pub fn run_file(file: &TestFile) -> Vec<DirectiveRecord> {
    run_file_with(file, Limits::NONE)
}

/// [`run_file`] with resource limits switched on (fuel and/or interruption).
///
/// A file that needs a feature epsilon does not implement gives `unsupported:` records (see
/// [`crate::suites::epsilon_unsupported`]).
pub fn run_file_with(file: &TestFile, limits: Limits) -> Vec<DirectiveRecord> {
    if let Some(reason) = crate::suites::epsilon_unsupported(&file.features()) {
        return crate::export::unsupported_records(file, &reason);
    }
    let id = file.id();
    let lines = LineIndex::new(&file.source);
    let parsed = with_directives(&file.source, |directives| {
        let mut config = file.config();
        limits.apply(&mut config);
        let mut state = FileState::new(config, limits);
        let mut records = Vec::with_capacity(directives.len());
        for (index, directive) in directives.into_iter().enumerate() {
            let line = lines.line(directive.span().offset());
            let kind = kind_name(&directive);
            let expectation = Expectation::of(&directive);
            let produced = match (expectation.skip_reason(), &mut state) {
                (Some(reason), _) => Produced::new(SKIPPED, Some(reason.to_string())),
                (None, Ok(state)) => catch_unwind(AssertUnwindSafe(|| state.execute(directive)))
                    .unwrap_or_else(|payload| Produced::panicked(payload.as_ref())),
                (None, Err(setup)) => Produced::new("error:setup", Some(setup.clone())),
            };
            records.push(DirectiveRecord::judged(
                &id,
                index,
                line,
                kind,
                &expectation,
                produced.got,
                produced.detail,
            ));
        }
        records
    });
    match parsed {
        Ok(records) => records,
        Err(e) => vec![parse_failure(&id, &lines, &e)],
    }
}

/// [`run_file_with`] with a last line of defence: a panic outside any directive is recorded as
/// a single failed record of kind `panic`.
pub fn run_file_guarded(file: &TestFile, limits: Limits) -> Vec<DirectiveRecord> {
    catch_unwind(AssertUnwindSafe(|| run_file_with(file, limits))).unwrap_or_else(|payload| {
        let p = Produced::panicked(payload.as_ref());
        vec![DirectiveRecord::judged(&file.id(), 0, 1, "panic", &Expectation::Ok, p.got, p.detail)]
    })
}

/// The number of top-level directives of a `.wast` text (the census).
///
/// # Errors
/// The parse error, if the text is not a valid `.wast` script.
pub fn count_directives(source: &str) -> Result<usize, String> {
    with_directives(source, |directives| directives.len()).map_err(|e| e.message())
}

/// Parses `source` as a `.wast` script (accepting confusable Unicode, as the official suite
/// needs) and hands its directives to `f`.
pub fn with_directives<R>(
    source: &str,
    f: impl FnOnce(Vec<WastDirective<'_>>) -> R,
) -> Result<R, wast::Error> {
    with_wast(source, |wast| f(wast.directives))
}

/// Parses `source` as a `.wast` script (accepting confusable Unicode) and hands it to `f`.
pub fn with_wast<R>(source: &str, f: impl FnOnce(Wast<'_>) -> R) -> Result<R, wast::Error> {
    let mut lexer = wast::lexer::Lexer::new(source);
    lexer.allow_confusing_unicode(true);
    let buffer = ParseBuffer::new_with_lexer(lexer)?;
    let wast = parser::parse::<Wast<'_>>(&buffer)?;
    Ok(f(wast))
}

/// The single failed record of a file that does not parse (the same for every engine).
pub fn parse_failure(id: &str, lines: &LineIndex, e: &wast::Error) -> DirectiveRecord {
    let line = lines.line(e.span().offset());
    let got = format!("error:parse: {}", e.message());
    DirectiveRecord::judged(id, 0, line, "parse", &Expectation::Ok, got, None)
}

/// The directive kind as written in the file.
pub fn kind_name(directive: &WastDirective<'_>) -> &'static str {
    match directive {
        WastDirective::Module(_) => "module",
        WastDirective::ModuleDefinition(_) => "module_definition",
        WastDirective::ModuleInstance { .. } => "module_instance",
        WastDirective::AssertMalformed { .. } => "assert_malformed",
        WastDirective::AssertInvalid { .. } => "assert_invalid",
        WastDirective::AssertInvalidCustom { .. } => "assert_invalid_custom",
        WastDirective::AssertMalformedCustom { .. } => "assert_malformed_custom",
        WastDirective::Register { .. } => "register",
        WastDirective::Invoke(_) => "invoke",
        WastDirective::AssertTrap { .. } => "assert_trap",
        WastDirective::AssertReturn { .. } => "assert_return",
        WastDirective::AssertExhaustion { .. } => "assert_exhaustion",
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable",
        WastDirective::AssertException { .. } => "assert_exception",
        WastDirective::AssertSuspension { .. } => "assert_suspension",
        WastDirective::Thread(_) => "thread",
        WastDirective::Wait { .. } => "wait",
    }
}

/// Every directive kind [`kind_name`] can return, plus the pseudo-kinds `parse` and `panic`.
pub const KINDS: &[&str] = &[
    "module",
    "module_definition",
    "module_instance",
    "assert_malformed",
    "assert_invalid",
    "assert_invalid_custom",
    "assert_malformed_custom",
    "register",
    "invoke",
    "assert_trap",
    "assert_return",
    "assert_exhaustion",
    "assert_unlinkable",
    "assert_exception",
    "assert_suspension",
    "thread",
    "wait",
    "parse",
    "panic",
];

/// What an engine produced for one directive: the canonical outcome and a readable detail.
#[derive(Debug, Clone)]
pub struct Produced {
    /// The canonical outcome string (see [`crate::outcome`]).
    pub got: String,
    /// The full error message or skip reason, when there is one.
    pub detail: Option<String>,
}

impl Produced {
    fn new(got: impl Into<String>, detail: Option<String>) -> Self {
        Produced { got: got.into(), detail }
    }

    fn ok() -> Self {
        Produced::new(OK, None)
    }

    fn values(store: &Store<()>, vals: &[Val]) -> Self {
        Produced::new(outcome::values(store, vals), None)
    }

    fn panicked(payload: &(dyn std::any::Any + Send)) -> Self {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "non-string panic payload".to_string());
        Produced::new(format!("panic:{message}"), None)
    }
}

impl From<Failure> for Produced {
    fn from(f: Failure) -> Self {
        Produced { got: f.got, detail: f.detail }
    }
}

/// Why a step did not produce its result: the canonical outcome and a readable detail.
struct Failure {
    got: String,
    detail: Option<String>,
}

impl Failure {
    fn other(message: String) -> Self {
        Failure { got: format!("error:{message}"), detail: None }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure { got: outcome::error(&e), detail: Some(e.to_string()) }
    }
}

/// Everything one file's directives share: the store, the linker with `spectest` and the
/// registered instances, and the named and current instances.
struct FileState {
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    /// The most recently instantiated module, or why there is none.
    current: Result<Instance, &'static str>,
    named: HashMap<String, Instance>,
    definitions: HashMap<String, Module>,
    last_definition: Option<Module>,
    externs: ExternRefs,
}

impl FileState {
    fn new(config: epsilon::Config, limits: Limits) -> Result<Self, String> {
        let engine = Engine::new(config);
        let mut store = Store::new(&engine, ());
        if limits.fuel {
            store.set_fuel(u64::MAX).map_err(|e| e.to_string())?;
        }
        if limits.interrupt {
            // Far enough never to fire; the checks run on every call and loop iteration.
            store.set_deadline(Some(Instant::now() + DEADLINE));
        }
        let mut linker = Linker::new(&engine);
        linker.allow_shadowing(true);
        crate::spectest_host::define(&mut linker, &mut store).map_err(|e| e.to_string())?;
        Ok(FileState {
            engine,
            store,
            linker,
            current: Err("no module instantiated yet"),
            named: HashMap::new(),
            definitions: HashMap::new(),
            last_definition: None,
            externs: ExternRefs::default(),
        })
    }

    /// Runs one directive that is not skipped and returns its canonical outcome.
    fn execute(&mut self, directive: WastDirective<'_>) -> Produced {
        match directive {
            WastDirective::Module(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                match self.instantiate_quote(&mut module) {
                    Ok(instance) => {
                        self.current = Ok(instance);
                        if let Some(name) = name {
                            self.named.insert(name, instance);
                        }
                        Produced::ok()
                    }
                    Err(f) => {
                        // Later directives refer to this module: make them fail clearly
                        // instead of running against an older one.
                        self.current = Err("the current module failed to compile or instantiate");
                        if let Some(name) = name {
                            self.named.remove(&name);
                        }
                        f.into()
                    }
                }
            }
            WastDirective::ModuleDefinition(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                match encode(&mut module).and_then(|bytes| self.compile(&bytes)) {
                    Ok(compiled) => {
                        if let Some(name) = name {
                            self.definitions.insert(name, compiled.clone());
                        }
                        self.last_definition = Some(compiled);
                        Produced::ok()
                    }
                    Err(f) => f.into(),
                }
            }
            WastDirective::ModuleInstance { instance, module, .. } => {
                let compiled = match module {
                    Some(id) => self.definitions.get(id.name()).cloned(),
                    None => self.last_definition.clone(),
                };
                let Some(compiled) = compiled else {
                    return Produced::new("error:unknown module definition", None);
                };
                match self.instantiate(&compiled) {
                    Ok(inst) => {
                        self.current = Ok(inst);
                        if let Some(id) = instance {
                            self.named.insert(id.name().to_string(), inst);
                        }
                        Produced::ok()
                    }
                    Err(f) => {
                        self.current = Err("the current module failed to instantiate");
                        f.into()
                    }
                }
            }
            // Text that `wast` cannot turn into a binary counts as malformed.
            WastDirective::AssertMalformed { mut module, .. }
            | WastDirective::AssertInvalid { mut module, .. } => {
                match encode(&mut module).and_then(|bytes| self.compile(&bytes)) {
                    Ok(_) => Produced::ok(),
                    Err(f) => f.into(),
                }
            }
            WastDirective::AssertUnlinkable { mut module, .. } => {
                let result = module
                    .encode()
                    .map_err(text_failure)
                    .and_then(|bytes| self.compile(&bytes))
                    .and_then(|compiled| self.instantiate(&compiled));
                match result {
                    Ok(_) => Produced::ok(),
                    Err(f) => f.into(),
                }
            }
            WastDirective::Register { name, module, .. } => {
                let result = self.instance(module).and_then(|inst| {
                    self.linker.instance(&mut self.store, name, inst).map_err(Failure::from)?;
                    Ok(())
                });
                match result {
                    Ok(()) => Produced::ok(),
                    Err(f) => f.into(),
                }
            }
            WastDirective::Invoke(invoke) | WastDirective::AssertExhaustion { call: invoke, .. } => {
                match self.invoke(&invoke) {
                    Ok(vals) => Produced::values(&self.store, &vals),
                    Err(f) => f.into(),
                }
            }
            WastDirective::AssertReturn { exec, .. }
            | WastDirective::AssertTrap { exec, .. }
            | WastDirective::AssertException { exec, .. } => match self.exec(exec) {
                Ok(vals) => Produced::values(&self.store, &vals),
                Err(f) => f.into(),
            },
            // Skipped before execution (see `Expectation::of`).
            WastDirective::AssertInvalidCustom { .. }
            | WastDirective::AssertMalformedCustom { .. }
            | WastDirective::AssertSuspension { .. }
            | WastDirective::Thread(_)
            | WastDirective::Wait { .. } => Produced::new(SKIPPED, None),
        }
    }

    fn compile(&self, bytes: &[u8]) -> Result<Module, Failure> {
        Ok(Module::new(&self.engine, bytes)?)
    }

    fn instantiate(&mut self, module: &Module) -> Result<Instance, Failure> {
        Ok(self.linker.instantiate(&mut self.store, module)?)
    }

    fn instantiate_quote(&mut self, module: &mut QuoteWat<'_>) -> Result<Instance, Failure> {
        let bytes = encode(module)?;
        let compiled = self.compile(&bytes)?;
        self.instantiate(&compiled)
    }

    /// The instance called `name`, or the current one.
    fn instance(&self, name: Option<Id<'_>>) -> Result<Instance, Failure> {
        match name {
            Some(id) => self
                .named
                .get(id.name())
                .copied()
                .ok_or_else(|| Failure::other(format!("unknown module ${}", id.name()))),
            None => self.current.map_err(|why| Failure::other(why.to_string())),
        }
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Vec<Val>, Failure> {
        let instance = self.instance(invoke.module)?;
        let func = instance
            .get_func(&self.store, invoke.name)
            .map_err(|e| Failure::other(e.message().to_string()))?;
        let mut args = Vec::with_capacity(invoke.args.len());
        for arg in &invoke.args {
            args.push(values::arg_to_val(arg, &mut self.store, &mut self.externs).map_err(Failure::other)?);
        }
        let ty = func.ty(&self.store)?;
        let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
        func.call(&mut self.store, &args, &mut results)?;
        Ok(results)
    }

    fn exec(&mut self, exec: WastExecute<'_>) -> Result<Vec<Val>, Failure> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Wat(mut module) => {
                if matches!(module, Wat::Component(_)) {
                    return Err(Failure::other("component model".to_string()));
                }
                let bytes = module.encode().map_err(text_failure)?;
                let compiled = self.compile(&bytes)?;
                self.instantiate(&compiled)?;
                Ok(Vec::new())
            }
            WastExecute::Get { module, global, .. } => {
                let instance = self.instance(module)?;
                let g = instance
                    .get_global(&self.store, global)
                    .map_err(|e| Failure::other(e.message().to_string()))?;
                Ok(vec![g.get(&self.store)?])
            }
        }
    }
}

/// The binary of a text, quoted or binary module; text `wast` rejects counts as malformed.
fn encode(module: &mut QuoteWat<'_>) -> Result<Vec<u8>, Failure> {
    module.encode().map_err(text_failure)
}

fn text_failure(e: wast::Error) -> Failure {
    Failure { got: MALFORMED.to_string(), detail: Some(format!("text: {}", e.message())) }
}
