;; features: function-references extended-const exceptions tail-call
;; WebAssembly 3.0's type system for function types: explicit recursive type groups (`rec`),
;; whose types are equal only when their whole groups are (iso-recursive equivalence), in one
;; module and across modules; types declared `sub` without `final`; recursive function types;
;; and `global.get` of a global defined earlier in the module in constant expressions.

;; ---- distinct types of one group, at call_indirect and call_ref

(module
  (rec (type $t1 (func (result i32))) (type $t2 (func (result i32))))
  (type $plain (func (result i32)))
  ;; A group equal to the first: $u1 is $t1 and $u2 is $t2.
  (rec (type $u1 (func (result i32))) (type $u2 (func (result i32))))
  ;; The same types in the other order: $v1 is $t2's twin only by position, so neither.
  (rec (type $v2 (func (result i32))) (type $v1 (func (result i32))) (type (func)))
  (type $open (sub (func (result i32))))

  (func $f1 (type $t1) (i32.const 1))
  (func $f2 (type $t2) (i32.const 2))
  (func $fp (type $plain) (i32.const 3))
  (func $fo (type $open) (i32.const 4))
  (func $fv (type $v1) (i32.const 5))
  (table funcref (elem $f1 $f2 $fp $fo $fv))

  (func (export "t1") (param i32) (result i32) (call_indirect (type $t1) (local.get 0)))
  (func (export "t2") (param i32) (result i32) (call_indirect (type $t2) (local.get 0)))
  (func (export "plain") (param i32) (result i32) (call_indirect (type $plain) (local.get 0)))
  (func (export "u1") (param i32) (result i32) (call_indirect (type $u1) (local.get 0)))
  (func (export "u2") (param i32) (result i32) (call_indirect (type $u2) (local.get 0)))
  (func (export "v1") (param i32) (result i32) (call_indirect (type $v1) (local.get 0)))
  (func (export "open") (param i32) (result i32) (call_indirect (type $open) (local.get 0)))
  ;; ref.func of a $u1 function is a (ref $t1): the types are the same.
  (func (export "call-ref-u1") (result i32) (call_ref $t1 (ref.func $f1)))
)

(assert_return (invoke "t1" (i32.const 0)) (i32.const 1))
(assert_trap (invoke "t1" (i32.const 1)) "indirect call type mismatch")
(assert_trap (invoke "t1" (i32.const 2)) "indirect call type mismatch")
(assert_trap (invoke "t1" (i32.const 3)) "indirect call type mismatch")
(assert_trap (invoke "t1" (i32.const 4)) "indirect call type mismatch")
(assert_return (invoke "t2" (i32.const 1)) (i32.const 2))
(assert_trap (invoke "t2" (i32.const 0)) "indirect call type mismatch")
(assert_trap (invoke "t2" (i32.const 4)) "indirect call type mismatch")
(assert_return (invoke "plain" (i32.const 2)) (i32.const 3))
(assert_trap (invoke "plain" (i32.const 0)) "indirect call type mismatch")
(assert_trap (invoke "plain" (i32.const 3)) "indirect call type mismatch")
(assert_return (invoke "u1" (i32.const 0)) (i32.const 1))
(assert_trap (invoke "u1" (i32.const 1)) "indirect call type mismatch")
(assert_return (invoke "u2" (i32.const 1)) (i32.const 2))
(assert_trap (invoke "u2" (i32.const 0)) "indirect call type mismatch")
(assert_return (invoke "v1" (i32.const 4)) (i32.const 5))
(assert_trap (invoke "v1" (i32.const 1)) "indirect call type mismatch")
(assert_trap (invoke "v1" (i32.const 0)) "indirect call type mismatch")
(assert_return (invoke "open" (i32.const 3)) (i32.const 4))
(assert_trap (invoke "open" (i32.const 2)) "indirect call type mismatch")
(assert_return (invoke "call-ref-u1") (i32.const 1))

;; Validation tells the types of a group apart too.
(assert_invalid
  (module
    (rec (type $t1 (func)) (type $t2 (func)))
    (func $f (type $t1))
    (global (ref $t2) (ref.func $f))
  )
  "type mismatch"
)
(assert_invalid
  (module
    (rec (type $t1 (func)) (type $t2 (func)))
    (type $plain (func))
    (func $f (type $plain))
    (global (ref $t1) (ref.func $f))
  )
  "type mismatch"
)
;; A type refers to a later group's type: unknown.
(assert_invalid
  (module
    (rec (type (func (param (ref 1)))))
    (rec (type (func)))
  )
  "unknown type"
)

;; ---- across modules: tables, function and tag imports

(module $A
  (rec (type $t1 (func (result i32))) (type $t2 (func (result i32))))
  (type $open (sub (func (result i32))))
  (rec (type $e1 (func (param i32))) (type $e2 (func (param i32))))
  (func $f1 (export "f1") (type $t1) (i32.const 1))
  (func $f2 (export "f2") (type $t2) (i32.const 2))
  (func $fo (export "fo") (type $open) (i32.const 4))
  (table (export "table") funcref (elem $f1 $f2 $fo))
  (tag $tag1 (export "tag1") (type $e1))
  (tag (export "tag2") (type $e2))
  (func (export "throw1") (param i32) (throw $tag1 (local.get 0)))
)
(register "A" $A)

