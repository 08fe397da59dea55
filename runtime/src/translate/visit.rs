//! Decoding a function body once for both validation and translation (or for validation and
//! the check for what epsilon does not implement, when translation is lazy).
//!
//! The reader decodes each operator straight into a call of a visitor's `visit_*` method,
//! which hands the operands to the validator's method of the same name (no [`Operator`] is
//! built for the validator, and no `match` over one) and then builds the [`Operator`] that the
//! translator ([`ValidateAndTranslate`]) or the check ([`ValidateOnly`]) takes. Before, each
//! operator was decoded into an [`Operator`], which the validator matched on again: about 4% of
//! compiling a large module eagerly, about 40% when translation is lazy.

use super::FuncTranslator;
use super::ops::{may_be_unsupported, unsupported_operator};
use crate::error::{Error, Result};
use crate::module::invalid;
use wasmparser::{FuncValidator, Operator, ValidatorResources, VisitOperator, VisitSimdOperator};

/// The visitor of one operator at `offset`: validates it (unless `validator` is `None`: the
/// body was validated already) and translates it.
pub(super) struct ValidateAndTranslate<'t, 'a> {
    pub translator: &'t mut FuncTranslator<'a>,
    pub validator: Option<&'t mut FuncValidator<ValidatorResources>>,
    pub offset: u64,
}

/// The visitor of one operator at `offset` when the body is only validated: validates it and,
/// until one is found, looks for what the translator would reject (`unsupported`).
pub(crate) struct ValidateOnly<'t> {
    pub validator: &'t mut FuncValidator<ValidatorResources>,
    pub offset: u64,
    pub unsupported: &'t mut Option<Error>,
}

impl ValidateAndTranslate<'_, '_> {
    /// Translates `op`, the operator just validated; an error without a position gets the
    /// operator's.
    #[inline(always)]
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
/// `$validator` (`visitor` or `simd_visitor`), then `$then` with the operator built from the
/// operands (unless the visitor only needs those that `may_be_unsupported`).
macro_rules! define_visit {
    ($validator:ident $then:ident $(@$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
        $(
            fn $visit(&mut self $($(,$arg: $argty)*)?) -> Result<()> {
                let offset = self.offset;
                if let Some(validator) = self.validator() {
                    validator.$validator(offset).$visit($($($arg.clone()),*)?).map_err(invalid)?;
                }
                if Self::EVERY_OPERATOR || const { may_be_unsupported(stringify!($proposal), stringify!($op)) } {
                    self.$then(&Operator::$op $({ $($arg),* })?)
                } else {
                    Ok(())
                }
            }
        )*
    };
}

/// The two visitors, alike but for what follows validation.
trait Visit {
    /// Whether `then` takes every operator, or only those that `may_be_unsupported`.
    const EVERY_OPERATOR: bool;
    /// The validator, or `None` if the body was validated already.
    fn validator(&mut self) -> Option<&mut FuncValidator<ValidatorResources>>;
    /// Translates or checks the operator just validated.
    fn then(&mut self, op: &Operator<'_>) -> Result<()>;
}

impl Visit for ValidateAndTranslate<'_, '_> {
    const EVERY_OPERATOR: bool = true;
    fn validator(&mut self) -> Option<&mut FuncValidator<ValidatorResources>> {
        self.validator.as_deref_mut()
    }
    #[inline(always)]
    fn then(&mut self, op: &Operator<'_>) -> Result<()> {
        self.translate(op)
    }
}

impl Visit for ValidateOnly<'_> {
    const EVERY_OPERATOR: bool = false;
    fn validator(&mut self) -> Option<&mut FuncValidator<ValidatorResources>> {
        Some(self.validator)
    }
    #[inline]
    fn then(&mut self, op: &Operator<'_>) -> Result<()> {
        if self.unsupported.is_none() {
            *self.unsupported = unsupported_operator(op);
        }
        Ok(())
    }
}

macro_rules! define_visit_plain {
    ($($t:tt)*) => { define_visit!(visitor then $($t)*); };
}

macro_rules! define_visit_simd {
    ($($t:tt)*) => { define_visit!(simd_visitor then $($t)*); };
}

/// `VisitOperator` and `VisitSimdOperator` for a visitor type that implements [`Visit`].
macro_rules! impl_visitors {
    ($($visitor:ty),*) => {
        $(
            // Operands that are `Copy` are cloned like the others (`BrTable`, `TryTable`): the
            // macro cannot tell them apart.
            #[allow(clippy::clone_on_copy)]
            impl<'a> VisitOperator<'a> for $visitor {
                type Output = Result<()>;

                fn simd_visitor(&mut self) -> Option<&mut dyn VisitSimdOperator<'a, Output = Self::Output>> {
                    Some(self)
                }

                wasmparser::for_each_visit_operator!(define_visit_plain);
            }

            #[allow(clippy::clone_on_copy)]
            impl<'a> VisitSimdOperator<'a> for $visitor {
                wasmparser::for_each_visit_simd_operator!(define_visit_simd);
            }
        )*
    };
}

impl_visitors!(ValidateAndTranslate<'_, '_>, ValidateOnly<'_>);
