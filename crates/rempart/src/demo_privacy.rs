//! The demo's access requests (PRP-03), at the agency (body B), recorded by its privacy
//! officer: one just received, one acknowledged and extended by notice, one decided with the
//! provisions relied on and the notice of recourse, one left unanswered past its deadline (a
//! deemed refusal); then its privacy governance (PRP-01, PRP-02): assessments with the
//! committee's opinions, files, communications. Dates count back from the day the demo is
//! loaded, so that every step is in the past and the deadlines read as they would in an office.

use chrono::{Days, NaiveDate};
use rempart_domain::access_request::{DecisionKind, NewRequest, Step};
use rempart_domain::legal_deadline::DeadlineSettings;
use rempart_storage::access_requests;
use rempart_storage::scope::Scope;
use rempart_storage::{AuditContext, Store, StoreError};

const OFFICER: &str = "rprp@demo.rempart.quebec";
const AGENCY: &str = "agence-fictive-de-la-sante";
const COMMITTEE: &str = "comite.aiprp@demo.rempart.quebec";

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
    load_governance(store, today, officer, org).await
}

/// The agency's privacy governance: the art. 70.1 assessment of its teleconsultation platform
/// (the committee consulted at the outset and at design, approved on conditions), a survey's
/// assessment under way, three personal-information files (one past its destruction date) and
/// two communications in the register, one outside Québec resting on the assessment. The
/// recruitment platform, also in an outside cloud, is left without one: it shows as flagged.
async fn load_governance(
    store: &Store,
    today: NaiveDate,
    officer: i64,
    org: i64,
) -> Result<(), StoreError> {
    use rempart_domain::authz::Permission;
    use rempart_domain::personal_info_file::{CommunicationInput, FileInput};
    use rempart_domain::privacy_assessment::{
        AssessmentInput, DecisionInput, Factors, OpinionInput,
    };
    use rempart_storage::{personal_info_files as files, privacy_assessments as pia};

    let member: i64 = sqlx::query_scalar("SELECT id FROM persons WHERE email = $1")
        .bind(COMMITTEE)
        .fetch_one(store.pool())
        .await?;
    let as_officer = || AuditContext {
        actor_id: Some(officer),
        actor_label: format!("{OFFICER} (démo)"),
        source: "rempart serve --demo".to_owned(),
    };
    let as_member = || AuditContext {
        actor_id: Some(member),
        actor_label: format!("{COMMITTEE} (démo)"),
        source: "rempart serve --demo".to_owned(),
    };
    let manage = Scope::new(officer, Permission::PrivacyManage);
    let opine = Scope::new(member, Permission::CommitteeOpinion);
    let asset: i64 = sqlx::query_scalar(
        "SELECT id FROM assets WHERE org_id IN \
         (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1) AND name = $2",
    )
    .bind(org)
    .bind("Téléconsultation")
    .fetch_one(store.pool())
    .await?;
    // Started 90 days ago: the store takes the day it is given as the start.
    let started = ago(today, 90);
    let (teleconsult, _) = pia::create(
        store,
        manage,
        as_officer(),
        &AssessmentInput {
            org_id: org.to_string(),
            title: "Plateforme de téléconsultation infonuagique".into(),
            trigger: "asset".into(),
            asset_id: asset.to_string(),
            ..Default::default()
        },
        started,
    )
    .await?;
    for (stage, days, opinion, measures) in [
        (
            "outset",
            85,
            "Le comité appuie le projet sous réserve d’une entente écrite et d’un hébergement \
             au Canada.",
            "Exiger la localisation des données et l’avis d’incident en 24 heures.",
        ),
        (
            "design",
            40,
            "Les mesures proposées sont adéquates.",
            "Journaliser les accès du personnel du fournisseur.",
        ),
    ] {
        pia::record_opinion(
            store,
            opine,
            as_member(),
            teleconsult,
            &OpinionInput {
                stage: stage.into(),
                given_on: ago(today, days).to_string(),
                opinion: opinion.into(),
                measures: measures.into(),
            },
            today,
        )
        .await?;
    }
    pia::save_factors(
        store,
        manage,
        as_officer(),
        teleconsult,
        &Factors {
            sensitivity: "high".into(),
            sensitivity_notes: "Renseignements de santé.".into(),
            purposes: "Consultations médicales à distance.".into(),
            quantity: "Environ 12 000 usagers par année.".into(),
            distribution: "Direction clinique ; fournisseur de la plateforme.".into(),
            medium: "Électronique : vidéo et notes cliniques.".into(),
            protection_measures: "Chiffrement de bout en bout, MFA, journalisation.".into(),
            contractual_measures: "Clauses de localisation, de confidentialité et d’avis \
                                   d’incident."
                .into(),
            jurisdiction: "Ontario".into(),
            jurisdiction_framework: "Loi fédérale (LPRPDE) et loi ontarienne sur les \
                                     renseignements personnels sur la santé."
                .into(),
            adequate: "yes".into(),
            written_agreement: "Entente AFS-2026-014".into(),
        },
    )
    .await?;
    pia::decide(
        store,
        manage,
        as_officer(),
        teleconsult,
        &DecisionInput {
            decision: "approved_with_conditions".into(),
            decided_on: ago(today, 30).to_string(),
            text: "Journaliser et revoir trimestriellement les accès du fournisseur.".into(),
        },
        today,
    )
    .await?;
    let (survey, _) = pia::create(
        store,
        manage,
        as_officer(),
        &AssessmentInput {
            org_id: org.to_string(),
            title: "Sondage de satisfaction des usagers".into(),
            trigger: "collection".into(),
            collection: "Courriel et réponses des usagers sondés après leur rendez-vous.".into(),
            ..Default::default()
        },
        ago(today, 10),
    )
    .await?;
    pia::record_opinion(
        store,
        opine,
        as_member(),
        survey,
        &OpinionInput {
            stage: "outset".into(),
            given_on: ago(today, 5).to_string(),
            opinion: "Limiter la collecte au courriel ; aucune donnée de santé.".into(),
            measures: String::new(),
        },
        today,
    )
    .await?;

    let file = |name: &str,
                purpose: &str,
                categories: &str,
                rule: &str,
                years: &str,
                achieved: Option<NaiveDate>| FileInput {
        org_id: org.to_string(),
        name: name.into(),
        purpose: purpose.into(),
        categories: categories.into(),
        sensitivity: "high".into(),
        holders: "Direction clinique".into(),
        asset_id: String::new(),
        retention_rule: rule.into(),
        retention_years: years.into(),
        end_action: "destroy".into(),
        purposes_achieved_on: achieved.map(|d| d.to_string()).unwrap_or_default(),
    };
    let records = files::create(
        store,
        manage,
        as_officer(),
        &file(
            "Dossiers des usagers",
            "Soigner les usagers et assurer la continuité des soins.",
            "Identité\nNuméro d’assurance maladie\nDiagnostics et notes cliniques",
            "Règle 3100 — dossiers des usagers",
            "10",
            None,
        ),
        today,
    )
    .await?;
    files::create(
        store,
        manage,
        as_officer(),
        &FileInput {
            holders: "Direction des ressources humaines".into(),
            sensitivity: "medium".into(),
            ..file(
                "Candidatures non retenues",
                "Pourvoir les postes affichés.",
                "Identité\nCurriculum vitæ\nRésultats d’entrevue",
                "Règle 1520 — dossiers de dotation",
                "2",
                Some(ago(today, 800)),
            )
        },
        today,
    )
    .await?;
    files::create(
        store,
        manage,
        as_officer(),
        &FileInput {
            holders: "Direction des ressources humaines".into(),
            ..file(
                "Dossiers des employés",
                "Gérer la relation d’emploi.",
                "Identité\nRémunération\nÉvaluations",
                "Règle 1510 — dossiers du personnel",
                "7",
                None,
            )
        },
        today,
    )
    .await?;
    for (days, recipient, nature, purpose, abroad, reason, file_id, assessment) in [
        (
            20,
            "Institut national de santé publique du Québec",
            "Nom, numéro d’assurance maladie, résultats de dépistage",
            "Surveillance épidémiologique",
            false,
            "Art. 67 de la Loi sur l’accès",
            Some(records),
            None,
        ),
        (
            25,
            "Fournisseur de la plateforme de téléconsultation (Ontario)",
            "Vidéo et notes de consultation",
            "Hébergement et exploitation de la plateforme",
            true,
            "Contrat de service, art. 70.1",
            None,
            Some(teleconsult),
        ),
    ] {
        files::record_communication(
            store,
            manage,
            as_officer(),
            &CommunicationInput {
                org_id: org.to_string(),
                file_id: file_id.map(|f: i64| f.to_string()).unwrap_or_default(),
                communicated_on: ago(today, days).to_string(),
                nature: nature.into(),
                recipient: recipient.into(),
                purpose: purpose.into(),
                outside_quebec: abroad,
                reason: reason.into(),
                assessment_id: assessment.map(|a: i64| a.to_string()).unwrap_or_default(),
            },
            today,
        )
        .await?;
    }
    Ok(())
}
