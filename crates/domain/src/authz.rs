//! Authorization rules (AUTHZ-01): which role may do what, and where.
//!
//! Deny by default: a permission no role lists is granted to nobody, and a grant reaches only
//! the organization it is given on, or its subtree when the role's reach says so. Storage turns
//! [`roles_with`] into the scope clause of every query; the web layer asks [`allows`] before a
//! route runs. Neither decides anything on its own.

use serde::{Deserialize, Serialize};

use crate::org::OrgId;
use crate::role::{Reach, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See an organization of the tree.
    OrgRead,
    /// Create, rename, move or archive organizations.
    OrgManage,
    /// See the people of an organization.
    PersonRead,
    /// Create or change accounts.
    PersonManage,
    /// See role grants.
    GrantRead,
    /// Grant or revoke roles.
    GrantManage,
    /// Read, search and export the audit trail.
    AuditRead,
    /// See the information assets of an organization and their classification.
    AssetRead,
    /// Create, change and archive assets, their dependencies and identifiers.
    AssetManage,
    /// Classify an asset: the route's gate; the asset's holder alone passes the data rule
    /// (`classification::check_classifier`).
    AssetClassify,
    /// Set the classification scale of an organization and the bodies below it.
    ScaleManage,
    /// See the risk register, its maps and indicators.
    RiskRead,
    /// Record, assess and treat risks; propose a residual risk; flag one for reassessment.
    RiskManage,
    /// Approve a residual risk: the route's gate; the data rule (`risk::check_approval`)
    /// admits only the holder of the assets concerned or the method's higher approver.
    RiskApprove,
    /// Set the risk method of an organization and the bodies below it.
    RiskMethodManage,
    /// See the control catalogues and where organizations stand on their controls.
    ControlRead,
    /// Import control catalogues and profiles; record the implementation status of controls.
    ControlManage,
    /// Report a security event (GMVI-01): anyone who works in an organization.
    EventReport,
    /// Triage the reported events: threat, vulnerability, incident, duplicate or closed.
    EventTriage,
    /// See incidents: a body's own, or those an escalation shared with a centre.
    IncidentRead,
    /// Run an incident: timeline, roles, tasks, evidence, status; acknowledge its notices.
    IncidentManage,
    /// Set the escalation rules of an organization and the bodies below it.
    EscalationManage,
    /// Issue alerts and required measures from a centre of the network (GMVI-08).
    AlertIssue,
    /// See the alerts a body received or a centre issued.
    AlertRead,
    /// Acknowledge an alert and report a measure applied, for a body.
    AlertRespond,
    /// See a body's vulnerabilities and its scan imports.
    VulnerabilityRead,
    /// Import scanner reports, known-exploited catalogues and advisories for a body.
    VulnerabilityImport,
    /// Change a vulnerability's status (in remediation, fixed, false positive).
    VulnerabilityManage,
    /// See the personal-information records of the access law (access requests, and the
    /// registers that follow): the privacy officer; a person assigned to one record sees that
    /// record (storage's scope).
    PrivacyRead,
    /// Record and move those records, keep the body's list of provisions and its letters.
    PrivacyManage,
    /// See the body's privacy governance: its privacy impact assessments, its inventory of
    /// personal-information files and its register of communications (no one's personal
    /// information): the privacy officer and the committee.
    PrivacyGovernanceRead,
    /// Record the committee's opinion on a privacy impact assessment.
    CommitteeOpinion,
}

