//! Tables of references.

use crate::error::{Error, ErrorKind, Result};
use crate::store::{AsContext, AsContextMut, StoreId};
use crate::types::{RefType, TableType};
use crate::value::Val;

/// A table in the store. Elements are reference cells: 0 is null, otherwise index + 1.
pub(crate) struct TableEntity {
    pub elements: Vec<u32>,
    pub ty: TableType,
    /// The instance whose module declared `ty` (`None`: the host's), for its concrete heap
    /// type (see `StoreInner::type_ids`).
    pub owner: Option<u32>,
    /// The most elements this table may ever have: its maximum, capped by the ceiling.
    pub limit: u32,
}

impl TableEntity {
    pub(crate) fn new(ty: TableType, init: u32, ceiling: u32, owner: Option<u32>) -> Result<Self> {
        // A module's limits are validated; a host's (`Table::new`) are checked here.
        if let Some(max) = ty.max
            && max < ty.min
        {
            return Err(Error::new(
                ErrorKind::Usage,
                format!("table maximum of {max} elements is below its minimum of {} elements", ty.min),
            ));
        }
        if ty.min > ceiling {
            return Err(Error::new(
                ErrorKind::Instantiation,
                format!("table minimum of {} elements exceeds the limit of {ceiling}", ty.min),
            ));
        }
        let mut elements = Vec::new();
        elements.try_reserve_exact(ty.min as usize).map_err(|_| {
            Error::new(ErrorKind::Instantiation, format!("cannot allocate a table of {} elements", ty.min))
        })?;
        elements.resize(ty.min as usize, init);
        let limit = ty.max.unwrap_or(u32::MAX).min(ceiling);
        Ok(TableEntity { elements, ty, owner, limit })
    }

    /// Grows by `delta` elements set to `init`; returns the old size or `None`.
    pub(crate) fn grow(&mut self, delta: u32, init: u32) -> Option<u32> {
        let old = self.elements.len() as u32;
        let new = old.checked_add(delta)?;
        if new > self.limit {
            return None;
        }
        self.elements.try_reserve_exact(delta as usize).ok()?;
        self.elements.resize(new as usize, init);
        Some(old)
    }

    pub(crate) fn current_type(&self) -> TableType {
        TableType { element: self.ty.element, min: self.elements.len() as u32, max: self.ty.max }
    }
}

/// A handle to a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Table {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

impl Table {
    /// Creates a table of the given type with every element set to `init`.
    ///
    /// A concrete element type (`(ref $t)`) refers to no module's types here, so only null
    /// fits a nullable one and nothing a non-nullable one.
    ///
    /// # Errors
    /// If `init` does not match the element type or is from another store, or the minimum
    /// exceeds the configured ceiling.
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Val) -> Result<Table> {
        let store = store.as_context_mut();
        let cell = crate::func::ref_to_cell(&store.inner, &init, ty.element, &[])?;
        let ceiling = store.engine().config().max_table_elements;
        let entity = TableEntity::new(ty, cell, ceiling, None)?;
        store.inner.tables.push(entity);
        Ok(Table { store: store.inner.id, index: (store.inner.tables.len() - 1) as u32 })
    }

    fn entity<'a, T: 'a>(&self, store: &'a crate::Store<T>) -> Result<&'a TableEntity> {
        store.inner.check(self.store)?;
        Ok(&store.inner.tables[self.index as usize])
    }

    /// The table's type, with its current size as the minimum.
    ///
    /// # Errors
    /// If `store` does not own this table (`ErrorKind::Usage`; as for every method below).
    pub fn ty(&self, store: impl AsContext) -> Result<TableType> {
        Ok(self.entity(store.as_context())?.current_type())
    }

    /// The current number of elements.
    pub fn size(&self, store: impl AsContext) -> Result<u32> {
        Ok(self.entity(store.as_context())?.elements.len() as u32)
    }

    /// The element at `index`.
    ///
    /// # Errors
    /// If `index` is out of bounds (`ErrorKind::OutOfRange`).
    pub fn get(&self, store: impl AsContext, index: u32) -> Result<Val> {
        let store = store.as_context();
        let entity = self.entity(store)?;
        let len = entity.elements.len();
        let cell = *entity.elements.get(index as usize).ok_or_else(|| {
            Error::new(ErrorKind::OutOfRange, format!("table index {index} out of bounds (size {len})"))
        })?;
        Ok(crate::func::cell_to_ref(&store.inner, cell, entity.ty.element))
    }

    /// Sets the element at `index`.
    ///
    /// # Errors
    /// If `index` is out of bounds or `value` has the wrong type.
    pub fn set(&self, mut store: impl AsContextMut, index: u32, value: Val) -> Result<()> {
        let store = store.as_context_mut();
        let entity = self.entity(store)?;
        let (element, owner) = (entity.ty.element, entity.owner);
        let cell = crate::func::ref_to_cell(&store.inner, &value, element, store.inner.type_ids(owner))?;
        let entity = &mut store.inner.tables[self.index as usize];
        let len = entity.elements.len();
        let slot = entity.elements.get_mut(index as usize).ok_or_else(|| {
            Error::new(ErrorKind::OutOfRange, format!("table index {index} out of bounds (size {len})"))
        })?;
        *slot = cell;
        Ok(())
    }

    /// Grows the table by `delta` elements set to `init`; returns the previous size.
    ///
    /// # Errors
    /// If the new size exceeds the maximum or ceiling, or `init` has the wrong type.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u32, init: Val) -> Result<u32> {
        let store = store.as_context_mut();
        let entity = self.entity(store)?;
        let (element, owner): (RefType, _) = (entity.ty.element, entity.owner);
        let cell = crate::func::ref_to_cell(&store.inner, &init, element, store.inner.type_ids(owner))?;
        let entity = &mut store.inner.tables[self.index as usize];
        entity.grow(delta, cell).ok_or_else(|| {
            Error::new(ErrorKind::OutOfRange, format!("cannot grow table by {delta} elements"))
        })
    }
}
