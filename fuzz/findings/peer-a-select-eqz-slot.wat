;; wasmi 2.0.0 bug (a) without a constant operand, found by the diff target (seed 20261206,
;; iterations 12605 and 213503 of a 60-minute run; the second with `ref.is_null`). See
;; fuzz/known-peer-bugs.md.
;; The specification: local 1 is 0, so `i32.eqz` gives 1 and `select` takes its first operand,
;; `table.size 0` = 1. epsilon returns 1 and 1. wasmi 2.0.0 fuses the `i32.eqz` into the
;; `select` but then tests its accumulator register, which holds the `table.size` (1), not
;; local 1, and returns 0 and 0.
;; Check: epsilon-fuzz --compare fuzz/findings/peer-a-select-eqz-slot.wat
(module
  (table 1 funcref)
  (func (export "eqz") (result i32) (local i32 i32)
    table.size 0
    local.get 0
    local.get 1
    i32.eqz
    select)
  (func (export "is_null") (result i32) (local i32 funcref)
    table.size 0
    local.get 0
    local.get 1
    ref.is_null
    select))
