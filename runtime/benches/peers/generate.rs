//! Deterministic generator of the start-up modules: many functions of varied arithmetic
//! (i64, i32 and f64 operations, branches, small loops, `br_table`, memory accesses, direct
//! and indirect calls), produced as WAT from a fixed seed and assembled with the `wat` crate.
//!
//! Every function, `run` included, has the type `(i32) -> i64`, so that an engine with lazy
//! compilation (wasm3) can be made to compile all of them by index. Calls pass `x >> 1` and
//! are guarded by `x != 0`, so `run(n)` terminates after about `log2(n)` nested calls.

use std::fmt::Write as _;

/// A generated module.
pub struct Generated {
    /// The module's binary encoding.
    pub wasm: Vec<u8>,
    /// Number of functions, `run` included (all of type `(i32) -> i64`, indices `0..functions`).
    pub functions: usize,
}

/// The splitmix64 generator: small, fast and fully determined by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Functions in the table used by `call_indirect` (the first ones of the module).
const TABLE_SIZE: usize = 16;

/// Generates a module of `functions` generated functions plus `run`, from a fixed seed.
pub fn module(functions: usize) -> Generated {
    let mut rng = Rng(0x0e95_11a0_5eed ^ functions as u64);
    let mut wat = String::from("(module\n  (type $t (func (param i32) (result i64)))\n  (memory 1)\n");
    let table_size = TABLE_SIZE.min(functions);
    let _ = writeln!(wat, "  (table {table_size} funcref)");
    let elems: Vec<String> = (0..table_size).map(|k| format!("$f{k}")).collect();
    let _ = writeln!(wat, "  (elem (i32.const 0) func {})", elems.join(" "));
    for k in 0..functions {
        function(&mut wat, &mut rng, k);
    }
    run_function(&mut wat, functions);
    wat.push(')');
    let wasm = wat::parse_str(&wat).expect("the generated module is valid WAT");
    Generated { wasm, functions: functions + 1 }
}

/// Appends generated function number `k`; it may call functions with lower numbers.
fn function(wat: &mut String, rng: &mut Rng, k: usize) {
    let _ = writeln!(
        wat,
        "  (func $f{k} (type $t) (local $a i64) (local $b i64) (local $f f64) (local $i i32)\n    \
         (local.set $a (i64.extend_i32_u (local.get 0)))\n    \
         (local.set $b (i64.const {}))\n    \
         (local.set $f (f64.convert_i32_s (local.get 0)))",
        rng.below(1 << 20)
    );
    let statements = 10 + rng.below(8);
    let call_at = rng.below(statements);
    for s in 0..statements {
        if s == call_at && k > 0 {
            call(wat, rng, k);
        } else {
            statement(wat, rng);
        }
    }
    wat.push_str(
        "    (i64.add (i64.xor (local.get $a) (local.get $b)) (i64.trunc_sat_f64_s (local.get $f))))\n",
    );
}

/// Appends a call to a lower-numbered function, direct or through the table, guarded by `x != 0`.
fn call(wat: &mut String, rng: &mut Rng, k: usize) {
    let callee = if k > TABLE_SIZE && rng.below(3) == 0 {
        "call_indirect (type $t) (i32.shr_u (local.get 0) (i32.const 1)) (i32.and (local.get 0) (i32.const 15))"
            .to_string()
    } else {
        format!("call $f{} (i32.shr_u (local.get 0) (i32.const 1))", rng.below(k as u64))
    };
    let _ = writeln!(wat, "    (if (local.get 0) (then (local.set $a (i64.add (local.get $a) ({callee})))))");
}

/// Appends one statement chosen at random among ten shapes.
fn statement(wat: &mut String, rng: &mut Rng) {
    let c = rng.below(1 << 16) + 1;
    let line = match rng.below(10) {
        0 => format!("(local.set $a (i64.add (local.get $a) (i64.mul (local.get $b) (i64.const {c}))))"),
        1 => format!("(local.set $b (i64.xor (local.get $b) (i64.rotl (local.get $a) (i64.const {}))))", c % 63),
        2 => "(local.set $f (f64.add (f64.mul (local.get $f) (f64.const 0.5)) (f64.convert_i64_s (local.get $b))))"
            .to_string(),
        3 => format!(
            "(if (i64.lt_s (local.get $a) (local.get $b)) \
             (then (local.set $a (i64.sub (local.get $a) (i64.const {c})))) \
             (else (local.set $b (i64.add (local.get $b) (i64.shr_u (local.get $a) (i64.const 3))))))"
        ),
        4 => format!(
            "(local.set $i (i32.const {})) (loop $l \
             (local.set $a (i64.add (local.get $a) (i64.extend_i32_u (local.get $i)))) \
             (local.set $b (i64.add (i64.mul (local.get $b) (i64.const 3)) (local.get $a))) \
             (br_if $l (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))",
            1 + c % 4
        ),
        5 => format!(
            "(i64.store (i32.and (i32.add (i32.shl (local.get 0) (i32.const 3)) (i32.const {})) (i32.const 0xff8)) \
             (local.get $a)) \
             (local.set $b (i64.add (local.get $b) (i64.load (i32.and (i32.const {}) (i32.const 0xff8)))))",
            c * 8,
            c * 24
        ),
        6 => format!(
            "(local.set $i (i32.add (i32.mul (i32.wrap_i64 (local.get $a)) (i32.const {c})) (i32.const {}))) \
             (local.set $a (i64.add (local.get $a) (i64.extend_i32_u (i32.xor (local.get $i) \
             (i32.shr_u (local.get $i) (i32.const 7))))))",
            c ^ 0x55
        ),
        7 => "(local.set $f (f64.add (f64.sqrt (f64.abs (local.get $f))) (f64.convert_i32_u (local.get $i))))"
            .to_string(),
        8 => "(local.set $b (select (local.get $a) (local.get $b) \
              (i32.and (i32.wrap_i64 (local.get $a)) (i32.const 1))))"
            .to_string(),
        _ => format!(
            "(block $b2 (block $b1 (block $b0 \
             (br_table $b0 $b1 $b2 (i32.and (i32.wrap_i64 (local.get $a)) (i32.const 3)))) \
             (local.set $a (i64.add (local.get $a) (i64.const 1))) (br $b2)) \
             (local.set $b (i64.sub (local.get $b) (i64.const {c}))))"
        ),
    };
    let _ = writeln!(wat, "    {line}");
}

/// Appends `run`: the sum of sixteen generated functions spread over the module, on `x`.
fn run_function(wat: &mut String, functions: usize) {
    wat.push_str("  (func $run (export \"run\") (type $t) (local $acc i64)\n");
    for k in 0..16 {
        let callee = functions.saturating_sub(1 + k * 7 % functions.max(1));
        let _ = writeln!(
            wat,
            "    (local.set $acc (i64.add (i64.rotl (local.get $acc) (i64.const 5)) (call $f{callee} (local.get 0))))"
        );
    }
    wat.push_str("    (local.get $acc))\n");
}
