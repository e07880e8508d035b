//! The demo's threats, incidents and alerts (GMVI-01 to GMVI-03, GMVI-08): a report waiting in
//! the coordinator's queue, one closed as not a security event, one triaged into an incident
//! under way (affected asset, roles, a task, a decision log), and a required measure from the
//! operational centre that the ministry has applied and the agency has not yet answered. Each
//! step is written as the person who would take it, so the trail reads as the story does.

use rempart_domain::alert::{AlertDraft, DueDraft, TargetStatus};
use rempart_domain::calendar::{DayCount, Delay, HolidayCalendar};
use rempart_domain::incident::{
    AssetImpact, EntryInput, EntryKind, EventDraft, Impact, IncidentDraft, IncidentRole, Triage,
};
use rempart_storage::alerts::{self, Targets};
use rempart_storage::events::{self, IncidentChoice};
use rempart_storage::inbox::Notifier;
use rempart_storage::scope::Scope;
use rempart_storage::{incidents, persons, AuditContext, Store, StoreError, WriteTx};

const USER: &str = "utilisateur@demo.rempart.quebec";
const COMSI: &str = "comsi@demo.rempart.quebec";
const CDSI: &str = "cdsi@demo.rempart.quebec";
const CENTRE: &str = "rocd@demo.rempart.quebec";

fn notifier() -> Notifier<'static> {
    // The demo sends no e-mail: its addresses are fictitious.
    Notifier {
        wording: &rempart_web::gmvi::Words,
        email: false,
    }
}

async fn as_person(store: &Store, email: &str) -> Result<(WriteTx, i64), StoreError> {
    let id: i64 = sqlx::query_scalar("SELECT id FROM persons WHERE email = $1")
        .bind(email)
        .fetch_one(store.pool())
        .await?;
    let w = store
        .write(AuditContext {
            actor_id: Some(id),
            actor_label: format!("{email} (démo)"),
            source: "rempart serve --demo".to_owned(),
        })
        .await?;
    Ok((w, id))
}

fn invalid(e: rempart_domain::ValidationErrors) -> StoreError {
    StoreError::Invalid(e)
}

async fn org(store: &Store, slug: &str) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM organizations WHERE slug = $1")
            .bind(slug)
            .fetch_one(store.pool())
            .await?,
    )
}

