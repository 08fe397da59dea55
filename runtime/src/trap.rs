//! Traps: the ways a WebAssembly computation can abort.

use std::fmt;

/// Why execution trapped.
///
/// The `Display` text of each kind is the wording the WebAssembly specification's
/// reference interpreter uses, so that spec-test assertions can be compared verbatim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum TrapKind {
    /// The `unreachable` instruction was executed.
    Unreachable,
    /// A load or store, or a bulk memory operation, touched bytes outside linear memory.
    MemoryOutOfBounds,
    /// A table access or a bulk table operation was out of the table's bounds.
    TableOutOfBounds,
    /// `call_indirect` indexed past the end of its table.
    UndefinedElement,
    /// `call_indirect` found a null reference in its table.
    UninitializedElement,
    /// `call_indirect` found a function whose type differs from the expected one.
    IndirectCallTypeMismatch,
    /// Integer division or remainder by zero.
    IntegerDivideByZero,
    /// Signed integer division overflowed, or a float-to-int truncation was out of range.
    IntegerOverflow,
    /// A trapping float-to-int truncation got a NaN.
    InvalidConversionToInteger,
    /// The call depth limit (or the value stack limit) was exceeded.
    CallStackExhausted,
    /// Execution ran out of fuel.
    OutOfFuel,
    /// Execution was interrupted or its deadline passed.
    Interrupted,
    /// `call_ref` or `return_call_ref` got a null reference.
    NullFunctionReference,
    /// `ref.as_non_null` got a null reference.
    NullReference,
    /// `throw_ref` was given a null exception reference.
    NullExceptionReference,
}

impl TrapKind {
    /// The specification's wording for this trap.
    pub fn message(self) -> &'static str {
        match self {
            TrapKind::Unreachable => "unreachable",
            TrapKind::MemoryOutOfBounds => "out of bounds memory access",
            TrapKind::TableOutOfBounds => "out of bounds table access",
            TrapKind::UndefinedElement => "undefined element",
            TrapKind::UninitializedElement => "uninitialized element",
            TrapKind::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapKind::IntegerDivideByZero => "integer divide by zero",
            TrapKind::IntegerOverflow => "integer overflow",
            TrapKind::InvalidConversionToInteger => "invalid conversion to integer",
            TrapKind::CallStackExhausted => "call stack exhausted",
            TrapKind::OutOfFuel => "all fuel consumed",
            TrapKind::Interrupted => "interrupted",
            TrapKind::NullFunctionReference => "null function reference",
            TrapKind::NullReference => "null reference",
            TrapKind::NullExceptionReference => "null exception reference",
        }
    }
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for TrapKind {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trap_kind_is_one_byte() {
        assert_eq!(std::mem::size_of::<TrapKind>(), 1);
        assert_eq!(std::mem::size_of::<Result<u64, TrapKind>>(), 16);
    }

    #[test]
    fn messages_use_spec_wording() {
        assert_eq!(TrapKind::IntegerDivideByZero.to_string(), "integer divide by zero");
        assert_eq!(TrapKind::CallStackExhausted.to_string(), "call stack exhausted");
        assert_eq!(TrapKind::UninitializedElement.to_string(), "uninitialized element");
    }
}
