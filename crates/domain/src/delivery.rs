//! Delivery of e-mail notifications (PLAT-10): which failures are worth trying again, and how
//! long to wait before the next try. The rules as data: the storage keeps the state of each
//! message (status, attempts, next try) and asks this module what follows an attempt; the
//! sender only reports what the mail server answered.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Where a message stands in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its (next) try, at `next_attempt_at`.
    Queued,
    /// Claimed by a sender until `next_attempt_at` (its lease); claimed again after that if the
    /// sender vanished.
    Sending,
    Sent,
    /// Given up: refused for good by the server, or tried `max_attempts` times.
    Failed,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 4] = [
        DeliveryStatus::Queued,
        DeliveryStatus::Sending,
        DeliveryStatus::Sent,
        DeliveryStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Queued => "queued",
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<DeliveryStatus> {
        DeliveryStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// How one attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The server accepted the message.
    Sent,
    /// Worth trying again: a 4xx reply, no connection, a timeout, a broken TLS handshake.
    Transient,
    /// Refused for good: a 5xx reply (unknown mailbox, message refused), or a message that
    /// cannot be written (an address that is not one). Trying again would get the same answer.
    Permanent,
}

impl Outcome {
    /// The class of an SMTP reply code (RFC 5321, section 4.2.1): 2xx and 3xx positive, 4xx
    /// transient, 5xx permanent. A code outside those (a server that does not speak SMTP) is
    /// treated as transient: the next try may reach a real server.
    pub fn of_reply(code: u16) -> Outcome {
        match code {
            200..=399 => Outcome::Sent,
            500..=599 => Outcome::Permanent,
            _ => Outcome::Transient,
        }
    }
}

/// What follows an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "next")]
pub enum Next {
    Sent,
    /// Queued again, to be tried after `delay_secs`.
    Retry {
        delay_secs: u64,
    },
    Failed,
}

/// How often and how long a message is tried: the first retry `first_delay_secs` after the first
/// failure, each wait `factor` times the previous one, never more than `max_delay_secs`, and
/// at most `max_attempts` attempts in all. The default tries 8 times over about two hours
/// (1, 2, 4, 8, 16, 32 and 64 minutes apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub first_delay_secs: u64,
    pub factor: u32,
    pub max_delay_secs: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            first_delay_secs: 60,
            factor: 2,
            max_delay_secs: 6 * 3600,
        }
    }
}

impl RetryPolicy {
    /// The wait after the `attempts`-th failed attempt (1 for the first):
    /// `first_delay_secs × factor^(attempts − 1)`, at most `max_delay_secs`.
    pub fn next_delay_secs(&self, attempts: u32) -> u64 {
        let mut delay = self.first_delay_secs.min(self.max_delay_secs);
        for _ in 1..attempts {
            delay = delay.saturating_mul(u64::from(self.factor.max(1)));
            if delay >= self.max_delay_secs {
                return self.max_delay_secs;
            }
        }
        delay
    }

    pub fn next_delay(&self, attempts: u32) -> Duration {
        Duration::from_secs(self.next_delay_secs(attempts))
    }

    /// What follows an attempt that ended with `outcome`, `attempts` counting this one.
    pub fn after(&self, attempts: u32, outcome: Outcome) -> Next {
        match outcome {
            Outcome::Sent => Next::Sent,
            Outcome::Permanent => Next::Failed,
            Outcome::Transient if attempts >= self.max_attempts => Next::Failed,
            Outcome::Transient => Next::Retry {
                delay_secs: self.next_delay_secs(attempts),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // REQ PLAT-10
    #[test]
    fn delays_grow_by_the_factor_up_to_the_ceiling() {
        let p = RetryPolicy::default();
        for (attempts, secs) in [
            (0, 60),
            (1, 60),
            (2, 120),
            (3, 240),
            (4, 480),
            (7, 3840),
            (9, 15_360),
            (10, 6 * 3600),
            (64, 6 * 3600),
            (u32::MAX, 6 * 3600),
        ] {
            assert_eq!(p.next_delay_secs(attempts), secs, "attempts {attempts}");
        }
        assert_eq!(p.next_delay(2), Duration::from_secs(120));
        let flat = RetryPolicy {
            factor: 1,
            ..RetryPolicy::default()
        };
        assert_eq!(flat.next_delay_secs(5), 60);
        let low_ceiling = RetryPolicy {
            first_delay_secs: 600,
            max_delay_secs: 300,
            ..RetryPolicy::default()
        };
        assert_eq!(low_ceiling.next_delay_secs(1), 300);
        let huge = RetryPolicy {
            factor: u32::MAX,
            max_delay_secs: u64::MAX,
            ..RetryPolicy::default()
        };
        assert_eq!(huge.next_delay_secs(10), u64::MAX);
    }

    // REQ PLAT-10
    #[test]
    fn permanent_failures_stop_at_once_and_transient_ones_at_the_last_attempt() {
        let p = RetryPolicy::default();
        for (attempts, outcome, next) in [
            (1, Outcome::Sent, Next::Sent),
            (8, Outcome::Sent, Next::Sent),
            (1, Outcome::Permanent, Next::Failed),
            (1, Outcome::Transient, Next::Retry { delay_secs: 60 }),
            (2, Outcome::Transient, Next::Retry { delay_secs: 120 }),
            (7, Outcome::Transient, Next::Retry { delay_secs: 3840 }),
            (8, Outcome::Transient, Next::Failed),
            (9, Outcome::Transient, Next::Failed),
        ] {
            assert_eq!(p.after(attempts, outcome), next, "{attempts} {outcome:?}");
        }
    }

    // REQ PLAT-10
    #[test]
    fn reply_codes_are_classed_as_rfc_5321_says() {
        for (code, outcome) in [
            (250, Outcome::Sent),
            (354, Outcome::Sent),
            (421, Outcome::Transient),
            (450, Outcome::Transient),
            (451, Outcome::Transient),
            (452, Outcome::Transient),
            (500, Outcome::Permanent),
            (550, Outcome::Permanent),
            (554, Outcome::Permanent),
            (0, Outcome::Transient),
            (999, Outcome::Transient),
        ] {
            assert_eq!(Outcome::of_reply(code), outcome, "{code}");
        }
    }

    #[test]
    fn statuses_round_trip() {
        for s in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(DeliveryStatus::parse("lost"), None);
    }
}
