//! Executes one `.wast` file and records the outcome of every top-level directive.
//!
//! Each file runs in a fresh [`Store`] with a fresh `spectest` host module. Failures never stop
//! the file: every directive gets exactly one [`DirectiveRecord`]. Panics inside a directive
//! are caught and recorded as that directive's failure.

use crate::lines::LineIndex;
use crate::outcome::{self, INVALID, MALFORMED, OK, SKIPPED, UNLINKABLE};
use crate::record::{DirectiveRecord, Status};
use crate::suites::TestFile;
use crate::values::{self, ExternRefs};
use epsilon::{Engine, Error, Instance, Linker, Module, Store, Val};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use wast::parser::{self, ParseBuffer};
use wast::token::Id;
use wast::{QuoteWat, Wast, WastDirective, WastExecute, WastInvoke, Wat};

/// Runs every directive of `file` and returns one record per top-level directive.
///
/// A file that does not parse gives a single failed record of kind `parse`.
pub fn run_file(file: &TestFile) -> Vec<DirectiveRecord> {
    let id = file.id();
    let lines = LineIndex::new(&file.source);
    let parsed = with_directives(&file.source, |directives| {
        let mut state = FileState::new(file.config());
        let mut records = Vec::with_capacity(directives.len());
        for (index, directive) in directives.into_iter().enumerate() {
            let line = lines.line(directive.span().offset());
            let kind = kind_name(&directive);
            let check = match &mut state {
                Ok(state) => catch_unwind(AssertUnwindSafe(|| state.execute(directive)))
                    .unwrap_or_else(|payload| Check::panicked(payload.as_ref())),
                Err(setup) => Check::fail(OK, "error:setup", Some(setup.clone())),
            };
            records.push(check.into_record(&id, index, line, kind));
        }
        records
    });
    match parsed {
        Ok(records) => records,
        Err(e) => vec![parse_failure(&id, &lines, e)],
    }
}

