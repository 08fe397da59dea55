;; Recursive Fibonacci on i64: call-heavy (two calls per step), tiny function bodies.
;; run(n) -> fib(n)
(module
  (func (export "run") (param $n i32) (result i64)
    (call $fib (i64.extend_i32_u (local.get $n))))
  (func $fib (param $n i64) (result i64)
    (if (result i64) (i64.lt_u (local.get $n) (i64.const 2))
      (then (local.get $n))
      (else (i64.add (call $fib (i64.sub (local.get $n) (i64.const 1)))
                     (call $fib (i64.sub (local.get $n) (i64.const 2))))))))
