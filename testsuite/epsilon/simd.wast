;; SIMD ops whose operands the translator places by convention. `v128.loadN_lane` finds its
;; vector operand in the slot right after its result's, so a following `local.set` or
;; `local.tee` must not retarget the result into the local (the op would then read the cell
;; after the local; a fuzzer finding, fuzz/findings/diff-v128-load-lane-into-local.wat).
;; Each lane width, the first and last lane, through local.set and local.tee.

(module
  (memory 1)
  (data (i32.const 0) "\a1\a2\a3\a4\a5\a6\a7\a8")

  (func (export "load8_set") (result v128) (local v128 v128 i64)
    (local.set 0 (v128.const i64x2 1 2))
    (local.set 2 (i64.const 9))
    (local.set 1 (v128.load8_lane 15 (i32.const 0) (local.get 0)))
    (local.get 1))
  (func (export "load16_set") (result v128) (local v128 v128 i64)
    (local.set 0 (v128.const i64x2 1 2))
    (local.set 2 (i64.const 9))
    (local.set 1 (v128.load16_lane 0 (i32.const 0) (local.get 0)))
    (local.get 1))
  (func (export "load32_tee") (result v128) (local v128 v128 i64)
    (local.set 0 (v128.const i64x2 1 2))
    (local.set 2 (i64.const 9))
    (drop (local.tee 1 (v128.load32_lane 3 (i32.const 0) (local.get 0))))
    (local.get 1))
  (func (export "load64_tee") (result v128) (local v128 v128 i64)
    (local.set 0 (v128.const i64x2 1 2))
    (local.set 2 (i64.const 9))
    (local.tee 1 (v128.load64_lane 1 (i32.const 0) (local.get 0))))
  ;; the loaded vector goes into the same local it came from
  (func (export "load8_self") (param v128) (result v128)
    (local.set 0 (v128.load8_lane 0 (i32.const 1) (local.get 0)))
    (local.get 0))
)

(assert_return (invoke "load8_set") (v128.const i64x2 1 0xa100_0000_0000_0002))
(assert_return (invoke "load16_set") (v128.const i64x2 0xa2a1 2))
(assert_return (invoke "load32_tee") (v128.const i64x2 1 0xa4a3_a2a1_0000_0002))
(assert_return (invoke "load64_tee") (v128.const i64x2 1 0xa8a7_a6a5_a4a3_a2a1))
(assert_return (invoke "load8_self" (v128.const i64x2 0x7777 3)) (v128.const i64x2 0x77a2 3))
