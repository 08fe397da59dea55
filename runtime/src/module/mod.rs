//! Decoding and validating a module, and translating its functions, in one pass.

mod header;
mod leb;

pub(crate) use header::{
    ConstExpr, ConstOp, DataSegment, ElemMode, ElemSegment, ExternKind, ImportDecl, unsupported_ref_type,
    val_type,
};

use crate::engine::{Engine, TypeId};
use crate::error::{Error, ErrorKind, Result};
use crate::ir::{CompiledFunc, OffsetTable};
use crate::translate::{FuncTranslator, TranslatorAllocs};
use crate::types::{ExportType, ExternType, FuncType, GlobalType, ImportType, MemoryType, TableType};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::OnceLock;
use wasmparser::{
    BinaryReader, FuncToValidate, FunctionBody, Parser, Payload, ValidPayload, Validator, ValidatorResources,
};

/// The parsed, validated and translated form of a module, shared by all its instances.
pub(crate) struct ModuleInner {
    pub engine: Engine,
    /// The type section.
    pub types: Vec<FuncType>,
    /// Engine-wide ids of `types`, index by index.
    pub type_ids: Vec<TypeId>,
    pub imports: Vec<ImportDecl>,
    /// The type index of every function, imported ones first.
    pub funcs: Vec<u32>,
    pub num_imported_funcs: u32,
    pub num_imported_tables: u32,
    pub num_imported_memories: u32,
    pub num_imported_globals: u32,
    /// Every table, imported ones first.
    pub tables: Vec<TableType>,
    /// Every memory, imported ones first.
    pub memories: Vec<MemoryType>,
    /// Every global, imported ones first.
    pub globals: Vec<GlobalType>,
    /// The type index of every tag (exception handling), imported ones first.
    pub tags: Vec<u32>,
    pub num_imported_tags: u32,
    /// Initialisers of the defined globals.
    pub global_inits: Vec<ConstExpr>,
    /// Initialisers of the defined tables (`None`: null; typed function references allow an
    /// expression, `(table 10 (ref $t) (ref.func $f))`).
    pub table_inits: Vec<Option<ConstExpr>>,
    pub exports: Vec<(String, ExternKind, u32)>,
    pub export_index: HashMap<String, usize>,
    pub start: Option<u32>,
    pub elems: Vec<ElemSegment>,
    pub datas: Vec<DataSegment>,
    /// The defined functions' code (translated, or ready to be on first use).
    pub code: Vec<FuncCode>,
    /// With lazy translation: the module's bytes, which the untranslated bodies are in.
    pub bytes: Option<Arc<[u8]>>,
    /// Where the ops of each defined function came from in the binary (for backtraces), set
    /// when the function is translated.
    pub offsets: Vec<OnceLock<OffsetTable>>,
    pub custom_sections: Vec<String>,
    /// Names from the `name` custom section, for backtraces.
    pub names: Names,
}

/// The module and function names of a module's `name` section.
#[derive(Debug, Default)]
pub(crate) struct Names {
    /// The module's name.
    pub module: Option<Arc<str>>,
    /// Function names, sorted by function index (imports first), each index once.
    pub funcs: Vec<(u32, Arc<str>)>,
}

impl Names {
    /// The name of function `index`, if the section names it.
    pub fn func(&self, index: u32) -> Option<&Arc<str>> {
        let i = self.funcs.binary_search_by_key(&index, |(i, _)| *i).ok()?;
        Some(&self.funcs[i].1)
    }
}

impl ModuleInner {
    /// The type of tag `index` (imports first).
    pub fn tag_type(&self, index: u32) -> crate::types::TagType {
        crate::types::TagType::from_func_type(self.types[self.tags[index as usize] as usize].clone())
    }

    /// The type of function `index` (imports first).
    pub fn func_type(&self, index: u32) -> &FuncType {
        &self.types[self.funcs[index as usize] as usize]
    }

