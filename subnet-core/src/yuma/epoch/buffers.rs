//! The epoch's per-thread arena: its large working buffers, kept from one epoch to the
//! next on the thread that ran it.

use std::cell::Cell;

use crate::yuma::fixed_math::Csr;

/// The epoch's large working buffers (the weights and bond EMA matrices and the
/// median's column-major copy), kept per thread from one epoch to the next: allocating them
/// afresh each time cost more in page faults than some passes over them.
#[derive(Default)]
pub(super) struct Buffers {
    cols: [Vec<u16>; 2],
    vals: [Vec<i64>; 2],
    /// The median's column-major copy of the weights.
    pub(super) col_major: Vec<i64>,
    /// The dense epoch's weight, bond and EMA rows.
    pub(super) dense: [Vec<i64>; 3],
}

thread_local! {
    static BUFFERS: Cell<Buffers> = Cell::new(Buffers::default());
}

/// Buffers above this many entries are freed rather than kept for the next epoch.
const MAX_KEPT_ENTRIES: usize = 1 << 22;

impl Buffers {
    pub(super) fn take() -> Self {
        BUFFERS.with(Cell::take)
    }

    pub(super) fn keep(mut self) {
        let cap = |len: usize| len <= MAX_KEPT_ENTRIES;
        for c in &mut self.cols {
            if !cap(c.capacity()) {
                *c = Vec::new();
            }
        }
        for v in self.vals.iter_mut().chain(&mut self.dense) {
            if !cap(v.capacity()) {
                *v = Vec::new();
            }
        }
        if !cap(self.col_major.capacity()) {
            self.col_major = Vec::new();
        }
        BUFFERS.with(|b| b.set(self));
    }

    pub(super) fn matrix(&mut self, slot: usize, rows: usize) -> Csr {
        Csr::in_buffers(rows, std::mem::take(&mut self.cols[slot]), std::mem::take(&mut self.vals[slot]))
    }

    pub(super) fn give_back(&mut self, slot: usize, m: Csr) {
        let (c, v) = m.into_buffers();
        self.cols[slot] = c;
        self.vals[slot] = v;
    }
}
