//! Login defences (AUTH-05): a temporary lockout after consecutive failures on one account, and
//! a throttle on failures from one source address, so that neither guessing one password nor
//! spraying many accounts from one place gets far.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Consecutive failures that lock an account.
    pub max_failures: u32,
    /// How long the lock lasts, in microseconds.
    pub lock_micros: i64,
    /// Failures allowed from one source address within `window_micros`.
    pub source_max_failures: u32,
    pub window_micros: i64,
}

impl Default for LockoutPolicy {
    /// Five failures lock an account for fifteen minutes; fifty failures in fifteen minutes
    /// stop a source address until the window ends. A person who mistypes a few times is not
    /// stopped; a guesser gets 480 tries a day per account at most.
    fn default() -> Self {
        Self {
            max_failures: 5,
            lock_micros: 15 * 60 * 1_000_000,
            source_max_failures: 50,
            window_micros: 15 * 60 * 1_000_000,
        }
    }
}

/// The state of an account after a failed login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AfterFailure {
    pub failures: u32,
    pub locked_until: Option<i64>,
}

impl LockoutPolicy {
    pub fn is_locked(&self, locked_until: Option<i64>, now: i64) -> bool {
        locked_until.is_some_and(|until| until > now)
    }

    /// Counts a failure; the count starts again after a lock has run out.
    pub fn after_failure(
        &self,
        failures: u32,
        locked_until: Option<i64>,
        now: i64,
    ) -> AfterFailure {
        let expired_lock = locked_until.is_some_and(|until| until <= now);
        let failures = if expired_lock {
            1
        } else {
            failures.saturating_add(1)
        };
        AfterFailure {
            failures,
            locked_until: (failures >= self.max_failures).then_some(now + self.lock_micros),
        }
    }

    /// Whether a source address with `failures` since `window_start` may try again now, and
    /// the window to record: a window that has run out starts afresh.
    pub fn source_allowed(&self, failures: u32, window_start: i64, now: i64) -> bool {
        now - window_start >= self.window_micros || failures < self.source_max_failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // REQ AUTH-05
    #[test]
    fn five_failures_lock_for_a_while_then_the_count_restarts() {
        let p = LockoutPolicy::default();
        let mut state = AfterFailure {
            failures: 0,
            locked_until: None,
        };
        for _ in 0..4 {
            state = p.after_failure(state.failures, state.locked_until, 1_000);
            assert_eq!(state.locked_until, None);
        }
        state = p.after_failure(state.failures, state.locked_until, 1_000);
        assert_eq!(state.locked_until, Some(1_000 + p.lock_micros));
        assert!(p.is_locked(state.locked_until, 2_000));
        let later = 1_000 + p.lock_micros;
        assert!(!p.is_locked(state.locked_until, later));
        let again = p.after_failure(state.failures, state.locked_until, later + 1);
        assert_eq!(
            again,
            AfterFailure {
                failures: 1,
                locked_until: None
            }
        );
    }

    // REQ AUTH-05
    #[test]
    fn a_source_is_throttled_within_its_window() {
        let p = LockoutPolicy::default();
        assert!(p.source_allowed(49, 0, 10));
        assert!(!p.source_allowed(50, 0, 10));
        assert!(p.source_allowed(50, 0, p.window_micros));
    }
}
