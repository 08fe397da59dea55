;; epsilon finding (diff target, seed 20261206, iteration 166448, the 60-minute run of
;; 2026-12-06), reduced from 1055 lines; iterations 318081 and 338247 of that run reduce to the
;; same fault. Fixed in main (runtime/src/translate/ops.rs `v128_load_lane`; regression test
;; testsuite/epsilon/simd.wast).
;;
;; `v128.loadN_lane` whose result is stored straight into a local (`local.set`/`local.tee`
;; right after it) takes its vector operand from the wrong slot: one cell above the local
;; instead of the operand itself. Here it reads the upper half of local 1 and local 2 (9)
;; instead of local 0. Every lane width and lane index, both dispatch backends.
;;
;; The specification: `v128.load8_lane 15` replaces lane 15 of its vector operand (local 0,
;; i64x2 1 2) with the byte at address 0 (0: memory is zero), so f returns i64x2 1 2.
;; wasmi 2.0.0 returns that; epsilon returns i64x2 0 9.
;;
;; Likely cause (runtime/src/exec/simd.rs `load_lane`, runtime/src/translate/ops.rs
;; `v128_load_lane`): the op reads the vector at `dst + 1`, its canonical slot when `dst` is
;; the operand's own slot, but the result fusion of a following `local.set`/`local.tee`
;; retargets `dst` to the local, so `dst + 1` is no longer where the vector is.
;;
;; Check:
;;   cargo build --profile ci -p epsilon-fuzz
;;   target/ci/epsilon-fuzz --compare fuzz/findings/diff-v128-load-lane-into-local.wat
;; (the original: target/ci/epsilon-fuzz --target diff --seed 20261206 --iteration 166448)
(module
  (memory 1)
  (func (export "f") (result v128) (local v128 v128 i64)
    (local.set 0 (v128.const i64x2 1 2))
    (local.set 2 (i64.const 9))
    (local.set 1 (v128.load8_lane 15 (i32.const 0) (local.get 0)))
    (local.get 1)))
