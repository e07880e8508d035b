//! Public vulnerability disclosure (GMVI-06): what a researcher may send about a vulnerability
//! in an exposed service, the statuses the report goes through, and which service it names.
//! Anyone may write, so every field is bounded and checked here.

use serde::Serialize;

use crate::validation::check_text as check;
use crate::FieldError;

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureStatus {
    Received,
    /// Read by security staff, being looked at.
    Triaged,
    /// The vulnerability is real.
    Confirmed,
    Fixed,
    /// Not a vulnerability, out of scope, or already known.
    Rejected,
}

impl DisclosureStatus {
    pub const ALL: [DisclosureStatus; 5] = [
        DisclosureStatus::Received,
        DisclosureStatus::Triaged,
        DisclosureStatus::Confirmed,
        DisclosureStatus::Fixed,
        DisclosureStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DisclosureStatus::Received => "received",
            DisclosureStatus::Triaged => "triaged",
            DisclosureStatus::Confirmed => "confirmed",
            DisclosureStatus::Fixed => "fixed",
            DisclosureStatus::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<DisclosureStatus> {
        DisclosureStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    /// The statuses staff may move a report to from this one.
    pub fn next(self) -> &'static [DisclosureStatus] {
        use DisclosureStatus::*;
        match self {
            Received => &[Triaged, Confirmed, Rejected],
            Triaged => &[Confirmed, Rejected],
            Confirmed => &[Fixed, Rejected],
            Fixed => &[Confirmed],
            Rejected => &[Triaged],
        }
    }
}

/// Bounds of a report: generous for a write-up, small enough that a flood costs little.
pub const MAX_SERVICE: usize = 500;
pub const MAX_TITLE: usize = 200;
pub const MIN_DESCRIPTION: usize = 20;
pub const MAX_DESCRIPTION: usize = 20_000;
pub const MAX_NAME: usize = 200;
pub const MAX_CONTACT: usize = 320;
/// Messages a report may gather (the reporter's additions and staff's replies).
pub const MAX_MESSAGES: usize = 50;

/// A report as a researcher writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisclosureInput {
    /// The exposed service: an address (`https://portail.example.gouv.qc.ca/x`) or a host name.
    pub service: String,
    pub title: String,
    pub description: String,
    pub reporter_name: String,
    /// An e-mail address, to be written to; optional: the follow-up token suffices.
    pub reporter_contact: String,
}

impl DisclosureInput {
    /// The report trimmed, or every field at fault.
    pub fn validate(&self) -> Result<DisclosureInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        check(&mut errors, "service", &self.service, 1, MAX_SERVICE, false);
        check(&mut errors, "title", &self.title, 1, MAX_TITLE, false);
        check(
            &mut errors,
            "description",
            &self.description,
            MIN_DESCRIPTION,
            MAX_DESCRIPTION,
            true,
        );
        check(
            &mut errors,
            "reporter_name",
            &self.reporter_name,
            0,
            MAX_NAME,
            false,
        );
        check(
            &mut errors,
            "reporter_contact",
            &self.reporter_contact,
            0,
            MAX_CONTACT,
            false,
        );
        let contact = self.reporter_contact.trim();
        if !contact.is_empty()
            && errors.iter().all(|e| e.field != "reporter_contact")
            && crate::person::Email::parse("reporter_contact", contact).is_err()
        {
            errors.push(FieldError::new("reporter_contact", "error-email"));
        }
        if errors.iter().all(|e| e.field != "service") && service_host(&self.service).is_none() {
            errors.push(FieldError::new("service", "error-service"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(DisclosureInput {
            service: self.service.trim().to_owned(),
            title: self.title.trim().to_owned(),
            description: self.description.trim().to_owned(),
            reporter_name: self.reporter_name.trim().to_owned(),
            reporter_contact: contact.to_owned(),
        })
    }
}

/// Checks a message added to a report.
pub fn check_message(body: &str) -> Result<String, Vec<FieldError>> {
    let mut errors = Vec::new();
    check(&mut errors, "body", body, 1, MAX_DESCRIPTION, true);
    if errors.is_empty() {
        Ok(body.trim().to_owned())
    } else {
        Err(errors)
    }
}

/// The host a service names, lower-cased, without scheme, port, path or user: what asset
/// identifiers (host names, FQDNs, addresses) are compared with.
pub fn service_host(service: &str) -> Option<String> {
    let s = service.trim();
    let rest = match s.split_once("://") {
        Some((_, rest)) => rest,
        None => s,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split_once(']').map(|(h, _)| h)?
    } else {
        match authority.rsplit_once(':') {
            Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
            _ => authority,
        }
    };
    let host = host.trim_end_matches('.').to_lowercase();
    let ok = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'));
    ok.then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_names_a_host() {
        assert_eq!(
            service_host("https://Portail.MFR.demo.gouv.qc.ca:8443/login?x=1").as_deref(),
            Some("portail.mfr.demo.gouv.qc.ca")
        );
        assert_eq!(
            service_host("intranet.mfr.demo.gouv.qc.ca").as_deref(),
            Some("intranet.mfr.demo.gouv.qc.ca")
        );
        assert_eq!(
            service_host("http://user:pw@10.10.0.1/").as_deref(),
            Some("10.10.0.1")
        );
        assert_eq!(
            service_host("https://[2001:db8::1]:443/").as_deref(),
            Some("2001:db8::1")
        );
        assert_eq!(service_host("https:///chemin"), None);
        assert_eq!(service_host("<script>"), None);
    }

    // REQ GMVI-06
    #[test]
    fn a_report_is_bounded_and_checked() {
        let good = DisclosureInput {
            service: " https://portail.example.gouv.qc.ca/ ".into(),
            title: "Injection SQL dans la recherche".into(),
            description: "Le paramètre q de /recherche est injectable : ' OR 1=1 --".into(),
            reporter_name: "".into(),
            reporter_contact: "chercheuse@example.org".into(),
        };
        let ok = good.validate().unwrap();
        assert_eq!(ok.service, "https://portail.example.gouv.qc.ca/");
        let bad = DisclosureInput {
            service: "".into(),
            title: "x".repeat(201),
            description: "court".into(),
            reporter_name: "Nom\u{0007}".into(),
            reporter_contact: "pas une adresse".into(),
        };
        let fields: Vec<(String, &str)> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect();
        assert_eq!(
            fields,
            [
                ("service".to_owned(), "error-required"),
                ("title".to_owned(), "error-too-long"),
                ("description".to_owned(), "error-too-short"),
                ("reporter_name".to_owned(), "error-control-characters"),
                ("reporter_contact".to_owned(), "error-email"),
            ]
        );
        assert!(check_message("").is_err());
        assert_eq!(check_message(" Preuve jointe. ").unwrap(), "Preuve jointe.");
    }

    #[test]
    fn statuses_move_forward() {
        use DisclosureStatus::*;
        for s in DisclosureStatus::ALL {
            assert_eq!(DisclosureStatus::parse(s.as_str()), Some(s));
            assert!(!s.next().contains(&s));
        }
        assert!(Received.next().contains(&Confirmed));
        assert!(!Received.next().contains(&Fixed));
    }
}