/// Loads the demo's GMVI records, after the rest of the demo is committed.
pub async fn load(store: &Store) -> Result<(), StoreError> {
    let today = rempart_web::time::today();
    let n = notifier();

    // Three reports by a user of the ministry's citizen services.
    let (mut w, user) = as_person(store, USER).await?;
    let report = |summary: &str, details: &str, personal: &str| EventDraft {
        summary: summary.to_owned(),
        details: details.to_owned(),
        observed: today.to_string(),
        personal_info: personal.to_owned(),
    };
    let waiting = report(
        "Courriel demandant de confirmer mon mot de passe",
        "Reçu ce matin, expéditeur « Service informatique » avec une adresse externe.",
        "no",
    )
    .check(today)
    .map_err(invalid)?;
    events::report(&mut w, &n, user, None, None, &waiting).await?;
    let slow = report(
        "Poste de travail très lent, fenêtres qui s'ouvrent seules",
        "Depuis hier après-midi; l'antivirus a affiché une alerte que j'ai fermée.",
        "unknown",
    )
    .check(today)
    .map_err(invalid)?;
    let call_centre: i64 =
        sqlx::query_scalar("SELECT id FROM assets WHERE name = 'Centre d''appels'")
            .fetch_one(w.conn())
            .await?;
    let slow_id = events::report(&mut w, &n, user, None, Some(call_centre), &slow).await?;
    let printer = report("Imprimante du 3e étage bloquée", "", "no")
        .check(today)
        .map_err(invalid)?;
    let printer_id = events::report(&mut w, &n, user, None, None, &printer).await?;
    w.commit().await?;

    // The coordinator triages two of them.
    let (mut w, comsi) = as_person(store, COMSI).await?;
    let scope = Scope::new(comsi, rempart_domain::authz::Permission::EventTriage);
    events::triage(
        &mut w,
        &n,
        scope,
        printer_id,
        1,
        &Triage::Close {
            reason: "Panne matérielle, transmise au soutien informatique.".to_owned(),
        },
        None,
    )
    .await?;
    let incident_input = IncidentDraft {
        title: "Logiciel malveillant sur un poste du centre d'appels".to_owned(),
        description: "Comportement anormal signalé par l'utilisateur; alerte antivirus ignorée."
            .to_owned(),
        category: "malware".to_owned(),
        severity: "high".to_owned(),
        personal_info: false,
    }
    .check()
    .map_err(invalid)?;
    let incident = events::triage(
        &mut w,
        &n,
        scope,
        slow_id,
        1,
        &Triage::Incident {
            note: "Confirmé par la console antivirus.".to_owned(),
        },
        Some(IncidentChoice::New(incident_input)),
    )
    .await?
    .ok_or(StoreError::NotFound)?;
    let manage = Scope::new(comsi, rempart_domain::authz::Permission::IncidentManage);
    incidents::set_asset(
        &mut w,
        &n,
        manage,
        incident,
        call_centre,
        AssetImpact {
            availability: Impact::Low,
            integrity: Impact::Medium,
            confidentiality: Impact::None,
        },
    )
    .await?;
    incidents::set_role(&mut w, manage, incident, IncidentRole::Lead, Some(comsi)).await?;
    let cdsi = persons::id_by_email_in(&mut w, CDSI)
        .await?
        .ok_or(StoreError::NotFound)?;
    let now = w.now();
    for (kind, body, decided_by, minutes_ago) in [
        (
            EntryKind::Observation,
            "La console antivirus signale un cheval de Troie sur le poste MFR-CIT-0142.",
            None,
            90,
        ),
        (
            EntryKind::Decision,
            "Isoler le poste du réseau et conserver son disque pour analyse.",
            Some(cdsi),
            75,
        ),
        (
            EntryKind::Action,
            "Poste retiré du réseau; image disque en cours.",
            None,
            60,
        ),
        (
            EntryKind::Communication,
            "Courriel à l'utilisateur : ne pas rallumer le poste, un poste de dépannage est prêt.",
            None,
            45,
        ),
    ] {
        incidents::add_entry(
            &mut w,
            manage,
            incident,
            &EntryInput {
                kind,
                body: body.to_owned(),
                occurred_at: now - minutes_ago * 60_000_000,
                decided_by,
            },
        )
        .await?;
    }
    let due = today
        .checked_add_days(chrono::Days::new(2))
        .unwrap_or(today)
        .to_string();
    incidents::add_task(
        &mut w,
        &n,
        manage,
        incident,
        "Analyser l'image disque et chercher d'autres postes touchés",
        comsi,
        &due,
    )
    .await?;
    w.commit().await?;

    // The operational centre requires a measure of the bodies it serves.
    let (mut w, lead) = as_person(store, CENTRE).await?;
    let measure = AlertDraft {
        kind: "measure".to_owned(),
        title: "Appliquer le correctif de sécurité du concentrateur VPN".to_owned(),
        description: "Vulnérabilité exploitée activement; appliquer le correctif du fabricant \
                      ou désactiver le portail web du VPN."
            .to_owned(),
        severity: "critical".to_owned(),
        due: DueDraft::In(Delay {
            days: 5,
            count: DayCount::Working,
        }),
    }
    .check(today, &HolidayCalendar::default())
    .map_err(invalid)?;
    let centre = org(store, "cocd-capitale-demo").await?;
    let alert = alerts::issue(
        &mut w,
        &n,
        Scope::new(lead, rempart_domain::authz::Permission::AlertIssue),
        centre,
        &measure,
        &Targets::Subtree,
    )
    .await?;
    w.commit().await?;

    // The ministry has applied it.
    let (mut w, comsi) = as_person(store, COMSI).await?;
    let ministry = org(store, "ministere-fictif-des-ressources").await?;
    alerts::respond(
        &mut w,
        Scope::new(comsi, rempart_domain::authz::Permission::AlertRespond),
        alert,
        ministry,
        TargetStatus::Applied,
        "Correctif appliqué aux deux concentrateurs la journée même; journaux vérifiés.",
    )
    .await?;
    w.commit().await?;
    Ok(())
}
