//! People and their accounts: one account per person, identified by a unique e-mail (AUTH-01).

use serde::{Deserialize, Serialize};

use crate::validation::{required_text, FieldError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonId(pub i64);

/// An e-mail address, stored lowercase so that uniqueness cannot be dodged by case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub const MAX: usize = 254;

    pub fn parse(field: &str, raw: &str) -> Result<Email, FieldError> {
        let value = raw.trim().to_lowercase();
        if value.is_empty() {
            return Err(FieldError::new(field, "error-required"));
        }
        if value.len() > Self::MAX {
            return Err(FieldError::with_limit(
                field,
                "error-too-long",
                Self::MAX as u64,
            ));
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err(FieldError::new(field, "error-email"));
        };
        let valid_local = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._%+-'".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let valid_domain = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if valid_local && valid_domain {
            Ok(Email(value))
        } else {
            Err(FieldError::new(field, "error-email"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse("email", &value).map_err(|e| e.code.to_owned())
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn parse_person_name(field: &str, raw: &str) -> Result<String, FieldError> {
    required_text(field, raw, 200)
}

#[cfg(test)]
mod tests {
    use super::*;

    // REQ AUTH-01
    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(
            Email::parse("email", " Marie.Tremblay@Quebec.CA ").map(|e| e.to_string()),
            Ok("marie.tremblay@quebec.ca".to_owned())
        );
        for bad in [
            "",
            "marie",
            "@quebec.ca",
            "marie@",
            "marie@ca",
            "ma rie@quebec.ca",
            "marie@-q.ca",
            ".m@q.ca",
            "m..t@q.ca",
            "m@q..ca",
        ] {
            assert!(Email::parse("email", bad).is_err(), "{bad:?} accepted");
        }
        let long = format!("{}@quebec.ca", "a".repeat(300));
        assert_eq!(
            Email::parse("email", &long).unwrap_err().code,
            "error-too-long"
        );
    }
}
