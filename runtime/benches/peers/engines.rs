//! The engines under comparison, behind one interface: instantiate a module and call its
//! `run(i32) -> i64` export, compile + instantiate it from scratch (start-up), or instantiate
//! a module compiled once (instantiation).
//!
//! Every engine gets the same bytes and defines the same host function,
//! `env.host_add(i32, i32) -> i32` (wrapping addition), for the modules that import it.

use crate::workloads::Kind;

/// A closure calling `run(arg)` on an instance made once; returns the checksum.
pub type Runner = Box<dyn FnMut() -> i64>;

/// An engine, or a configuration of epsilon, with a column in the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// epsilon with default settings: the subject of every ratio.
    Epsilon,
    /// epsilon with fuel metering on (and a practically unlimited amount of fuel).
    EpsilonFuel,
    /// epsilon with interruption checks on (no interruption requested).
    EpsilonInterrupt,
    /// epsilon with every WebAssembly 3.0 switch off (`Config::multi_memory`, `tail_call`,
    /// `extended_const`, `relaxed_simd`, `memory64`, `function_references`, `exceptions`):
    /// the WebAssembly 2.0 engine, against which the cost of having 3.0 on is measured.
    EpsilonWasm2,
    /// epsilon with `Config::lazy_translation` (validate at compile time, translate each
    /// function on its first call): only on the start-up workloads, next to [`Engine::WasmiLazy`].
    EpsilonLazy,
    /// wasmi, compiled eagerly (`CompilationMode::Eager`: the same work as epsilon does).
    Wasmi,
    /// wasmi with its default lazy translation (`CompilationMode::LazyTranslation`: validate at
    /// compile time, translate on first call): the start-up workloads and the memory figures.
    WasmiLazy,
    /// wasm3 through the `wasm3` crate (only when built with the `bench-wasm3` feature).
    Wasm3,
}

/// A WebAssembly feature beyond the MVP that some workloads need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    Simd,
    BulkMemory,
    /// Exception handling (`throw`, `try_table`, `exnref`): epsilon only.
    Exceptions,
    /// Tail calls (`return_call`, `return_call_indirect`): epsilon and wasmi.
    TailCall,
}

impl Engine {
    /// The engines timed on every workload, in column order: the peers, then the epsilon
    /// configurations whose cost is reported relative to plain epsilon.
    pub fn timed() -> Vec<Engine> {
        let mut engines = vec![Engine::Epsilon, Engine::Wasmi];
        if cfg!(feature = "bench-wasm3") {
            engines.push(Engine::Wasm3);
        }
        engines.extend([Engine::EpsilonFuel, Engine::EpsilonInterrupt, Engine::EpsilonWasm2]);
        engines
    }

    /// The lazy pair, timed on the start-up workloads only: epsilon and wasmi both validating
    /// at compile time and translating each function on its first call.
    pub fn lazy() -> [Engine; 2] {
        [Engine::EpsilonLazy, Engine::WasmiLazy]
    }

    /// The engines that run a workload of kind `kind`: [`Engine::timed`], and for a start-up
    /// workload also [`Engine::lazy`].
    pub fn for_kind(kind: Kind) -> Vec<Engine> {
        let mut engines = Engine::timed();
        if kind.is_start_up() {
            engines.extend(Engine::lazy());
        }
        engines
    }

    /// The peers: engines other than epsilon that ratios are computed against.
    pub fn peers() -> Vec<Engine> {
        Engine::timed().into_iter().filter(|e| matches!(e, Engine::Wasmi | Engine::Wasm3)).collect()
    }

