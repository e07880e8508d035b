//! The demo's access requests (PRP-03), at the agency (body B), recorded by its privacy
//! officer: one just received, one acknowledged and extended by notice, one decided with the
//! provisions relied on and the notice of recourse, one left unanswered past its deadline (a
//! deemed refusal). Dates count back from the day the demo is loaded, so that every step is in
//! the past and the deadlines read as they would in an office.

use chrono::{Days, NaiveDate};
use rempart_domain::access_request::{DecisionKind, NewRequest, Step};
use rempart_domain::legal_deadline::DeadlineSettings;
use rempart_storage::access_requests;
use rempart_storage::scope::Scope;
use rempart_storage::{AuditContext, Store, StoreError};

const OFFICER: &str = "rprp@demo.rempart.quebec";
const AGENCY: &str = "agence-fictive-de-la-sante";

fn ago(today: NaiveDate, days: u64) -> NaiveDate {
    today.checked_sub_days(Days::new(days)).unwrap_or(today)
}

pub async fn load(store: &Store, today: NaiveDate) -> Result<(), StoreError> {
    let officer: i64 = sqlx::query_scalar("SELECT id FROM persons WHERE email = $1")
        .bind(OFFICER)
        .fetch_one(store.pool())
        .await?;
    let org: i64 = sqlx::query_scalar("SELECT id FROM organizations WHERE slug = $1")
        .bind(AGENCY)
        .fetch_one(store.pool())
        .await?;
    let ctx = || AuditContext {
        actor_id: Some(officer),
        actor_label: format!("{OFFICER} (démo)"),
        source: "rempart serve --demo".to_owned(),
    };
    let scope = Scope::new(officer, rempart_domain::authz::Permission::PrivacyManage);
    let settings = DeadlineSettings::default();
    let requests: [(&str, &str, &str, u64, &str); 4] = [
        (
            "documents",
            "Marie-Ève Gagnon",
            "Les politiques et directives encadrant la protection des renseignements \
             personnels des usagers du portail de rendez-vous.",
            2,
            "fr",
        ),
        (
            "personal_access",
            "Jean Bouchard",
            "Une copie de mon dossier d’usager, y compris les journaux d’accès.",
            25,
            "fr",
        ),
        (
            "documents",
            "Robert Smith",
            "The contract clauses on the protection of personal information with the \
             appointment portal's provider.",
            40,
            "en",
        ),
        (
            "rectification",
            "Sylvie Morin",
            "Corriger mon adresse postale dans le dossier clinique.",
            60,
            "fr",
        ),
    ];
    for (n, (kind, name, subject, days_ago, language)) in requests.into_iter().enumerate() {
        let received = ago(today, days_ago);
        let id = access_requests::create(
            store,
            scope,
            ctx(),
            org,
            &NewRequest {
                kind: kind.into(),
                requester_name: name.into(),
                requester_contact: format!("demandeur{n}@example.org"),
                subject: subject.into(),
                received_on: received.to_string(),
                language: language.into(),
            },
            today,
            &settings,
        )
        .await?;
        let steps: Vec<Step> = match n {
            1 => vec![
                Step::Acknowledge { on: ago(today, 24) },
                Step::Extend {
                    notice_on: ago(today, 10),
                },
            ],
            2 => vec![
                Step::Acknowledge { on: ago(today, 39) },
                Step::Decide {
                    on: ago(today, 22),
                    kind: DecisionKind::PartlyGranted,
                    articles: vec!["14".into(), "53".into(), "54".into()],
                    recourse_notice: true,
                },
            ],
            3 => vec![Step::Acknowledge { on: ago(today, 59) }],
            _ => Vec::new(),
        };
        for step in steps {
            access_requests::record_step(store, scope, ctx(), id, &step, "", today, &settings)
                .await?;
        }
    }
    Ok(())
}