    /// The translated code of defined function `def`, translating it now if it was left for
    /// its first use (lazy translation).
    ///
    /// # Errors
    /// If the function cannot be translated (an implementation limit).
    pub fn compiled(&self, def: u32) -> Result<&CompiledFunc> {
        let code = &self.code[def as usize];
        let outcome = code.compiled.get_or_init(|| match &code.pending {
            Some(pending) => self.translate_pending(def, pending),
            None => Err(Error::new(ErrorKind::Unsupported, "internal error: function without code")),
        });
        outcome.as_ref().map_err(|e| Error::new(e.kind(), e.message()))
    }

    /// Translates a function whose translation was left for its first use.
    fn translate_pending(&self, def: u32, pending: &Pending) -> Result<CompiledFunc> {
        let bytes = self.bytes.as_deref().unwrap_or_default();
        let body_bytes = bytes.get(pending.range.clone()).unwrap_or_default();
        let body = FunctionBody::new(BinaryReader::new(body_bytes, pending.range.start as u64));
        let to_validate = FuncToValidate {
            resources: pending.resources.clone(),
            index: pending.index,
            ty: pending.ty,
            features: self.engine.config().wasm_features(),
        };
        let mut validator = to_validate.into_validator(Default::default());
        let mut allocs = TranslatorAllocs::default();
        let func_index = self.num_imported_funcs + def;
        // Compiling the module validated the body (`validate_body`).
        let (compiled, offsets) = FuncTranslator::new(self, func_index, &mut allocs).translate(
            &body,
            &mut validator,
            self.engine.config().wasm_features(),
            true,
        )?;
        // Only this translation sets it (`compiled` runs it once).
        let _ = self.offsets[def as usize].set(offsets);
        Ok(compiled)
    }
}

/// The code of one defined function.
pub(crate) struct FuncCode {
    /// The translation, once made (at compile time, or on first use with lazy translation).
    compiled: OnceLock<Result<CompiledFunc>>,
    /// What a lazy translation needs.
    pending: Option<Pending>,
}

impl FuncCode {
    /// The translated code, if the function has been translated.
    #[inline(always)]
    pub fn get(&self) -> Option<&CompiledFunc> {
        match self.compiled.get() {
            Some(Ok(code)) => Some(code),
            _ => None,
        }
    }

    fn translated(code: CompiledFunc) -> Self {
        FuncCode { compiled: OnceLock::from(Ok(code)), pending: None }
    }
}

/// A validated function body left to translate on first use.
struct Pending {
    resources: ValidatorResources,
    index: u32,
    ty: u32,
    /// The body's bytes in `ModuleInner::bytes`.
    range: std::ops::Range<usize>,
}

/// A compiled WebAssembly module: validated, translated to IR, immutable.
///
/// Cheap to clone and safe to share between threads; instantiate it in a
/// [`Store`](crate::Store) with a [`Linker`](crate::Linker).
///
/// ```
/// let engine = epsilon::Engine::default();
/// let module = epsilon::Module::new(&engine, r#"(module (func (export "f") (result i32) i32.const 7))"#)?;
/// assert_eq!(module.exports().count(), 1);
/// # Ok::<(), epsilon::Error>(())
/// ```
#[derive(Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("functions", &self.inner.funcs.len())
            .field("imports", &self.inner.imports.len())
            .field("exports", &self.inner.exports.len())
            .finish()
    }
}

