//! Field-level validation errors. The domain names the field and the rule broken with a stable
//! code; the web layer turns the code into a sentence in the caller's language.

use serde::Serialize;

/// One field that failed a rule. `code` is a stable message key (`error-required`, …) that the
/// translation files know; `limit` carries the number some messages need (a maximum length).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str) -> Self {
        Self {
            field: field.into(),
            code,
            limit: None,
        }
    }

    pub fn with_limit(field: impl Into<String>, code: &'static str, limit: u64) -> Self {
        Self {
            field: field.into(),
            code,
            limit: Some(limit),
        }
    }
}

/// Every field error found in one input, so that a form shows all its faults at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("invalid input: {0:?}")]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn single(error: FieldError) -> Self {
        Self(vec![error])
    }

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Collects the error of a fallible parse, keeping the value when it succeeded.
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.push(error);
                None
            }
        }
    }

    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

/// Trims a text field and checks that it is present, within `max` characters and free of
/// control characters (which have no business in a name and break exports and logs).
pub fn required_text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "error-required"));
    }
    if value.chars().count() > max {
        return Err(FieldError::with_limit(field, "error-too-long", max as u64));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(field, "error-control-characters"));
    }
    Ok(value.to_owned())
}

/// Whether a text holds no control character; line breaks and tabs pass in a multi-line text.
pub fn text_ok(value: &str, multiline: bool) -> bool {
    value
        .chars()
        .all(|c| !c.is_control() || (multiline && matches!(c, '\n' | '\r' | '\t')))
}

/// Checks a text field into `errors`: required when `min` > 0, its length in characters
/// (trimmed), no control characters.
pub fn check_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    min: usize,
    max: usize,
    multiline: bool,
) {
    let v = value.trim();
    let n = v.chars().count();
    if min > 0 && n == 0 {
        errors.push(FieldError::new(field, "error-required"));
    } else if n > max {
        errors.push(FieldError::with_limit(field, "error-too-long", max as u64));
    } else if n > 0 && n < min {
        errors.push(FieldError::with_limit(field, "error-too-short", min as u64));
    } else if !text_ok(v, multiline) {
        errors.push(FieldError::new(field, "error-control-characters"));
    }
}

/// Checks a calendar date typed as `YYYY-MM-DD` into `errors`: required or not, and never
/// after `not_after` when one is given. Gives the date when it reads and passes.
pub fn check_date(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: &str,
    required: bool,
    not_after: Option<chrono::NaiveDate>,
) -> Option<chrono::NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        if required {
            errors.push(FieldError::new(field, "error-required"));
        }
        return None;
    }
    match chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) if not_after.is_some_and(|last| d > last) => {
            errors.push(FieldError::new(field, "error-date-future"));
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new(field, "error-date"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_trims_and_bounds() {
        assert_eq!(required_text("name", "  Ab  ", 5).as_deref(), Ok("Ab"));
        assert_eq!(
            required_text("name", "   ", 5).unwrap_err().code,
            "error-required"
        );
        let long = required_text("name", "abcdef", 5).unwrap_err();
        assert_eq!((long.code, long.limit), ("error-too-long", Some(5)));
        assert_eq!(
            required_text("name", "a\u{0}b", 5).unwrap_err().code,
            "error-control-characters"
        );
        // Characters, not bytes: five accented letters fit in five.
        assert!(required_text("name", "ééééé", 5).is_ok());
    }
}