(module
  (rec (type $t1 (func (result i32))) (type $t2 (func (result i32))))
  (type $open (sub (func (result i32))))
  (type $plain (func (result i32)))
  (rec (type $e1 (func (param i32))) (type $e2 (func (param i32))))
  (table $table (import "A" "table") 3 funcref)
  (func $f1 (import "A" "f1") (type $t1))
  (func $f2 (import "A" "f2") (type $t2))
  (func $fo (import "A" "fo") (type $open))
  (tag $tag1 (import "A" "tag1") (type $e1))
  (tag $tag2 (import "A" "tag2") (type $e2))
  (func $throw1 (import "A" "throw1") (param i32))
  (func (export "t1") (param i32) (result i32) (call_indirect $table (type $t1) (local.get 0)))
  (func (export "t2") (param i32) (result i32) (call_indirect $table (type $t2) (local.get 0)))
  (func (export "open") (param i32) (result i32) (call_indirect $table (type $open) (local.get 0)))
  (func (export "plain") (param i32) (result i32) (call_indirect $table (type $plain) (local.get 0)))
  (func (export "direct") (result i32)
    (i32.add (i32.add (call $f1) (call $f2)) (call $fo))
  )
  ;; The imported tag is A's tag: catching it by either import name finds the payload.
  (func (export "catch1") (result i32)
    (block $h (result i32)
      (try_table (catch $tag1 $h) (call $throw1 (i32.const 42)))
      (i32.const -1)
    )
  )
  (func (export "catch2") (result i32)
    (block $h (result i32)
      (try_table (catch $tag2 $h) (call $throw1 (i32.const 42)))
      (i32.const -1)
    )
  )
)

(assert_return (invoke "t1" (i32.const 0)) (i32.const 1))
(assert_trap (invoke "t1" (i32.const 1)) "indirect call type mismatch")
(assert_return (invoke "t2" (i32.const 1)) (i32.const 2))
(assert_trap (invoke "t2" (i32.const 0)) "indirect call type mismatch")
(assert_return (invoke "open" (i32.const 2)) (i32.const 4))
(assert_trap (invoke "open" (i32.const 0)) "indirect call type mismatch")
(assert_trap (invoke "plain" (i32.const 0)) "indirect call type mismatch")
(assert_trap (invoke "plain" (i32.const 2)) "indirect call type mismatch")
(assert_return (invoke "direct") (i32.const 7))
(assert_return (invoke "catch1") (i32.const 42))
(assert_exception (invoke "catch2"))

;; An import of $t2 does not link against a function of $t1, nor a lone type against either,
;; nor a final type against a `sub` one (or the other way round).
(assert_unlinkable
  (module
    (rec (type $t1 (func (result i32))) (type $t2 (func (result i32))))
    (func (import "A" "f1") (type $t2))
  )
  "incompatible import type"
)
(assert_unlinkable
  (module
    (rec (type $t1 (func (result i32))) (type $t2 (func (result i32))))
    (func (import "A" "f2") (type $t1))
  )
  "incompatible import type"
)
(assert_unlinkable
  (module
    (type $plain (func (result i32)))
    (func (import "A" "f1") (type $plain))
  )
  "incompatible import type"
)
(assert_unlinkable
  (module
    (type $plain (func (result i32)))
    (func (import "A" "fo") (type $plain))
  )
  "incompatible import type"
)
(assert_unlinkable
  (module
    (type $open (sub (func (result i32))))
    (func (import "A" "f1") (type $open))
  )
  "incompatible import type"
)
;; A group of a different size is a different group.
(assert_unlinkable
  (module
    (rec (type $t1 (func (result i32))) (type $t2 (func (result i32))) (type (func)))
    (func (import "A" "f1") (type $t1))
  )
  "incompatible import type"
)
(assert_unlinkable
  (module
    (rec (type $e1 (func (param i32))) (type $e2 (func (param i32))))
    (tag (import "A" "tag1") (type $e2))
  )
  "incompatible import type"
)
(assert_unlinkable
  (module
    (type $e (func (param i32)))
    (tag (import "A" "tag2") (type $e))
  )
  "incompatible import type"
)

;; ---- recursive function types

