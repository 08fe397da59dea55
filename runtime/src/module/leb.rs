//! A check wasmparser leaves out: with memory64 and table64 disabled, the limits of memories
//! and tables are 32-bit LEB128 integers and may take at most 5 bytes. wasmparser reads them
//! as 64-bit integers (up to 10 bytes), so an overlong encoding would slip through; the
//! specification calls such a module malformed ("integer representation too long").

use crate::error::{Error, ErrorKind, Result};

/// A forward-only reader over a section's bytes; `None` means "stop checking" (wasmparser
/// reports truly broken input itself).
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    base: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    /// Reads an unsigned LEB128 integer and returns how many bytes it took.
    fn leb(&mut self) -> Option<(u64, usize)> {
        let start = self.pos;
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            if shift < 64 {
                value |= u64::from(b & 0x7f) << shift;
            }
            if b & 0x80 == 0 {
                return Some((value, self.pos - start));
            }
        }
        None
    }

    /// Reads a 32-bit limit; errors if its encoding is longer than 5 bytes.
    fn limit_u32(&mut self) -> Option<Result<()>> {
        let at = self.base + self.pos;
        let (_, len) = self.leb()?;
        Some(if len > 5 {
            Err(Error::at_offset(ErrorKind::Malformed, "integer representation too long", at))
        } else {
            Ok(())
        })
    }

    /// Reads `limits` (flags, min, optional max).
    fn limits(&mut self) -> Option<Result<()>> {
        let flags = self.byte()?;
        if flags & !0x01 != 0 {
            return None; // shared/64-bit flags: wasmparser rejects them under 2.0 features
        }
        if let Err(e) = self.limit_u32()? {
            return Some(Err(e));
        }
        if flags & 0x01 != 0 {
            return self.limit_u32();
        }
        Some(Ok(()))
    }

    fn skip_name(&mut self) -> Option<()> {
        let (len, _) = self.leb()?;
        self.pos = self.pos.checked_add(usize::try_from(len).ok()?)?;
        (self.pos <= self.bytes.len()).then_some(())
    }
}

fn check(mut r: Reader<'_>, mut entry: impl FnMut(&mut Reader<'_>) -> Option<Result<()>>) -> Result<()> {
    let Some((count, _)) = r.leb() else { return Ok(()) };
    for _ in 0..count {
        match entry(&mut r) {
            Some(Ok(())) => {}
            Some(Err(e)) => return Err(e),
            None => return Ok(()),
        }
    }
    Ok(())
}

/// Checks the limits in a memory section's content (`base` is its offset in the module).
pub(crate) fn check_memory_section(bytes: &[u8], base: usize) -> Result<()> {
    check(Reader { bytes, pos: 0, base }, |r| r.limits())
}

/// Checks the limits in a table section's content.
pub(crate) fn check_table_section(bytes: &[u8], base: usize) -> Result<()> {
    check(Reader { bytes, pos: 0, base }, |r| {
        let reftype = r.byte()?;
        if reftype == 0x40 {
            return None; // table with an initialiser expression: not 2.0
        }
        r.limits()
    })
}

/// Checks the limits of memory and table imports in an import section's content.
pub(crate) fn check_import_section(bytes: &[u8], base: usize) -> Result<()> {
    check(Reader { bytes, pos: 0, base }, |r| {
        r.skip_name()?;
        r.skip_name()?;
        match r.byte()? {
            0x00 => r.leb().map(|_| Ok(())),
            0x01 => {
                r.byte()?;
                r.limits()
            }
            0x02 => r.limits(),
            0x03 => {
                r.byte()?;
                r.byte().map(|_| Ok(()))
            }
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlong_limits_are_malformed() {
        // One memory, no max, minimum 2 encoded in 6 bytes.
        let err = check_memory_section(&[0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x80, 0x00], 10).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Malformed);
        assert_eq!(err.offset(), Some(12));
        // Five bytes are fine.
        check_memory_section(&[0x01, 0x01, 0x82, 0x00, 0x82, 0x80, 0x80, 0x80, 0x00], 0).unwrap();
        // A table whose maximum is overlong.
        assert!(
            check_table_section(&[0x01, 0x70, 0x01, 0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], 0).is_err()
        );
    }

    #[test]
    fn imports_are_scanned_past_names() {
        // (import "a" "m" (memory 1 with an overlong minimum))
        let bytes = [0x01, 0x01, b'a', 0x01, b'm', 0x02, 0x00, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00];
        assert!(check_import_section(&bytes, 0).is_err());
        let ok = [0x01, 0x01, b'a', 0x01, b'f', 0x00, 0x00];
        check_import_section(&ok, 0).unwrap();
    }
}
