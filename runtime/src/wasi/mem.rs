//! Bounds-checked access to the guest's linear memory. Every pointer and length comes from
//! the guest: anything outside the memory is `EFAULT`, never a host panic.

use super::abi::{Errno, WasiResult};

/// Caps the bytes one read or write moves through a host buffer (a short count is legal).
pub(crate) const MAX_IO: usize = 16 << 20;

/// The guest's memory during one WASI call.
#[derive(Debug)]
pub(crate) struct GuestMemory<'a> {
    bytes: &'a mut [u8],
}

/// One `iovec`/`ciovec`: a guest buffer address and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IoVec {
    pub ptr: u32,
    pub len: u32,
}

impl<'a> GuestMemory<'a> {
    /// Wraps the memory's bytes.
    pub fn new(bytes: &'a mut [u8]) -> Self {
        GuestMemory { bytes }
    }

    fn range(&self, ptr: u32, len: usize) -> WasiResult<std::ops::Range<usize>> {
        let start = ptr as usize;
        let end = start.checked_add(len).ok_or(Errno::FAULT)?;
        if end > self.bytes.len() {
            return Err(Errno::FAULT);
        }
        Ok(start..end)
    }

    /// The `len` bytes at `ptr`.
    pub fn slice(&self, ptr: u32, len: u32) -> WasiResult<&[u8]> {
        let r = self.range(ptr, len as usize)?;
        Ok(&self.bytes[r])
    }

    /// The `len` bytes at `ptr`, mutably.
    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> WasiResult<&mut [u8]> {
        let r = self.range(ptr, len as usize)?;
        Ok(&mut self.bytes[r])
    }

    /// Copies `data` to `ptr`.
    pub fn write(&mut self, ptr: u32, data: &[u8]) -> WasiResult<()> {
        let r = self.range(ptr, data.len())?;
        self.bytes[r].copy_from_slice(data);
        Ok(())
    }

