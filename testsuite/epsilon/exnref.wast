;; features: exceptions function-references tail-call
;; Exception references beyond the official suite: the non-nullable `(ref exn)` in locals
;; (with the initialisation rule), parameters, results and block types; `ref.as_non_null`,
;; `br_on_null` and `br_on_non_null` on exception references; tables of `exnref` and of
;; `(ref null exn)` (get, set, grow, fill, copy, size) with rethrows of what they hold;
;; `(ref.null exn)` as an argument and an expected result.

(module
  (tag $e (param i32))
  (table $t 2 exnref)
  (table $u 1 (ref null exn))
  (global $g (mut (ref null exn)) (ref.null exn))

  ;; A caught exception of $e carrying n, as a non-nullable reference.
  (func $catch (param $n i32) (result (ref exn))
    (block $h (result (ref exn))
      (try_table (catch_all_ref $h) (throw $e (local.get $n)))
      (unreachable)))

  ;; The payload of the exception `x` refers to, by rethrowing it.
  (func $payload (param $x (ref exn)) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (throw_ref (local.get $x)))
      (unreachable)))

  ;; A non-nullable local, set before use (the initialisation rule), read twice.
  (func (export "local") (param $n i32) (result i32)
    (local $x (ref exn))
    (local.set $x (call $catch (local.get $n)))
    (i32.add (call $payload (local.get $x)) (call $payload (local.get $x))))

  ;; `(ref exn)` as the second result of a block (catch_ref of a tag).
  (func (export "catch-ref") (param $n i32) (result i32)
    (local $x (ref exn))
    (block $h (result i32 (ref exn))
      (try_table (catch_ref $e $h) (throw $e (local.get $n)))
      (unreachable))
    (local.set $x)
    (i32.mul (call $payload (local.get $x))))

  ;; ref.as_non_null: traps on null, passes a reference on.
  (func (export "as-non-null") (param $null i32) (param $n i32) (result i32)
    (local $x exnref)
    (if (i32.eqz (local.get $null)) (then (local.set $x (call $catch (local.get $n)))))
    (call $payload (ref.as_non_null (local.get $x))))

  ;; br_on_null: 100 + payload for a reference, -1 for null (the i32 travels with the branch).
  (func (export "br-on-null") (param $null i32) (param $n i32) (result i32)
    (local $x exnref)
    (if (i32.eqz (local.get $null)) (then (local.set $x (call $catch (local.get $n)))))
    (block $isnull (result i32)
      (i32.const -1)
      (br_on_null $isnull (local.get $x))
      (call $payload)
      (i32.const 100)
      (i32.add)
      (return))
    (return))

  ;; br_on_non_null: the payload for a reference, -2 for null.
  (func (export "br-on-non-null") (param $null i32) (param $n i32) (result i32)
    (local $x exnref)
    (if (i32.eqz (local.get $null)) (then (local.set $x (call $catch (local.get $n)))))
    (block $nonnull (result (ref exn))
      (br_on_non_null $nonnull (local.get $x))
      (return (i32.const -2)))
    (call $payload))

  ;; Tables: set, get, size, grow, fill, copy; null reads and ref.is_null.
  (func (export "table-set-get") (param $i i32) (param $n i32) (result i32)
    (table.set $t (local.get $i) (call $catch (local.get $n)))
    (call $payload (ref.as_non_null (table.get $t (local.get $i)))))
  (func (export "table-is-null") (param $i i32) (result i32)
    (ref.is_null (table.get $t (local.get $i))))
  (func (export "table-size") (result i32) (table.size $t))
  (func (export "table-grow") (param $n i32) (param $delta i32) (result i32)
    (table.grow $t (call $catch (local.get $n)) (local.get $delta)))
  (func (export "table-fill") (param $at i32) (param $n i32) (param $len i32)
    (table.fill $t (local.get $at) (call $catch (local.get $n)) (local.get $len)))
  (func (export "table-clear") (param $i i32)
    (table.set $t (local.get $i) (ref.null exn)))
  (func (export "table-copy-out") (param $from i32) (result i32)
    (table.copy $u $t (i32.const 0) (local.get $from) (i32.const 1))
    (call $payload (ref.as_non_null (table.get $u (i32.const 0)))))
  (func (export "table-get") (param $i i32) (result exnref) (table.get $t (local.get $i)))

  ;; A global of `(ref null exn)`.
  (func (export "global") (param $n i32) (result i32)
    (global.set $g (call $catch (local.get $n)))
    (call $payload (ref.as_non_null (global.get $g))))

  ;; Null as an argument and a result.
  (func (export "is-null") (param exnref) (result i32) (ref.is_null (local.get 0)))
  (func (export "null") (result (ref null exn)) (ref.null exn))
  (func (export "select-null") (param i32) (result exnref)
    (select (result exnref) (ref.null exn) (call $catch (i32.const 1)) (local.get 0)))

  ;; A tail call passing a `(ref exn)`.
  (func (export "tail") (param $n i32) (result i32)
    (return_call $payload (call $catch (local.get $n))))
)

