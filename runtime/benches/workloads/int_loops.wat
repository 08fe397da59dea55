;; Tight integer loops over locals only (no memory, few calls): iterative Fibonacci mod 2^64,
;; bit counting by clearing the lowest set bit, and Euclid's gcd by remainders. Hand-written
;; so that no compiler turns the bit-counting loop into popcnt or unrolls the others.
;; run(n) -> checksum over n rounds
(module
  ;; fib(n) mod 2^64, by iteration.
  (func $fib (param $n i32) (result i64) (local $a i64) (local $b i64) (local $t i64)
    (local.set $b (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $t (i64.add (local.get $a) (local.get $b)))
        (local.set $a (local.get $b))
        (local.set $b (local.get $t))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $a))
  ;; Number of set bits of x, one loop iteration per bit.
  (func $bits (param $x i64) (result i64) (local $c i64)
    (block $done
      (loop $next
        (br_if $done (i64.eqz (local.get $x)))
        (local.set $x (i64.and (local.get $x) (i64.sub (local.get $x) (i64.const 1))))
        (local.set $c (i64.add (local.get $c) (i64.const 1)))
        (br $next)))
    (local.get $c))
  ;; gcd(a, b) on u32.
  (func $gcd (param $a i32) (param $b i32) (result i32) (local $t i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $b)))
        (local.set $t (i32.rem_u (local.get $a) (local.get $b)))
        (local.set $a (local.get $b))
        (local.set $b (local.get $t))
        (br $next)))
    (local.get $a))
  (func (export "run") (param $n i32) (result i64) (local $i i32) (local $f i64) (local $acc i64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        ;; fib of 64..127
        (local.set $f (call $fib (i32.add (i32.const 64) (i32.and (local.get $i) (i32.const 63)))))
        (local.set $acc (i64.add (i64.rotl (local.get $acc) (i64.const 7)) (local.get $f)))
        ;; bits of a value that changes every round (about 32 of 64 set)
        (local.set $acc (i64.add (local.get $acc)
          (call $bits (i64.mul (i64.xor (local.get $f) (i64.extend_i32_u (local.get $i)))
                               (i64.const 0x9e3779b97f4a7c15)))))
        ;; gcd of two neighbouring-size numbers (many remainder steps)
        (local.set $acc (i64.xor (local.get $acc) (i64.extend_i32_u
          (call $gcd (i32.or (i32.wrap_i64 (local.get $f)) (i32.const 1))
                     (i32.add (i32.mul (local.get $i) (i32.const 2654435761)) (i32.const 12345))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $acc)))