    /// Short name, used as a key in the JSON report and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Engine::Epsilon => "epsilon",
            Engine::EpsilonFuel => "epsilon_fuel",
            Engine::EpsilonInterrupt => "epsilon_interrupt",
            Engine::EpsilonWasm2 => "epsilon_wasm2",
            Engine::EpsilonLazy => "epsilon_lazy",
            Engine::Wasmi => "wasmi",
            Engine::WasmiLazy => "wasmi_lazy",
            Engine::Wasm3 => "wasm3",
        }
    }

    /// Parses [`Engine::key`].
    pub fn from_key(key: &str) -> Option<Engine> {
        [
            Engine::Epsilon,
            Engine::EpsilonFuel,
            Engine::EpsilonInterrupt,
            Engine::EpsilonWasm2,
            Engine::EpsilonLazy,
            Engine::Wasmi,
            Engine::WasmiLazy,
            Engine::Wasm3,
        ]
        .into_iter()
        .find(|e| e.key() == key)
    }

    /// Name and version, for the report.
    pub fn description(self) -> String {
        match self {
            Engine::Epsilon => format!("epsilon {}", epsilon::VERSION),
            Engine::EpsilonFuel => format!("epsilon {} with fuel metering", epsilon::VERSION),
            Engine::EpsilonInterrupt => format!("epsilon {} with interruption checks", epsilon::VERSION),
            Engine::EpsilonWasm2 => {
                format!("epsilon {} with the WebAssembly 3.0 features off", epsilon::VERSION)
            }
            Engine::EpsilonLazy => format!("epsilon {} with lazy translation", epsilon::VERSION),
            Engine::Wasmi => "wasmi 2.0.0 (eager compilation)".to_string(),
            Engine::WasmiLazy => "wasmi 2.0.0 (default: lazy translation)".to_string(),
            Engine::Wasm3 => "wasm3 0.4.7 (crate wasm3 0.3.1)".to_string(),
        }
    }

    /// Why this engine cannot run a module needing `features`, if it cannot.
    pub fn unsupported(self, features: &[Feature]) -> Option<&'static str> {
        match self {
            Engine::Wasmi | Engine::WasmiLazy if features.contains(&Feature::Exceptions) => {
                Some("wasmi 2.0.0 has no exception handling")
            }
            Engine::Wasm3 if features.contains(&Feature::Exceptions) => {
                Some("wasm3 0.4.7 has no exception handling")
            }
            Engine::Wasm3 if features.contains(&Feature::TailCall) => Some("wasm3 0.4.7 has no tail calls"),
            Engine::EpsilonWasm2
                if features.contains(&Feature::Exceptions) || features.contains(&Feature::TailCall) =>
            {
                Some("a WebAssembly 3.0 feature (off in this configuration)")
            }
            Engine::Wasm3 if features.contains(&Feature::Simd) => Some("wasm3 0.4.7 has no SIMD"),
            Engine::Wasm3 if features.contains(&Feature::BulkMemory) => {
                Some("wasm3 0.4.7 has no bulk memory")
            }
            _ => None,
        }
    }

    /// Instantiates `wasm` and returns a closure calling `run(arg)` on that instance.
    pub fn runner(self, wasm: &[u8], arg: i32) -> Result<Runner, String> {
        match self {
            Engine::Epsilon
            | Engine::EpsilonFuel
            | Engine::EpsilonInterrupt
            | Engine::EpsilonWasm2
            | Engine::EpsilonLazy => epsilon_runner(self, wasm, arg),
            Engine::Wasmi | Engine::WasmiLazy => wasmi_runner(self, wasm, arg),
            Engine::Wasm3 => wasm3_runner(wasm, arg),
        }
    }

    /// Compiles and instantiates `wasm` from scratch (a fresh engine or environment), then drops
    /// everything: what start-up costs. `functions` is the number of functions defined by the
    /// module; wasm3, which compiles lazily, is made to compile all of them.
    pub fn start_up(self, wasm: &[u8], functions: usize) -> Result<(), String> {
        match self {
            Engine::Epsilon
            | Engine::EpsilonFuel
            | Engine::EpsilonInterrupt
            | Engine::EpsilonWasm2
            | Engine::EpsilonLazy => epsilon_instance(self, wasm).map(drop),
            Engine::Wasmi | Engine::WasmiLazy => wasmi_instance(self, wasm).map(drop),
            Engine::Wasm3 => wasm3_start_up(wasm, functions),
        }
    }

    /// Compiles `wasm` once and returns a closure that instantiates it in a fresh store each
    /// call, then drops the instance (returning 0): what instantiation alone costs. wasm3 has no
    /// compiled module to share, so each of its instances parses and loads the bytes into a new
    /// runtime (its functions are compiled on their first call, so none here).
    pub fn instantiator(self, wasm: &[u8]) -> Result<Runner, String> {
        match self {
            Engine::Epsilon
            | Engine::EpsilonFuel
            | Engine::EpsilonInterrupt
            | Engine::EpsilonWasm2
            | Engine::EpsilonLazy => {
                let (engine, module, linker) = epsilon_compile(self, wasm)?;
                Ok(Box::new(move || {
                    let mut store = epsilon_store(self, &engine);
                    linker.instantiate(&mut store, &module).expect("epsilon instantiates");
                    0
                }))
            }
            Engine::Wasmi | Engine::WasmiLazy => {
                let (engine, module, linker) = wasmi_compile(self, wasm)?;
                Ok(Box::new(move || {
                    let mut store = wasmi::Store::new(&engine, ());
                    linker.instantiate_and_start(&mut store, &module).expect("wasmi instantiates");
                    0
                }))
            }
            Engine::Wasm3 => wasm3_instantiator(wasm),
        }
    }
}

