//! Linear memories.

use crate::error::{Error, ErrorKind, Result};
use crate::store::{AsContext, AsContextMut, StoreId};
use crate::types::MemoryType;

/// Bytes in one WebAssembly page.
pub const PAGE_SIZE: usize = 65536;

/// The most pages any memory can have in epsilon (4 GiB), 64-bit memories included.
pub(crate) const MAX_PAGES: u64 = 65536;

/// A linear memory in the store.
///
/// A memory starts with exactly its minimum size, from [`zeroed_buffer`] (zeroed memory from
/// the allocator: for large sizes fresh pages the OS gives out zeroed and untouched until
/// used), and grows by doubling its capacity, like a `Vec`: instantiating a module with a small
/// memory costs one small allocation, not an address-space reservation of its maximum (a
/// `mmap`/`munmap` pair per instance, which made start-up several times slower than the work
/// itself). Growing reallocates (for large buffers the system's `realloc` remaps the pages
/// instead of copying them) and zeroes exactly the pages added, so a memory costs resident
/// memory only for the pages the program asked for. [`Memory::pin`] reserves the maximum when
/// the bytes must not move.
pub(crate) struct MemoryEntity {
    pub data: Vec<u8>,
    pub ty: MemoryType,
    /// The most pages this memory may ever have: its declared maximum, capped by the ceiling.
    pub limit: u32,
    /// While non-zero, the bytes must not move: growth stays within the reserved capacity.
    pub pins: u32,
}

/// A buffer of `len` zero bytes with room for `capacity` (all of it zero), without writing
/// to it; `None` if the allocator refuses.
#[allow(unsafe_code)]
fn zeroed_buffer(len: usize, capacity: usize) -> Option<Vec<u8>> {
    debug_assert!(len <= capacity);
    if capacity == 0 {
        return Some(Vec::new());
    }
    let layout = std::alloc::Layout::array::<u8>(capacity).ok()?;
    // SAFETY: `layout` has a non-zero size. `alloc_zeroed` returns null or a pointer to
    // `capacity` zeroed bytes from the global allocator with alignment 1 — exactly the
    // allocation `Vec<u8>` owns for that capacity — and the first `len <= capacity` bytes are
    // initialised (zero), as `from_raw_parts` requires.
    unsafe {
        let ptr = std::alloc::alloc_zeroed(layout);
        if ptr.is_null() {
            return None;
        }
        Some(Vec::from_raw_parts(ptr, len, capacity))
    }
}

impl MemoryEntity {
    pub(crate) fn new(ty: MemoryType, ceiling: u32) -> Result<Self> {
        // A module's limits are validated; a host's (`Memory::new`) are checked here.
        if let Some(max) = ty.max
            && max < ty.min
        {
            return Err(Error::new(
                ErrorKind::Usage,
                format!("memory maximum of {max} pages is below its minimum of {} pages", ty.min),
            ));
        }
        if ty.min > u64::from(ceiling) {
            return Err(Error::new(
                ErrorKind::Instantiation,
                format!("memory minimum of {} pages exceeds the limit of {ceiling} pages", ty.min),
            ));
        }
        // At most 65,536 pages (4 GiB) whatever the type says, 64-bit memories included: the
        // executor relies on it (an address of 2^32 or more is out of bounds of every memory).
        // Only the minimum is allocated; a large maximum reserves nothing.
        let limit = ty.max.unwrap_or(MAX_PAGES).min(u64::from(ceiling)).min(MAX_PAGES) as u32;
        let bytes = ty.min as usize * PAGE_SIZE;
        let data = zeroed_buffer(bytes, bytes).ok_or_else(|| {
            Error::new(ErrorKind::Instantiation, format!("cannot allocate {} pages of memory", ty.min))
        })?;
        Ok(MemoryEntity { data, ty, limit, pins: 0 })
    }

    /// The current size in pages.
    pub(crate) fn pages(&self) -> u32 {
        (self.data.len() / PAGE_SIZE) as u32
    }

