//! `security.txt` (RFC 9116, GMVI-06): how researchers reach the body about a vulnerability in
//! one of its exposed services. The fields come from configuration; this module checks them
//! against the RFC and writes the file.

use chrono::{DateTime, Utc};

/// The fields of the file. `contacts` and `expires` are required by the RFC (§2.5.3, §2.5.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityTxt {
    /// `mailto:`, `https://` or `tel:` URIs, in order of preference.
    pub contacts: Vec<String>,
    pub expires: DateTime<Utc>,
    /// Language tags (RFC 5646), French first.
    pub languages: Vec<String>,
    /// The disclosure policy's page.
    pub policy: Option<String>,
    /// Where this file is published, so that a copy elsewhere can be recognized.
    pub canonical: Option<String>,
    pub encryption: Option<String>,
    pub acknowledgments: Option<String>,
}

/// What makes a configuration refused, naming the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecurityTxtError {
    #[error("security_txt.contact : au moins une adresse mailto:, https:// ou tel: est requise")]
    NoContact,
    #[error("security_txt.{0} : « {1} » n'est pas une URI permise (mailto:, https:// ou tel: pour contact, https:// pour les autres)")]
    BadUri(&'static str, String),
    #[error("security_txt.preferred_languages : « {0} » n'est pas une étiquette de langue")]
    BadLanguage(String),
}

fn uri_ok(key: &str, value: &str) -> bool {
    let printable = !value.is_empty()
        && value.len() <= 2000
        && value.chars().all(|c| !c.is_control() && !c.is_whitespace());
    let https = value
        .strip_prefix("https://")
        .is_some_and(|r| !r.is_empty());
    printable
        && match key {
            "contact" => {
                https
                    || value
                        .strip_prefix("mailto:")
                        .is_some_and(|r| r.contains('@'))
                    || value.strip_prefix("tel:").is_some_and(|r| !r.is_empty())
            }
            _ => https,
        }
}

impl SecurityTxt {
    /// Checks the fields: URIs of the kinds the RFC expects, language tags.
    pub fn validate(&self) -> Result<(), SecurityTxtError> {
        if self.contacts.is_empty() {
            return Err(SecurityTxtError::NoContact);
        }
        for c in &self.contacts {
            if !uri_ok("contact", c) {
                return Err(SecurityTxtError::BadUri("contact", c.clone()));
            }
        }
        for (key, value) in [
            ("policy", &self.policy),
            ("canonical", &self.canonical),
            ("encryption", &self.encryption),
            ("acknowledgments", &self.acknowledgments),
        ] {
            if let Some(v) = value {
                if !uri_ok(key, v) {
                    return Err(SecurityTxtError::BadUri(key, v.clone()));
                }
            }
        }
        for l in &self.languages {
            let ok = !l.is_empty()
                && l.len() <= 35
                && l.split('-').all(|p| {
                    !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_alphanumeric())
                });
            if !ok {
                return Err(SecurityTxtError::BadLanguage(l.clone()));
            }
        }
        Ok(())
    }

    /// Whether the file has expired at `now`: the RFC says a stale file is not to be trusted.
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.expires <= now
    }

    /// The file, CRLF line ends as the RFC's ABNF writes them.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut line = |field: &str, value: &str| {
            out.push_str(field);
            out.push_str(": ");
            out.push_str(value);
            out.push_str("\r\n");
        };
        for c in &self.contacts {
            line("Contact", c);
        }
        line(
            "Expires",
            &self.expires.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        );
        if !self.languages.is_empty() {
            line("Preferred-Languages", &self.languages.join(", "));
        }
        for (field, value) in [
            ("Policy", &self.policy),
            ("Canonical", &self.canonical),
            ("Encryption", &self.encryption),
            ("Acknowledgments", &self.acknowledgments),
        ] {
            if let Some(v) = value {
                line(field, v);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SecurityTxt {
        SecurityTxt {
            contacts: vec![
                "mailto:securite@mfr.demo.gouv.qc.ca".into(),
                "https://rempart.example/divulgation".into(),
            ],
            expires: "2027-06-30T23:59:59Z".parse().unwrap(),
            languages: vec!["fr".into(), "en".into()],
            policy: Some("https://mfr.demo.gouv.qc.ca/divulgation".into()),
            canonical: Some("https://rempart.example/.well-known/security.txt".into()),
            encryption: None,
            acknowledgments: None,
        }
    }

    // REQ GMVI-06
    #[test]
    fn the_file_follows_rfc_9116() {
        let t = sample();
        assert_eq!(t.validate(), Ok(()));
        assert_eq!(
            t.render(),
            "Contact: mailto:securite@mfr.demo.gouv.qc.ca\r\n\
             Contact: https://rempart.example/divulgation\r\n\
             Expires: 2027-06-30T23:59:59Z\r\n\
             Preferred-Languages: fr, en\r\n\
             Policy: https://mfr.demo.gouv.qc.ca/divulgation\r\n\
             Canonical: https://rempart.example/.well-known/security.txt\r\n"
        );
        assert!(!t.expired("2027-06-30T00:00:00Z".parse().unwrap()));
        assert!(t.expired("2027-07-01T00:00:00Z".parse().unwrap()));
    }

    #[test]
    fn bad_fields_are_named() {
        let mut t = sample();
        t.contacts.clear();
        assert_eq!(t.validate(), Err(SecurityTxtError::NoContact));
        let mut t = sample();
        t.contacts = vec!["http://insecure.example".into()];
        assert!(matches!(
            t.validate(),
            Err(SecurityTxtError::BadUri("contact", _))
        ));
        let mut t = sample();
        t.policy = Some("https://x\r\nContact: mailto:pirate@example".into());
        assert!(matches!(
            t.validate(),
            Err(SecurityTxtError::BadUri("policy", _))
        ));
        let mut t = sample();
        t.languages = vec!["fr CA".into()];
        assert!(matches!(
            t.validate(),
            Err(SecurityTxtError::BadLanguage(_))
        ));
    }
}
