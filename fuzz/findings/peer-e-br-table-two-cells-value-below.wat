;; wasmi 2.0.0 bug (e), found by the diff target (seed 20251205, iteration 33799, a 10-minute
;; run), reduced from 1255 lines. See fuzz/known-peer-bugs.md.
;; The specification: br_table with index 0 takes label 0, the block, whose arity is one v128:
;; the branch keeps the v128, drops the i32 below it down to the label, and the block (then
;; the function) yields i64x2 1 2. epsilon returns it; wasmi 2.0.0 returns i64x2 0 1 (the
;; value moved by one 64-bit cell). Two i64 results instead of the v128 fail the same way.
;; Check: epsilon-fuzz --compare fuzz/findings/peer-e-br-table-two-cells-value-below.wat
(module
  (func (export "f") (param i32) (result v128)
    block (result v128)
      i32.const 16          ;; a value below the branch's value
      v128.const i64x2 1 2
      local.get 0           ;; 0 (a constant index is folded and does not fail)
      br_table 0 1
    end))
