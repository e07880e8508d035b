//! What the scheduler does with a deadline it watches (PLAT-11): warn before, escalate after.
//! Every deadline — an acknowledgement, a task, a measure — is the same small state machine;
//! what warning or escalating means is the caller's, per subject.

use serde::{Deserialize, Serialize};

/// One hour in microseconds, the unit of the platform's timestamps.
pub const HOUR: i64 = 3_600_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WatchState {
    /// Running, not yet warned.
    Open,
    /// The warning before the deadline was given.
    Warned,
    /// Past due and escalated.
    Overdue,
    /// Done in time or late: nothing more to watch.
    Met,
    /// The subject went away (an alert withdrawn, a task cancelled).
    Cancelled,
}

impl WatchState {
    pub const ALL: [WatchState; 5] = [
        WatchState::Open,
        WatchState::Warned,
        WatchState::Overdue,
        WatchState::Met,
        WatchState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WatchState::Open => "open",
            WatchState::Warned => "warned",
            WatchState::Overdue => "overdue",
            WatchState::Met => "met",
            WatchState::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// When to warn of a deadline set at `created` for `due`: a day before, or at three quarters
/// of the time given when that is less than four days (a four-hour acknowledgement is warned
/// an hour before). `None` when there is no time to warn.
pub fn warn_at(created: i64, due: i64) -> Option<i64> {
    let span = due.saturating_sub(created);
    if span <= 0 {
        return None;
    }
    Some(due - (24 * HOUR).min(span / 4))
}

/// What a pass of the scheduler does with one deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing yet; look again at `next_check`.
    Wait,
    /// Warn the people who must act.
    Warn,
    /// The deadline passed: escalate.
    Escalate,
}

/// The step due at `now` for a deadline in `state`, the state after it and when to look next
/// (`None` once nothing more can happen). A deadline overdue when first seen is escalated
/// without a warning: a restart does not replay warnings whose time has passed.
pub fn step(
    state: WatchState,
    warn_at: Option<i64>,
    due_at: i64,
    now: i64,
) -> (Step, WatchState, Option<i64>) {
    match state {
        WatchState::Met | WatchState::Cancelled | WatchState::Overdue => (Step::Wait, state, None),
        _ if now >= due_at => (Step::Escalate, WatchState::Overdue, None),
        WatchState::Open => match warn_at {
            Some(w) if now >= w => (Step::Warn, WatchState::Warned, Some(due_at)),
            Some(w) => (Step::Wait, WatchState::Open, Some(w)),
            None => (Step::Wait, WatchState::Open, Some(due_at)),
        },
        WatchState::Warned => (Step::Wait, WatchState::Warned, Some(due_at)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // REQ PLAT-11
    #[test]
    fn warn_before_escalate_after() {
        let created = 0;
        let due = 4 * HOUR;
        let warn = warn_at(created, due);
        assert_eq!(warn, Some(3 * HOUR));
        assert_eq!(warn_at(0, 10 * 24 * HOUR), Some(9 * 24 * HOUR));
        assert_eq!(warn_at(5, 5), None);

        let (s, st, next) = step(WatchState::Open, warn, due, HOUR);
        assert_eq!(
            (s, st, next),
            (Step::Wait, WatchState::Open, Some(3 * HOUR))
        );
        let (s, st, next) = step(st, warn, due, 3 * HOUR);
        assert_eq!((s, st, next), (Step::Warn, WatchState::Warned, Some(due)));
        let (s, st, next) = step(st, warn, due, due - 1);
        assert_eq!((s, st, next), (Step::Wait, WatchState::Warned, Some(due)));
        let (s, st, next) = step(st, warn, due, due);
        assert_eq!((s, st, next), (Step::Escalate, WatchState::Overdue, None));
        // Escalated once only.
        assert_eq!(step(st, warn, due, due * 2).0, Step::Wait);
        // First seen after its deadline (the server was down): escalated, not warned.
        assert_eq!(
            step(WatchState::Open, warn, due, due + HOUR).0,
            Step::Escalate
        );
        for done in [WatchState::Met, WatchState::Cancelled] {
            assert_eq!(step(done, warn, due, due * 2), (Step::Wait, done, None));
        }
    }
}
