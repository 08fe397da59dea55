;; features: function-references tail-call
;; Typed function references: the translator's shapes the official suite does not reach.

(module
  (type $t (func (param i32) (result i32)))
  (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
  (func $dbl (type $t) (i32.mul (local.get 0) (i32.const 2)))
  (elem declare func $inc $dbl)

  ;; br_on_null whose branch values sit in locals and must move to the block's result slots;
  ;; the fall-through keeps the reference under them.
  (func (export "moves") (param $f (ref null $t)) (param $a i32) (param $b i32) (result i32)
    (local $r i32)
    (block $null (result i32 i32)
      (local.get $a) (local.get $b) (local.get $f)
      (br_on_null $null)
      (local.set $f)          ;; the non-null reference back into its local
      (i32.add)
      (call_ref $t (local.get $f))
      (return))
    (i32.sub))

  ;; br_on_null to the function's end: a return with values.
  (func (export "return_on_null") (param $f (ref null $t)) (param $x i32) (result i32)
    (local.get $x)
    (br_on_null 0 (local.get $f))
    (call_ref $t))

  ;; br_on_non_null carrying another value and the reference to a block.
  (func (export "carry") (param $f (ref null $t)) (param $x i32) (result i32)
    (local.get $x)
    (block $some (param i32) (result i32 (ref $t))
      (br_on_non_null $some (local.get $f))
      (i32.const 100)
      (return (i32.add)))
    (call_ref $t))

  ;; Constant references: br_on_null on ref.null always branches, br_on_non_null never.
  (func (export "const_null") (result i32)
    (block $null
      (br_on_null $null (ref.null $t))
      (return (i32.const 1)))
    (block $some (result (ref $t))
      (br_on_non_null $some (ref.null $t))
      (return (i32.const 2)))
    (drop)
    (i32.const 3))
  (func (export "const_func") (result i32)
    (block $null (result i32)
      (i32.const 21)
      (br_on_null $null (ref.func $dbl))
      (return (call_ref $t)))
    (drop)
    (i32.const -1))

  ;; The reference br_on_null leaves on the stack is a lazy local.get: overwriting the local
  ;; must not change it.
  (func (export "keep_old") (param $f (ref null $t)) (result i32)
    (block $null (result i32)
      (i32.const 10)
      (local.get $f)
      (br_on_null $null)
      (local.set $f (ref.func $inc))
      (call_ref $t)
      (call_ref $t (local.get $f))
      (return))
    (i32.const -1)
    (i32.add))

  ;; ref.as_non_null on a local, then the local changes: the checked value is the old one.
  (func (export "as_non_null_keep") (param $f (ref null $t)) (result i32)
    (i32.const 5)
    (ref.as_non_null (local.get $f))
    (local.set $f (ref.null $t))
    (call_ref $t))
  (func (export "as_non_null_const") (result i32)
    (call_ref $t (i32.const 1) (ref.as_non_null (ref.null $t))))

  ;; call_ref on a constant null traps; on a selected typed reference calls the choice.
  (func (export "call_null") (result i32)
    (call_ref $t (i32.const 1) (ref.null $t)))
  (func (export "select") (param $c i32) (param $x i32) (result i32)
    (call_ref $t (local.get $x)
      (select (result (ref $t)) (ref.func $inc) (ref.func $dbl) (local.get $c))))

  ;; A non-nullable local, set before a loop and read in it (no default value is assumed).
  (func (export "loop_local") (param $n i32) (result i32)
    (local $f (ref $t))
    (local $acc i32)
    (local.set $f (ref.func $dbl))
    (local.set $acc (i32.const 1))
    (loop $again
      (local.set $acc (call_ref $t (local.get $acc) (local.get $f)))
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc))

  ;; return_call_ref chains in constant depth, through a parameter.
  (func $down (export "down") (param $n i32) (param $k (ref $t)) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (call_ref $t (i32.const 0) (local.get $k)))
      (else
        (return_call_ref $down2 (i32.sub (local.get $n) (i32.const 1)) (local.get $k) (ref.func $down)))))
  (type $down2 (func (param i32 (ref $t)) (result i32)))
  (elem declare func $down)
  (func (export "count_down") (param $n i32) (result i32)
    (call $down (local.get $n) (ref.func $inc)))
)

