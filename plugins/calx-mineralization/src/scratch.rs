//! Scratch vectors for the units' calculations, lent by the calculating thread's pool.
//!
//! A unit's `calculate` takes `&self` and the units must stay `Send + Sync`, so a unit cannot
//! keep buffers of its own to write into. A study solves the same flowsheet thousands of
//! times per thread: each [`Scratch`] takes a vector from the thread's pool and gives it back
//! when dropped, so that after the first sample the calculations allocate nothing. Nothing is
//! shared between threads (no lock, no atomic), and a vector's contents never outlive the
//! scratch that lent it: every one starts as zeros. What has a small fixed bound (the entering
//! streams, the extents of a unit's few reactions) is held on the stack instead.

use std::cell::RefCell;
use std::ops::{Deref, DerefMut};

thread_local! {
    /// Vectors given back, ready to be lent again.
    static POOL: RefCell<Vec<Vec<f64>>> = const { RefCell::new(Vec::new()) };
}

/// A vector of numbers lent by this thread's pool (given back when dropped).
pub(crate) struct Scratch(Vec<f64>);

impl Scratch {
    /// `n` zeros.
    pub(crate) fn zeros(n: usize) -> Scratch {
        // A thread being torn down has no pool any more: a fresh vector then.
        let mut v = POOL.try_with(|p| p.borrow_mut().pop()).ok().flatten().unwrap_or_default();
        v.clear();
        v.resize(n, 0.0);
        Scratch(v)
    }

    /// A copy of `values`.
    pub(crate) fn copy_of(values: &[f64]) -> Scratch {
        let mut s = Scratch::zeros(0);
        s.0.extend_from_slice(values);
        s
    }
}

impl Deref for Scratch {
    type Target = Vec<f64>;
    fn deref(&self) -> &Vec<f64> {
        &self.0
    }
}

impl DerefMut for Scratch {
    fn deref_mut(&mut self) -> &mut Vec<f64> {
        &mut self.0
    }
}

impl<'a> IntoIterator for &'a Scratch {
    type Item = &'a f64;
    type IntoIter = std::slice::Iter<'a, f64>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let v = std::mem::take(&mut self.0);
        // Ignored when the thread's pool is already gone (the vector is then freed).
        _ = POOL.try_with(|p| p.borrow_mut().push(v));
    }
}

/// `(flows, temperature)` of every inlet, then of `extra` (make-up material), on the stack for
/// up to [`STACK_ENTERING`] of them (a vector past that): what `energy_balance` reads.
pub(crate) fn with_entering<R>(
    inlets: &[calx_core::Stream],
    extra: Option<(&[f64], f64)>,
    f: impl FnOnce(&[(&[f64], f64)]) -> R,
) -> R {
    let all = inlets.iter().map(|s| (s.flows.as_slice(), s.temperature)).chain(extra);
    let n = inlets.len() + usize::from(extra.is_some());
    if n > STACK_ENTERING {
        let entering: Vec<(&[f64], f64)> = all.collect();
        return f(&entering);
    }
    let mut stack: [(&[f64], f64); STACK_ENTERING] = [(&[], 0.0); STACK_ENTERING];
    for (slot, e) in stack.iter_mut().zip(all) {
        *slot = e;
    }
    f(&stack[..n])
}

/// The first `n` of `slots`, a unit's extents (one per reaction) on the stack: a unit has at
/// most one reaction per entry of its fixed list, which `slots` is as long as. More is an
/// internal error, never a panic.
pub(crate) fn stack_extents(slots: &mut [f64], n: usize) -> Result<&mut [f64], calx_core::UnitError> {
    let len = slots.len();
    slots
        .get_mut(..n)
        .ok_or_else(|| calx_core::UnitError::Calculation(format!("{n} reactions, but room for {len} extents")))
}

/// Streams entering a unit held on the stack by [`with_entering`].
const STACK_ENTERING: usize = 8;

#[cfg(test)]
mod tests {
    use super::{Scratch, stack_extents};

    #[test]
    fn extents_on_the_stack_are_the_first_n_slots_or_an_error() {
        let mut slots = [1.0; 4];
        assert_eq!(stack_extents(&mut slots, 2).unwrap(), &mut [1.0, 1.0][..]);
        assert!(stack_extents(&mut slots, 0).unwrap().is_empty());
        let err = stack_extents(&mut slots, 5).unwrap_err();
        assert!(err.to_string().contains("5 reactions"), "{err}");
    }

    #[test]
    fn a_vector_lent_again_starts_as_zeros() {
        let capacity = {
            let mut s = Scratch::zeros(3);
            s[1] = 2.5;
            s.capacity()
        };
        // The same vector comes back (its capacity kept), written over with zeros.
        let again = Scratch::zeros(3);
        assert_eq!(*again, vec![0.0; 3]);
        assert!(again.capacity() >= capacity);
        let copy = Scratch::copy_of(&[1.0, 2.0]);
        assert_eq!(*copy, vec![1.0, 2.0]);
    }
}