impl Module {
    /// Compiles a module from binary bytes or WAT text.
    ///
    /// # Errors
    /// A malformed or invalid module, or WAT text that does not parse, gives an error whose
    /// [`kind`](Error::kind) is `Malformed` or `Invalid` and whose message names the problem
    /// and byte offset.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        let bytes = bytes.as_ref();
        if bytes.starts_with(b"\0asm") {
            return Module::from_binary(engine, bytes);
        }
        if std::str::from_utf8(bytes).is_err() {
            return Err(Error::new(
                ErrorKind::Malformed,
                "not a WebAssembly module: the bytes start neither with the binary magic \\0asm nor with WAT text",
            ));
        }
        let binary = wat::parse_bytes(bytes)
            .map_err(|e| Error::new(ErrorKind::Malformed, format!("cannot parse WAT text: {e}")))?;
        Module::from_binary(engine, &binary)
    }

    /// Compiles a module from WAT text.
    ///
    /// # Errors
    /// As [`Module::new`].
    pub fn from_wat(engine: &Engine, text: &str) -> Result<Module> {
        let binary = wat::parse_str(text)
            .map_err(|e| Error::new(ErrorKind::Malformed, format!("cannot parse WAT text: {e}")))?;
        Module::from_binary(engine, &binary)
    }

    /// Compiles a module from the binary format.
    ///
    /// # Errors
    /// As [`Module::new`].
    pub fn from_binary(engine: &Engine, bytes: &[u8]) -> Result<Module> {
        let inner = compile(engine, bytes)?;
        Ok(Module { inner: Arc::new(inner) })
    }

    /// Validates a binary module without translating it.
    ///
    /// A valid module may still use what epsilon does not implement (with typed function
    /// references on, the GC proposal's struct and array types, say), which
    /// [`Module::new`] rejects with an `Unsupported` error.
    ///
    /// # Errors
    /// As [`Module::new`].
    pub fn validate(engine: &Engine, bytes: &[u8]) -> Result<()> {
        let mut validator = Validator::new_with_features(engine.config().wasm_features());
        validator.validate_all(bytes).map_err(invalid)?;
        Ok(())
    }

    /// The engine this module was compiled for.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The module's imports, in declaration order.
    pub fn imports(&self) -> impl ExactSizeIterator<Item = ImportType<'_>> + '_ {
        self.inner.imports.iter().map(|imp| ImportType {
            module: &imp.module,
            name: &imp.name,
            ty: imp.ty.clone(),
        })
    }

    /// The module's exports, in declaration order.
    pub fn exports(&self) -> impl ExactSizeIterator<Item = ExportType<'_>> + '_ {
        self.inner
            .exports
            .iter()
            .map(|(name, kind, index)| ExportType { name, ty: self.extern_type(*kind, *index) })
    }

    /// The type of the export `name`, if there is one.
    pub fn get_export(&self, name: &str) -> Option<ExternType> {
        let i = *self.inner.export_index.get(name)?;
        let (_, kind, index) = &self.inner.exports[i];
        Some(self.extern_type(*kind, *index))
    }

    /// The type of every function, imported ones first (the module's function index space).
    pub fn function_types(&self) -> impl ExactSizeIterator<Item = &FuncType> + '_ {
        self.inner.funcs.iter().map(|&ty| &self.inner.types[ty as usize])
    }

    /// The type of every table, imported ones first.
    pub fn table_types(&self) -> &[TableType] {
        &self.inner.tables
    }

    /// The type of every memory, imported ones first.
    pub fn memory_types(&self) -> &[MemoryType] {
        &self.inner.memories
    }

    /// The type of every global, imported ones first.
    pub fn global_types(&self) -> &[GlobalType] {
        &self.inner.globals
    }

    /// The index of the start function, if the module has one.
    pub fn start(&self) -> Option<u32> {
        self.inner.start
    }

    /// The number of element segments and of data segments.
    pub fn segment_counts(&self) -> (usize, usize) {
        (self.inner.elems.len(), self.inner.datas.len())
    }

    /// Names of the custom sections, in order.
    pub fn custom_sections(&self) -> impl Iterator<Item = &str> {
        self.inner.custom_sections.iter().map(String::as_str)
    }

    /// Heap bytes of the translated code: `(ops, offset tables)` summed over the functions
    /// translated so far (for measuring the cost of backtraces' side tables).
    #[doc(hidden)]
    pub fn code_bytes(&self) -> (usize, usize) {
        let ops = self.inner.code.iter().filter_map(FuncCode::get).map(|f| size_of_val(&*f.ops)).sum();
        let tables = self.inner.offsets.iter().filter_map(OnceLock::get).map(OffsetTable::heap_bytes).sum();
        (ops, tables)
    }

    /// A listing of the IR of every defined function, for debugging and tests.
    #[doc(hidden)]
    pub fn disassemble(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        for i in 0..self.inner.code.len() {
            let index = self.inner.num_imported_funcs as usize + i;
            let f = match self.inner.compiled(i as u32) {
                Ok(f) => f,
                Err(e) => {
                    let _ = writeln!(out, "func {index}: {e}");
                    continue;
                }
            };
            let _ = writeln!(
                out,
                "func {index}: params {} cells, locals {} cells, frame {} cells",
                f.param_cells, f.local_cells, f.frame_cells
            );
            for (at, instr) in f.ops.iter().enumerate() {
                let _ = write!(out, "  {at:4}: {instr:?}");
                // A constant operand: name the `Data64` op it points at.
                if let Some(&mut k) = { instr.op }.konst_mut() {
                    let _ = write!(out, " (constant at {})", at + k as usize / size_of::<crate::ir::Instr>());
                }
                let _ = writeln!(out);
            }
        }
        out
    }

    fn extern_type(&self, kind: ExternKind, index: u32) -> ExternType {
        let m = &self.inner;
        match kind {
            ExternKind::Func => ExternType::Func(m.func_type(index).clone()),
            ExternKind::Table => ExternType::Table(m.tables[index as usize]),
            ExternKind::Memory => ExternType::Memory(m.memories[index as usize]),
            ExternKind::Global => ExternType::Global(m.globals[index as usize]),
            ExternKind::Tag => ExternType::Tag(m.tag_type(index)),
        }
    }
}

