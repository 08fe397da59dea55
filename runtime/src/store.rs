//! The store: owner of every runtime object (functions, memories, tables, globals,
//! instances, host references) and of the embedder's data `T`.

use crate::engine::{Engine, TypeId};
use crate::error::{Error, Result};
use crate::exec::Stack;
use crate::extern_heap::ExternHeap;
use crate::func::HostFunc;
use crate::instance::InstanceEntity;
use crate::interrupt::{InterruptCallback, InterruptHandle, InterruptState};
use crate::memory::MemoryEntity;
use crate::table::TableEntity;
use crate::types::{FuncType, GlobalType, HeapType, RefType, ValType};
use crate::value::Val;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Identifies a store; every handle carries the id of the store that owns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StoreId(u64);

impl StoreId {
    fn fresh() -> StoreId {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        StoreId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// A function in the store. `ty` is its engine-wide type id (compared by `call_indirect`),
/// `sig` the same type for the API (kept here so calls need no lookup in the engine).
pub(crate) enum FuncEntity {
    /// Defined by wasm: `code` indexes the module's translated functions.
    Wasm { instance: u32, code: u32, ty: TypeId, sig: FuncType },
    /// Defined by the host: `host` indexes `Store::host_funcs` (and keys
    /// `StoreInner::host_types`).
    Host { host: u32, ty: TypeId, sig: FuncType },
}

impl FuncEntity {
    pub(crate) fn ty(&self) -> TypeId {
        match *self {
            FuncEntity::Wasm { ty, .. } | FuncEntity::Host { ty, .. } => ty,
        }
    }

    pub(crate) fn sig(&self) -> &FuncType {
        match self {
            FuncEntity::Wasm { sig, .. } | FuncEntity::Host { sig, .. } => sig,
        }
    }
}

/// A global variable: its value as cells (the high cell is used by `v128` only). `owner` is
/// the instance whose module declared its type (`None` for the host's), which gives concrete
/// heap types in `ty` their meaning (see [`StoreInner::type_ids`]).
pub(crate) struct GlobalEntity {
    pub ty: GlobalType,
    pub lo: u64,
    pub hi: u64,
    pub owner: Option<u32>,
}

/// The part of a store that does not depend on `T` (opaque outside the crate).
#[allow(missing_debug_implementations)]
pub struct StoreInner {
    pub(crate) id: StoreId,
    pub(crate) engine: Engine,
    pub(crate) funcs: Vec<FuncEntity>,
    pub(crate) instances: Vec<InstanceEntity>,
    pub(crate) memories: Vec<MemoryEntity>,
    pub(crate) tables: Vec<TableEntity>,
    pub(crate) globals: Vec<GlobalEntity>,
    /// Element segments of all instances (dropped ones are empty).
    pub(crate) elems: Vec<Box<[u32]>>,
    /// Data segments of all instances (dropped ones are empty).
    pub(crate) datas: Vec<std::sync::Arc<[u8]>>,
    pub(crate) externs: ExternHeap,
    /// Exception tags (exception handling).
    pub(crate) tags: Vec<crate::exn::TagEntity>,
    /// Thrown exceptions, and those `exnref` values refer to.
    pub(crate) exns: crate::exn::ExnHeap,
    /// The value/call stack, lent to each execution and handed back for reuse (an execution
    /// nested in a host function finds it empty and grows its own).
    pub(crate) stack: Stack,
    /// Wasm frames active in enclosing executions (host functions that re-entered wasm).
    pub(crate) outer_depth: usize,
    /// How many executions are active on the native stack.
    pub(crate) reentry: usize,
    /// Fuel left (used when the engine consumes fuel).
    pub(crate) fuel: u64,
    /// The interrupt flag and deadline state.
    pub(crate) interrupt: Arc<InterruptState>,
    /// Decides what a fired interrupt does; without one it traps.
    pub(crate) interrupt_callback: Option<InterruptCallback>,
    /// Argument/result cells of API calls, reused from call to call.
    pub(crate) scratch: Vec<u64>,
    /// Reused buffer for the arguments and results of host calls.
    pub(crate) host_vals: Vec<Val>,
    /// The modules whose types give the concrete heap types of host functions' signatures
    /// their meaning, by host function (`Func::new_with_types`; kept out of the entities on
    /// the call path).
    pub(crate) host_types: std::collections::HashMap<u32, crate::Module>,
}

impl StoreInner {
    /// The engine ids of the types of the module of instance `owner`: what a concrete heap
    /// type `(ref $i)` of an item that instance declared refers to (`ids[i]`). Empty for the
    /// host's items, whose concrete types refer to nothing.
    pub(crate) fn type_ids(&self, owner: Option<u32>) -> &[TypeId] {
        match owner.and_then(|i| self.instances.get(i as usize)) {
            Some(instance) => &instance.module.inner.type_ids,
            None => &[],
        }
    }

    /// The type context of function `func`'s signature (see [`StoreInner::type_ids`]).
    pub(crate) fn func_type_ids(&self, func: u32) -> &[TypeId] {
        match self.funcs[func as usize] {
            FuncEntity::Wasm { instance, .. } => self.type_ids(Some(instance)),
            FuncEntity::Host { host, .. } => self.host_type_ids(host),
        }
    }

    /// The type context of host function `host`'s signature: the module given to
    /// [`Func::new_with_types`](crate::Func::new_with_types), else none.
    pub(crate) fn host_type_ids(&self, host: u32) -> &[TypeId] {
        match self.host_types.get(&host) {
            Some(module) => &module.inner.type_ids,
            None => &[],
        }
    }

    pub(crate) fn check(&self, store: StoreId) -> Result<()> {
        if store == self.id {
            Ok(())
        } else {
            Err(Error::usage("object used with a store that does not own it"))
        }
    }
}

/// Owns all runtime objects and the embedder's data of type `T`.
///
/// Handles like [`Func`](crate::Func) or [`Memory`](crate::Memory) are small copyable indices
/// into a store; using one with another store is an error.
pub struct Store<T> {
    pub(crate) inner: StoreInner,
    pub(crate) host_funcs: Vec<HostFunc<T>>,
    data: T,
}

impl<T> std::fmt::Debug for Store<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("instances", &self.inner.instances.len())
            .field("functions", &self.inner.funcs.len())
            .field("memories", &self.inner.memories.len())
            .finish()
    }
}