/// The host function every engine provides.
fn host_add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}

type EpsilonInstance = (epsilon::Store<()>, epsilon::Instance);
type EpsilonCompiled = (epsilon::Engine, epsilon::Module, epsilon::Linker<()>);

/// A fresh epsilon engine configured as `engine` says, `wasm` compiled, a linker with the host
/// function.
fn epsilon_compile(engine: Engine, wasm: &[u8]) -> Result<EpsilonCompiled, String> {
    let mut config = epsilon::Config::default();
    config.consume_fuel(engine == Engine::EpsilonFuel);
    config.interruptible(engine == Engine::EpsilonInterrupt);
    config.lazy_translation(engine == Engine::EpsilonLazy);
    if engine == Engine::EpsilonWasm2 {
        config
            .multi_memory(false)
            .tail_call(false)
            .extended_const(false)
            .relaxed_simd(false)
            .memory64(false)
            .function_references(false)
            .exceptions(false);
    }
    let engine_ = epsilon::Engine::new(config);
    let module = epsilon::Module::new(&engine_, wasm).map_err(|e| e.to_string())?;
    let mut linker = epsilon::Linker::new(&engine_);
    linker
        .func_wrap("env", "host_add", |_: epsilon::Caller<'_, ()>, a: i32, b: i32| host_add(a, b))
        .map_err(|e| e.to_string())?;
    Ok((engine_, module, linker))
}

/// A store for `engine_` (with practically unlimited fuel for [`Engine::EpsilonFuel`]).
fn epsilon_store(engine: Engine, engine_: &epsilon::Engine) -> epsilon::Store<()> {
    let mut store = epsilon::Store::new(engine_, ());
    if engine == Engine::EpsilonFuel {
        store.set_fuel(u64::MAX).expect("fuel metering is on");
    }
    store
}

fn epsilon_instance(engine: Engine, wasm: &[u8]) -> Result<EpsilonInstance, String> {
    let (engine_, module, linker) = epsilon_compile(engine, wasm)?;
    let mut store = epsilon_store(engine, &engine_);
    let instance = linker.instantiate(&mut store, &module).map_err(|e| e.to_string())?;
    Ok((store, instance))
}

fn epsilon_runner(engine: Engine, wasm: &[u8], arg: i32) -> Result<Runner, String> {
    let (mut store, instance) = epsilon_instance(engine, wasm)?;
    let run = instance.get_typed_func::<i32, i64>(&store, "run").map_err(|e| e.to_string())?;
    Ok(Box::new(move || run.call(&mut store, arg).expect("epsilon runs")))
}

type WasmiInstance = (wasmi::Store<()>, wasmi::Instance);
type WasmiCompiled = (wasmi::Engine, wasmi::Module, wasmi::Linker<()>);

/// A fresh wasmi engine in the compilation mode `engine` says, `wasm` compiled, a linker with
/// the host function.
fn wasmi_compile(engine: Engine, wasm: &[u8]) -> Result<WasmiCompiled, String> {
    let mut config = wasmi::Config::default();
    if engine == Engine::Wasmi {
        config.compilation_mode(wasmi::CompilationMode::Eager);
    }
    let engine_ = wasmi::Engine::new(&config);
    let module = wasmi::Module::new(&engine_, wasm).map_err(|e| e.to_string())?;
    let mut linker = wasmi::Linker::<()>::new(&engine_);
    linker
        .func_wrap("env", "host_add", |_: wasmi::Caller<'_, ()>, a: i32, b: i32| host_add(a, b))
        .map_err(|e| e.to_string())?;
    Ok((engine_, module, linker))
}

fn wasmi_instance(engine: Engine, wasm: &[u8]) -> Result<WasmiInstance, String> {
    let (engine_, module, linker) = wasmi_compile(engine, wasm)?;
    let mut store = wasmi::Store::new(&engine_, ());
    let instance = linker.instantiate_and_start(&mut store, &module).map_err(|e| e.to_string())?;
    Ok((store, instance))
}

fn wasmi_runner(engine: Engine, wasm: &[u8], arg: i32) -> Result<Runner, String> {
    let (mut store, instance) = wasmi_instance(engine, wasm)?;
    let run = instance.get_typed_func::<i32, i64>(&store, "run").map_err(|e| e.to_string())?;
    Ok(Box::new(move || run.call(&mut store, arg).expect("wasmi runs")))
}

/// wasm3's value stack, in bytes.
#[cfg(feature = "bench-wasm3")]
const WASM3_STACK: u32 = 1 << 20;

/// Loads `wasm` into `runtime` and links `env.host_add` if the module imports it.
#[cfg(feature = "bench-wasm3")]
fn wasm3_load<'rt>(runtime: &'rt wasm3::Runtime, wasm: &[u8]) -> Result<wasm3::Module<'rt>, String> {
    let mut module = runtime.parse_and_load_module(wasm.to_vec()).map_err(|e| e.to_string())?;
    match module.link_closure("env", "host_add", |_, (a, b): (i32, i32)| Ok(host_add(a, b))) {
        Ok(()) | Err(wasm3::error::Error::FunctionNotFound) => Ok(module),
        Err(e) => Err(e.to_string()),
    }
}

