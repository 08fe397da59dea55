"""Shared fixtures: wasm test modules written as WAT text, compiled with epsilon.wat2wasm."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

import epsilon

# A shell that starts a job in the background without job control makes it ignore SIGINT,
# and ignored signals stay ignored across exec: then neither this process nor the CLI
# processes the tests start would see Ctrl-C. Handling it here (a handled signal is reset to
# the default on exec) restores Python's usual behaviour in both.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# The module the seed README's examples use: add, a memory, a counter global, compute.
ADD_WAT = """
(module
  (memory (export "memory") 1 16)
  (global $counter (export "global_counter") (mut i32) (i32.const 7))
  (global (export "answer") i64 (i64.const 42))
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "compute") (param i32 f64 i64) (result f64)
    (f64.add
      (f64.add (f64.convert_i32_s (local.get 0)) (local.get 1))
      (f64.convert_i64_s (local.get 2))))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size))
  (func (export "bump") (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (global.get $counter))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "spin") (loop (br 0)))
  (func $deep (export "deep") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $deep (i32.sub (local.get 0) (i32.const 1)))))))
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func $forever (export "forever") (param i32) (result i32)
    (call $forever (i32.add (local.get 0) (i32.const 1))))
  (func (export "count") (param i64) (result i64)
    (local $i i64)
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get 0)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.get $i))
)
"""


@pytest.fixture(scope="session")
def add_wasm() -> bytes:
    """The binary of ADD_WAT."""
    return epsilon.wat2wasm(ADD_WAT)


@pytest.fixture
def runtime() -> Iterator[epsilon.Runtime]:
    with epsilon.Runtime() as rt:
        yield rt


@pytest.fixture
def module(runtime: epsilon.Runtime, add_wasm: bytes) -> epsilon.Module:
    return runtime.instantiate(add_wasm)
