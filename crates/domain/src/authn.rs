//! The steps of signing in (AUTH-03, AUTH-04): after the password, a temporary password must
//! be changed, then a second factor proven, or enrolled where the role demands one. A session
//! is only "full" once every step owed is done.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The password was temporary: a new one must be chosen first.
    PasswordChange,
    /// A second factor is enrolled and must be proven.
    Mfa,
    /// A second factor is required (privileged role) but none is enrolled yet.
    MfaEnrol,
    Full,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::PasswordChange => "password_change",
            Stage::Mfa => "mfa",
            Stage::MfaEnrol => "mfa_enrol",
            Stage::Full => "full",
        }
    }

    /// An unknown stage (written by a newer version) grants nothing beyond the password page.
    pub fn parse(value: &str) -> Stage {
        match value {
            "full" => Stage::Full,
            "mfa" => Stage::Mfa,
            "mfa_enrol" => Stage::MfaEnrol,
            _ => Stage::PasswordChange,
        }
    }

    /// Where the person completes this step.
    pub fn path(self) -> &'static str {
        match self {
            Stage::PasswordChange => "/password",
            Stage::Mfa => "/mfa",
            Stage::MfaEnrol => "/mfa/enrol",
            Stage::Full => "/",
        }
    }
}

/// What is known of a person when deciding the next step.
#[derive(Debug, Clone, Copy)]
pub struct SignInFacts {
    pub must_change_password: bool,
    pub mfa_enrolled: bool,
    pub mfa_required: bool,
    /// The second factor has been proven (or enrolled) in this sign-in.
    pub mfa_done: bool,
}

pub fn next_stage(facts: SignInFacts) -> Stage {
    if facts.must_change_password {
        Stage::PasswordChange
    } else if facts.mfa_done {
        Stage::Full
    } else if facts.mfa_enrolled {
        Stage::Mfa
    } else if facts.mfa_required {
        Stage::MfaEnrol
    } else {
        Stage::Full
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // REQ AUTH-03
    // REQ AUTH-04
    #[test]
    fn steps_come_in_order_and_none_is_skipped() {
        let f = |must_change_password, mfa_enrolled, mfa_required, mfa_done| {
            next_stage(SignInFacts {
                must_change_password,
                mfa_enrolled,
                mfa_required,
                mfa_done,
            })
        };
        assert_eq!(f(true, true, true, false), Stage::PasswordChange);
        assert_eq!(f(false, true, false, false), Stage::Mfa);
        assert_eq!(f(false, false, true, false), Stage::MfaEnrol);
        assert_eq!(f(false, false, false, false), Stage::Full);
        assert_eq!(f(false, true, true, true), Stage::Full);
        for stage in [
            Stage::PasswordChange,
            Stage::Mfa,
            Stage::MfaEnrol,
            Stage::Full,
        ] {
            assert_eq!(Stage::parse(stage.as_str()), stage);
        }
        assert_eq!(Stage::parse("admin"), Stage::PasswordChange);
    }
}

/// Why every session of a person is ended at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    PasswordChanged,
    PasswordReset,
    MfaReset,
    Locked,
    Administrator,
    AccountDisabled,
    RoleRevoked,
    RoleGranted,
}

impl SessionEnd {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionEnd::PasswordChanged => "password_changed",
            SessionEnd::PasswordReset => "password_reset",
            SessionEnd::MfaReset => "mfa_reset",
            SessionEnd::Locked => "locked",
            SessionEnd::Administrator => "administrator",
            SessionEnd::AccountDisabled => "account_disabled",
            SessionEnd::RoleRevoked => "role_revoked",
            SessionEnd::RoleGranted => "role_granted",
        }
    }

    /// Personal API tokens are credentials of the same person: whatever ends the sessions for
    /// the account's safety ends them too. A change of roles does not: a token acts with the
    /// roles its owner holds at each request, and the sessions end only so that the next
    /// sign-in starts afresh, with a new id and the second factor the new roles may demand.
    pub fn ends_tokens(self) -> bool {
        !matches!(self, SessionEnd::RoleRevoked | SessionEnd::RoleGranted)
    }
}

#[cfg(test)]
mod session_end_tests {
    use super::*;

    // REQ AUTH-06
    #[test]
    fn role_changes_keep_tokens_and_safety_events_end_them() {
        assert!(SessionEnd::PasswordChanged.ends_tokens());
        assert!(SessionEnd::Locked.ends_tokens());
        assert!(!SessionEnd::RoleGranted.ends_tokens());
        assert!(!SessionEnd::RoleRevoked.ends_tokens());
    }
}