/// wasm3's runtime borrows from itself (module, functions), so the runtime of a runner is
/// leaked: a few MiB per workload in a benchmark process, never in a measured child process.
#[cfg(feature = "bench-wasm3")]
fn wasm3_runner(wasm: &[u8], arg: i32) -> Result<Runner, String> {
    let environment = wasm3::Environment::new().map_err(|e| e.to_string())?;
    let runtime = environment.create_runtime(WASM3_STACK).map_err(|e| e.to_string())?;
    let runtime: &'static wasm3::Runtime = Box::leak(Box::new(runtime));
    let module = wasm3_load(runtime, wasm)?;
    let run = module.find_function::<i32, i64>("run").map_err(|e| e.to_string())?;
    Ok(Box::new(move || run.call(arg).expect("wasm3 runs")))
}

/// Parses and loads `wasm`, then compiles every function (wasm3 otherwise compiles each one
/// on its first call). The generated start-up modules define only `(i32) -> i64` functions.
#[cfg(feature = "bench-wasm3")]
fn wasm3_start_up(wasm: &[u8], functions: usize) -> Result<(), String> {
    let environment = wasm3::Environment::new().map_err(|e| e.to_string())?;
    let runtime = environment.create_runtime(WASM3_STACK).map_err(|e| e.to_string())?;
    let module = wasm3_load(&runtime, wasm)?;
    for index in 0..functions {
        module.function::<i32, i64>(index).map_err(|e| format!("function {index}: {e}"))?;
    }
    Ok(())
}

/// One environment for all instances; each instance a new runtime into which the bytes are
/// parsed and loaded.
#[cfg(feature = "bench-wasm3")]
fn wasm3_instantiator(wasm: &[u8]) -> Result<Runner, String> {
    let environment = wasm3::Environment::new().map_err(|e| e.to_string())?;
    let wasm = wasm.to_vec();
    Ok(Box::new(move || {
        let runtime = environment.create_runtime(WASM3_STACK).expect("wasm3 makes a runtime");
        wasm3_load(&runtime, &wasm).expect("wasm3 loads the module");
        0
    }))
}

#[cfg(not(feature = "bench-wasm3"))]
fn wasm3_instantiator(_: &[u8]) -> Result<Runner, String> {
    Err("built without the bench-wasm3 feature".to_string())
}

#[cfg(not(feature = "bench-wasm3"))]
fn wasm3_runner(_: &[u8], _: i32) -> Result<Runner, String> {
    Err("built without the bench-wasm3 feature".to_string())
}

#[cfg(not(feature = "bench-wasm3"))]
fn wasm3_start_up(_: &[u8], _: usize) -> Result<(), String> {
    Err("built without the bench-wasm3 feature".to_string())
}
