//! The exception handlers of a translated function (exception handling): a side table the
//! executor reads only when an exception is thrown, so code that throws nothing pays nothing
//! for `try_table` (no op is run on entering or leaving one).
//!
//! Each `try_table` the translator met in reachable code is one [`TryHandler`]: the range of
//! ops its body was translated into and its catch clauses in order. Handlers are listed
//! innermost first (a `try_table` is listed when its `end` is translated, before any that
//! encloses it), so the first handler whose range holds the throwing op (or the call op of a
//! caller frame) and has a matching clause is the one the specification picks.

use super::Slot;

/// What a catch clause catches, and whether it also hands over the `exnref`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CatchKind {
    /// `catch tag`: exceptions of the module's tag `.0`; the payload goes to the target.
    Tag(u32),
    /// `catch_ref tag`: as `Tag`, followed by the `exnref`.
    TagRef(u32),
    /// `catch_all`: any exception; nothing goes to the target.
    All,
    /// `catch_all_ref`: any exception; its `exnref` goes to the target.
    AllRef,
}

/// One catch clause: where a caught exception continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CatchClause {
    pub kind: CatchKind,
    /// The op execution continues at: the branch target of the clause's label (a label's op,
    /// or a return pad for the function's own label).
    pub target: u32,
    /// The register where the values handed over start (the payload cells, then the
    /// `exnref`): the slots a branch to the label carries its values in.
    pub dst: Slot,
}

/// One `try_table`: the ops of its body and its clauses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TryHandler {
    /// The body's first op.
    pub start: u32,
    /// One past the body's last op.
    pub end: u32,
    pub clauses: Box<[CatchClause]>,
}