(assert_return (invoke "moves" (ref.null func) (i32.const 7) (i32.const 3)) (i32.const 4))
(assert_return (invoke "return_on_null" (ref.null func) (i32.const 9)) (i32.const 9))
(assert_return (invoke "carry" (ref.null func) (i32.const 1)) (i32.const 101))
(assert_return (invoke "const_null") (i32.const 2))
(assert_return (invoke "const_func") (i32.const 42))
(assert_trap (invoke "as_non_null_const") "null reference")
(assert_trap (invoke "call_null") "null function reference")
(assert_return (invoke "select" (i32.const 1) (i32.const 10)) (i32.const 11))
(assert_return (invoke "select" (i32.const 0) (i32.const 10)) (i32.const 20))
(assert_return (invoke "loop_local" (i32.const 10)) (i32.const 1024))
(assert_return (invoke "count_down" (i32.const 100000)) (i32.const 1))

;; The non-null paths need references only wasm can make: a second module passes them in.
(register "refs")
(module
  (type $t (func (param i32) (result i32)))
  (import "refs" "moves" (func $moves (param (ref null $t) i32 i32) (result i32)))
  (import "refs" "return_on_null" (func $return_on_null (param (ref null $t) i32) (result i32)))
  (import "refs" "carry" (func $carry (param (ref null $t) i32) (result i32)))
  (import "refs" "keep_old" (func $keep_old (param (ref null $t)) (result i32)))
  (import "refs" "as_non_null_keep" (func $as_non_null_keep (param (ref null $t)) (result i32)))
  (func $neg (type $t) (i32.sub (i32.const 0) (local.get 0)))
  (elem declare func $neg)
  ;; neg(7 + 3)
  (func (export "moves") (result i32) (call $moves (ref.func $neg) (i32.const 7) (i32.const 3)))
  (func (export "return_on_null") (result i32) (call $return_on_null (ref.func $neg) (i32.const 9)))
  (func (export "carry") (result i32) (call $carry (ref.func $neg) (i32.const 1)))
  ;; inc(neg(10)) + ... : the first call_ref uses the old $f (neg), the second the new (inc)
  (func (export "keep_old") (result i32) (call $keep_old (ref.func $neg)))
  (func (export "keep_old_null") (result i32) (call $keep_old (ref.null $t)))
  (func (export "as_non_null_keep") (result i32) (call $as_non_null_keep (ref.func $neg)))
  (func (export "as_non_null_null") (result i32) (call $as_non_null_keep (ref.null $t)))
)
(assert_return (invoke "moves") (i32.const -10))
(assert_return (invoke "return_on_null") (i32.const -9))
(assert_return (invoke "carry") (i32.const -1))
(assert_return (invoke "keep_old") (i32.const -9))
(assert_return (invoke "keep_old_null") (i32.const 9))
(assert_return (invoke "as_non_null_keep") (i32.const -5))
(assert_trap (invoke "as_non_null_null") "null reference")

;; A table whose initialiser reads an imported global; a typed table of another module's
;; functions, filled by an element segment, called through table.get + call_ref.
(module
  (type $t (func (param i32) (result i32)))
  (func $sq (export "sq") (type $t) (i32.mul (local.get 0) (local.get 0)))
  (global (export "g") (ref $t) (ref.func $sq))
)
(register "lib")
(module
  (type $t (func (param i32) (result i32)))
  (import "lib" "g" (global $g (ref $t)))
  (import "lib" "sq" (func $sq (type $t)))
  (func $three (type $t) (i32.const 3))
  (table $tab 4 (ref $t) (global.get $g))
  (elem (table $tab) (i32.const 2) (ref $t) (ref.func $three))
  (func (export "call") (param $i i32) (param $x i32) (result i32)
    (call_ref $t (local.get $x) (table.get $tab (local.get $i))))
  (func (export "grow") (result i32)
    (table.grow $tab (ref.func $three) (i32.const 1)))
)
(assert_return (invoke "call" (i32.const 0) (i32.const 5)) (i32.const 25))
(assert_return (invoke "call" (i32.const 3) (i32.const 6)) (i32.const 36))
(assert_return (invoke "call" (i32.const 2) (i32.const 6)) (i32.const 3))
(assert_return (invoke "grow") (i32.const 4))
(assert_return (invoke "call" (i32.const 4) (i32.const 9)) (i32.const 3))
(assert_trap (invoke "call" (i32.const 5) (i32.const 9)) "out of bounds table access")

;; Linking: a concrete type matches the same definition under another index.
(module
  (type $x (func (param i64)))
  (type $t2 (func (param i32) (result i32)))
  (import "lib" "g" (global (ref $t2)))
  (import "lib" "sq" (func (type $t2)))
)
(assert_unlinkable
  (module (type $x (func (param i64) (result i32))) (import "lib" "g" (global (ref $x))))
  "incompatible import type"
)
