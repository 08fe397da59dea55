//! Decoding a function body once for both validation and translation.
//!
//! The reader decodes each operator straight into a call of [`ValidateAndTranslate`]'s
//! `visit_*` method, which hands the operands to the validator's method of the same name (no
//! [`Operator`] is built for it, and no `match` over one) and then builds the [`Operator`] that
//! the translator takes. Before, each operator was decoded into an [`Operator`], which the
//! validator matched on again: about 4% of compiling a large module.

use super::FuncTranslator;
use crate::error::{Error, ErrorKind, Result};
use wasmparser::{FuncValidator, Operator, ValidatorResources, VisitOperator, VisitSimdOperator};

/// The visitor of one operator at `offset`: validates it (unless `validator` is `None`: the
/// body was validated already) and translates it.
pub(super) struct ValidateAndTranslate<'t, 'a> {
    pub translator: &'t mut FuncTranslator<'a>,
    pub validator: Option<&'t mut FuncValidator<ValidatorResources>>,
    pub offset: u64,
}

/// A validation error as epsilon's error.
pub(super) fn invalid(e: wasmparser::BinaryReaderError) -> Error {
    Error::at_offset(ErrorKind::Invalid, e.message().to_string(), e.offset() as usize)
}

impl ValidateAndTranslate<'_, '_> {
    /// Translates `op`, the operator just validated; an error without a position gets the
    /// operator's.
    fn translate(&mut self, op: &Operator<'_>) -> Result<()> {
        let offset = self.offset;
        self.translator.step(offset, op).map_err(|e| {
            if e.offset().is_none() {
                Error::at_offset(e.kind(), e.message().to_string(), offset as usize)
            } else {
                e
            }
        })
    }
}

/// One `visit_*` method per operator: the validator's method of the same name through
/// `$validator` (`visitor` or `simd_visitor`), then the translator.
macro_rules! define_visit {
    ($validator:ident $(@$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            fn $visit(&mut self $($(,$arg: $argty)*)?) -> Result<()> {
                if let Some(validator) = self.validator.as_deref_mut() {
                    validator.$validator(self.offset).$visit($($($arg.clone()),*)?).map_err(invalid)?;
                }
                self.translate(&Operator::$op $({ $($arg),* })?)
            }
        )*
    };
}

macro_rules! define_visit_plain {
    ($($t:tt)*) => { define_visit!(visitor $($t)*); };
}

macro_rules! define_visit_simd {
    ($($t:tt)*) => { define_visit!(simd_visitor $($t)*); };
}

// Operands that are `Copy` are cloned like the others (`BrTable`, `TryTable`): the macro
// cannot tell them apart.
#[allow(clippy::clone_on_copy)]
impl<'a> VisitOperator<'a> for ValidateAndTranslate<'_, '_> {
    type Output = Result<()>;

    fn simd_visitor(&mut self) -> Option<&mut dyn VisitSimdOperator<'a, Output = Self::Output>> {
        Some(self)
    }

    wasmparser::for_each_visit_operator!(define_visit_plain);
}

#[allow(clippy::clone_on_copy)]
impl<'a> VisitSimdOperator<'a> for ValidateAndTranslate<'_, '_> {
    wasmparser::for_each_visit_simd_operator!(define_visit_simd);
}
