//! The roles of the governance framework (GLOSSARY) and how far each one reaches.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    ChiefExecutive,
    GovernmentCiso,
    DelegatedCiso,
    Ciso,
    SecurityCoordinator,
    CyberdefenceLead,
    Holder,
    Manager,
    User,
    PrivacyOfficer,
    /// A member of the committee on access to information and the protection of personal
    /// information (art. 8.1): gives its opinion on privacy impact assessments.
    Committee,
    Auditor,
    PlatformAdmin,
}

/// How far a grant reaches from the organization it is given on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// The organization itself only.
    Organization,
    /// The organization and everything below it.
    Subtree,
}

impl Role {
    pub const ALL: [Role; 13] = [
        Role::ChiefExecutive,
        Role::GovernmentCiso,
        Role::DelegatedCiso,
        Role::Ciso,
        Role::SecurityCoordinator,
        Role::CyberdefenceLead,
        Role::Holder,
        Role::Manager,
        Role::User,
        Role::PrivacyOfficer,
        Role::Committee,
        Role::Auditor,
        Role::PlatformAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::ChiefExecutive => "ChiefExecutive",
            Role::GovernmentCiso => "GovernmentCiso",
            Role::DelegatedCiso => "DelegatedCiso",
            Role::Ciso => "Ciso",
            Role::SecurityCoordinator => "SecurityCoordinator",
            Role::CyberdefenceLead => "CyberdefenceLead",
            Role::Holder => "Holder",
            Role::Manager => "Manager",
            Role::User => "User",
            Role::PrivacyOfficer => "PrivacyOfficer",
            Role::Committee => "Committee",
            Role::Auditor => "Auditor",
            Role::PlatformAdmin => "PlatformAdmin",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == value)
    }

    /// The message key of the role's French or English label.
    pub fn label_key(self) -> String {
        format!("role-{}", self.as_str())
    }

    /// A holder answers for the assets of one organization and a user acts in one; every other
    /// role oversees or coordinates, and so covers the subtree of its organization.
    pub fn reach(self) -> Reach {
        match self {
            Role::Holder | Role::User => Reach::Organization,
            _ => Reach::Subtree,
        }
    }

    /// Privileged roles must use MFA and their every action is logged (AUTH-04, AUTH-07).
    pub fn is_privileged(self) -> bool {
        matches!(
            self,
            Role::PlatformAdmin | Role::GovernmentCiso | Role::DelegatedCiso | Role::Ciso
        )
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_reach() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
        assert_eq!(Role::Holder.reach(), Reach::Organization);
        assert_eq!(Role::User.reach(), Reach::Organization);
        assert_eq!(Role::Ciso.reach(), Reach::Subtree);
    }
}
