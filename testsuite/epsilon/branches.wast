;; Conditional branches over lazy operands: values that the translator keeps as constants or
;; as references to locals (not yet written to their stack slots) while a `br_if` or `br_table`
;; carries some of them out of a block or the function.
;;
;; A branch that leaves must put its values into the target's slots, but only on the path where
;; it is taken: on the path that falls through, the values below the branch are still lazy, and
;; must be read from where they really are. Found by differential fuzzing against wasmi (a
;; multi-value `br_if` to the function label returned its condition in place of a constant).

(module
  ;; The case found: two constants returned by a `br_if` to the function label, one of them
  ;; used again after the branch is not taken.
  (func (export "found") (param i32) (result i32 i32)
    i32.const 1
    i32.const 2
    local.get 0
    br_if 0
    i32.eqz
    f64.convert_i32_u
    v128.const i64x2 0 0
    drop
    drop
    i32.const 5)

  ;; Constants under a multi-value return branch, all kept after it.
  (func (export "consts-kept") (param i32) (result i32 i64 i32)
    i32.const 7
    i64.const 8
    i32.const 9
    local.get 0
    br_if 0
    i32.const 1
    i32.add)

  ;; Locals under a multi-value return branch; the locals change after the branch.
  (func (export "locals-kept") (param i32 i32) (result i32 i32)
    local.get 1
    local.get 1
    local.get 0
    br_if 0
    i32.const 100
    local.set 1
    local.get 1
    i32.add)

  ;; A v128 constant and an f64 under a return branch.
  (func (export "v128-kept") (param i32) (result f64 v128)
    f64.const 2.5
    v128.const i32x4 1 2 3 4
    local.get 0
    br_if 0
    drop
    f64.const 1
    f64.add
    v128.const i32x4 5 6 7 8)

  ;; Constants carried out of a block by `br_if` and then used on the fall-through path.
  (func (export "block-consts") (param i32) (result i32)
    (block (result i32 i32)
      i32.const 3
      i32.const 4
      local.get 0
      br_if 0
      i32.const 10
      i32.mul)
    i32.add)

  ;; The same through a fused compare-and-branch, twice in a row.
  (func (export "fused-twice") (param i32) (result i32 i32)
    i32.const 11
    i32.const 12
    local.get 0
    i32.const 5
    i32.gt_u
    br_if 0
    local.get 0
    i32.const 2
    i32.gt_u
    br_if 0
    i32.const 100
    i32.add)

  ;; A return branch inside a loop whose values are constants.
  (func (export "loop-return") (param i32) (result i32 i32)
    (local i32)
    (loop $l
      i32.const 21
      i32.const 22
      local.get 1
      local.get 0
      i32.ge_u
      br_if 1
      drop
      drop
      local.get 1
      i32.const 1
      i32.add
      local.set 1
      br $l)
    i32.const 0
    i32.const 0)

  ;; `br_table` whose targets include the function label, with constants underneath.
  (func (export "table-consts") (param i32) (result i32 i32)
    (block (result i32 i32)
      i32.const 31
      i32.const 32
      local.get 0
      br_table 0 1 0)
    i32.const 1000
    i32.add)
)

(assert_return (invoke "found" (i32.const 0)) (i32.const 1) (i32.const 5))
(assert_return (invoke "found" (i32.const 1)) (i32.const 1) (i32.const 2))
(assert_return (invoke "consts-kept" (i32.const 0)) (i32.const 7) (i64.const 8) (i32.const 10))
(assert_return (invoke "consts-kept" (i32.const 1)) (i32.const 7) (i64.const 8) (i32.const 9))
(assert_return (invoke "locals-kept" (i32.const 0) (i32.const 3)) (i32.const 3) (i32.const 103))
(assert_return (invoke "locals-kept" (i32.const 1) (i32.const 3)) (i32.const 3) (i32.const 3))
(assert_return (invoke "v128-kept" (i32.const 0)) (f64.const 3.5) (v128.const i32x4 5 6 7 8))
(assert_return (invoke "v128-kept" (i32.const 1)) (f64.const 2.5) (v128.const i32x4 1 2 3 4))
(assert_return (invoke "block-consts" (i32.const 0)) (i32.const 43))
(assert_return (invoke "block-consts" (i32.const 1)) (i32.const 7))
(assert_return (invoke "fused-twice" (i32.const 0)) (i32.const 11) (i32.const 112))
(assert_return (invoke "fused-twice" (i32.const 3)) (i32.const 11) (i32.const 12))
(assert_return (invoke "fused-twice" (i32.const 9)) (i32.const 11) (i32.const 12))
(assert_return (invoke "loop-return" (i32.const 0)) (i32.const 21) (i32.const 22))
(assert_return (invoke "loop-return" (i32.const 5)) (i32.const 21) (i32.const 22))
(assert_return (invoke "table-consts" (i32.const 0)) (i32.const 31) (i32.const 1032))
(assert_return (invoke "table-consts" (i32.const 1)) (i32.const 31) (i32.const 32))
(assert_return (invoke "table-consts" (i32.const 2)) (i32.const 31) (i32.const 1032))
(assert_return (invoke "table-consts" (i32.const 9)) (i32.const 31) (i32.const 1032))
