//! The linker: resolves a module's imports by name.

use crate::engine::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::func::{Caller, Func, HostCallback, IntoFunc};
use crate::instance::{Extern, Instance, InstanceLimits};
use crate::module::Module;
use crate::store::AsContextMut;
use crate::types::FuncType;
use crate::value::Val;
use std::collections::HashMap;
use std::sync::Arc;

enum Definition<T> {
    /// An item that already lives in a store.
    Extern(Extern),
    /// A host function, created in the store on each instantiation that uses it.
    Host(FuncType, HostCallback<T>),
}

impl<T> Clone for Definition<T> {
    fn clone(&self) -> Self {
        match self {
            Definition::Extern(e) => Definition::Extern(*e),
            Definition::Host(ty, f) => Definition::Host(ty.clone(), f.clone()),
        }
    }
}

/// Maps `(module, name)` pairs to items and instantiates modules against them.
///
/// ```
/// use epsilon::{Caller, Engine, Linker, Module, Store};
/// let engine = Engine::default();
/// let module = Module::new(&engine, r#"
///     (module
///       (import "host" "double" (func $double (param i32) (result i32)))
///       (func (export "quad") (param i32) (result i32)
///         (call $double (call $double (local.get 0)))))
/// "#)?;
/// let mut linker = Linker::new(&engine);
/// linker.func_wrap("host", "double", |_: Caller<'_, ()>, x: i32| x * 2)?;
/// let mut store = Store::new(&engine, ());
/// let instance = linker.instantiate(&mut store, &module)?;
/// let quad = instance.get_typed_func::<i32, i32>(&store, "quad")?;
/// assert_eq!(quad.call(&mut store, 5)?, 20);
/// # Ok::<(), epsilon::Error>(())
/// ```
pub struct Linker<T> {
    engine: Engine,
    defs: HashMap<(String, String), Definition<T>>,
    allow_shadowing: bool,
}

impl<T> std::fmt::Debug for Linker<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Linker").field("definitions", &self.defs.len()).finish()
    }
}

impl<T> Clone for Linker<T> {
    fn clone(&self) -> Self {
        Linker { engine: self.engine.clone(), defs: self.defs.clone(), allow_shadowing: self.allow_shadowing }
    }
}

impl<T: 'static> Linker<T> {
    /// Creates an empty linker.
    pub fn new(engine: &Engine) -> Self {
        Linker { engine: engine.clone(), defs: HashMap::new(), allow_shadowing: false }
    }

    /// Whether a later definition of the same name replaces an earlier one (default: false,
    /// redefinition is an error).
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        self.allow_shadowing = allow;
        self
    }

    fn insert(&mut self, module: &str, name: &str, def: Definition<T>) -> Result<&mut Self> {
        let key = (module.to_string(), name.to_string());
        if !self.allow_shadowing && self.defs.contains_key(&key) {
            return Err(Error::new(ErrorKind::Link, format!("`{module}::{name}` is already defined")));
        }
        self.defs.insert(key, def);
        Ok(self)
    }

    /// Defines `module::name` as an item of a store.
    ///
    /// # Errors
    /// If the name is taken and shadowing is off.
    pub fn define(&mut self, module: &str, name: &str, item: impl Into<Extern>) -> Result<&mut Self> {
        self.insert(module, name, Definition::Extern(item.into()))
    }

    /// Defines `module::name` as a host function with a dynamic signature (see [`Func::new`]).
    ///
    /// # Errors
    /// If the name is taken and shadowing is off.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        callback: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Result<&mut Self> {
        self.insert(module, name, Definition::Host(ty, HostCallback::Vals(Arc::new(callback))))
    }

    /// Defines `module::name` as a host function from a typed closure (see [`Func::wrap`]).
    ///
    /// # Errors
    /// If the name is taken and shadowing is off.
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        func: impl IntoFunc<T, Params, Results>,
    ) -> Result<&mut Self> {
        let (ty, callback) = func.into_func();
        self.insert(module, name, Definition::Host(ty, HostCallback::Cells(callback)))
    }

    /// Defines every export of `instance` under the module name `module` (the `register`
    /// of the spec test format).
    ///
    /// # Errors
    /// If a name is taken and shadowing is off.
    pub fn instance(
        &mut self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        instance: Instance,
    ) -> Result<&mut Self> {
        let store = store.as_context_mut();
        store.inner.check(instance.store)?;
        for (name, item) in instance.exports(&*store)? {
            self.insert(module, &name, Definition::Extern(item))?;
        }
        Ok(self)
    }

    /// The item defined as `module::name`, creating host functions in `store` as needed.
    pub fn get(&self, mut store: impl AsContextMut<Data = T>, module: &str, name: &str) -> Option<Extern> {
        let def = self.defs.get(&(module.to_string(), name.to_string()))?;
        Some(match def {
            Definition::Extern(e) => *e,
            Definition::Host(ty, callback) => {
                Extern::Func(Func::new_host(store.as_context_mut(), ty.clone(), None, callback.clone()))
            }
        })
    }

    /// Instantiates `module`, resolving its imports from this linker's definitions.
    ///
    /// # Errors
    /// "unknown import" or "incompatible import type" link errors naming the import, resource
    /// ceilings, or a trap from segment initialisation or the start function.
    pub fn instantiate(&self, store: impl AsContextMut<Data = T>, module: &Module) -> Result<Instance> {
        self.instantiate_with_limits(store, module, InstanceLimits::default())
    }

    /// Like [`Linker::instantiate`], with extra resource ceilings for this instance.
    ///
    /// # Errors
    /// As [`Linker::instantiate`]; also when a memory or table exceeds `limits`.
    pub fn instantiate_with_limits(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
        limits: InstanceLimits,
    ) -> Result<Instance> {
        let store = store.as_context_mut();
        if !Engine::same(&self.engine, module.engine()) {
            return Err(Error::usage("linker and module belong to different engines"));
        }
        let mut imports = Vec::with_capacity(module.inner.imports.len());
        for import in &module.inner.imports {
            let item = self.get(&mut *store, &import.module, &import.name).ok_or_else(|| {
                Error::new(
                    ErrorKind::Link,
                    format!(
                        "unknown import `{}::{}` ({} expected)",
                        import.module,
                        import.name,
                        import.ty.kind_name()
                    ),
                )
            })?;
            imports.push(item);
        }
        Instance::new_with_limits(store, module, &imports, limits)
    }
}