(module $R
  ;; A type that refers to itself: a function that counts down by calling itself through a
  ;; reference it is passed.
  (rec (type $self (func (param (ref null $self) i32) (result i32))))
  ;; Two types that refer to each other.
  (rec
    (type $even (func (param (ref $odd) i32) (result i32)))
    (type $odd (func (param (ref $even) i32) (result i32)))
  )
  (func $down (export "down") (type $self)
    (if (result i32) (i32.eqz (local.get 1))
      (then (i32.const 100))
      (else (call_ref $self (local.get 0) (i32.sub (local.get 1) (i32.const 1)) (local.get 0)))
    )
  )
  (func $is-even (export "is-even") (type $even)
    (if (result i32) (i32.eqz (local.get 1))
      (then (i32.const 1))
      (else (call_ref $odd (ref.func $is-even) (i32.sub (local.get 1) (i32.const 1)) (local.get 0)))
    )
  )
  (func $is-odd (export "is-odd") (type $odd)
    (if (result i32) (i32.eqz (local.get 1))
      (then (i32.const 0))
      (else (call_ref $even (ref.func $is-odd) (i32.sub (local.get 1) (i32.const 1)) (local.get 0)))
    )
  )
  (table (export "table") funcref (elem $down $is-even $is-odd))
  (func (export "run-down") (param i32) (result i32)
    (call $down (ref.func $down) (local.get 0))
  )
  (func (export "run-even") (param i32) (result i32)
    (call $is-even (ref.func $is-odd) (local.get 0))
  )
)
(register "R" $R)
(assert_return (invoke "run-down" (i32.const 5)) (i32.const 100))
(assert_return (invoke "run-even" (i32.const 10)) (i32.const 1))
(assert_return (invoke "run-even" (i32.const 7)) (i32.const 0))

;; Another module with the same recursive groups: the same types, so the imports link and
;; call_indirect through R's table finds them; a group in another order does not match.
(module
  (rec (type $self (func (param (ref null $self) i32) (result i32))))
  (rec
    (type $even (func (param (ref $odd) i32) (result i32)))
    (type $odd (func (param (ref $even) i32) (result i32)))
  )
  (func $down (import "R" "down") (type $self))
  (func $is-even (import "R" "is-even") (type $even))
  (func $is-odd (import "R" "is-odd") (type $odd))
  (table $table (import "R" "table") 3 funcref)
  (func (export "down-indirect") (param i32) (result i32)
    (call_indirect $table (type $self) (ref.func $down) (local.get 0) (i32.const 0))
  )
  (func (export "odd-indirect") (param i32) (result i32)
    (call_indirect $table (type $even) (ref.func $is-odd) (local.get 0) (i32.const 1))
  )
  (func (export "even-as-odd") (param i32) (result i32)
    (call_indirect $table (type $odd) (ref.func $is-even) (local.get 0) (i32.const 1))
  )
  (elem declare func $down $is-even $is-odd)
)
(assert_return (invoke "down-indirect" (i32.const 3)) (i32.const 100))
(assert_return (invoke "odd-indirect" (i32.const 4)) (i32.const 1))
(assert_trap (invoke "even-as-odd" (i32.const 4)) "indirect call type mismatch")

(assert_unlinkable
  (module
    (rec
      (type $odd (func (param (ref $even) i32) (result i32)))
      (type $even (func (param (ref $odd) i32) (result i32)))
    )
    (func (import "R" "is-odd") (type $odd))
  )
  "incompatible import type"
)

;; ---- global.get of a defined global in constant expressions

(module
  (global $base i32 (i32.const 40))
  (global $next i32 (i32.add (global.get $base) (i32.const 2)))
  (global $mut (mut i32) (i32.const 7))
  (global $one i32 (i32.const 1))
  (global $fn funcref (ref.func $f))
  (global $fn2 (ref null func) (global.get $fn))
  (global $v v128 (v128.const i32x4 1 2 3 4))
  (global $v2 v128 (global.get $v))
  (table $t 3 funcref)
  (elem (table $t) (offset (global.get $one)) funcref (global.get $fn2) (ref.func $g))
  (memory 1)
  (data (offset (global.get $next)) "\2a\2b")
  (func $f (result i32) (global.get $next))
  (func $g (result i32) (i32.const 9))
  (func (export "next") (result i32) (global.get $next))
  (func (export "mut") (result i32) (global.get $mut))
  (func (export "call") (param i32) (result i32) (call_indirect $t (result i32) (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "lane") (result i32) (i32x4.extract_lane 3 (global.get $v2)))
)
(assert_return (invoke "next") (i32.const 42))
(assert_return (invoke "mut") (i32.const 7))
(assert_return (invoke "call" (i32.const 1)) (i32.const 42))
(assert_return (invoke "call" (i32.const 2)) (i32.const 9))
(assert_trap (invoke "call" (i32.const 0)) "uninitialized element")
(assert_return (invoke "load" (i32.const 42)) (i32.const 0x2a))
(assert_return (invoke "load" (i32.const 43)) (i32.const 0x2b))
(assert_return (invoke "load" (i32.const 41)) (i32.const 0))
(assert_return (invoke "lane") (i32.const 4))

;; Only immutable globals, and only those defined before.
(assert_invalid
  (module
    (global $m (mut i32) (i32.const 1))
    (global i32 (global.get $m))
  )
  "constant expression required"
)
(assert_invalid
  (module
    (global i32 (global.get 1))
    (global i32 (i32.const 1))
  )
  "unknown global"
)
(assert_invalid
  (module
    (global i32 (global.get 0))
  )
  "unknown global"
)
