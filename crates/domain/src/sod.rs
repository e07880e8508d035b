//! Separation of duties (AUTHZ-02): the person who asks never approves, and some roles should
//! not be held by one person in the same organization. Modules call [`check_approver`] on each
//! of their approvals; the list of incompatible roles is configuration with a default.

use serde::{Deserialize, Serialize};

use crate::person::PersonId;
use crate::role::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the person who asks cannot approve their own request")]
pub struct SelfApproval;

impl SelfApproval {
    pub fn code(self) -> &'static str {
        "error-self-approval"
    }
}

/// Refuses an approval by the person who made the request.
pub fn check_approver(requester: PersonId, approver: PersonId) -> Result<(), SelfApproval> {
    if requester == approver {
        Err(SelfApproval)
    } else {
        Ok(())
    }
}

/// Pairs of roles one person should not hold in the same organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncompatibleRoles(pub Vec<(Role, Role)>);

impl Default for IncompatibleRoles {
    /// The auditor checks what the security officers do, so holds none of their roles; the
    /// holder of an asset does not approve the access they themselves use as its operator's
    /// lead.
    fn default() -> Self {
        use Role::*;
        Self(vec![
            (Auditor, Ciso),
            (Auditor, DelegatedCiso),
            (Auditor, SecurityCoordinator),
            (Auditor, CyberdefenceLead),
            (Auditor, ChiefExecutive),
            (Auditor, PrivacyOfficer),
            (Holder, CyberdefenceLead),
        ])
    }
}

impl IncompatibleRoles {
    /// The incompatible pairs among the roles one person holds in one organization.
    pub fn conflicts(&self, held: &[Role]) -> Vec<(Role, Role)> {
        self.0
            .iter()
            .filter(|(a, b)| held.contains(a) && held.contains(b))
            .copied()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // REQ AUTHZ-02
    #[test]
    fn requester_never_approves_and_incompatible_roles_are_flagged() {
        assert_eq!(check_approver(PersonId(3), PersonId(3)), Err(SelfApproval));
        assert_eq!(check_approver(PersonId(3), PersonId(4)), Ok(()));
        let rules = IncompatibleRoles::default();
        assert_eq!(
            rules.conflicts(&[Role::Auditor, Role::Ciso, Role::User]),
            vec![(Role::Auditor, Role::Ciso)]
        );
        assert!(rules
            .conflicts(&[Role::Ciso, Role::SecurityCoordinator])
            .is_empty());
    }
}