(assert_return (invoke "local" (i32.const 21)) (i32.const 42))
(assert_return (invoke "catch-ref" (i32.const 7)) (i32.const 49))
(assert_return (invoke "as-non-null" (i32.const 0) (i32.const 5)) (i32.const 5))
(assert_trap (invoke "as-non-null" (i32.const 1) (i32.const 5)) "null reference")
(assert_return (invoke "br-on-null" (i32.const 0) (i32.const 3)) (i32.const 103))
(assert_return (invoke "br-on-null" (i32.const 1) (i32.const 3)) (i32.const -1))
(assert_return (invoke "br-on-non-null" (i32.const 0) (i32.const 4)) (i32.const 4))
(assert_return (invoke "br-on-non-null" (i32.const 1) (i32.const 4)) (i32.const -2))

(assert_return (invoke "table-size") (i32.const 2))
(assert_return (invoke "table-is-null" (i32.const 1)) (i32.const 1))
(assert_return (invoke "table-get" (i32.const 0)) (ref.null exn))
(assert_return (invoke "table-set-get" (i32.const 1) (i32.const 11)) (i32.const 11))
(assert_return (invoke "table-is-null" (i32.const 1)) (i32.const 0))
(assert_return (invoke "table-copy-out" (i32.const 1)) (i32.const 11))
(assert_return (invoke "table-grow" (i32.const 12) (i32.const 3)) (i32.const 2))
(assert_return (invoke "table-size") (i32.const 5))
(assert_return (invoke "table-copy-out" (i32.const 4)) (i32.const 12))
(invoke "table-fill" (i32.const 0) (i32.const 13) (i32.const 2))
(assert_return (invoke "table-copy-out" (i32.const 0)) (i32.const 13))
(assert_return (invoke "table-copy-out" (i32.const 1)) (i32.const 13))
(assert_return (invoke "table-copy-out" (i32.const 2)) (i32.const 12))
(invoke "table-clear" (i32.const 0))
(assert_return (invoke "table-is-null" (i32.const 0)) (i32.const 1))
(assert_trap (invoke "table-copy-out" (i32.const 0)) "null reference")
(assert_trap (invoke "table-get" (i32.const 5)) "out of bounds table access")

(assert_return (invoke "global" (i32.const 8)) (i32.const 8))
(assert_return (invoke "is-null" (ref.null exn)) (i32.const 1))
(assert_return (invoke "null") (ref.null exn))
(assert_return (invoke "select-null" (i32.const 1)) (ref.null exn))
(assert_return (invoke "tail" (i32.const 9)) (i32.const 9))

;; The typing of `(ref exn)`: not nullable, a subtype of exnref only.
(assert_invalid
  (module (func (local $x (ref exn)) (drop (local.get $x))))
  "uninitialized local")
(assert_invalid
  (module (func (result (ref exn)) (ref.null exn)))
  "type mismatch")
(assert_invalid
  (module (func (param exnref) (result (ref exn)) (local.get 0)))
  "type mismatch")
(assert_invalid
  (module (func (param (ref exn)) (result funcref) (local.get 0)))
  "type mismatch")
(assert_invalid
  (module (table 1 (ref exn)))
  "type mismatch")
(module (func (param (ref exn)) (result exnref) (local.get 0)))