    fn read_array<const N: usize>(&self, ptr: u32) -> WasiResult<[u8; N]> {
        let r = self.range(ptr, N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(&self.bytes[r]);
        Ok(out)
    }

    /// The little-endian `u16` at `ptr`.
    pub fn read_u16(&self, ptr: u32) -> WasiResult<u16> {
        self.read_array(ptr).map(u16::from_le_bytes)
    }

    /// The little-endian `u32` at `ptr`.
    pub fn read_u32(&self, ptr: u32) -> WasiResult<u32> {
        self.read_array(ptr).map(u32::from_le_bytes)
    }

    /// The little-endian `u64` at `ptr`.
    pub fn read_u64(&self, ptr: u32) -> WasiResult<u64> {
        self.read_array(ptr).map(u64::from_le_bytes)
    }

    /// The byte at `ptr`.
    pub fn read_u8(&self, ptr: u32) -> WasiResult<u8> {
        self.read_array::<1>(ptr).map(|b| b[0])
    }

    /// Stores a little-endian `u32` at `ptr`.
    pub fn write_u32(&mut self, ptr: u32, v: u32) -> WasiResult<()> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// Stores a little-endian `u64` at `ptr`.
    pub fn write_u64(&mut self, ptr: u32, v: u64) -> WasiResult<()> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// The UTF-8 string of `len` bytes at `ptr` (paths): `EILSEQ` if it is not UTF-8.
    pub fn str(&self, ptr: u32, len: u32) -> WasiResult<&str> {
        std::str::from_utf8(self.slice(ptr, len)?).map_err(|_| Errno::ILSEQ)
    }

    /// The `count` iovecs at `ptr`, each checked to lie inside the memory. The total length
    /// must fit in 32 bits (`EINVAL` otherwise, like POSIX's `readv`).
    pub fn iovecs(&self, ptr: u32, count: u32) -> WasiResult<Vec<IoVec>> {
        let bytes = (count as usize).checked_mul(8).ok_or(Errno::FAULT)?;
        self.range(ptr, bytes)?;
        let mut out = Vec::with_capacity(count as usize);
        let mut total: u32 = 0;
        for i in 0..count {
            let at = ptr + i * 8;
            let v = IoVec { ptr: self.read_u32(at)?, len: self.read_u32(at + 4)? };
            self.range(v.ptr, v.len as usize)?;
            total = total.checked_add(v.len).ok_or(Errno::INVAL)?;
            out.push(v);
        }
        Ok(out)
    }

    /// Concatenates the bytes of `iovs` (for a write), at most [`MAX_IO`] of them.
    pub fn gather(&self, iovs: &[IoVec]) -> WasiResult<Vec<u8>> {
        let mut out = Vec::new();
        for v in iovs {
            let room = MAX_IO - out.len();
            let take = (v.len as usize).min(room) as u32;
            out.extend_from_slice(self.slice(v.ptr, take)?);
            if out.len() == MAX_IO {
                break;
            }
        }
        Ok(out)
    }

    /// Spreads `data` over `iovs` in order (after a read); returns the bytes placed.
    pub fn scatter(&mut self, iovs: &[IoVec], mut data: &[u8]) -> WasiResult<usize> {
        let total = data.len();
        for v in iovs {
            if data.is_empty() {
                break;
            }
            let n = (v.len as usize).min(data.len());
            self.write(v.ptr, &data[..n])?;
            data = &data[n..];
        }
        Ok(total - data.len())
    }
}

/// The total length of `iovs`, capped at [`MAX_IO`]: the size of the host buffer for a read.
pub(crate) fn read_capacity(iovs: &[IoVec]) -> usize {
    iovs.iter().map(|v| v.len as usize).sum::<usize>().min(MAX_IO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_bounds_is_efault() {
        let mut bytes = vec![0u8; 16];
        let mut m = GuestMemory::new(&mut bytes);
        assert_eq!(m.read_u32(12), Ok(0));
        assert_eq!(m.read_u32(13), Err(Errno::FAULT));
        assert_eq!(m.write_u64(u32::MAX, 1), Err(Errno::FAULT));
        assert_eq!(m.slice(16, 0).map(|s| s.len()), Ok(0));
        assert_eq!(m.slice(17, 0).map(|s| s.len()), Err(Errno::FAULT));
        assert_eq!(m.slice(0, u32::MAX).map(|s| s.len()), Err(Errno::FAULT));
    }

    #[test]
    fn iovecs_are_checked_and_scattered_in_order() {
        let mut bytes = vec![0u8; 64];
        let mut m = GuestMemory::new(&mut bytes);
        // Two iovecs at 0: [32, 2] and [40, 3].
        m.write(0, &[32, 0, 0, 0, 2, 0, 0, 0, 40, 0, 0, 0, 3, 0, 0, 0]).unwrap();
        let iovs = m.iovecs(0, 2).unwrap();
        assert_eq!(read_capacity(&iovs), 5);
        assert_eq!(m.scatter(&iovs, b"abcd"), Ok(4));
        assert_eq!(m.slice(32, 2).unwrap(), b"ab");
        assert_eq!(m.slice(40, 3).unwrap(), b"cd\0");
        assert_eq!(m.gather(&iovs).unwrap(), b"abcd\0");
        // An iovec pointing past the end, or a list that does not fit.
        m.write(0, &[60, 0, 0, 0, 8, 0, 0, 0]).unwrap();
        assert_eq!(m.iovecs(0, 1), Err(Errno::FAULT));
        assert_eq!(m.iovecs(60, 1), Err(Errno::FAULT));
        assert_eq!(m.iovecs(0, u32::MAX), Err(Errno::FAULT));
    }

    #[test]
    fn paths_must_be_utf8() {
        let mut bytes = vec![0xffu8, b'a'];
        let m = GuestMemory::new(&mut bytes);
        assert_eq!(m.str(1, 1), Ok("a"));
        assert_eq!(m.str(0, 2), Err(Errno::ILSEQ));
    }
}
