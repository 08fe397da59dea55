//! Engine configuration: enabled features and resource limits.

/// Settings shared by everything compiled and run with one [`Engine`](crate::Engine).
///
/// ```
/// let mut config = epsilon::Config::default();
/// config.multi_memory(false).max_call_depth(20_000);
/// let engine = epsilon::Engine::new(config);
/// # let _ = engine;
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) multi_memory: bool,
    pub(crate) tail_call: bool,
    pub(crate) extended_const: bool,
    pub(crate) relaxed_simd: bool,
    pub(crate) memory64: bool,
    pub(crate) function_references: bool,
    pub(crate) exceptions: bool,
    pub(crate) max_call_depth: usize,
    pub(crate) max_value_stack: usize,
    pub(crate) max_host_reentry: usize,
    pub(crate) native_stack_reserve: usize,
    pub(crate) max_memory_pages: u32,
    pub(crate) max_table_elements: u32,
    pub(crate) consume_fuel: bool,
    pub(crate) interruptible: bool,
    pub(crate) lazy_translation: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            multi_memory: true,
            tail_call: true,
            extended_const: true,
            relaxed_simd: true,
            memory64: true,
            function_references: true,
            exceptions: true,
            max_call_depth: 100_000,
            max_value_stack: 16 * 1024 * 1024,
            max_host_reentry: 64,
            native_stack_reserve: 64 * 1024,
            max_memory_pages: 65536,
            max_table_elements: 10_000_000,
            consume_fuel: false,
            interruptible: false,
            lazy_translation: false,
        }
    }
}

impl Config {
    /// Creates the default configuration: WebAssembly 2.0 plus the parts of 3.0 epsilon
    /// implements (multi-memory, tail calls, extended constant expressions, relaxed SIMD,
    /// memory64, typed function references, exception handling).
    pub fn new() -> Self {
        Config::default()
    }

    /// Enables or disables the multi-memory feature (on by default).
    ///
    /// With it off, a module declaring more than one memory fails validation with
    /// "multiple memories", as WebAssembly 2.0 requires.
    pub fn multi_memory(&mut self, enable: bool) -> &mut Self {
        self.multi_memory = enable;
        self
    }

    /// Enables or disables the tail-call feature (on by default): `return_call` and
    /// `return_call_indirect`. With it off, modules using them fail validation.
    pub fn tail_call(&mut self, enable: bool) -> &mut Self {
        self.tail_call = enable;
        self
    }

    /// Enables or disables extended constant expressions (on by default): `i32`/`i64`
    /// `add`, `sub` and `mul` in constant expressions. With it off, modules using them fail
    /// validation with "constant expression required".
    pub fn extended_const(&mut self, enable: bool) -> &mut Self {
        self.extended_const = enable;
        self
    }

    /// Enables or disables relaxed SIMD (on by default). epsilon gives every relaxed
    /// instruction one fixed, documented result, the same on every machine (see the README).
    /// With it off, modules using them fail validation.
    pub fn relaxed_simd(&mut self, enable: bool) -> &mut Self {
        self.relaxed_simd = enable;
        self
    }

    /// Enables or disables memory64 (on by default): 64-bit memories, addressed with `i64`
    /// values, whose limits may go up to 2^48 pages. epsilon gives every memory, 64-bit ones
    /// included, at most [`Config::max_memory_pages`] pages (4 GiB by default): a larger
    /// minimum fails instantiation, `memory.grow` beyond it returns -1, and a large maximum
    /// reserves nothing. With it off, modules declaring or importing a 64-bit memory fail
    /// validation.
    pub fn memory64(&mut self, enable: bool) -> &mut Self {
        self.memory64 = enable;
        self
    }

    /// Enables or disables typed function references (on by default): reference types with
    /// a nullability and a concrete function type (`(ref $t)`, `(ref null $t)`, `(ref func)`,
    /// `(ref extern)`), `call_ref`, `return_call_ref` (with tail calls on), `ref.as_non_null`,
    /// `br_on_null`, `br_on_non_null`, non-nullable locals and table initialiser expressions.
    ///
    /// With them comes WebAssembly 3.0's type system for function types: explicit recursive
    /// type groups (`rec`), whose types are equal only when their whole groups are
    /// (iso-recursive equivalence, across the modules of an engine), types that refer to
    /// themselves, non-final `(sub (func ...))` types, and `global.get` of an immutable global
    /// defined earlier in the module in constant expressions. The rest of the GC proposal is
    /// not implemented: struct and array types, declared supertypes, GC instructions and the
    /// GC heap types (`any`, `eq`, `i31`, `none`, ...) make [`Module::new`](crate::Module::new)
    /// fail with an `Unsupported` error (once the whole module has validated).
    ///
    /// With it off, modules using any of them fail validation.
    pub fn function_references(&mut self, enable: bool) -> &mut Self {
        self.function_references = enable;
        self
    }

    /// Enables or disables exception handling (on by default): tags, `throw`, `throw_ref`,
    /// `try_table` and the `exnref` type, in the final (WebAssembly 3.0) encoding. The legacy
    /// `try`/`catch`/`delegate` encoding is not supported. With it off, modules using any of
    /// them fail validation.
    pub fn exceptions(&mut self, enable: bool) -> &mut Self {
        self.exceptions = enable;
        self
    }

