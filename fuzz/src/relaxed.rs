//! Relaxed SIMD in the differential target. epsilon and wasmi 2.0.0 make the same choice for
//! 14 of the 20 relaxed instructions (those that behave as a 2.0 instruction: swizzle, trunc,
//! laneselect, min/max, q15mulr), which are compared like any other. They choose differently,
//! both within the specification, for the other six: epsilon's `relaxed_madd`/`nmadd` are
//! unfused (the deterministic profile) where wasmi fuses them, and epsilon saturates the i16
//! sums of the dot products where wasmi wraps. [`neutralise`] replaces exactly those six in a
//! generated module, before either engine sees it, by 2.0 instructions of the same type and
//! encoded length; their semantics are checked by the spec suite and unit tests instead.

use wasmparser::{Operator, Parser, Payload};

/// The 2.0 SIMD opcode (after the `0xfd` prefix) that replaces a divergent relaxed operator,
/// if `op` is one: `v128.bitselect` for the ternary ones, `i16x8.add` for the binary dot.
fn replacement(op: &Operator<'_>) -> Option<u32> {
    Some(match op {
        Operator::F32x4RelaxedMadd
        | Operator::F32x4RelaxedNmadd
        | Operator::F64x2RelaxedMadd
        | Operator::F64x2RelaxedNmadd
        | Operator::I32x4RelaxedDotI8x16I7x16AddS => 0x52,
        Operator::I16x8RelaxedDotI8x16I7x16S => 0x8e,
        _ => return None,
    })
}

/// `value` as an unsigned LEB128 of exactly `len` bytes (padded with continuation bytes), if
/// it fits.
fn leb_padded(value: u32, len: usize) -> Option<Vec<u8>> {
    if len == 0 || len > 5 || (len < 5 && u64::from(value) >= 1 << (7 * len)) {
        return None;
    }
    Some((0..len).map(|i| ((value >> (7 * i)) & 0x7f) as u8 | if i + 1 < len { 0x80 } else { 0 }).collect())
}

/// `wasm` with every relaxed operator on which epsilon and wasmi choose differently replaced
/// (see the module docs); the module is unchanged if it has none or cannot be parsed.
pub fn neutralise(wasm: &[u8]) -> Vec<u8> {
    let mut out = wasm.to_vec();
    for payload in Parser::new(0).parse_all(wasm) {
        let Ok(Payload::CodeSectionEntry(body)) = payload else { continue };
        let Ok(mut ops) = body.get_operators_reader() else { continue };
        while !ops.eof() {
            let Ok((op, offset)) = ops.read_with_offset() else { break };
            let offset = offset as usize;
            let end = ops.original_position() as usize;
            // The operator is the 0xfd prefix and its opcode's LEB128, which is rewritten in place.
            if let Some(code) = replacement(&op)
                && out.get(offset) == Some(&0xfd)
                && let Some(bytes) = leb_padded(code, end - offset - 1)
            {
                out[offset + 1..end].copy_from_slice(&bytes);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divergent_relaxed_operators_are_replaced_in_place() {
        let wat = r#"(module (func (export "f") (param v128 v128 v128) (result v128)
            (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))
            (i16x8.relaxed_dot_i8x16_i7x16_s (local.get 1))
            (f32x4.relaxed_min (local.get 2))))"#;
        let wasm = wat::parse_str(wat).unwrap();
        let fixed = neutralise(&wasm);
        assert_eq!(fixed.len(), wasm.len());
        let want = wat::parse_str(
            r#"(module (func (export "f") (param v128 v128 v128) (result v128)
            (v128.bitselect (local.get 0) (local.get 1) (local.get 2))
            (i16x8.add (local.get 1))
            (f32x4.relaxed_min (local.get 2))))"#,
        )
        .unwrap();
        let printed = |w: &[u8]| wasmprinter::print_bytes(w).unwrap();
        assert_eq!(printed(&fixed), printed(&want));
        wasmparser::Validator::new().validate_all(&fixed).unwrap();
    }
}
