//! The side table of a translated function that maps op positions back to WebAssembly code
//! offsets, read only to build a trap's backtrace ([`crate::WasmBacktrace`]).
//!
//! Only ops that can stop execution have an entry: the ops translated from an instruction
//! that can trap, call or branch backwards (where an interrupt is noticed), the fuel charges,
//! and the first op of every loop (where an interrupted backward branch resumes). Entries are
//! sorted by op position and stored as pairs of LEB128 deltas (op position, then the zigzag
//! delta of the code offset), two to three bytes each; a lookup decodes from the start, which
//! only the trap path does.
//!
//! The table also carries the function's exception handlers ([`super::handlers`]), the other
//! side table only a slow path (a throw) reads.

/// Op positions of a function mapped to byte offsets of instructions in the module binary.
#[derive(Debug, Default)]
pub(crate) struct OffsetTable {
    /// The byte offset of the function body in the module binary (its first byte after the
    /// size field: the locals declaration).
    pub body_offset: u32,
    /// The encoded entries (module docs).
    bytes: Box<[u8]>,
    /// The `try_table` handlers, innermost first (empty for most functions).
    pub handlers: Box<[super::TryHandler]>,
}

impl OffsetTable {
    /// Encodes `entries`, `(op position, module offset)` pairs sorted by op position, each
    /// position once.
    #[cfg(test)]
    pub(crate) fn new(body_offset: u32, entries: impl IntoIterator<Item = (u32, u32)>) -> Self {
        Self::encode(body_offset, entries, &mut Vec::new())
    }

    /// [`OffsetTable::new`] with a scratch buffer that is reused from one function to the next:
    /// the table then takes one allocation of its exact size.
    pub(crate) fn encode(
        body_offset: u32,
        entries: impl IntoIterator<Item = (u32, u32)>,
        scratch: &mut Vec<u8>,
    ) -> Self {
        scratch.clear();
        let (mut pos, mut offset) = (0u32, body_offset);
        for (p, o) in entries {
            debug_assert!(p >= pos, "entries sorted by op position");
            write_leb(scratch, p - pos);
            let delta = i64::from(o) - i64::from(offset);
            write_leb(scratch, ((delta << 1) ^ (delta >> 63)) as u32);
            (pos, offset) = (p, o);
        }
        OffsetTable { body_offset, bytes: scratch.as_slice().into(), handlers: Box::new([]) }
    }

    /// The module offset of the instruction op `pos` was translated from, if it has an entry.
    pub(crate) fn lookup(&self, pos: u32) -> Option<u32> {
        let mut reader = self.bytes.iter().copied();
        let (mut p, mut offset) = (0u32, i64::from(self.body_offset));
        while let Some(dp) = read_leb(&mut reader) {
            let zigzag = i64::from(read_leb(&mut reader)?);
            p += dp;
            offset += (zigzag >> 1) ^ -(zigzag & 1);
            if p == pos {
                return u32::try_from(offset).ok();
            }
            if p > pos {
                return None;
            }
        }
        None
    }

    /// Bytes this table takes on the heap.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.bytes.len()
    }
}

fn write_leb(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read_leb(bytes: &mut impl Iterator<Item = u8>) -> Option<u32> {
    let mut value = 0u32;
    for shift in (0..35).step_by(7) {
        let byte = bytes.next()?;
        value |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_misses_are_none() {
        let entries = [(0, 100), (3, 104), (4, 99), (200, 70_000), (201, 70_000)];
        let table = OffsetTable::new(90, entries);
        for (pos, offset) in entries {
            assert_eq!(table.lookup(pos), Some(offset), "op {pos}");
        }
        for pos in [1, 2, 5, 199, 202] {
            assert_eq!(table.lookup(pos), None, "op {pos}");
        }
        assert_eq!(OffsetTable::new(5, []).lookup(0), None);
    }

    #[test]
    fn small_steps_take_two_bytes() {
        let table = OffsetTable::new(10, (0..100).map(|i| (i * 2, 12 + i * 3)));
        assert_eq!(table.heap_bytes(), 200);
    }
}