/// A decoding error of wasmparser as epsilon's (the binary is malformed).
pub(crate) fn malformed(e: wasmparser::BinaryReaderError) -> Error {
    Error::at_offset(ErrorKind::Malformed, e.message().to_string(), e.offset() as usize)
}

/// A validation error of wasmparser as epsilon's (the module is invalid).
pub(crate) fn invalid(e: wasmparser::BinaryReaderError) -> Error {
    Error::at_offset(ErrorKind::Invalid, e.message().to_string(), e.offset() as usize)
}

/// Validates a function body as the translator does when it translates one (so errors are
/// classed the same way: what the reader rejects is malformed, what the validator rejects is
/// invalid), without translating it. A valid body using what the translator rejects (an
/// instruction or reference type of the GC proposal) gives that `Unsupported` error, once the
/// whole body has validated.
fn validate_body(
    body: &FunctionBody<'_>,
    validator: &mut wasmparser::FuncValidator<ValidatorResources>,
    features: wasmparser::WasmFeatures,
) -> Result<()> {
    let mut reader = body.get_binary_reader();
    validator.read_locals(&mut reader).map_err(invalid)?;
    reader.set_features(features);
    let mut ops = wasmparser::OperatorsReader::new(reader);
    // The translator lays out every local: one of a type it does not implement is unsupported.
    let mut unsupported = (0..validator.len_locals())
        .find_map(|index| crate::translate::declared_local_type(validator.get_local_type(index)).err());
    while !ops.eof() {
        let offset = ops.original_position();
        let mut visitor = crate::translate::ValidateOnly {
            validator: &mut *validator,
            offset,
            unsupported: &mut unsupported,
        };
        ops.visit_operator(&mut visitor).map_err(malformed)??;
    }
    ops.finish().map_err(malformed)?;
    unsupported.map_or(Ok(()), Err)
}

/// Rejects overlong 32-bit LEB128 limits that wasmparser accepts (see `leb`).
fn check_limit_encodings(bytes: &[u8], payload: &Payload<'_>) -> Result<()> {
    type Check = fn(&[u8], usize) -> Result<()>;
    let (range, check): (std::ops::Range<u64>, Check) = match payload {
        Payload::MemorySection(r) => (r.range(), leb::check_memory_section),
        Payload::TableSection(r) => (r.range(), leb::check_table_section),
        Payload::ImportSection(r) => (r.range(), leb::check_import_section),
        _ => return Ok(()),
    };
    let (start, end) = (range.start as usize, range.end as usize);
    match bytes.get(start..end) {
        Some(section) => check(section, start),
        None => Ok(()),
    }
}