impl<T> Store<T> {
    /// Creates an empty store for modules compiled with `engine`, holding `data`.
    pub fn new(engine: &Engine, data: T) -> Self {
        Store {
            inner: StoreInner {
                id: StoreId::fresh(),
                engine: engine.clone(),
                funcs: Vec::new(),
                instances: Vec::new(),
                memories: Vec::new(),
                tables: Vec::new(),
                globals: Vec::new(),
                elems: Vec::new(),
                datas: Vec::new(),
                externs: ExternHeap::default(),
                tags: Vec::new(),
                exns: crate::exn::ExnHeap::default(),
                stack: Stack::default(),
                outer_depth: 0,
                reentry: 0,
                fuel: 0,
                interrupt: Arc::new(InterruptState::default()),
                interrupt_callback: None,
                scratch: Vec::new(),
                host_vals: Vec::new(),
                host_types: std::collections::HashMap::new(),
            },
            host_funcs: Vec::new(),
            data,
        }
    }

    /// The engine this store belongs to.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The embedder's data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The embedder's data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// Sets the fuel available to wasm code run in this store.
    ///
    /// # Errors
    /// If the engine was not configured with [`Config::consume_fuel`](crate::Config::consume_fuel).
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        self.fuel_enabled()?;
        self.inner.fuel = fuel;
        Ok(())
    }

    /// The fuel left.
    ///
    /// # Errors
    /// If the engine was not configured with [`Config::consume_fuel`](crate::Config::consume_fuel).
    pub fn get_fuel(&self) -> Result<u64> {
        self.fuel_enabled()?;
        Ok(self.inner.fuel)
    }

    fn fuel_enabled(&self) -> Result<()> {
        if self.inner.engine.config().consume_fuel {
            Ok(())
        } else {
            Err(Error::usage("fuel is not enabled: use Config::consume_fuel(true)"))
        }
    }

    /// A handle that interrupts wasm running in this store, usable from any thread.
    /// Effective only if the engine is configured [`interruptible`](crate::Config::interruptible).
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle { state: self.inner.interrupt.clone() }
    }

    /// Interrupts wasm running in this store once `deadline` passes (`None` removes the
    /// deadline). Setting a deadline also clears a pending interrupt. Effective only if the
    /// engine is configured [`interruptible`](crate::Config::interruptible).
    pub fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.inner.interrupt.set_deadline(deadline);
    }

    /// Installs a callback that runs, on the executing thread, whenever an interrupt or
    /// deadline fires in wasm code of this store. It may re-arm a deadline through the handle
    /// it receives and return [`InterruptAction::Continue`](crate::InterruptAction) to resume,
    /// which makes periodic polling (for example for Ctrl-C) possible. `None` restores the
    /// default: every interrupt traps.
    pub fn set_interrupt_callback(&mut self, callback: Option<InterruptCallback>) {
        self.inner.interrupt_callback = callback;
    }

    /// Interrupts wasm running in this store after `timeout` from now; see [`Store::set_deadline`].
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.set_deadline(Instant::now().checked_add(timeout));
    }

    /// Frees the host objects of `externref`s that wasm can no longer reach: those in no
    /// table, no global and no element segment of this store. Returns the freed objects (drop
    /// them when convenient: dropping may run code of the embedder's).
    ///
    /// Call it between calls; an [`ExternRef`](crate::ExternRef) the embedder keeps only on its
    /// own side is freed too, and using it afterwards is an error (keep such objects in a
    /// table or global to keep them alive).
    ///
    /// # Errors
    /// If wasm is running in this store (from a host function).
    pub fn collect_externrefs(&mut self) -> Result<Vec<Box<dyn std::any::Any + Send + Sync>>> {
        if self.inner.reentry > 0 {
            return Err(Error::usage("cannot collect externrefs while wasm runs in the store"));
        }
        let inner = &mut self.inner;
        // Every table and global of `extern` references, nullable or not.
        let tables = inner.tables.iter().filter(|t| t.ty.element.heap == HeapType::Extern);
        let globals = inner
            .globals
            .iter()
            .filter(|g| matches!(g.ty.content, ValType::Ref(RefType { heap: HeapType::Extern, .. })));
        // Element segments may hold funcrefs: counting them as roots too only keeps more alive.
        let roots = tables
            .flat_map(|t| t.elements.iter().copied())
            .chain(globals.map(|g| g.lo as u32))
            .chain(inner.elems.iter().flat_map(|e| e.iter().copied()))
            // Exception payloads may hold externrefs (every payload cell counts, conservatively).
            .chain(inner.exns.all_cells());
        Ok(inner.externs.collect(roots))
    }

    /// The number of exception objects the store holds (exception handling): exceptions
    /// caught by `catch_ref`/`catch_all_ref` (kept for as long as the store lives); an
    /// exception caught by `catch`/`catch_all`, or that escaped to the host, is freed.
    pub fn exception_count(&self) -> usize {
        self.inner.exns.live()
    }

    /// Whether enough `externref` objects were created since the last collection that
    /// [`Store::collect_externrefs`] is worth its cost (it scans every table and global).
    pub fn externref_collection_due(&self) -> bool {
        self.inner.externs.collection_due()
    }

    /// The number of `externref` host objects the store holds.
    pub fn externref_count(&self) -> usize {
        self.inner.externs.live()
    }

    /// The object tables and the embedder's data, borrowed separately.
    pub(crate) fn inner_and_data_mut(&mut self) -> (&mut StoreInner, &mut T) {
        (&mut self.inner, &mut self.data)
    }

    /// Consumes the store and returns the embedder's data.
    pub fn into_data(self) -> T {
        self.data
    }
}

/// Anything that gives shared access to a store: `&Store<T>`, `&mut Store<T>`, `Caller`.
pub trait AsContext {
    /// The store's data type.
    type Data;
    /// The store.
    fn as_context(&self) -> &Store<Self::Data>;
}

/// Anything that gives exclusive access to a store: `&mut Store<T>`, `Caller`.
pub trait AsContextMut: AsContext {
    /// The store, mutably.
    fn as_context_mut(&mut self) -> &mut Store<Self::Data>;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self
    }
}

impl<T> AsContextMut for Store<T> {
    fn as_context_mut(&mut self) -> &mut Store<T> {
        self
    }
}

impl<C: AsContext + ?Sized> AsContext for &C {
    type Data = C::Data;
    fn as_context(&self) -> &Store<C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContext + ?Sized> AsContext for &mut C {
    type Data = C::Data;
    fn as_context(&self) -> &Store<C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContextMut + ?Sized> AsContextMut for &mut C {
    fn as_context_mut(&mut self) -> &mut Store<C::Data> {
        (**self).as_context_mut()
    }
}
