//! The host objects behind `externref` values, and their collection.
//!
//! An `externref` cell holds a slot number plus one (0 is null). Each slot keeps its object and
//! a generation, bumped when the slot is freed, so an [`ExternRef`](crate::ExternRef) handle
//! that outlived its object (it names an older generation) is refused instead of reaching the
//! object that reuses the slot.
//!
//! [`ExternHeap::collect`] frees every object that wasm can no longer reach. It runs only
//! between calls, when the only places wasm keeps references are tables, globals and element
//! segments; those are its roots.

use std::any::Any;

/// One host object's slot.
struct Slot {
    value: Option<Box<dyn Any + Send + Sync>>,
    generation: u32,
}

/// The store's externref objects.
#[derive(Default)]
pub(crate) struct ExternHeap {
    slots: Vec<Slot>,
    /// Free slot numbers, reused before the vector grows.
    free: Vec<u32>,
    /// Live objects after the last collection (the next one is due when this doubles).
    survivors: usize,
}

impl ExternHeap {
    /// Stores `value`; returns its slot and generation.
    pub(crate) fn insert(&mut self, value: Box<dyn Any + Send + Sync>) -> (u32, u32) {
        match self.free.pop() {
            Some(index) => {
                let slot = &mut self.slots[index as usize];
                slot.value = Some(value);
                (index, slot.generation)
            }
            None => {
                self.slots.push(Slot { value: Some(value), generation: 0 });
                ((self.slots.len() - 1) as u32, 0)
            }
        }
    }

    /// The object in slot `index` if it is still of `generation`.
    pub(crate) fn get(&self, index: u32, generation: u32) -> Option<&(dyn Any + Send + Sync)> {
        let slot = self.slots.get(index as usize)?;
        if slot.generation == generation { slot.value.as_deref() } else { None }
    }

    /// The generation of slot `index` (for handles made from cells, which are always live).
    pub(crate) fn generation(&self, index: u32) -> u32 {
        self.slots.get(index as usize).map_or(0, |s| s.generation)
    }

    /// Objects held now.
    pub(crate) fn live(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// Whether enough objects were added since the last collection to make one worthwhile.
    pub(crate) fn collection_due(&self) -> bool {
        self.live() >= 2 * self.survivors + 1024
    }

    /// Frees every slot whose cell (slot + 1) is not among `roots`; returns the objects, for
    /// the caller to drop.
    pub(crate) fn collect(&mut self, roots: impl Iterator<Item = u32>) -> Vec<Box<dyn Any + Send + Sync>> {
        let mut marked = vec![false; self.slots.len()];
        for cell in roots {
            if let Some(m) = cell.checked_sub(1).and_then(|i| marked.get_mut(i as usize)) {
                *m = true;
            }
        }
        let mut freed = Vec::new();
        for (index, slot) in self.slots.iter_mut().enumerate() {
            if !marked[index]
                && let Some(value) = slot.value.take()
            {
                slot.generation = slot.generation.wrapping_add(1);
                self.free.push(index as u32);
                freed.push(value);
            }
        }
        self.survivors = self.live();
        freed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_keeps_roots_and_refuses_stale_handles() {
        let mut heap = ExternHeap::default();
        let (a, ga) = heap.insert(Box::new(1u8));
        let (b, gb) = heap.insert(Box::new(2u8));
        assert_eq!(heap.collect([b + 1, 0, 99].into_iter()).len(), 1);
        assert!(heap.get(a, ga).is_none(), "a was not a root");
        assert_eq!(heap.get(b, gb).and_then(|v| v.downcast_ref::<u8>()), Some(&2));
        // The freed slot is reused under a new generation; the old handle stays refused.
        let (c, gc) = heap.insert(Box::new(3u8));
        assert_eq!(c, a);
        assert_ne!(gc, ga);
        assert!(heap.get(a, ga).is_none());
        assert_eq!(heap.get(c, gc).and_then(|v| v.downcast_ref::<u8>()), Some(&3));
        assert_eq!(heap.live(), 2);
    }
}
