;; wasmi 2.0.0 bug (d), found by the diff target (seed 4, iteration 39247), reduced by hand/lines.
;; Spec trace of $f1: the loop body pushes [v128 (local 1), ref.null func, f64 (global 0), i64, f32];
;; the block (param f32) is left by the taken br_if (-0.0 reinterpreted is 0x80000000), so after it
;; global.set 6 <- i64, global.set 7 <- f64 bits, drop <- funcref, global.set 8 <- the v128 argument.
;; So after calling "f", global g8 = i64x2 7 9 (epsilon); wasmi 2.0.0 leaves it 0.
;; Check: epsilon-fuzz --compare fuzz/findings/peer-d-value-below-block-param.wat
(module
  (type (;0;) (func (param f64 v128) (result externref f32)))
  (type (;1;) (func (param f32)))
  (global (;0;) f64 (f64.const 1.5))
  (global (;1;) (mut i64) (i64.const 3))
  (global (;2;) (mut i32) (i32.const 0))
  (global (;3;) (mut i32) (i32.const 0))
  (global (;4;) (mut i32) (i32.const 0))
  (global (;5;) (mut i32) (i32.const 0))
  (global (;6;) (mut i64) (i64.const 0))
  (global (;7;) (mut i64) (i64.const 0))
  (global (;8;) (mut v128) (v128.const i64x2 0 0))
  (global (;9;) (mut i32) (i32.const 5000))
  (export "g8" (global 8))
  (func $f2 (param i64 externref) (result f32) f32.const 0)
  (elem declare func $f2)
  (func $f1 (type 0) (param f64 v128) (result externref f32)
    (local f32 f32 f64 i32 i64 i32 i32 i32 i64 i32 i32 i32 i64 i32 i64 i32 f64 f64)
    global.get 9
    if ;; label = @1
    end
    global.get 9
    i32.const 1
    i32.sub
    global.set 9
    f64.const 0x1.p-1031 (;=0.00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000004345847379897;)
    ref.func $f2
    loop (result i64) ;; label = @1
      global.get 9
      i32.const 1
      i32.sub
      global.set 9
      local.get 1
      ref.null func
      global.get 0
      i64.const 9007199254740991
      f64.const 0x1.7fffp-1057 (;=0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000971363;)
      f32.demote_f64
      block (type 1) (param f32) ;; label = @2
        local.get 2
        f32.neg
        i32.reinterpret_f32
        br_if 0 (;@2;)
        block ;; label = @3
          block ;; label = @4
          end
          block ;; label = @4
          end
        end
        block ;; label = @3
          block ;; label = @4
          end
        end
        br 0 (;@2;)
        block (result i64) ;; label = @3
          block (result externref) ;; label = @4
            br 2 (;@2;)
            block ;; label = @5
              block ;; label = @6
              end
              br 3 (;@2;)
              block ;; label = @6
                block ;; label = @7
                end
              end
              if ;; label = @6
              end
              if ;; label = @6
                f64.const 0x1.fffffffffffffp+62 (;=9223372036854775000;)
                local.set 19
              end
            end
          end
          drop
          i64.const 127
        end
        global.set 7
      end
      global.set 6
      i64.reinterpret_f64
      global.set 7
      drop
      global.set 8
      i64.const 2622144703953528497
    end
    global.get 6
    i64.xor
    global.set 6
    drop
    i64.reinterpret_f64
    global.set 7
    ref.null extern
    f32.const -0x1.4badeap+91 (;=-3207806000000000000000000000;)
  )
  (func (export "f") (result externref f32) (call $f1 (f64.const 0) (v128.const i64x2 7 9))))
