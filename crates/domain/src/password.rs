//! The password policy (AUTH-02), after NIST SP 800-63B and ASVS 5.0: a minimum and a generous
//! maximum length, no composition rules, refusal of common, guessable or breached-pattern
//! passwords (the zxcvbn estimator and its dictionaries, shipped in the binary) and of passwords
//! built from the person's own e-mail or name. Reuse of recent passwords is checked by the
//! caller against stored hashes; this module says how many.

use crate::validation::FieldError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// 12 by default: above ASVS's floor of 8, short enough for a passphrase habit.
    pub min_length: usize,
    /// At least 64 (ASVS 6.2.9); 128 so that passphrases fit.
    pub max_length: usize,
    /// How many previous passwords may not be reused.
    pub history: usize,
    /// Validity in days, when the organization's directive sets one.
    pub max_age_days: Option<u32>,
    /// How long a temporary password (set by someone else) may wait for its first use.
    pub temporary_days: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 12,
            max_length: 128,
            history: 5,
            max_age_days: None,
            // A week: long enough to reach a new employee through a second channel, short
            // enough that a forgotten one does not stay a door (ASVS 6.4.1).
            temporary_days: 7,
        }
    }
}

/// zxcvbn's score runs from 0 (too guessable) to 4; 3 means "safely unguessable" for an online
/// attack throttled as ours is.
const MIN_SCORE: u8 = 3;

impl PasswordPolicy {
    /// Checks a new password for the person identified by `identity` (e-mail, name).
    pub fn check(&self, field: &str, candidate: &str, identity: &[&str]) -> Result<(), FieldError> {
        let length = candidate.chars().count();
        if length < self.min_length {
            return Err(FieldError::with_limit(
                field,
                "error-password-short",
                self.min_length as u64,
            ));
        }
        if length > self.max_length {
            return Err(FieldError::with_limit(
                field,
                "error-too-long",
                self.max_length as u64,
            ));
        }
        let lowered = candidate.to_lowercase();
        let words: Vec<String> = identity
            .iter()
            .flat_map(|i| i.split(|c: char| !c.is_alphanumeric()))
            .map(str::to_lowercase)
            .filter(|w| w.chars().count() >= 4)
            .collect();
        if words.iter().any(|w| lowered.contains(w.as_str())) {
            return Err(FieldError::new(field, "error-password-identity"));
        }
        let inputs: Vec<&str> = words.iter().map(String::as_str).collect();
        // zxcvbn is only slow on very long inputs; the length check above bounds it.
        let estimate = zxcvbn::zxcvbn(candidate, &inputs);
        if u8::from(estimate.score()) < MIN_SCORE {
            return Err(FieldError::new(field, "error-password-weak"));
        }
        Ok(())
    }

    /// Whether a temporary password set at `set_at_micros` can no longer be used at `now`.
    pub fn temporary_expired(&self, set_at_micros: i64, now_micros: i64) -> bool {
        now_micros.saturating_sub(set_at_micros) > i64::from(self.temporary_days) * 86_400_000_000
    }

    /// Whether a password set at `set_at_days` (days since the epoch) has expired on `today`.
    pub fn expired(&self, set_at_days: i64, today: i64) -> bool {
        self.max_age_days
            .is_some_and(|max| today.saturating_sub(set_at_days) > i64::from(max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // REQ AUTH-02
    #[test]
    fn length_commonness_and_identity_are_checked_without_composition_rules() {
        let policy = PasswordPolicy::default();
        let id = ["marie.tremblay@mfr.gouv.qc.ca", "Marie Tremblay"];
        let code = |p: &str| policy.check("password", p, &id).err().map(|e| e.code);
        assert_eq!(code("court"), Some("error-password-short"));
        assert_eq!(code(&"x".repeat(129)), Some("error-too-long"));
        assert_eq!(code("password1234"), Some("error-password-weak"));
        assert_eq!(code("qwertyuiop123"), Some("error-password-weak"));
        assert_eq!(code("aaaaaaaaaaaaaaaa"), Some("error-password-weak"));
        assert_eq!(code("tremblay-2026-ete"), Some("error-password-identity"));
        // No composition rule: a long lowercase passphrase is fine, so is one with accents.
        assert_eq!(code("cheval agrafe pile correcte"), None);
        assert_eq!(code("érable fendu sous la neige"), None);
        // 64 characters and more are accepted.
        assert_eq!(
            code(&"renard brun saute par-dessus la clôture ".repeat(3)[..110]),
            None
        );
    }

    #[test]
    fn validity_is_optional() {
        let mut policy = PasswordPolicy::default();
        assert!(!policy.expired(0, 10_000));
        policy.max_age_days = Some(90);
        assert!(!policy.expired(100, 190));
        assert!(policy.expired(100, 191));
        let day = 86_400_000_000;
        assert!(!policy.temporary_expired(0, 7 * day));
        assert!(policy.temporary_expired(0, 7 * day + 1));
    }
}
