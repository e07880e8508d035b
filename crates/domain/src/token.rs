//! Personal API tokens (AUTH-08): what a token may do and for how long. A token is a bearer
//! credential for scripts (a pipeline that pushes scanner reports), so it is scoped, expires,
//! and never does more than its owner could.

use crate::validation::FieldError;

use crate::authz::Permission;

/// Reading only, or reading and changing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// GET and HEAD.
    Read,
    /// Every method.
    Write,
}

/// The parts of the product a token may be limited to. Every permission belongs to one; a new
/// module adds its variant here and its permissions in [`Module::of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Module {
    Organizations,
    People,
    Grants,
    Audit,
    Assets,
    Risks,
    Gmvi,
    Privacy,
}

impl Module {
    pub const ALL: [Module; 8] = [
        Module::Organizations,
        Module::People,
        Module::Grants,
        Module::Audit,
        Module::Assets,
        Module::Risks,
        Module::Gmvi,
        Module::Privacy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Module::Organizations => "organizations",
            Module::People => "people",
            Module::Grants => "grants",
            Module::Audit => "audit",
            Module::Assets => "assets",
            Module::Risks => "risks",
            Module::Gmvi => "gmvi",
            Module::Privacy => "privacy",
        }
    }

    pub fn parse(value: &str) -> Option<Module> {
        Module::ALL.into_iter().find(|m| m.as_str() == value.trim())
    }

    /// The module a permission belongs to.
    pub fn of(permission: Permission) -> Module {
        match permission {
            Permission::OrgRead | Permission::OrgManage => Module::Organizations,
            Permission::PersonRead | Permission::PersonManage => Module::People,
            Permission::GrantRead | Permission::GrantManage => Module::Grants,
            Permission::AuditRead => Module::Audit,
            Permission::AssetRead
            | Permission::AssetManage
            | Permission::AssetClassify
            | Permission::ScaleManage => Module::Assets,
            Permission::RiskRead
            | Permission::RiskManage
            | Permission::RiskApprove
            | Permission::RiskMethodManage
            | Permission::ControlRead
            | Permission::ControlManage => Module::Risks,
            Permission::EventReport
            | Permission::EventTriage
            | Permission::IncidentRead
            | Permission::IncidentManage
            | Permission::EscalationManage
            | Permission::AlertIssue
            | Permission::AlertRead
            | Permission::AlertRespond
            | Permission::VulnerabilityRead
            | Permission::VulnerabilityImport
            | Permission::VulnerabilityManage => Module::Gmvi,
            Permission::PrivacyRead
            | Permission::PrivacyManage
            | Permission::PrivacyGovernanceRead
            | Permission::CommitteeOpinion => Module::Privacy,
        }
    }
}

/// What a token may do: an access level, over every module or a chosen few. Stored as `read`,
/// `write`, or the level followed by modules: `write:audit,organizations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenScope {
    pub access: Access,
    /// `None`: every module, including those added later.
    pub modules: Option<Vec<Module>>,
}

impl TokenScope {
    pub fn all(access: Access) -> TokenScope {
        TokenScope {
            access,
            modules: None,
        }
    }

    pub fn to_stored(&self) -> String {
        let level = match self.access {
            Access::Read => "read",
            Access::Write => "write",
        };
        match &self.modules {
            None => level.to_owned(),
            Some(modules) => {
                let names: Vec<&str> = modules.iter().map(|m| m.as_str()).collect();
                format!("{level}:{}", names.join(","))
            }
        }
    }

    /// Reads a stored scope. What cannot be read grants the least: reading, in no module.
    pub fn from_stored(value: &str) -> TokenScope {
        let (level, modules) = match value.split_once(':') {
            Some((level, modules)) => (level, Some(modules)),
            None => (value, None),
        };
        let nothing = TokenScope {
            access: Access::Read,
            modules: Some(Vec::new()),
        };
        let access = match level {
            "read" => Access::Read,
            "write" => Access::Write,
            _ => return nothing,
        };
        let modules = match modules {
            None => None,
            Some(list) => {
                let parsed: Option<Vec<Module>> = list.split(',').map(Module::parse).collect();
                match parsed {
                    Some(m) => Some(m),
                    None => return nothing,
                }
            }
        };
        TokenScope { access, modules }
    }

