;; features: exceptions tail-call
;; Exception handling beyond the official suite: unwinding through many frames, payloads of
;; every width (f64 NaN bits, v128), catch in a loop, catch clauses that branch to a loop or
;; return from the function, handler ranges (a throw after the try_table is not caught, a
;; nested try_table that does not match hands over to the outer one), lazily kept local
;; values across a catch, exnref in locals, globals and select, tags across instances.

(module $lib
  (tag $shared (export "shared") (param i32))
  (func (export "throw-shared") (param i32) (throw $shared (local.get 0)))
)
(register "lib")

(module
  (tag $shared (import "lib" "shared") (param i32))
  (func $throw-shared (import "lib" "throw-shared") (param i32))
  (tag $e (param i32))
  (tag $f64 (param f64))
  (tag $wide (param v128 f64 i64))
  (tag $other (param i32))
  (global $saved (mut exnref) (ref.null exn))
  (type $t (func (param i32) (result i32)))
  (table funcref (elem $down1))

  ;; n frames down, then throw $e n0 (the original n is passed along).
  (func $down (param $n i32) (param $n0 i32) (result i32)
    (if (i32.eqz (local.get $n)) (then (throw $e (local.get $n0))))
    (i32.add
      (call $down (i32.sub (local.get $n) (i32.const 1)) (local.get $n0))
      (i32.const 1)))
  (func (export "deep") (param $n i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        (call $down (local.get $n) (local.get $n))))
    (i32.const 1000000)
    (i32.add))
  (func (export "deep-indirect") (param $n i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        (call_indirect (type $t) (local.get $n) (i32.const 0))))
    (i32.const 1)
    (i32.add))
  (func $down1 (type $t) (call $down (local.get 0) (local.get 0)))

  ;; Payloads: exact f64 NaN bits and a v128 with an f64 and an i64 beside it.
  (func (export "f64-payload") (param f64) (result f64)
    (block $h (result f64)
      (try_table (catch $f64 $h) (throw $f64 (local.get 0)))
      (unreachable)))
  (func (export "wide-payload") (param v128 f64 i64) (result i64 f64 v128)
    (local $v v128) (local $d f64) (local $i i64)
    (block $h (result v128 f64 i64)
      (try_table (catch $wide $h) (call $throw-wide (local.get 0) (local.get 1) (local.get 2)))
      (unreachable))
    (local.set $i) (local.set $d) (local.set $v)
    (local.get $i) (local.get $d) (local.get $v))
  (func $throw-wide (param v128 f64 i64) (throw $wide (local.get 0) (local.get 1) (local.get 2)))

  ;; A catch clause of the function's own label returns the payload (v128 included).
  (func (export "catch-returns") (param v128 f64 i64) (result v128 f64 i64)
    (try_table (catch $wide 0) (call $throw-wide (local.get 0) (local.get 1) (local.get 2)))
    (unreachable))

  ;; A catch in a loop: each iteration throws i and catches it.
  (func (export "loop-sum") (param $n i32) (result i64)
    (local $acc i64)
    (loop $l
      (block $h (result i32)
        (try_table (catch $e $h) (drop (call $down (i32.const 3) (local.get $n))))
        (unreachable))
      (local.set $acc (i64.add (i64.extend_i32_u) (local.get $acc)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))

  ;; A catch clause branching to a loop: the payload is the loop's parameter.
  (func (export "catch-to-loop") (param $n i32) (result i32)
    (local $count i32)
    (local.get $n)
    (loop $l (param i32)
      (local.set $n)
      (local.set $count (i32.add (local.get $count) (i32.const 1)))
      (if (i32.gt_s (local.get $n) (i32.const 0))
        (then
          (try_table (catch $e $l)
            (throw $e (i32.sub (local.get $n) (i32.const 1)))))))
    (local.get $count))

  ;; The inner try_table catches only $other: $e goes to the outer one.
  (func (export "nested") (param i32) (result i32)
    (block $outer (result i32)
      (try_table (result i32) (catch $e $outer)
        (block $inner (result i32)
          (try_table (result i32) (catch $other $inner)
            (throw $e (local.get 0))))
        (i32.const 100)
        (i32.add)))
    (i32.const 1)
    (i32.add))
  ;; ... and $other stays with the inner one.
  (func (export "nested-other") (param i32) (result i32)
    (block $outer (result i32)
      (try_table (result i32) (catch $e $outer)
        (block $inner (result i32)
          (try_table (result i32) (catch $other $inner)
            (throw $other (local.get 0))))
        (i32.const 100)
        (i32.add)))
    (i32.const 1)
    (i32.add))

  ;; A throw after the try_table's end is not caught by it.
  (func (export "after-end") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (nop))
      (throw $e (local.get 0))))

  ;; A local read before the try_table, changed inside it before the throw: the value read
  ;; before must survive (the operand stack keeps it).
  (func (export "lazy-local") (param $x i32) (result i32)
    (local.get $x)
    (block $h (result i32)
      (try_table (catch $e $h)
        (local.set $x (i32.const 1000))
        (throw $e (local.get $x)))
      (unreachable))
    (i32.add)
    (local.get $x)
    (i32.add))

  ;; exnref in a global, select and ref.is_null; rethrown later from the global.
  (func (export "save") (param i32) (result i32)
    (local $x exnref)
    (block $h (result i32 exnref)
      (try_table (catch_ref $e $h) (throw $e (local.get 0)))
      (unreachable))
    (local.set $x)
    (drop)
    (global.set $saved
      (select (result exnref) (ref.null exn) (local.get $x) (i32.eqz (local.get 0))))
    (ref.is_null (global.get $saved)))
  (func (export "saved-is-null") (result i32) (ref.is_null (global.get $saved)))
  (func (export "rethrow-saved") (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (throw_ref (global.get $saved)))
      (unreachable)))
  (func (export "rethrow-saved-uncaught") (throw_ref (global.get $saved)))

  ;; Tags across instances: the imported tag is the exporter's.
  (func (export "catch-shared") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $shared $h) (call $throw-shared (local.get 0)))
      (unreachable)))
  (func (export "shared-not-e") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (call $throw-shared (local.get 0)))
      (unreachable)))

  ;; catch_all_ref then throw_ref keeps the tag and payload.
  (func (export "all-ref-rethrow") (param i32) (result i32)
    (block $h2 (result i32)
      (try_table (catch $e $h2)
        (block $h (result exnref)
          (try_table (catch_all_ref $h) (drop (call $down (i32.const 5) (local.get 0))))
          (unreachable))
        (throw_ref))
      (unreachable))
    (i32.const 3)
    (i32.mul))

  ;; A tail call inside a try_table replaces the frame: the callee's throw is not caught here.
  (func $tail (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (return_call $down (i32.const 2) (local.get 0)))
      (unreachable))
    (i32.const -7)
    (i32.add))
  (func (export "tail") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h) (call $tail (local.get 0))))
    (i32.const 10)
    (i32.add))

  ;; A try_table without clauses, and one in unreachable code.
  (func (export "no-clauses") (param i32) (result i32)
    (try_table (result i32) (i32.add (local.get 0) (i32.const 1))))
  (func (export "unreachable-try") (result i32)
    (return (i32.const 5))
    (block $b (try_table (catch_all $b) (nop)))
    (i32.const 6))
)