/// [`run_file`] with a last line of defence: a panic outside any directive is recorded as a
/// single failed record of kind `panic`.
pub fn run_file_guarded(file: &TestFile) -> Vec<DirectiveRecord> {
    catch_unwind(AssertUnwindSafe(|| run_file(file))).unwrap_or_else(|payload| {
        vec![Check::panicked(payload.as_ref()).into_record(&file.id(), 0, 1, "panic")]
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
fn with_directives<R>(source: &str, f: impl FnOnce(Vec<WastDirective<'_>>) -> R) -> Result<R, wast::Error> {
    let mut lexer = wast::lexer::Lexer::new(source);
    lexer.allow_confusing_unicode(true);
    let buffer = ParseBuffer::new_with_lexer(lexer)?;
    let wast = parser::parse::<Wast<'_>>(&buffer)?;
    Ok(f(wast.directives))
}

fn parse_failure(id: &str, lines: &LineIndex, e: wast::Error) -> DirectiveRecord {
    let line = lines.line(e.span().offset());
    let message = e.message();
    Check::fail(OK, &format!("error:parse: {message}"), None).into_record(id, 0, line, "parse")
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

/// The judgement of one directive, before it is placed in a record.
struct Check {
    expected: String,
    got: String,
    status: Status,
    detail: Option<String>,
}

impl Check {
    fn new(
        passed: bool,
        expected: impl Into<String>,
        got: impl Into<String>,
        detail: Option<String>,
    ) -> Self {
        let status = if passed { Status::Passed } else { Status::Failed };
        Check { expected: expected.into(), got: got.into(), status, detail }
    }

    fn fail(expected: impl Into<String>, got: &str, detail: Option<String>) -> Self {
        Check::new(false, expected, got, detail)
    }

    fn skip(reason: &str) -> Self {
        Check {
            expected: String::new(),
            got: SKIPPED.to_string(),
            status: Status::Skipped,
            detail: Some(reason.to_string()),
        }
    }

    fn panicked(payload: &(dyn std::any::Any + Send)) -> Self {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "non-string panic payload".to_string());
        Check::fail("no panic", &format!("panic:{message}"), None)
    }

    fn into_record(self, file: &str, index: usize, line: u32, kind: &'static str) -> DirectiveRecord {
        DirectiveRecord {
            file: file.to_string(),
            index,
            line,
            kind,
            expected: self.expected,
            got: self.got,
            status: self.status,
            detail: self.detail,
            expected_failure: false,
        }
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
    fn new(config: epsilon::Config) -> Result<Self, String> {
        let engine = Engine::new(config);
        let mut store = Store::new(&engine, ());
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

    fn execute(&mut self, directive: WastDirective<'_>) -> Check {
        match directive {
            WastDirective::Module(mut module) => {
                if is_component(&module) {
                    return Check::skip("component model");
                }
                let name = module.name().map(|id| id.name().to_string());
                match self.instantiate_quote(&mut module) {
                    Ok(instance) => {
                        self.current = Ok(instance);
                        if let Some(name) = name {
                            self.named.insert(name, instance);
                        }
                        Check::new(true, OK, OK, None)
                    }
                    Err(f) => {
                        // Later directives refer to this module: make them fail clearly
                        // instead of running against an older one.
                        self.current = Err("the current module failed to compile or instantiate");
                        if let Some(name) = name {
                            self.named.remove(&name);
                        }
                        Check::fail(OK, &f.got, f.detail)
                    }
                }
            }
            WastDirective::ModuleDefinition(mut module) => {
                if is_component(&module) {
                    return Check::skip("component model");
                }
                let name = module.name().map(|id| id.name().to_string());
                match encode(&mut module).and_then(|bytes| self.compile(&bytes)) {
                    Ok(compiled) => {
                        if let Some(name) = name {
                            self.definitions.insert(name, compiled.clone());
                        }
                        self.last_definition = Some(compiled);
                        Check::new(true, OK, OK, None)
                    }
                    Err(f) => Check::fail(OK, &f.got, f.detail),
                }
            }
            WastDirective::ModuleInstance { instance, module, .. } => {
                let compiled = match module {
                    Some(id) => self.definitions.get(id.name()).cloned(),
                    None => self.last_definition.clone(),
                };
                let Some(compiled) = compiled else {
                    return Check::fail(OK, "error:unknown module definition", None);
                };
                match self.instantiate(&compiled) {
                    Ok(inst) => {
                        self.current = Ok(inst);
                        if let Some(id) = instance {
                            self.named.insert(id.name().to_string(), inst);
                        }
                        Check::new(true, OK, OK, None)
                    }
                    Err(f) => {
                        self.current = Err("the current module failed to instantiate");
                        Check::fail(OK, &f.got, f.detail)
                    }
                }
            }
            WastDirective::AssertMalformed { mut module, .. } => {
                if is_component(&module) {
                    return Check::skip("component model");
                }
                // Text that `wast` cannot turn into a binary is correctly rejected.
                match encode(&mut module).and_then(|bytes| self.compile(&bytes)) {
                    Ok(_) => Check::fail(MALFORMED, OK, None),
                    Err(f) => Check::new(is_rejection(&f.got), MALFORMED, &f.got, f.detail),
                }
            }
            WastDirective::AssertInvalid { mut module, .. } => {
                if is_component(&module) {
                    return Check::skip("component model");
                }
                match encode(&mut module).and_then(|bytes| self.compile(&bytes)) {
                    Ok(_) => Check::fail(INVALID, OK, None),
                    Err(f) => Check::new(is_rejection(&f.got), INVALID, &f.got, f.detail),
                }
            }
            WastDirective::AssertUnlinkable { mut module, .. } => {
                if matches!(module, Wat::Component(_)) {
                    return Check::skip("component model");
                }
                let result = module
                    .encode()
                    .map_err(text_failure)
                    .and_then(|bytes| self.compile(&bytes))
                    .and_then(|compiled| self.instantiate(&compiled));
                match result {
                    Ok(_) => Check::fail(UNLINKABLE, OK, None),
                    Err(f) => Check::new(f.got == UNLINKABLE, UNLINKABLE, f.got, f.detail),
                }
            }
            WastDirective::Register { name, module, .. } => {
                let result = self.instance(module).and_then(|inst| {
                    self.linker.instance(&mut self.store, name, inst).map_err(Failure::from)?;
                    Ok(())
                });
                match result {
                    Ok(()) => Check::new(true, OK, OK, None),
                    Err(f) => Check::fail(OK, &f.got, f.detail),
                }
            }
            WastDirective::Invoke(invoke) => match self.invoke(&invoke) {
                Ok(vals) => Check::new(true, OK, outcome::values(&self.store, &vals), None),
                Err(f) => Check::fail(OK, &f.got, f.detail),
            },
            WastDirective::AssertReturn { exec, results, .. } => {
                let expected = values::describe_expected(&results);
                match self.exec(exec) {
                    Ok(vals) => {
                        let passed = values::results_match(&results, &vals, &self.store);
                        Check::new(passed, expected, outcome::values(&self.store, &vals), None)
                    }
                    Err(f) => Check::fail(expected, &f.got, f.detail),
                }
            }
            WastDirective::AssertTrap { exec, message, .. } => {
                let expected = outcome::trap(message);
                match self.exec(exec) {
                    Ok(vals) => Check::fail(expected, &outcome::values(&self.store, &vals), None),
                    Err(f) => Check::new(outcome::is_trap_with(&f.got, message), expected, f.got, f.detail),
                }
            }
            WastDirective::AssertExhaustion { call, message, .. } => {
                let expected = outcome::trap(message);
                match self.invoke(&call) {
                    Ok(vals) => Check::fail(expected, &outcome::values(&self.store, &vals), None),
                    Err(f) => Check::new(outcome::is_trap_with(&f.got, message), expected, f.got, f.detail),
                }
            }
            WastDirective::AssertInvalidCustom { .. } | WastDirective::AssertMalformedCustom { .. } => {
                Check::skip("custom-section assertions are outside WebAssembly 2.0")
            }
            WastDirective::AssertException { .. } => Check::skip("exception handling"),
            WastDirective::AssertSuspension { .. } => Check::skip("stack switching"),
            WastDirective::Thread(_) | WastDirective::Wait { .. } => Check::skip("threads"),
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
            .ok_or_else(|| Failure::other(format!("no exported function `{}`", invoke.name)))?;
        let mut args = Vec::with_capacity(invoke.args.len());
        for arg in &invoke.args {
            args.push(values::arg_to_val(arg, &mut self.store, &mut self.externs).map_err(Failure::other)?);
        }
        let ty = func.ty(&self.store);
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
                    .ok_or_else(|| Failure::other(format!("no exported global `{global}`")))?;
                Ok(vec![g.get(&self.store)])
            }
        }
    }
}

fn is_component(module: &QuoteWat<'_>) -> bool {
    matches!(module, QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_)))
}

/// The binary of a text, quoted or binary module; text `wast` rejects counts as malformed.
fn encode(module: &mut QuoteWat<'_>) -> Result<Vec<u8>, Failure> {
    module.encode().map_err(text_failure)
}

fn text_failure(e: wast::Error) -> Failure {
    Failure { got: MALFORMED.to_string(), detail: Some(format!("text: {}", e.message())) }
}

/// Whether a compile outcome is a rejection of the module. `assert_malformed` and
/// `assert_invalid` both pass on either class: which one a decoder reports depends on the
/// phase that notices the problem (the binary reader or the validator), which the spec
/// suite's text-format tests cannot pin down once `wast` has encoded the module. The record
/// keeps the class epsilon reported.
fn is_rejection(got: &str) -> bool {
    got == MALFORMED || got == INVALID
}