fn compile(engine: &Engine, bytes: &[u8]) -> Result<ModuleInner> {
    let features = engine.config().wasm_features();
    let mut validator = Validator::new_with_features(features);
    let mut module = ModuleInner {
        engine: engine.clone(),
        types: Vec::new(),
        type_ids: Vec::new(),
        imports: Vec::new(),
        funcs: Vec::new(),
        num_imported_funcs: 0,
        num_imported_tables: 0,
        num_imported_memories: 0,
        num_imported_globals: 0,
        tables: Vec::new(),
        memories: Vec::new(),
        globals: Vec::new(),
        tags: Vec::new(),
        num_imported_tags: 0,
        global_inits: Vec::new(),
        table_inits: Vec::new(),
        exports: Vec::new(),
        export_index: HashMap::new(),
        start: None,
        elems: Vec::new(),
        datas: Vec::new(),
        code: Vec::new(),
        bytes: None,
        offsets: Vec::new(),
        custom_sections: Vec::new(),
        names: Names::default(),
    };
    let lazy = engine.config().lazy_translation;
    if lazy {
        module.bytes = Some(Arc::from(bytes));
    }
    let mut func_allocs = wasmparser::FuncValidatorAllocations::default();
    let mut translator_allocs = TranslatorAllocs::default();

    // The parser gets the features too: some encodings are refused while reading a section
    // (an import group in the compact-imports encoding), and with the parser's default
    // features an empty such group would reach the validator as no import at all.
    let mut parser = Parser::new(0);
    parser.set_features(features);
    // What epsilon does not implement (a GC struct type, say) is reported once the whole module
    // has validated, so that an invalid module is always reported as invalid. After such an
    // error the rest of the module is only validated.
    let mut deferred: Option<Error> = None;
    for payload in parser.parse_all(bytes) {
        let payload = payload.map_err(malformed)?;
        let valid = validator.payload(&payload).map_err(invalid)?;
        match payload {
            Payload::CodeSectionEntry(body) => {
                let ValidPayload::Func(to_validate, _) = valid else {
                    unreachable!("the validator hands out every code section entry");
                };
                let retry =
                    FuncToValidate { resources: to_validate.resources.clone(), features, ..to_validate };
                if deferred.is_some() || lazy {
                    // Validate now; translate on first use (or never, after an error).
                    let pending = Pending {
                        resources: to_validate.resources.clone(),
                        index: to_validate.index,
                        ty: to_validate.ty,
                        range: body.range().start as usize..body.range().end as usize,
                    };
                    let mut func_validator = to_validate.into_validator(func_allocs);
                    match validate_body(&body, &mut func_validator, features) {
                        Ok(()) => {}
                        Err(e) if e.kind() == ErrorKind::Unsupported => {
                            deferred.get_or_insert(e);
                        }
                        Err(e) => return Err(e),
                    }
                    module.code.push(FuncCode { compiled: OnceLock::new(), pending: Some(pending) });
                    module.offsets.push(OnceLock::new());
                    func_allocs = func_validator.into_allocations();
                    continue;
                }
                let mut func_validator = to_validate.into_validator(func_allocs);
                let def_index = module.code.len() as u32;
                let func_index = module.num_imported_funcs + def_index;
                match FuncTranslator::new(&module, func_index, &mut translator_allocs).translate(
                    &body,
                    &mut func_validator,
                    features,
                    false,
                ) {
                    Ok((compiled, offsets)) => {
                        module.code.push(FuncCode::translated(compiled));
                        module.offsets.push(OnceLock::from(offsets));
                        func_allocs = func_validator.into_allocations();
                    }
                    Err(e) if e.kind() == ErrorKind::Unsupported => {
                        // The translation stopped where it met what it does not implement:
                        // validate the whole body again before reporting that.
                        let mut func_validator = retry.into_validator(Default::default());
                        validate_body(&body, &mut func_validator, features).or_else(|error| {
                            if error.kind() == ErrorKind::Unsupported { Ok(()) } else { Err(error) }
                        })?;
                        deferred.get_or_insert(e);
                        func_allocs = func_validator.into_allocations();
                    }
                    Err(e) => return Err(e),
                }
            }
            other => {
                check_limit_encodings(bytes, &other)?;
                if deferred.is_none() {
                    match header::read_payload(&mut module, other) {
                        Ok(()) => {}
                        Err(e) if e.kind() == ErrorKind::Unsupported => deferred = Some(e),
                        Err(e) => return Err(e),
                    }
                }
            }
        }
    }
    if let Some(e) = deferred {
        return Err(e);
    }
    Ok(module)
}
