;; Calls into the host: every iteration calls the imported env.host_add(i32, i32) -> i32,
;; which every engine in the benchmark defines as wrapping addition.
;; run(n) -> checksum of n host calls
(module
  (import "env" "host_add" (func $host_add (param i32 i32) (result i32)))
  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $acc i32) (local $sum i64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (call $host_add (local.get $acc) (i32.xor (local.get $i) (i32.const 0x3c))))
        (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (local.get $acc))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum)))
