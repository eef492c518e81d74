//! How many live connections (Server-Sent Events) this instance holds: at most so many per client address
//! and so many in all, so that one client cannot take every file descriptor and starve the rest of the site.
//! A connection's place is held by a `StreamPermit` that the stream owns, and given back when the stream is
//! dropped (the client went away). Kept in this process's memory on purpose: what it guards is this
//! process's own descriptors, which no other instance shares.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

#[derive(Debug)]
pub struct StreamBudget {
    per_address: usize,
    total: usize,
    counts: Arc<Mutex<Counts>>,
}

/// One connection's place in the budget, for as long as the permit lives.
#[derive(Debug)]
pub struct StreamPermit {
    address: Option<IpAddr>,
    counts: Arc<Mutex<Counts>>,
}

impl StreamBudget {
    pub fn new(per_address: usize, total: usize) -> StreamBudget {
        StreamBudget { per_address, total, counts: Arc::default() }
    }

    /// A place for one more connection from `address`, or `None` when the address or the instance is full.
    pub fn try_acquire(&self, address: Option<IpAddr>) -> Option<StreamPermit> {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if counts.total >= self.total {
            return None;
        }
        if let Some(address) = address {
            let held = counts.by_address.entry(address).or_default();
            if *held >= self.per_address {
                return None;
            }
            *held += 1;
        }
        counts.total += 1;
        Some(StreamPermit { address, counts: self.counts.clone() })
    }

    /// Connections held now.
    pub fn held(&self) -> usize {
        self.counts.lock().unwrap_or_else(PoisonError::into_inner).total
    }
}

impl Drop for StreamPermit {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.total = counts.total.saturating_sub(1);
        if let Some(address) = self.address
            && let Some(held) = counts.by_address.get_mut(&address)
        {
            *held -= 1;
            if *held == 0 {
                counts.by_address.remove(&address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_capped_per_address_and_in_all_and_come_back() {
        let budget = StreamBudget::new(2, 3);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let first = budget.try_acquire(Some(a)).expect("room");
        let _second = budget.try_acquire(Some(a)).expect("room");
        assert!(budget.try_acquire(Some(a)).is_none(), "the address is full");
        let _third = budget.try_acquire(Some(b)).expect("another address has room");
        assert!(budget.try_acquire(Some([10, 0, 0, 3].into())).is_none(), "the instance is full");
        drop(first);
        assert_eq!(budget.held(), 2);
        assert!(budget.try_acquire(Some(a)).is_some(), "a closed connection gives its place back");
    }
}
