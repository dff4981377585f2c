//! Stake-priority admission: at most `slots` requests run at once; when all are busy,
//! waiting requests are served highest stake first (first come first served among
//! equals), and when the queue is full a newcomer either displaces the lowest-stake
//! waiter, if it has more stake, or is refused.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::reject::Rejection;

/// Admission by stake: a fixed number of running slots and a bounded queue.
pub(crate) struct PriorityGate {
    state: Mutex<State>,
}

struct State {
    free: usize,
    max_waiting: usize,
    next_seq: u64,
    /// Ordered by (stake, earlier first); the last entry is served next.
    waiting: BTreeMap<(u64, Reverse<u64>), oneshot::Sender<Permit>>,
}

/// A running slot; released on drop (to the best waiter, if any).
pub(crate) struct Permit {
    gate: Option<Arc<PriorityGate>>,
}

impl PriorityGate {
    /// A gate with `slots` running slots (at least one) and `max_waiting` queued requests.
    pub(crate) fn new(slots: usize, max_waiting: usize) -> Arc<Self> {
        Arc::new(Self { state: Mutex::new(State { free: slots.max(1), max_waiting, next_seq: 0, waiting: BTreeMap::new() }) })
    }

    /// Wait for a slot, with priority `stake`.
    pub(crate) async fn acquire(self: &Arc<Self>, stake: u64) -> Result<Permit, Rejection> {
        let rx = {
            let mut s = self.lock();
            if s.free > 0 {
                s.free -= 1;
                return Ok(Permit { gate: Some(self.clone()) });
            }
            if s.waiting.len() >= s.max_waiting {
                match s.waiting.first_key_value() {
                    Some((&(lowest, _), _)) if lowest < stake => {
                        s.waiting.pop_first(); // its sender dropped: that waiter is refused
                    }
                    _ => return Err(Rejection::Overloaded),
                }
            }
            let (tx, rx) = oneshot::channel();
            let seq = s.next_seq;
            s.next_seq += 1;
            s.waiting.insert((stake, Reverse(seq)), tx);
            rx
        };
        // A waiter that gives up drops `rx`; a permit already sent to it is dropped
        // with the channel and so passes on to the next waiter.
        rx.await.map_err(|_| Rejection::Overloaded)
    }

    /// Requests waiting for a slot.
    pub(crate) fn waiting(&self) -> usize {
        self.lock().waiting.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn release(self: &Arc<Self>) {
        let mut s = self.lock();
        while let Some((_, tx)) = s.waiting.pop_last() {
            match tx.send(Permit { gate: Some(self.clone()) }) {
                Ok(()) => return,
                // The waiter left: disarm the returned permit and try the next one.
                Err(mut unsent) => unsent.gate = None,
            }
        }
        s.free += 1;
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(gate) = self.gate.take() {
            gate.release();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn higher_stake_waiters_are_served_first() {
        let gate = PriorityGate::new(1, 10);
        let running = gate.acquire(0).await.unwrap();
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for stake in [5u64, 50, 1, 50, 20] {
            let (gate, order) = (gate.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                let _p = gate.acquire(stake).await.unwrap();
                order.lock().unwrap().push(stake);
            }));
            tokio::time::sleep(Duration::from_millis(2)).await; // arrival order is known
        }
        assert_eq!(gate.waiting(), 5);
        drop(running);
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![50, 50, 20, 5, 1]);
    }

    #[tokio::test]
    async fn a_full_queue_refuses_the_lowest_stake() {
        let gate = PriorityGate::new(1, 1);
        let running = gate.acquire(0).await.unwrap();
        let low = tokio::spawn({
            let gate = gate.clone();
            async move { gate.acquire(1).await.map(|_| ()) }
        });
        tokio::time::sleep(Duration::from_millis(5)).await;
        // An equal or lower stake is refused at once; a higher one displaces the waiter.
        assert!(matches!(gate.acquire(1).await, Err(Rejection::Overloaded)));
        let high = tokio::spawn({
            let gate = gate.clone();
            async move { gate.acquire(9).await.map(|_| ()) }
        });
        assert_eq!(low.await.unwrap(), Err(Rejection::Overloaded));
        drop(running);
        assert_eq!(high.await.unwrap(), Ok(()));
    }

    #[tokio::test]
    async fn a_waiter_that_gives_up_does_not_leak_its_slot() {
        let gate = PriorityGate::new(1, 4);
        let running = gate.acquire(0).await.unwrap();
        let impatient = tokio::time::timeout(Duration::from_millis(5), gate.acquire(3)).await;
        assert!(impatient.is_err());
        drop(running);
        // The slot is free again, not handed to the departed waiter.
        let p = tokio::time::timeout(Duration::from_millis(50), gate.acquire(0)).await;
        assert!(p.is_ok());
    }
}
