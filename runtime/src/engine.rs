//! The engine: configuration plus the registry of interned function types.

use crate::config::Config;
use crate::types::FuncType;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// An engine-wide identifier of a function type: equal types have equal ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TypeId(pub(crate) u32);

#[derive(Default)]
struct TypeRegistry {
    ids: HashMap<FuncType, TypeId>,
}

struct EngineInner {
    config: Config,
    types: Mutex<TypeRegistry>,
}

/// Compiles modules and owns the settings they run with. Cheap to clone; shareable across threads.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("config", &self.inner.config).finish()
    }
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(Config::default())
    }
}

impl Engine {
    /// Creates an engine with the given configuration.
    pub fn new(config: Config) -> Self {
        Engine { inner: Arc::new(EngineInner { config, types: Mutex::new(TypeRegistry::default()) }) }
    }

    /// The configuration this engine was created with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Whether two handles refer to the same engine.
    pub fn same(a: &Engine, b: &Engine) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    pub(crate) fn intern(&self, ty: &FuncType) -> TypeId {
        let mut reg = self.inner.types.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(id) = reg.ids.get(ty) {
            return *id;
        }
        let id = TypeId(reg.ids.len() as u32);
        reg.ids.insert(ty.clone(), id);
        id
    }
}
