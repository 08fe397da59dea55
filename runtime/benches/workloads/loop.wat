;; A counted loop with an i64 accumulator: dispatch cost of the simplest instructions.
;; run(n) -> sum over i < n of (i xor 0x5a)
(module
  (func (export "run") (param $n32 i32) (result i64)
    (local $i i64) (local $acc i64) (local $n i64)
    (local.set $n (i64.extend_i32_u (local.get $n32)))
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i64.add (local.get $acc) (i64.xor (local.get $i) (i64.const 0x5a))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.get $acc)))
