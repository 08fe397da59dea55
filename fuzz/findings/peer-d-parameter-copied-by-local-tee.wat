;; wasmi 2.0.0 fault (d), with the parameter a `local.get` that a `local.tee` of the same local
;; copies before the frame. Found by the diff fuzzer (seed 20261313, iteration 3715: exported
;; global `\u{14}` differed after export `2`), reduced from 2521 lines.
;; The spec: f(1) pushes 7 (local 1), then 1 (local 0's value), then i32.eqz 1 = 0 into local 0
;; and as the condition; the `if` takes its parameter (1) and the else arm drops it; `[7]` is
;; returned. wasmi 2.0.0 returns 0; epsilon and wabt's wasm-interp return 7.
(module
  (func $f (param i32) (result i64) (local i64)
    i64.const 7
    local.set 1
    local.get 1        ;; 7, below the if's parameter
    local.get 0        ;; the if's parameter: a local.get ...
    local.get 0
    i32.eqz
    local.tee 0        ;; ... that this local.tee of local 0 makes wasmi copy: no longer lazy
    if (param i32)     ;; the condition is 0: the else arm
      block            ;; copies the lazy `local.get 1` below on this path only
      end
      drop
    else
      drop
    end)
  (func (export "f") (result i64) (call $f (i32.const 1))))
