//! Modules of array accesses for the differential target: the shapes the translator fuses
//! into one memory op, which wasm-smith's random code seldom produces in the exact order.
//!
//! An array access `a[i]` is an `i32.shl` of the index by a constant and an `i32.add` of the
//! array's address before a load or store; epsilon runs the three as one op when the shift is
//! log2 of the access width (`Load32UM0_xi` and its siblings). Each generated function does one
//! access with a random kind, index (a parameter, masked or not, or computed just before), shift
//! count (the fused ones, others, and counts of 32 or more, which `i32.shl` takes modulo 32),
//! array address (aligned or not, near the end of memory or wrapping past 2^32), operand order
//! of the add, offset and stored value (a parameter, a constant, or computed). Some functions
//! chase indices through memory (`p = a[p]` in a loop). The differential target compares
//! results, traps and the memory after every call.

use crate::rng::Rng;
use std::fmt::Write;

/// Bytes of memory the module has (one page) and of data it starts with.
const MEMORY_BYTES: u32 = 65536;
const DATA_BYTES: usize = 512;

/// The load kinds: (instruction, width, the expression turning the loaded value into the
/// function's result, the result type).
const LOADS: &[(&str, u32, &str, &str)] = &[
    ("i32.load", 4, "", "i32"),
    ("f32.load", 4, "i32.reinterpret_f32", "i32"),
    ("i64.load32_u", 4, "", "i64"),
    ("i64.load32_s", 4, "", "i64"),
    ("i64.load", 8, "", "i64"),
    ("f64.load", 8, "i64.reinterpret_f64", "i64"),
    ("i32.load16_u", 2, "", "i32"),
];

/// The store kinds: (instruction, width, value type).
const STORES: &[(&str, u32, &str)] = &[
    ("i32.store", 4, "i32"),
    ("f32.store", 4, "f32"),
    ("i64.store32", 4, "i64"),
    ("i64.store", 8, "i64"),
    ("f64.store", 8, "f64"),
    ("i32.store16", 2, "i32"),
];

/// A module of 1 to 8 array-access functions (all exported), as a binary.
pub fn module(rng: &mut Rng) -> Vec<u8> {
    let mut wat = String::from("(module\n  (memory 1 1)\n");
    let data: String = rng.bytes(DATA_BYTES).iter().map(|b| format!("\\{b:02x}")).collect();
    let data_at = if rng.bool() { 0 } else { MEMORY_BYTES - DATA_BYTES as u32 };
    let _ = writeln!(wat, "  (data (i32.const {data_at}) \"{data}\")");
    for f in 0..1 + rng.below(8) {
        let body = match rng.below(5) {
            0 => chase(rng),
            1 | 2 => load(rng),
            _ => store(rng),
        };
        let _ = writeln!(wat, "  (func (export \"f{f}\") {body})");
    }
    wat.push(')');
    wat::parse_str(&wat).expect("the idiom generator writes valid WAT")
}

/// A shift count: log2 of the width (fused) most of the time, else another count, possibly
/// 32 or more.
fn shift(rng: &mut Rng, width: u32) -> u32 {
    match rng.below(6) {
        0 => rng.below(4) as u32,
        1 => 32 + width.trailing_zeros() + 32 * rng.below(2) as u32,
        2 => rng.next_u32(),
        _ => width.trailing_zeros(),
    }
}

/// The array's address: small and aligned, unaligned, near the end of memory, or anything
/// (wrapping past 2^32 with the index).
fn base(rng: &mut Rng) -> u32 {
    match rng.below(5) {
        0 => rng.below(64) as u32 * 8,
        1 => rng.below(1024) as u32,
        2 => MEMORY_BYTES - rng.below(64) as u32,
        3 => rng.next_u32(),
        _ => rng.interesting_u32(),
    }
}

/// The index expression, reading parameter 0: as is, masked to a small range, or computed by
/// an op just before the shift (so that the index is in the accumulator).
fn index(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => "(local.get 0)".into(),
        1 => format!("(i32.and (local.get 0) (i32.const {}))", [15, 255, 4095, 16383][rng.index(4)]),
        2 => format!("(i32.add (local.get 0) (i32.const {}))", rng.interesting_u32() as i32),
        _ => format!("(i32.xor (local.get 0) (i32.const {}))", rng.below(64)),
    }
}

/// The address `(index << shift) + base`, the add's operands in either order.
fn address(rng: &mut Rng, width: u32) -> String {
    let shifted = format!("(i32.shl {} (i32.const {}))", index(rng), shift(rng, width) as i32);
    let base = format!("(i32.const {})", base(rng) as i32);
    if rng.one_in(4) { format!("(i32.add {base} {shifted})") } else { format!("(i32.add {shifted} {base})") }
}

/// A memory argument's offset: usually 0, the only one some fused forms take.
fn offset(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!(" offset={}", rng.below(16) * 4),
        1 => format!(" offset={}", rng.below(70000)),
        _ => String::new(),
    }
}

fn load(rng: &mut Rng) -> String {
    let &(op, width, convert, result) = rng.pick(LOADS);
    let access = format!("({op}{} {})", offset(rng), address(rng, width));
    let value = if convert.is_empty() { access } else { format!("({convert} {access})") };
    format!("(param i32) (result {result}) {value}")
}

fn store(rng: &mut Rng) -> String {
    let &(op, width, ty) = rng.pick(STORES);
    let value = match rng.below(3) {
        0 => "(local.get 1)".to_string(),
        1 if ty == "f32" || ty == "f64" => format!("({ty}.const {})", rng.below(1000)),
        1 => format!("({ty}.const {})", rng.interesting_u32() as i32),
        _ if ty == "f32" || ty == "f64" => format!("({ty}.neg (local.get 1))"),
        _ => format!("({ty}.add (local.get 1) ({ty}.const 1))"),
    };
    format!("(param i32 {ty}) ({op}{} {} {value})", offset(rng), address(rng, width))
}

/// `p = a[p & mask]` (or unmasked) `n & 63` times, returning `p`: the load's index register is
/// the one it writes.
fn chase(rng: &mut Rng) -> String {
    let mask = if rng.bool() { "(i32.and (local.get 0) (i32.const 127))" } else { "(local.get 0)" };
    let base = if rng.bool() { rng.below(64) as u32 * 4 } else { base(rng) };
    format!(
        "(param i32 i32) (result i32)
    (local.set 1 (i32.and (local.get 1) (i32.const 63)))
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get 1)))
      (local.set 0 (i32.load (i32.add (i32.shl {mask} (i32.const 2)) (i32.const {}))))
      (local.set 1 (i32.sub (local.get 1) (i32.const 1)))
      (br $next)))
    (local.get 0)",
        base as i32
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Generated modules are valid, and epsilon agrees with wasmi on each (every function
    /// called once with zero arguments: the access at the array's own address).
    #[test]
    fn modules_are_valid_and_the_engines_agree_on_them() {
        for iteration in 0..200 {
            let wasm = module(&mut Rng::for_iteration(1, "idioms", iteration));
            wasmparser::validate(&wasm).expect("a valid module");
            assert!(crate::diff::engines_agree(&wasm, &wasm), "iteration {iteration}");
        }
    }
}