    /// Grows by `delta` pages; returns the old size, or `None` if the limit or the host's
    /// allocator refuses (which `memory.grow` reports as -1).
    pub(crate) fn grow(&mut self, delta: u32) -> Option<u32> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if new > self.limit {
            return None;
        }
        let new_len = new as usize * PAGE_SIZE;
        if new_len > self.data.capacity() {
            if self.pins > 0 {
                return None;
            }
            // Double the capacity (within the limit) so repeated small grows move rarely.
            let max = self.limit as usize * PAGE_SIZE;
            let capacity = new_len.max(self.data.capacity().saturating_mul(2).min(max));
            self.reserve(capacity)?;
        }
        // The added pages are zero, as `memory.grow` requires.
        self.data.resize(new_len, 0);
        Some(old)
    }

    /// Makes the capacity at least `capacity` bytes (moving the bytes if need be); `None` if
    /// the allocator refuses.
    fn reserve(&mut self, capacity: usize) -> Option<()> {
        let additional = capacity.saturating_sub(self.data.len());
        self.data.try_reserve_exact(additional).ok()
    }

    /// Makes sure the capacity covers the limit, so the bytes never move while pinned.
    fn reserve_limit(&mut self) -> Option<()> {
        self.reserve(self.limit as usize * PAGE_SIZE)
    }

    /// The type with the current size as its minimum (what import matching compares).
    pub(crate) fn current_type(&self) -> MemoryType {
        MemoryType { min: u64::from(self.pages()), ..self.ty }
    }
}

/// A handle to a linear memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Memory {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

impl Memory {
    /// Creates a memory of the given type in the store.
    ///
    /// # Errors
    /// If the minimum exceeds the engine's page ceiling or cannot be allocated.
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory> {
        let store = store.as_context_mut();
        let ceiling = store.engine().config().max_memory_pages;
        let entity = MemoryEntity::new(ty, ceiling)?;
        let inner = &mut store.inner;
        inner.memories.push(entity);
        Ok(Memory { store: inner.id, index: (inner.memories.len() - 1) as u32 })
    }