    /// Maximum number of nested wasm calls (default 100,000). Exceeding it traps with
    /// "call stack exhausted". Calls never recurse on the native stack, so any limit is safe.
    pub fn max_call_depth(&mut self, frames: usize) -> &mut Self {
        self.max_call_depth = frames.max(1);
        self
    }

    /// Maximum size of the value stack in 64-bit cells (default 16 Mi cells = 128 MiB).
    /// Exceeding it traps with "call stack exhausted".
    pub fn max_value_stack(&mut self, cells: usize) -> &mut Self {
        self.max_value_stack = cells.max(1024);
        self
    }

    /// How many times host functions may re-enter wasm recursively (default 64). Each
    /// re-entry uses native stack; exceeding the limit traps with "call stack exhausted".
    pub fn max_host_reentry(&mut self, depth: usize) -> &mut Self {
        self.max_host_reentry = depth;
        self
    }

    /// Native stack that must be left when a call enters wasm (default 64 KiB; capped at a
    /// quarter of the thread's stack): below it the call traps with "call stack exhausted"
    /// instead of overflowing the thread's stack. Only host functions that call back into wasm
    /// stack up native frames; wasm-to-wasm calls use none. Checked where the platform
    /// reports thread stacks (Linux, macOS).
    pub fn native_stack_reserve(&mut self, bytes: usize) -> &mut Self {
        self.native_stack_reserve = bytes;
        self
    }

    /// Translate each function on its first call instead of when the module is compiled
    /// (default: off). Validation stays complete at compile time, so an invalid module is still
    /// rejected by [`Module::new`](crate::Module::new); what moves is the translation into the
    /// interpreter's IR, so compiling a large module of which a program runs little costs
    /// little. A function the interpreter cannot translate (an implementation limit, such as a
    /// frame of more than 65,535 slots) then fails its first call instead of the compilation.
    pub fn lazy_translation(&mut self, enable: bool) -> &mut Self {
        self.lazy_translation = enable;
        self
    }

    /// Ceiling on any linear memory's size in 64 KiB pages (default 65,536 = 4 GiB).
    /// Instantiation fails if a memory's minimum exceeds it; `memory.grow` beyond it returns -1.
    pub fn max_memory_pages(&mut self, pages: u32) -> &mut Self {
        self.max_memory_pages = pages.min(65536);
        self
    }

    /// Ceiling on any table's number of elements (default 10,000,000).
    /// Instantiation fails if a table's minimum exceeds it; `table.grow` beyond it returns -1.
    pub fn max_table_elements(&mut self, elements: u32) -> &mut Self {
        self.max_table_elements = elements;
        self
    }

    /// Makes execution consume fuel (off by default). With it on, every call needs fuel
    /// set with [`Store::set_fuel`](crate::Store::set_fuel); running out traps with
    /// "all fuel consumed" and the store can be refuelled and used again.
    ///
    /// Units: one unit per IR instruction of each function body, loop iteration and `if` or
    /// `else` arm entered, counting the instructions of nested `block`s but not of nested loops
    /// and arms, which are charged on their own. The charge is taken on entry, for the whole
    /// region, so it is deterministic. Bulk memory and table instructions add one unit per 64
    /// bytes or elements they touch.
    pub fn consume_fuel(&mut self, enable: bool) -> &mut Self {
        self.consume_fuel = enable;
        self
    }

    /// Makes running code interruptible (off by default): every function entry and every
    /// loop iteration (each taken backward branch) checks for an interrupt, so
    /// [`InterruptHandle::interrupt`](crate::InterruptHandle) and
    /// [`Store::set_deadline`](crate::Store::set_deadline) stop even an infinite loop with the
    /// trap "interrupted". The check is folded into the branch and call handlers, so no extra
    /// instruction is dispatched (measured cost: about 3% geomean in the benchmark suite).
    pub fn interruptible(&mut self, enable: bool) -> &mut Self {
        self.interruptible = enable;
        self
    }

    pub(crate) fn wasm_features(&self) -> wasmparser::WasmFeatures {
        let mut features = wasmparser::WasmFeatures::WASM2;
        for (on, feature) in [
            (self.multi_memory, wasmparser::WasmFeatures::MULTI_MEMORY),
            (self.tail_call, wasmparser::WasmFeatures::TAIL_CALL),
            (self.extended_const, wasmparser::WasmFeatures::EXTENDED_CONST),
            (self.relaxed_simd, wasmparser::WasmFeatures::RELAXED_SIMD),
            (self.memory64, wasmparser::WasmFeatures::MEMORY64),
            // The GC proposal's type system for function types comes with typed function
            // references, as in WebAssembly 3.0: wasmparser validates it only with its `gc`
            // feature, and epsilon rejects the rest of GC itself (see `function_references`).
            (
                self.function_references,
                wasmparser::WasmFeatures::FUNCTION_REFERENCES | wasmparser::WasmFeatures::GC,
            ),
            (self.exceptions, wasmparser::WasmFeatures::EXCEPTIONS),
        ] {
            if on {
                features |= feature;
            }
        }
        features
    }
}
