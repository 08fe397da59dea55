;; Translator regression tests: multi-value blocks, loops and ifs with parameters, and
;; br_table carrying values to targets whose operand stacks have different heights.

(module
  (func (export "block-params") (param i32 i32) (result i32 i32)
    local.get 0
    local.get 1
    block (param i32 i32) (result i32 i32 i32)
      i32.add
      local.get 0
      local.get 1
    end
    i32.sub)

  ;; Sum 1..n with the accumulator and counter as loop parameters.
  (func (export "loop-params") (param $n i32) (result i32)
    (local $k i32)
    i32.const 0
    local.get $n
    loop $l (param i32 i32) (result i32)
      local.tee $k
      i32.add
      local.get $k
      i32.const 1
      i32.sub
      local.tee $k
      local.get $k
      br_if $l
      drop
    end)

  (func (export "if-params") (param i32 i32 i32) (result i32 i32)
    local.get 0
    local.get 1
    local.get 2
    if (param i32 i32) (result i32 i32)
      i32.add
      local.get 0
    else
      i32.sub
      local.get 1
    end)

  ;; An if with parameters but no else: the parameters pass through unchanged.
  (func (export "if-params-no-else") (param i64 i32) (result i64)
    local.get 0
    local.get 1
    if (param i64) (result i64)
      i64.const 1
      i64.shl
    end)

  ;; A block leaving three values, consumed below values that were pushed before it.
  (func (export "block-under") (param i32) (result i32)
    i32.const 1000
    local.get 0
    block (result i32 i32 i32)
      i32.const 1
      i32.const 2
      i32.const 3
    end
    i32.mul
    i32.sub
    i32.add
    i32.add)

  ;; br out of nested multi-value blocks with extra values to discard.
  (func (export "br-discard") (param i32) (result i32 i64)
    block $out (result i32 i64)
      i32.const 99
      i64.const 98
      block (result i32)
        i32.const 11
        i64.const 22
        local.get 0
        br_if $out
        drop
        drop
        i32.const 5
      end
      drop
      drop
      drop
      i32.const 33
      i64.const 44
    end)

  ;; One value carried to targets at stack heights 4, 3 and 1.
  (func (export "br-table-heights") (param i32) (result i32)
    i32.const 1000
    block $b0 (result i32)
      i32.const 200
      i32.const 300
      block $b1 (result i32)
        i32.const 40
        block $b2 (result i32)
          i32.const 7
          local.get 0
          br_table $b2 $b1 $b0 $b1
        end
        i32.add
      end
      i32.add
      i32.add
    end
    i32.add)

  ;; Two values carried to targets at different heights.
  (func (export "br-table-multi") (param i32) (result i32 i32)
    i32.const 9
    block $a (result i32 i32)
      i32.const 8
      block $b (result i32 i32)
        i32.const 1
        i32.const 2
        local.get 0
        br_table $a $b $a
      end
      i32.sub
    end
    i32.add)

  ;; br_table to the function body itself (a return) and to a block.
  (func (export "br-table-return") (param i32 i32) (result i64)
    block $done (result i64)
      local.get 1
      i64.extend_i32_u
      local.get 0
      br_table 1 $done
    end
    i64.const 100
    i64.add)

  ;; Loop whose parameters are re-supplied by a br_table back edge.
  (func (export "loop-br-table") (param i32) (result i32)
    i32.const 0
    loop $l (param i32) (result i32)
      i32.const 1
      i32.add
      local.get 0
      i32.const 1
      i32.sub
      local.tee 0
      i32.const 0
      i32.gt_s
      br_table 1 $l
      i32.const 1000
      i32.add
    end)
)

(assert_return (invoke "block-params" (i32.const 7) (i32.const 3)) (i32.const 10) (i32.const 4))
(assert_return (invoke "block-params" (i32.const -1) (i32.const 1)) (i32.const 0) (i32.const -2))
(assert_return (invoke "loop-params" (i32.const 1)) (i32.const 1))
(assert_return (invoke "loop-params" (i32.const 10)) (i32.const 55))
(assert_return (invoke "loop-params" (i32.const 100)) (i32.const 5050))
(assert_return (invoke "if-params" (i32.const 5) (i32.const 3) (i32.const 1)) (i32.const 8) (i32.const 5))
(assert_return (invoke "if-params" (i32.const 5) (i32.const 3) (i32.const 0)) (i32.const 2) (i32.const 3))
(assert_return (invoke "if-params-no-else" (i64.const 21) (i32.const 1)) (i64.const 42))
(assert_return (invoke "if-params-no-else" (i64.const 21) (i32.const 0)) (i64.const 21))
(assert_return (invoke "block-under" (i32.const 50)) (i32.const 1045))
(assert_return (invoke "br-discard" (i32.const 1)) (i32.const 11) (i64.const 22))
(assert_return (invoke "br-discard" (i32.const 0)) (i32.const 33) (i64.const 44))
(assert_return (invoke "br-table-heights" (i32.const 0)) (i32.const 1547))
(assert_return (invoke "br-table-heights" (i32.const 1)) (i32.const 1507))
(assert_return (invoke "br-table-heights" (i32.const 2)) (i32.const 1007))
(assert_return (invoke "br-table-heights" (i32.const 3)) (i32.const 1507))
(assert_return (invoke "br-table-heights" (i32.const -1)) (i32.const 1507))
(assert_return (invoke "br-table-multi" (i32.const 0)) (i32.const 9) (i32.const 3))
(assert_return (invoke "br-table-multi" (i32.const 1)) (i32.const 9) (i32.const 7))
(assert_return (invoke "br-table-multi" (i32.const 2)) (i32.const 9) (i32.const 3))
(assert_return (invoke "br-table-return" (i32.const 0) (i32.const 5)) (i64.const 5))
(assert_return (invoke "br-table-return" (i32.const 1) (i32.const 5)) (i64.const 105))
(assert_return (invoke "loop-br-table" (i32.const 5)) (i32.const 5))
(assert_return (invoke "loop-br-table" (i32.const 0)) (i32.const 1))
