//! Which instructions need an entry in a function's [`OffsetTable`](crate::ir::OffsetTable):
//! those where execution can stop with a trap, inside a callee, or on an interrupt. The
//! loads and stores of the op table are not listed here: `FuncTranslator::load` and `store`
//! mark their instruction themselves (testing every instruction against the table's loads and
//! stores cost more translation work than the rest of this test).

use wasmparser::Operator;

/// Whether execution can stop at `op`: it can trap (integer division, a trapping conversion,
/// a memory or table access, `unreachable`, ...), calls (the caller's frame in a backtrace
/// points at the call), or branches (a backward branch checks for interrupts).
///
/// An op that can stop execution but was translated from an instruction missing here would
/// have no offset in a backtrace (a debug assertion on the trap path says so).
#[inline(always)]
pub(super) fn stops_execution(op: &Operator<'_>) -> bool {
    use Operator as O;
    matches!(
        op,
        O::Unreachable
            | O::Br { .. }
            | O::BrIf { .. }
            | O::BrTable { .. }
            | O::BrOnNull { .. }
            | O::BrOnNonNull { .. }
            | O::Call { .. }
            | O::CallIndirect { .. }
            | O::CallRef { .. }
            | O::ReturnCall { .. }
            | O::ReturnCallIndirect { .. }
            | O::ReturnCallRef { .. }
            | O::Throw { .. }
            | O::ThrowRef
            | O::Rethrow { .. }
            | O::RefAsNonNull
            | O::I32DivS
            | O::I32DivU
            | O::I32RemS
            | O::I32RemU
            | O::I64DivS
            | O::I64DivU
            | O::I64RemS
            | O::I64RemU
            | O::I32TruncF32S
            | O::I32TruncF32U
            | O::I32TruncF64S
            | O::I32TruncF64U
            | O::I64TruncF32S
            | O::I64TruncF32U
            | O::I64TruncF64S
            | O::I64TruncF64U
            | O::MemoryFill { .. }
            | O::MemoryCopy { .. }
            | O::MemoryInit { .. }
            | O::TableGet { .. }
            | O::TableSet { .. }
            | O::TableFill { .. }
            | O::TableCopy { .. }
            | O::TableInit { .. }
            | O::V128Load8Lane { .. }
            | O::V128Load16Lane { .. }
            | O::V128Load32Lane { .. }
            | O::V128Load64Lane { .. }
            | O::V128Store8Lane { .. }
            | O::V128Store16Lane { .. }
            | O::V128Store32Lane { .. }
            | O::V128Store64Lane { .. }
    )
}
