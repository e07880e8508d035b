//! Personal API tokens (AUTH-08): what a token may do and for how long. A token is a bearer
//! credential for scripts (a pipeline that pushes scanner reports), so it is scoped, expires,
//! and never does more than its owner could.

use crate::validation::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenScope {
    /// Reads only: GET and HEAD.
    Read,
    /// Reads and changes.
    Write,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }

    pub fn parse(field: &str, value: &str) -> Result<TokenScope, FieldError> {
        match value.trim() {
            "read" => Ok(TokenScope::Read),
            "write" => Ok(TokenScope::Write),
            _ => Err(FieldError::new(field, "error-choice")),
        }
    }

    /// Whether a request of this kind is within the scope.
    pub fn allows(self, safe_method: bool) -> bool {
        safe_method || self == TokenScope::Write
    }
}

/// The longest a token may live: a year, so that no forgotten token works forever.
pub const MAX_DAYS: u64 = 365;

/// Parses a lifetime such as `7d`, `24h` or `90d` into microseconds, within a year.
pub fn parse_lifetime(field: &str, value: &str) -> Result<i64, FieldError> {
    let value = value.trim();
    let (number, unit) = value.split_at(value.len().saturating_sub(1));
    let n: u64 = number
        .parse()
        .map_err(|_| FieldError::new(field, "error-lifetime"))?;
    let hours = match unit {
        "d" => n.checked_mul(24),
        "h" => Some(n),
        _ => None,
    }
    .filter(|h| *h >= 1 && *h <= MAX_DAYS * 24)
    .ok_or_else(|| FieldError::new(field, "error-lifetime"))?;
    i64::try_from(hours * 3_600_000_000).map_err(|_| FieldError::new(field, "error-lifetime"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // REQ AUTH-08
    #[test]
    fn scopes_and_lifetimes_are_bounded() {
        assert!(TokenScope::Read.allows(true));
        assert!(!TokenScope::Read.allows(false));
        assert!(TokenScope::Write.allows(false));
        assert_eq!(parse_lifetime("e", "7d"), Ok(7 * 24 * 3_600_000_000));
        assert_eq!(parse_lifetime("e", "24h"), Ok(24 * 3_600_000_000));
        assert_eq!(parse_lifetime("e", "365d"), Ok(365 * 24 * 3_600_000_000));
        for bad in [
            "",
            "0d",
            "366d",
            "7",
            "7w",
            "-1d",
            "d",
            "99999999999999999999d",
        ] {
            assert!(parse_lifetime("e", bad).is_err(), "{bad:?}");
        }
        assert!(TokenScope::parse("s", "admin").is_err());
    }
}