impl Permission {
    pub const ALL: [Permission; 32] = [
        Permission::OrgRead,
        Permission::OrgManage,
        Permission::PersonRead,
        Permission::PersonManage,
        Permission::GrantRead,
        Permission::GrantManage,
        Permission::AuditRead,
        Permission::AssetRead,
        Permission::AssetManage,
        Permission::AssetClassify,
        Permission::ScaleManage,
        Permission::RiskRead,
        Permission::RiskManage,
        Permission::RiskApprove,
        Permission::RiskMethodManage,
        Permission::ControlRead,
        Permission::ControlManage,
        Permission::EventReport,
        Permission::EventTriage,
        Permission::IncidentRead,
        Permission::IncidentManage,
        Permission::EscalationManage,
        Permission::AlertIssue,
        Permission::AlertRead,
        Permission::AlertRespond,
        Permission::VulnerabilityRead,
        Permission::VulnerabilityImport,
        Permission::VulnerabilityManage,
        Permission::PrivacyRead,
        Permission::PrivacyManage,
        Permission::PrivacyGovernanceRead,
        Permission::CommitteeOpinion,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::OrgRead => "org_read",
            Permission::OrgManage => "org_manage",
            Permission::PersonRead => "person_read",
            Permission::PersonManage => "person_manage",
            Permission::GrantRead => "grant_read",
            Permission::GrantManage => "grant_manage",
            Permission::AuditRead => "audit_read",
            Permission::AssetRead => "asset_read",
            Permission::AssetManage => "asset_manage",
            Permission::AssetClassify => "asset_classify",
            Permission::ScaleManage => "scale_manage",
            Permission::RiskRead => "risk_read",
            Permission::RiskManage => "risk_manage",
            Permission::RiskApprove => "risk_approve",
            Permission::RiskMethodManage => "risk_method_manage",
            Permission::ControlRead => "control_read",
            Permission::ControlManage => "control_manage",
            Permission::EventReport => "event_report",
            Permission::EventTriage => "event_triage",
            Permission::IncidentRead => "incident_read",
            Permission::IncidentManage => "incident_manage",
            Permission::EscalationManage => "escalation_manage",
            Permission::AlertIssue => "alert_issue",
            Permission::AlertRead => "alert_read",
            Permission::AlertRespond => "alert_respond",
            Permission::VulnerabilityRead => "vulnerability_read",
            Permission::VulnerabilityImport => "vulnerability_import",
            Permission::VulnerabilityManage => "vulnerability_manage",
            Permission::PrivacyRead => "privacy_read",
            Permission::PrivacyManage => "privacy_manage",
            Permission::PrivacyGovernanceRead => "privacy_governance_read",
            Permission::CommitteeOpinion => "committee_opinion",
        }
    }
}

/// The permission table: the one place that says what each role may do.
pub fn role_has(role: Role, permission: Permission) -> bool {
    use Permission::*;
    use Role::*;
    match permission {
        OrgRead => true,
        OrgManage => matches!(role, PlatformAdmin | GovernmentCiso | Ciso),
        PersonRead | GrantRead => matches!(
            role,
            PlatformAdmin
                | GovernmentCiso
                | ChiefExecutive
                | DelegatedCiso
                | Ciso
                | SecurityCoordinator
                | Auditor
                | Manager
        ),
        PersonManage | GrantManage => {
            matches!(role, PlatformAdmin | GovernmentCiso | DelegatedCiso | Ciso)
        }
        AuditRead => matches!(role, Auditor | GovernmentCiso),
        // Every business role sees the assets where it works (a user reports an event on
        // one); the platform administrator runs the platform, not the inventory (AUTH-10).
        AssetRead => role != PlatformAdmin,
        // The security officers keep the inventory; a holder keeps their own organization's.
        AssetManage => matches!(role, DelegatedCiso | Ciso | SecurityCoordinator | Holder),
        AssetClassify => role == Holder,
        // The government sets the model; a body's security officers adapt theirs.
        ScaleManage => matches!(role, GovernmentCiso | DelegatedCiso | Ciso),
        // Risks name weaknesses: those who govern, keep, own or audit them see them; an end
        // user does not, nor does the platform's administrator.
        RiskRead => !matches!(role, PlatformAdmin | User),
        RiskManage => matches!(role, DelegatedCiso | Ciso | SecurityCoordinator),
        // Holders accept their assets' residual risks; the executive (the default higher
        // approver) and the security officers (a method may name them) those above the
        // threshold. The data rule narrows it to the risk at hand.
        RiskApprove => matches!(
            role,
            Holder | ChiefExecutive | GovernmentCiso | DelegatedCiso | Ciso
        ),
        RiskMethodManage => matches!(role, GovernmentCiso | DelegatedCiso | Ciso),
        // The reference of security measures is read by all who govern or audit them; the
        // security officers keep it and record where their organization stands.
        ControlRead => !matches!(role, PlatformAdmin | User),
        ControlManage => matches!(
            role,
            GovernmentCiso | DelegatedCiso | Ciso | SecurityCoordinator
        ),
        // Anyone who works in an organization reports what they see (GMVI-01).
        EventReport => role != PlatformAdmin,
        // The coordinator runs the GMVI process; the security officers stand in.
        EventTriage => matches!(role, SecurityCoordinator | Ciso | DelegatedCiso),
        // Those who govern, respond to or audit incidents see them; the privacy officer too
        // (an incident may become a confidentiality incident). A centre's roles reach a body's
        // incident only once an escalation shared it (storage's incident scope).
        IncidentRead => matches!(
            role,
            SecurityCoordinator
                | Ciso
                | DelegatedCiso
                | GovernmentCiso
                | CyberdefenceLead
                | ChiefExecutive
                | PrivacyOfficer
                | Auditor
        ),
        IncidentManage => matches!(
            role,
            SecurityCoordinator | Ciso | DelegatedCiso | CyberdefenceLead
        ),
        EscalationManage => matches!(role, GovernmentCiso | DelegatedCiso | Ciso),
        // The centres' leads issue alerts; the domain checks the organization is a centre.
        AlertIssue => matches!(role, GovernmentCiso | CyberdefenceLead),
        AlertRead => matches!(
            role,
            GovernmentCiso
                | CyberdefenceLead
                | ChiefExecutive
                | DelegatedCiso
                | Ciso
                | SecurityCoordinator
                | Auditor
        ),
        AlertRespond => matches!(role, DelegatedCiso | Ciso | SecurityCoordinator),
        // Vulnerabilities name weaknesses: as for risks, not an end user nor the platform's
        // administrator. The security officers import reports and manage statuses; accepting
        // a vulnerability's risk is the holder's (checked by the data rule).
        VulnerabilityRead => !matches!(role, PlatformAdmin | User),
        VulnerabilityImport => matches!(role, DelegatedCiso | Ciso | SecurityCoordinator),
        VulnerabilityManage => matches!(role, DelegatedCiso | Ciso | SecurityCoordinator | Holder),
        // Personal information is shown only to whom needs it (issue 9): the body's privacy
        // officer, who answers for access requests; not the security officers, the executive
        // or the auditor (who sees, in the audit trail, who read what).
        PrivacyRead | PrivacyManage => role == PrivacyOfficer,
        // The committee is consulted on assessments from the outset and approves the
        // governance rules (seed 001): it reads what the body governs, not the requests.
        PrivacyGovernanceRead => matches!(role, PrivacyOfficer | Committee),
        CommitteeOpinion => role == Committee,
    }
}