    fn entity<'a, T: 'a>(&self, store: &'a crate::Store<T>) -> Result<&'a MemoryEntity> {
        store.inner.check(self.store)?;
        Ok(&store.inner.memories[self.index as usize])
    }

    fn entity_mut<'a, T: 'a>(&self, store: &'a mut crate::Store<T>) -> Result<&'a mut MemoryEntity> {
        store.inner.check(self.store)?;
        Ok(&mut store.inner.memories[self.index as usize])
    }

    /// The memory's type, with its current size as the minimum.
    ///
    /// # Errors
    /// If `store` does not own this memory (`ErrorKind::Usage`; as for every method below).
    pub fn ty(&self, store: impl AsContext) -> Result<MemoryType> {
        Ok(self.entity(store.as_context())?.current_type())
    }

    /// The current size in pages (a `u64` like [`MemoryType`]'s limits, whether the memory
    /// is 32-bit or 64-bit).
    pub fn size(&self, store: impl AsContext) -> Result<u64> {
        Ok(u64::from(self.entity(store.as_context())?.pages()))
    }

    /// The current size in bytes.
    pub fn data_size(&self, store: impl AsContext) -> Result<usize> {
        Ok(self.entity(store.as_context())?.data.len())
    }

    /// The memory's bytes.
    pub fn data<'a, T: 'a>(&self, store: &'a crate::Store<T>) -> Result<&'a [u8]> {
        Ok(&self.entity(store)?.data)
    }

    /// The memory's bytes, mutably.
    pub fn data_mut<'a, T: 'a>(&self, store: &'a mut crate::Store<T>) -> Result<&'a mut [u8]> {
        Ok(&mut self.entity_mut(store)?.data)
    }

    /// The memory's bytes and the store's embedder data, both mutably: for host functions that
    /// move data between guest memory and their own state without copying it twice.
    ///
    /// ```
    /// use epsilon::{Engine, Memory, MemoryType, Store};
    /// let engine = Engine::default();
    /// let mut store = Store::new(&engine, vec![1u8, 2, 3]);
    /// let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
    /// let (bytes, data) = memory.data_and_store_mut(&mut store)?;
    /// bytes[..3].copy_from_slice(data);
    /// data.clear();
    /// assert_eq!(&memory.data(&store)?[..3], &[1, 2, 3]);
    /// # Ok::<(), epsilon::Error>(())
    /// ```
    pub fn data_and_store_mut<'a, T: 'a>(
        &self,
        store: &'a mut crate::Store<T>,
    ) -> Result<(&'a mut [u8], &'a mut T)> {
        store.inner.check(self.store)?;
        let (inner, data) = store.inner_and_data_mut();
        Ok((&mut inner.memories[self.index as usize].data, data))
    }

    /// Grows the memory by `delta` pages and returns the previous size. Page counts are `u64`
    /// for 32-bit and 64-bit memories alike (as `memory.grow` of a 64-bit memory takes an
    /// `i64`); no memory grows beyond the engine's page ceiling.
    ///
    /// # Errors
    /// If the new size would exceed the maximum or the configured ceiling.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u64> {
        let entity = self.entity_mut(store.as_context_mut())?;
        u32::try_from(delta).ok().and_then(|delta| entity.grow(delta)).map(u64::from).ok_or_else(|| {
            Error::new(
                ErrorKind::OutOfRange,
                format!("cannot grow memory of {} pages by {delta} pages", entity.pages()),
            )
        })
    }

    /// Pins the memory's bytes in place: until the matching [`Memory::unpin`], the address
    /// returned by [`Memory::data_ptr`] stays valid. To make that possible, pinning reserves
    /// address space up to the memory's maximum size; growth beyond what was reserved fails
    /// (`memory.grow` returns -1) while pinned. Pins nest.
    ///
    /// # Errors
    /// If the reservation cannot be made.
    pub fn pin(&self, mut store: impl AsContextMut) -> Result<()> {
        let entity = self.entity_mut(store.as_context_mut())?;
        if entity.pins == 0 {
            entity.reserve_limit().ok_or_else(|| {
                let max = entity.limit as usize * PAGE_SIZE;
                Error::new(ErrorKind::OutOfRange, format!("cannot reserve {max} bytes to pin the memory"))
            })?;
        }
        entity.pins += 1;
        Ok(())
    }

    /// Releases one [`Memory::pin`].
    ///
    /// # Errors
    /// If `store` does not own this memory.
    pub fn unpin(&self, mut store: impl AsContextMut) -> Result<()> {
        let entity = self.entity_mut(store.as_context_mut())?;
        entity.pins = entity.pins.saturating_sub(1);
        Ok(())
    }

    /// The address of the memory's first byte. It stays valid while the memory is pinned
    /// (see [`Memory::pin`]) and the store is alive; otherwise growth may move the bytes.
    /// Obtaining the pointer is safe; dereferencing it is the caller's responsibility.
    ///
    /// # Errors
    /// If `store` does not own this memory.
    pub fn data_ptr(&self, mut store: impl AsContextMut) -> Result<*mut u8> {
        Ok(self.entity_mut(store.as_context_mut())?.data.as_mut_ptr())
    }

    /// Copies `buf.len()` bytes starting at `offset` into `buf`.
    ///
    /// # Errors
    /// If the range is not inside the memory; nothing is read then.
    pub fn read(&self, store: impl AsContext, offset: usize, buf: &mut [u8]) -> Result<()> {
        let data = &self.entity(store.as_context())?.data;
        let src = offset
            .checked_add(buf.len())
            .and_then(|end| data.get(offset..end))
            .ok_or_else(|| out_of_range(offset, buf.len(), data.len()))?;
        buf.copy_from_slice(src);
        Ok(())
    }

    /// Copies `bytes` into the memory starting at `offset`.
    ///
    /// # Errors
    /// If the range is not inside the memory; nothing is written then.
    pub fn write(&self, mut store: impl AsContextMut, offset: usize, bytes: &[u8]) -> Result<()> {
        let data = &mut self.entity_mut(store.as_context_mut())?.data;
        let len = data.len();
        let dst = offset
            .checked_add(bytes.len())
            .and_then(|end| data.get_mut(offset..end))
            .ok_or_else(|| out_of_range(offset, bytes.len(), len))?;
        dst.copy_from_slice(bytes);
        Ok(())
    }
}

fn out_of_range(offset: usize, len: usize, size: usize) -> Error {
    Error::new(
        ErrorKind::OutOfRange,
        format!("memory access of {len} bytes at offset {offset} is outside the memory of {size} bytes"),
    )
}
