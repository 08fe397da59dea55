;; Exception handling (epsilon only: wasmi 2.0 and wasm3 have none). Per iteration: a throw
;; from 6 frames down caught by `catch` with its payload, every 4th iteration a catch_ref and
;; throw_ref rethrow caught one frame up, and calls through a try_table that throw nothing
;; (the cost of the handlers' side tables on the non-throwing path: none).
;; run(n) -> checksum of the payloads and results.
(module
  (tag $e (param i64))
  (tag $other (param i64))
  (func $down (param $d i32) (param $x i64) (result i64)
    (if (i32.eqz (local.get $d)) (then (throw $e (i64.mul (local.get $x) (i64.const 3)))))
    (i64.add (call $down (i32.sub (local.get $d) (i32.const 1)) (local.get $x)) (i64.const 1)))
  (func $quiet (param $x i64) (result i64)
    (i64.xor (local.get $x) (i64.const 0x5a5a)))
  (func $rethrower (param $x i64) (result i64)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (drop (call $down (i32.const 2) (local.get $x))))
      (unreachable))
    (throw_ref))
  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $acc i64)
    (loop $l
      ;; A throw from 6 frames down.
      (block $h (result i64)
        (try_table (result i64) (catch $e $h) (catch $other $h)
          (call $down (i32.const 6) (i64.extend_i32_u (local.get $i)))))
      (local.set $acc (i64.add (local.get $acc)))
      ;; Calls inside a try_table that throw nothing.
      (block $q (result i64)
        (try_table (result i64) (catch $e $q)
          (i64.add (call $quiet (local.get $acc)) (call $quiet (i64.extend_i32_u (local.get $i))))))
      (local.set $acc (i64.xor (local.get $acc)))
      ;; Every 4th iteration: catch_all_ref and throw_ref, caught here.
      (if (i32.eqz (i32.and (local.get $i) (i32.const 3)))
        (then
          (block $r (result i64)
            (try_table (result i64) (catch $e $r) (call $rethrower (i64.extend_i32_u (local.get $i)))))
          (local.set $acc (i64.add (local.get $acc)))))
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $acc)))