(assert_return (invoke "deep" (i32.const 0)) (i32.const 1000000))
(assert_return (invoke "deep" (i32.const 10)) (i32.const 1000010))
(assert_return (invoke "deep" (i32.const 20000)) (i32.const 1020000))
(assert_return (invoke "deep-indirect" (i32.const 9)) (i32.const 10))
(assert_return (invoke "f64-payload" (f64.const nan:0x4000000000001)) (f64.const nan:0x4000000000001))
(assert_return (invoke "f64-payload" (f64.const -0x1.5p-1022)) (f64.const -0x1.5p-1022))
(assert_return
  (invoke "wide-payload" (v128.const i64x2 0x0123456789abcdef 0xfedcba9876543210) (f64.const -nan:0x1) (i64.const -2))
  (i64.const -2) (f64.const -nan:0x1) (v128.const i64x2 0x0123456789abcdef 0xfedcba9876543210))
(assert_return
  (invoke "catch-returns" (v128.const i32x4 1 2 3 4) (f64.const 2.5) (i64.const 9))
  (v128.const i32x4 1 2 3 4) (f64.const 2.5) (i64.const 9))
(assert_return (invoke "loop-sum" (i32.const 1000)) (i64.const 500500))
(assert_return (invoke "catch-to-loop" (i32.const 5)) (i32.const 6))
(assert_return (invoke "catch-to-loop" (i32.const 0)) (i32.const 1))
(assert_return (invoke "nested" (i32.const 4)) (i32.const 5))
(assert_return (invoke "nested-other" (i32.const 4)) (i32.const 105))
(assert_exception (invoke "after-end" (i32.const 1)))
(assert_return (invoke "lazy-local" (i32.const 5)) (i32.const 2005))
(assert_return (invoke "saved-is-null") (i32.const 1))
(assert_return (invoke "save" (i32.const 0)) (i32.const 1))
(assert_return (invoke "save" (i32.const 42)) (i32.const 0))
(assert_return (invoke "saved-is-null") (i32.const 0))
(assert_return (invoke "rethrow-saved") (i32.const 42))
(assert_return (invoke "rethrow-saved") (i32.const 42))
(assert_exception (invoke "rethrow-saved-uncaught"))
(assert_return (invoke "catch-shared" (i32.const 8)) (i32.const 8))
(assert_exception (invoke "shared-not-e" (i32.const 8)))
(assert_return (invoke "all-ref-rethrow" (i32.const 7)) (i32.const 21))
(assert_return (invoke "tail" (i32.const 3)) (i32.const 13))
(assert_return (invoke "no-clauses" (i32.const 3)) (i32.const 4))
(assert_return (invoke "unreachable-try") (i32.const 5))

;; Traps are not exceptions: catch_all does not catch them.
(module
  (func (export "div") (param i32) (result i32)
    (block $h
      (try_table (catch_all $h) (return (i32.div_u (i32.const 1) (local.get 0)))))
    (i32.const -1))
  (func (export "null") (block $h (try_table (catch_all $h) (throw_ref (ref.null exn))))))
(assert_return (invoke "div" (i32.const 1)) (i32.const 1))
(assert_trap (invoke "div" (i32.const 0)) "integer divide by zero")
(assert_trap (invoke "null") "null exception reference")