    /// A scope chosen in a form or on the command line: a level (`field`) and module names
    /// (`modules_field`; none means every module).
    pub fn parse(
        field: &str,
        level: &str,
        modules_field: &str,
        modules: &[String],
    ) -> Result<TokenScope, FieldError> {
        let access = match level.trim() {
            "read" => Access::Read,
            "write" => Access::Write,
            _ => return Err(FieldError::new(field, "error-choice")),
        };
        if modules.iter().all(|m| m.trim().is_empty()) {
            return Ok(TokenScope::all(access));
        }
        let mut chosen = Vec::new();
        for name in modules.iter().filter(|m| !m.trim().is_empty()) {
            let module = Module::parse(name)
                .ok_or_else(|| FieldError::new(modules_field, "error-choice"))?;
            if !chosen.contains(&module) {
                chosen.push(module);
            }
        }
        chosen.sort();
        Ok(TokenScope {
            access,
            modules: Some(chosen),
        })
    }

    /// Whether a request needing `permission` (or none, for one's own account routes) by a
    /// safe or unsafe method is within the scope. Managing people and role grants needs a
    /// person at the keyboard who passed every sign-in step: no token reaches it, whatever
    /// its scope, so that a leaked token cannot reset its owner's password or second factor
    /// nor hand out roles (ASVS 6.3.4).
    pub fn allows(&self, permission: Option<Permission>, safe_method: bool) -> bool {
        if matches!(
            permission,
            Some(Permission::PersonManage | Permission::GrantManage)
        ) {
            return false;
        }
        let level_ok = safe_method || self.access == Access::Write;
        let module_ok = match (permission, &self.modules) {
            (_, None) => true,
            // One's own account (`/api/v1/me`): any token may read it.
            (None, Some(_)) => safe_method,
            (Some(p), Some(modules)) => modules.contains(&Module::of(p)),
        };
        level_ok && module_ok
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
        let read = TokenScope::all(Access::Read);
        let write = TokenScope::all(Access::Write);
        assert!(read.allows(Some(Permission::AuditRead), true));
        assert!(!read.allows(Some(Permission::OrgManage), false));
        assert!(write.allows(Some(Permission::OrgManage), false));
        // No token manages people or grants, not even a write token over every module.
        for p in [Permission::PersonManage, Permission::GrantManage] {
            assert!(!write.allows(Some(p), false));
            assert!(!write.allows(Some(p), true));
        }
        let audit_only = TokenScope::parse("scope", "write", "modules", &["audit".into()]).unwrap();
        assert!(audit_only.allows(Some(Permission::AuditRead), true));
        assert!(!audit_only.allows(Some(Permission::OrgRead), true));
        assert!(!audit_only.allows(Some(Permission::OrgManage), false));
        assert!(audit_only.allows(None, true));
        assert!(!audit_only.allows(None, false));
        assert_eq!(audit_only.to_stored(), "write:audit");
        // Stored forms round-trip; what cannot be read grants nothing.
        for scope in [
            read.clone(),
            write.clone(),
            audit_only.clone(),
            TokenScope::parse(
                "scope",
                "read",
                "modules",
                &["people".into(), "organizations".into(), "people".into()],
            )
            .unwrap(),
        ] {
            assert_eq!(TokenScope::from_stored(&scope.to_stored()), scope);
        }
        for bad in ["admin", "read:rois", "write:", "", "superuser:audit"] {
            let scope = TokenScope::from_stored(bad);
            assert!(
                Permission::ALL
                    .into_iter()
                    .all(|p| !scope.allows(Some(p), true)),
                "{bad:?}"
            );
        }
        assert!(TokenScope::parse("s", "admin", "m", &[]).is_err());
        assert_eq!(
            TokenScope::parse("s", "read", "m", &["rois".into()]).map_err(|e| e.field),
            Err("m".into())
        );
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
    }
}
