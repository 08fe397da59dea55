;; wasmi 2.0.0 bug (d), found by the diff target (seed 4, iteration 39247; seed 1, iteration
;; 2866), reduced from 96 (and 2869) lines. See fuzz/known-peer-bugs.md.
;; The specification: `block (param i32)` takes the 5, leaving [7] below it; the taken br_if
;; leaves the block, keeping the values below it (the label's arity is 0), so $f returns 7.
;; epsilon returns 7; wasmi 2.0.0 returns 0.
;; Check: epsilon-fuzz --compare fuzz/findings/peer-d-value-below-block-param.wat
(module
  (func $f (param i64 i32) (result i64)
    local.get 0          ;; 7, below the block's parameter
    i32.const 5          ;; the block's parameter
    block (param i32)
      local.get 1        ;; 1: the branch is taken
      br_if 0
      block              ;; wasmi copies local 0 here, on the fall-through path only
      end
      drop
    end)
  (func (export "f") (result i64) (call $f (i64.const 7) (i32.const 1))))
