;; wasmi 2.0.0 bug (f), found by the diff target (seed 20261221, iteration 104, a 10-minute
;; run), reduced from 2561 lines (the value was an exported global there). See
;; fuzz/known-peer-bugs.md.
;; The specification: local.tee 1 sets local 1 to 7 and leaves 7 on the stack; local.get 0
;; pushes 5; `loop (param i32)` takes the 5 as its parameter, its body drops it, and its end
;; leaves [7]: the value below a frame's parameters is untouched by the frame, so $f returns 7.
;; epsilon returns 7; wasmi 2.0.0 returns 5 (the loop's parameter, read through the register
;; that its translator still takes for local 1).
;; Check: epsilon-fuzz --compare fuzz/findings/peer-f-loop-param-clobbers-register-local.wat
(module
  (global $g (mut i64) (i64.const 7))
  (func $f (param i32) (result i64) (local i64)
    global.get $g       ;; 7, computed into wasmi's integer accumulator register
    local.tee 1         ;; local 1 = 7; wasmi notes that the register holds local 1
    local.get 0         ;; 5, the loop's parameter
    loop (param i32)    ;; wasmi copies the 5 into the register, then local 1 from it
      drop
    end)                ;; [7]
  (func (export "f") (result i64) (call $f (i32.const 5))))