/// The roles that hold `permission`, split by reach, for building scope clauses.
pub fn roles_with(permission: Permission) -> RolesWith {
    let mut out = RolesWith::default();
    for role in Role::ALL {
        if role_has(role, permission) {
            match role.reach() {
                Reach::Organization => out.organization_only.push(role),
                Reach::Subtree => out.subtree.push(role),
            }
        }
    }
    out
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RolesWith {
    pub organization_only: Vec<Role>,
    pub subtree: Vec<Role>,
}

/// One role held on one organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GrantScope {
    pub role: Role,
    pub org: OrgId,
}

/// Whether `grants` give `permission` on the organization whose ancestors (itself first, then
/// up to the root) are `target_ancestors`.
pub fn allows(grants: &[GrantScope], permission: Permission, target_ancestors: &[OrgId]) -> bool {
    let Some(&target) = target_ancestors.first() else {
        return false;
    };
    grants.iter().any(|g| {
        role_has(g.role, permission)
            && match g.role.reach() {
                Reach::Organization => g.org == target,
                Reach::Subtree => target_ancestors.contains(&g.org),
            }
    })
}

/// Whether `grants` give `permission` anywhere at all: the gate a route checks before its
/// handler runs. The organization itself is then checked in the query.
pub fn allows_somewhere(grants: &[GrantScope], permission: Permission) -> bool {
    grants.iter().any(|g| role_has(g.role, permission))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: OrgId = OrgId(1);
    const CENTRE: OrgId = OrgId(2);
    const BODY_A: OrgId = OrgId(3);
    const UNIT_A: OrgId = OrgId(4);
    const BODY_B: OrgId = OrgId(5);

    fn path(org: OrgId) -> Vec<OrgId> {
        match org {
            ROOT => vec![ROOT],
            CENTRE => vec![CENTRE, ROOT],
            BODY_A => vec![BODY_A, CENTRE, ROOT],
            UNIT_A => vec![UNIT_A, BODY_A, CENTRE, ROOT],
            _ => vec![BODY_B, CENTRE, ROOT],
        }
    }

    // REQ AUTHZ-01
    #[test]
    fn grants_reach_their_subtree_and_nothing_else() {
        let ciso_a = [GrantScope {
            role: Role::Ciso,
            org: BODY_A,
        }];
        assert!(allows(&ciso_a, Permission::PersonManage, &path(BODY_A)));
        assert!(allows(&ciso_a, Permission::PersonManage, &path(UNIT_A)));
        assert!(!allows(&ciso_a, Permission::PersonManage, &path(BODY_B)));
        assert!(!allows(&ciso_a, Permission::PersonManage, &path(CENTRE)));
        assert!(!allows(&ciso_a, Permission::AuditRead, &path(BODY_A)));

        let user_a = [GrantScope {
            role: Role::User,
            org: BODY_A,
        }];
        assert!(allows(&user_a, Permission::OrgRead, &path(BODY_A)));
        assert!(!allows(&user_a, Permission::OrgRead, &path(UNIT_A)));
        assert!(!allows(&user_a, Permission::PersonRead, &path(BODY_A)));

        let auditor_root = [GrantScope {
            role: Role::Auditor,
            org: ROOT,
        }];
        assert!(allows(&auditor_root, Permission::AuditRead, &path(UNIT_A)));
        assert!(!allows(&auditor_root, Permission::OrgManage, &path(UNIT_A)));
        assert!(!allows(&[], Permission::OrgRead, &path(ROOT)));
        assert!(!allows(&auditor_root, Permission::OrgRead, &[]));
    }

    #[test]
    fn roles_with_splits_by_reach() {
        let read = roles_with(Permission::OrgRead);
        assert!(read.organization_only.contains(&Role::User));
        assert!(read.subtree.contains(&Role::Ciso));
        let audit = roles_with(Permission::AuditRead);
        assert_eq!(audit.subtree, vec![Role::GovernmentCiso, Role::Auditor]);
        assert!(audit.organization_only.is_empty());
    }
}

