;; wasmi 2.0.0 bug (d) behind a no-op `local.set`, found by the diff target (seed 20261302,
;; iteration 47191), reduced from 1118 lines. See fuzz/known-peer-bugs.md, (d).
;; The specification: `local.set 0` of `local.get 0` leaves local 0 at 7 and the 7 below on
;; the stack; `block (param i32)` takes the 5, leaving [7] below it; the taken br_if leaves
;; the block, keeping the values below it (the label's arity is 0), so $f returns 7.
;; epsilon returns 7; wasmi 2.0.0 returns 0. wasmi translates `local.get 0 local.set 0` as
;; nothing, so it does not copy the lazy `local.get 0` below either; the block's entry then
;; skips it instead of its parameter, as in peer-d-value-below-block-param.wat.
;; Check: epsilon-fuzz --compare fuzz/findings/peer-d-no-op-local-set.wat
(module
  (func $f (param i64 i32) (result i64)
    local.get 0          ;; 7, below the block's parameter
    local.get 0
    local.set 0          ;; local 0 = local 0: changes nothing (wasmi emits nothing)
    i32.const 5          ;; the block's parameter
    block (param i32)
      local.get 1        ;; 1: the branch is taken
      br_if 0
      block              ;; wasmi copies local 0 here, on the fall-through path only
      end
      drop
    end)
  (func (export "f") (result i64) (call $f (i64.const 7) (i32.const 1))))
