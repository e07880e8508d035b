//! Time-based one-time passwords (AUTH-04, RFC 6238): which time step a code belongs to, within
//! the tolerated clock drift, and never one already used. The HMAC itself is the vetted crate's
//! job; this module decides what to accept.

/// Seconds in one TOTP time step.
pub const STEP_SECONDS: u64 = 30;

/// Steps of drift tolerated either side of the server's clock (RFC 6238 §5.2 recommends one).
pub const DRIFT_STEPS: u64 = 1;

/// The step of `unix_seconds`.
pub fn step_of(unix_seconds: u64) -> u64 {
    unix_seconds / STEP_SECONDS
}

/// Finds the step, within the drift, whose code `generate(step)` equals `code`, refusing any
/// step at or before `last_accepted` (replay). Compares in constant time.
pub fn matching_step(
    unix_seconds: u64,
    last_accepted: Option<u64>,
    code: &str,
    generate: impl Fn(u64) -> String,
) -> Option<u64> {
    let code = code.trim().replace(' ', "");
    if code.len() < 6 || code.len() > 8 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_of(unix_seconds);
    let mut found = None;
    for step in now.saturating_sub(DRIFT_STEPS)..=now + DRIFT_STEPS {
        let expected = generate(step);
        let equal = expected.len() == code.len()
            && expected
                .bytes()
                .zip(code.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if equal && last_accepted.is_none_or(|last| step > last) {
            found = Some(step);
        }
    }
    found
}

/// Normalizes a recovery code as typed: case and separators do not matter.
pub fn normalize_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake(step: u64) -> String {
        format!("{:06}", step % 1_000_000)
    }

    // REQ AUTH-04
    #[test]
    fn codes_match_within_one_step_of_drift_and_never_twice() {
        let now = 100 * STEP_SECONDS + 7;
        assert_eq!(matching_step(now, None, "000100", fake), Some(100));
        assert_eq!(matching_step(now, None, "000099", fake), Some(99));
        assert_eq!(matching_step(now, None, "000101", fake), Some(101));
        assert_eq!(matching_step(now, None, "000102", fake), None);
        assert_eq!(matching_step(now, None, "000098", fake), None);
        // Replay: a code at or before the last accepted step is refused.
        assert_eq!(matching_step(now, Some(100), "000100", fake), None);
        assert_eq!(matching_step(now, Some(99), "000100", fake), Some(100));
        assert_eq!(matching_step(now, None, "abc123", fake), None);
        assert_eq!(matching_step(now, None, "000 100", fake), Some(100));
        assert_eq!(normalize_recovery_code("AB12-cd34 "), "ab12cd34");
    }
}