/// Why a role grant is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GrantError {
    /// AUTH-10: the platform administrator's account holds no business role, and a business
    /// account is never a platform administrator.
    #[error("a platform administrator account cannot hold business roles")]
    PrivilegedSeparate,
    /// Only a platform administrator grants that role, or a government CISO the government
    /// CISO role.
    #[error("this role cannot be granted by you")]
    NotGrantable,
}

impl GrantError {
    pub fn code(self) -> &'static str {
        match self {
            GrantError::PrivilegedSeparate => "error-privileged-separate",
            GrantError::NotGrantable => "error-role-not-grantable",
        }
    }
}

/// Checks a grant of `role` to a person who already holds `existing`, by a granter holding
/// `granter_roles` (`None` for the local operator at the server's console).
pub fn check_grant(
    granter_roles: Option<&[Role]>,
    role: Role,
    existing: &[Role],
) -> Result<(), GrantError> {
    let admin_now = existing.contains(&Role::PlatformAdmin);
    let business_now = existing.iter().any(|r| *r != Role::PlatformAdmin);
    if (role == Role::PlatformAdmin && business_now) || (role != Role::PlatformAdmin && admin_now) {
        return Err(GrantError::PrivilegedSeparate);
    }
    if let Some(granter) = granter_roles {
        let may = match role {
            Role::PlatformAdmin => granter.contains(&Role::PlatformAdmin),
            Role::GovernmentCiso => {
                granter.contains(&Role::PlatformAdmin) || granter.contains(&Role::GovernmentCiso)
            }
            _ => true,
        };
        if !may {
            return Err(GrantError::NotGrantable);
        }
    }
    Ok(())
}

/// Whether a person holding `actor_roles` may reset or disable the account of a person holding
/// `target_roles`: never an account more privileged than theirs, so that an organization's
/// CISO cannot take over a platform administrator's or the government CISO's account. (The
/// caller also refuses one's own account.)
pub fn may_administer(actor_roles: &[Role], target_roles: &[Role]) -> bool {
    let has = |roles: &[Role], r: Role| roles.contains(&r);
    if has(target_roles, Role::PlatformAdmin) && !has(actor_roles, Role::PlatformAdmin) {
        return false;
    }
    if has(target_roles, Role::GovernmentCiso)
        && !(has(actor_roles, Role::PlatformAdmin) || has(actor_roles, Role::GovernmentCiso))
    {
        return false;
    }
    true
}

#[cfg(test)]
mod grant_tests {
    use super::*;

    // REQ AUTH-10
    #[test]
    fn platform_administration_stays_apart_from_business_roles() {
        assert_eq!(
            check_grant(None, Role::Ciso, &[Role::PlatformAdmin]),
            Err(GrantError::PrivilegedSeparate)
        );
        assert_eq!(
            check_grant(None, Role::PlatformAdmin, &[Role::User]),
            Err(GrantError::PrivilegedSeparate)
        );
        assert_eq!(check_grant(None, Role::PlatformAdmin, &[]), Ok(()));
        assert_eq!(
            check_grant(Some(&[Role::Ciso]), Role::PlatformAdmin, &[]),
            Err(GrantError::NotGrantable)
        );
        assert_eq!(
            check_grant(Some(&[Role::Ciso]), Role::GovernmentCiso, &[]),
            Err(GrantError::NotGrantable)
        );
        assert_eq!(
            check_grant(Some(&[Role::Ciso]), Role::Holder, &[Role::User]),
            Ok(())
        );
        assert!(!may_administer(&[Role::Ciso], &[Role::PlatformAdmin]));
        assert!(!may_administer(
            &[Role::DelegatedCiso],
            &[Role::GovernmentCiso]
        ));
        assert!(may_administer(
            &[Role::GovernmentCiso],
            &[Role::GovernmentCiso, Role::Auditor]
        ));
        assert!(may_administer(&[Role::Ciso], &[Role::User, Role::Holder]));
    }
}
