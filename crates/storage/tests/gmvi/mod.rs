//! GMVI scenarios on both engines: triage, the incident workflow, escalation by the rules,
//! unacknowledged notices going up, the alert network's board and its overdue bodies, and the
//! scheduler's deadlines taken once when passes run side by side.

use chrono::NaiveDate;
use rempart_domain::alert::{AlertInput, AlertKind, TargetStatus};
use rempart_domain::authz::Permission;
use rempart_domain::escalation::{Condition, Recipient, Rule, Severity};
use rempart_domain::incident::{
    AssetImpact, EntryInput, EntryKind, EventDraft, Impact, IncidentDraft, IncidentRole,
    IncidentStatus, TaskStatus, Triage,
};
use rempart_domain::watch::HOUR;
use rempart_storage::alerts::{self, Targets};
use rempart_storage::deadlines;
use rempart_storage::events::{self, IncidentChoice};
use rempart_storage::inbox::{self, Notifier, Wording};
use rempart_storage::incidents;
use rempart_storage::notices;
use rempart_storage::scope::Scope;
use rempart_storage::testing::fresh_store;
use rempart_storage::{AuditContext, Store, StoreError};

use super::{network, person_with, Net};

/// Words a message as its key and arguments, so tests can read what was sent.
struct Plain;

impl Wording for Plain {
    fn text(&self, language: &str, key: &str, args: &[(&str, String)]) -> String {
        let args: Vec<String> = args.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("[{language}] {key} {}", args.join(" "))
    }
}

fn notifier() -> Notifier<'static> {
    Notifier {
        wording: &Plain,
        email: true,
    }
}

fn ctx(person: i64) -> AuditContext {
    AuditContext {
        actor_id: Some(person),
        actor_label: format!("person {person}"),
        source: "test".into(),
    }
}

struct People {
    user_a: i64,
    coordinator_a: i64,
    ciso_a: i64,
    delegated_a: i64,
    privacy_a: i64,
    coordinator_b: i64,
    centre_lead: i64,
    government_ciso: i64,
}

async fn people(store: &Store, net: &Net) -> People {
    People {
        user_a: person_with(store, "user.a@test.qc.ca", net.unit_a, "User").await,
        coordinator_a: person_with(
            store,
            "comsi.a@test.qc.ca",
            net.body_a,
            "SecurityCoordinator",
        )
        .await,
        ciso_a: person_with(store, "csio.a@test.qc.ca", net.body_a, "Ciso").await,
        delegated_a: person_with(store, "cdsi.a@test.qc.ca", net.body_a, "DelegatedCiso").await,
        privacy_a: person_with(store, "rprp.a@test.qc.ca", net.body_a, "PrivacyOfficer").await,
        coordinator_b: person_with(
            store,
            "comsi.b@test.qc.ca",
            net.body_b,
            "SecurityCoordinator",
        )
        .await,
        centre_lead: person_with(store, "cocd@test.qc.ca", net.centre, "CyberdefenceLead").await,
        government_ciso: person_with(store, "cgsi@test.qc.ca", net.root, "GovernmentCiso").await,
    }
}

fn today() -> NaiveDate {
    rempart_storage::local_date(rempart_storage::now_micros()).unwrap()
}

async fn report(store: &Store, who: i64, summary: &str, personal: &str) -> i64 {
    let draft = EventDraft {
        summary: summary.into(),
        details: "Le courriel demandait mon mot de passe.".into(),
        observed: String::new(),
        personal_info: personal.into(),
    };
    let mut w = store.write(ctx(who)).await.unwrap();
    let id = events::report(
        &mut w,
        &notifier(),
        who,
        None,
        None,
        &draft.check(today()).unwrap(),
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    id
}

fn incident_input(severity: &str) -> rempart_domain::incident::IncidentInput {
    IncidentDraft {
        title: "Hameçonnage ciblé".into(),
        description: String::new(),
        category: "phishing".into(),
        severity: severity.into(),
        personal_info: false,
    }
    .check()
    .unwrap()
}

async fn open_incident(store: &Store, who: i64, org: i64, severity: &str) -> i64 {
    let mut w = store.write(ctx(who)).await.unwrap();
    let id = incidents::open(
        &mut w,
        &notifier(),
        Scope::new(who, Permission::IncidentManage),
        org,
        &incident_input(severity),
        rempart_storage::now_micros(),
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    id
}

/// The recipients of an incident's notices, in order, as stored.
async fn recipients(store: &Store, incident: i64) -> Vec<String> {
    notices::of_incident(store, incident)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.recipient)
        .collect()
}

// REQ GMVI-01
#[tokio::test]
async fn a_user_reports_and_the_coordinator_triages() {
    let store = fresh_store().await.unwrap();
    let net = network(&store).await;
    let p = people(&store, &net).await;
    let first = report(&store, p.user_a, "Courriel suspect", "no").await;
    let second = report(&store, p.user_a, "Même courriel suspect", "").await;
    let third = report(&store, p.user_a, "Imprimante bloquée", "no").await;

    // The coordinator of body A was told and sees the queue; body B's does not.
    let inbox_a = inbox::list(&store, p.coordinator_a, true, 50)
        .await
        .unwrap();
    assert_eq!(inbox_a.len(), 3);
    assert!(inbox_a[0].subject.contains("event-reported-subject"));
    let queue = events::queue(
        &store,
        Scope::new(p.coordinator_a, Permission::EventTriage),
        None,
        50,
    )
    .await
    .unwrap();
    assert_eq!(
        queue.iter().map(|e| e.id).collect::<Vec<_>>(),
        [first, second, third]
    );
    let queue_b = events::queue(
        &store,
        Scope::new(p.coordinator_b, Permission::EventTriage),
        None,
        50,
    )
    .await
    .unwrap();
    assert!(queue_b.is_empty());
    // A user cannot triage; the reporter reads their own report, body B's coordinator cannot.
    assert!(
        events::get(&store, Scope::new(p.user_a, Permission::EventTriage), first)
            .await
            .is_ok()
    );
    assert!(matches!(
        events::get(
            &store,
            Scope::new(p.coordinator_b, Permission::EventTriage),
            first
        )
        .await,
        Err(StoreError::NotFound)
    ));

    let coord = Scope::new(p.coordinator_a, Permission::EventTriage);
    let mut w = store.write(ctx(p.coordinator_a)).await.unwrap();
    let incident = events::triage(
        &mut w,
        &notifier(),
        coord,
        first,
        1,
        &Triage::Incident {
            note: "Campagne en cours".into(),
        },
        Some(IncidentChoice::New(incident_input("medium"))),
    )
    .await
    .unwrap()
    .expect("an incident");
    w.commit().await.unwrap();

    let mut w = store.write(ctx(p.coordinator_a)).await.unwrap();
    events::triage(
        &mut w,
        &notifier(),
        coord,
        second,
        1,
        &Triage::Merge {
            into: first,
            note: String::new(),
        },
        None,
    )
    .await
    .unwrap();
    events::triage(
        &mut w,
        &notifier(),
        coord,
        third,
        1,
        &Triage::Close {
            reason: "Panne, pas un événement de sécurité".into(),
        },
        None,
    )
    .await
    .unwrap();
    w.commit().await.unwrap();

    // Triaged once only; a stale version is refused.
    let mut w = store.write(ctx(p.coordinator_a)).await.unwrap();
    let again = events::triage(
        &mut w,
        &notifier(),
        coord,
        first,
        2,
        &Triage::Threat {
            note: String::new(),
        },
        None,
    )
    .await;
    assert!(matches!(again, Err(StoreError::Invalid(_))), "{again:?}");
    let stale = events::triage(
        &mut w,
        &notifier(),
        coord,
        third,
        1,
        &Triage::Threat {
            note: String::new(),
        },
        None,
    )
    .await;
    assert!(matches!(stale, Err(StoreError::Stale)), "{stale:?}");
    drop(w);

    let mine = events::mine(&store, p.user_a, 10).await.unwrap();
    let status: Vec<(&str, Option<i64>)> = mine
        .iter()
        .rev()
        .map(|e| (e.status.as_str(), e.incident_id))
        .collect();
    assert_eq!(
        status,
        [
            ("incident", Some(incident)),
            ("merged", None),
            ("closed", None)
        ]
    );
    assert_eq!(mine[1].merged_into, Some(first));
    // The reporter was told of each decision.
    let told = inbox::list(&store, p.user_a, true, 10).await.unwrap();
    assert_eq!(told.iter().filter(|n| n.kind == "event-triaged").count(), 3);
    // The report opened the incident's timeline as an observation by its reporter.
    let timeline = incidents::timeline(&store, incident, 0, 100).await.unwrap();
    let observation = timeline.iter().find(|e| e.kind == "observation").unwrap();
    assert!(observation.body.starts_with("Courriel suspect"));
    assert_eq!(
        observation.recorded_by_name.as_deref(),
        Some("user.a@test.qc.ca")
    );
}

// REQ GMVI-02
#[tokio::test]
async fn the_incident_workflow_is_the_domains() {
    let store = fresh_store().await.unwrap();
    let net = network(&store).await;
    let p = people(&store, &net).await;
    let incident = open_incident(&store, p.coordinator_a, net.body_a, "medium").await;
    let manage = Scope::new(p.coordinator_a, Permission::IncidentManage);
    let mut w = store.write(ctx(p.coordinator_a)).await.unwrap();
    // A decision names who decided, and that person must be able to see the incident.
    let stranger = incidents::add_entry(
        &mut w,
        manage,
        incident,
        &EntryInput {
            kind: EntryKind::Decision,
            body: "Couper l'accès au serveur".into(),
            occurred_at: rempart_storage::now_micros(),
            decided_by: Some(p.coordinator_b),
        },
    )
    .await;
    assert!(matches!(stranger, Err(StoreError::Invalid(_))));
    incidents::add_entry(
        &mut w,
        manage,
        incident,
        &EntryInput {
            kind: EntryKind::Decision,
            body: "Couper l'accès au serveur".into(),
            occurred_at: rempart_storage::now_micros(),
            decided_by: Some(p.ciso_a),
        },
    )
    .await
    .unwrap();
    let task = incidents::add_task(
        &mut w,
        &notifier(),
        manage,
        incident,
        "Réinitialiser les mots de passe",
        p.coordinator_a,
        &today().to_string(),
    )
    .await
    .unwrap();
    w.commit().await.unwrap();

    let mut version = incidents::get(&store, manage, incident)
        .await
        .unwrap()
        .version;
    let mut w = store.write(ctx(p.coordinator_a)).await.unwrap();
    // Open cannot close.
    let r = incidents::transition(
        &mut w,
        manage,
        incident,
        version,
        IncidentStatus::Closed,
        "x",
        "",
    )
    .await;
    assert!(matches!(r, Err(StoreError::Invalid(_))), "{r:?}");
    incidents::transition(
        &mut w,
        manage,
        incident,
        version,
        IncidentStatus::Contained,
        "",
        "",
    )
    .await
    .unwrap();
    version += 1;
    incidents::transition(
        &mut w,
        manage,
        incident,
        version,
        IncidentStatus::Recovered,
        "",
        "",
    )
    .await
    .unwrap();
    version += 1;
    // Closing: lessons, no open task, a lead.
    match incidents::transition(
        &mut w,
        manage,
        incident,
        version,
        IncidentStatus::Closed,
        "",
        "",
    )
    .await
    {
        Err(StoreError::Invalid(e)) => {
            let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
            assert_eq!(fields, ["lessons", "tasks", "roles.lead"]);
        }
        other => panic!("{other:?}"),
    }
    incidents::set_task_status(&mut w, manage, incident, task, TaskStatus::Done)
        .await
        .unwrap();
    incidents::set_role(&mut w, manage, incident, IncidentRole::Lead, Some(p.ciso_a))
        .await
        .unwrap();
    let version = version + 2;
    let stale = incidents::transition(
        &mut w,
        manage,
        incident,
        version - 1,
        IncidentStatus::Closed,
        "Former",
        "",
    )
    .await;
    assert!(matches!(stale, Err(StoreError::Stale)));
    incidents::transition(
        &mut w,
        manage,
        incident,
        version,
        IncidentStatus::Closed,
        "Former le personnel à reconnaître l'hameçonnage",
        "",
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    let closed = incidents::get(&store, manage, incident).await.unwrap();
    assert_eq!(closed.status, "closed");
    assert!(closed.lessons.starts_with("Former"));
    let kinds: Vec<String> = incidents::timeline(&store, incident, 0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "status").count(),
        4,
        "{kinds:?}"
    );
    // Body B's coordinator does not see it, nor may change it.
    let other = Scope::new(p.coordinator_b, Permission::IncidentManage);
    assert!(matches!(
        incidents::get(&store, other, incident).await,
        Err(StoreError::NotFound)
    ));
    // The task's deadline is settled.
    let d = deadlines::of(&store, deadlines::Subject::IncidentTask(task))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.state, "met");
}

// REQ GMVI-03
#[tokio::test]
async fn each_default_rule_tells_its_recipients() {
    let store = fresh_store().await.unwrap();
    let net = network(&store).await;
    let p = people(&store, &net).await;
    // Low: the CSIO only.
    let low = open_incident(&store, p.coordinator_a, net.body_a, "low").await;
    assert_eq!(recipients(&store, low).await, ["ciso"]);
    // High: CSIO, then CDSI and the operational centre.
    let high = open_incident(&store, p.coordinator_a, net.body_a, "high").await;
    assert_eq!(
        recipients(&store, high).await,
        ["ciso", "delegated_ciso", "operational_centre"]
    );
    // Critical: the government CISO too (the centre's share is shown by the rules).
    let critical = open_incident(&store, p.coordinator_a, net.unit_a, "critical").await;
    assert_eq!(
        recipients(&store, critical).await,
        [
            "ciso",
            "delegated_ciso",
            "operational_centre",
            "government_ciso"
        ]
    );
    // Personal information: the privacy officer, within a day.
    let mut input = incident_input("low");
    input.personal_info = true;
    let mut w = store.write(ctx(p.coordinator_a)).await.unwrap();
    let personal = incidents::open(
        &mut w,
        &notifier(),
        Scope::new(p.coordinator_a, Permission::IncidentManage),
        net.body_a,
        &input,
        rempart_storage::now_micros(),
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    assert_eq!(
        recipients(&store, personal).await,
        ["ciso", "privacy_officer"]
    );
    let due: Vec<i64> = notices::of_incident(&store, personal)
        .await
        .unwrap()
        .iter()
        .map(|n| (n.due_at - n.created_at) / HOUR)
        .collect();
    assert_eq!(due, [24, 24]);

    // Each person was told in their inbox, with an e-mail queued.
    let ciso_inbox = inbox::list(&store, p.ciso_a, false, 50).await.unwrap();
    assert_eq!(ciso_inbox.iter().filter(|n| n.awaiting_ack).count(), 4);
    assert!(ciso_inbox
        .iter()
        .all(|n| n.email_status.as_deref() == Some("queued")));
    assert_eq!(
        inbox::list(&store, p.privacy_a, false, 50)
            .await
            .unwrap()
            .len(),
        1
    );

    // The centre sees the incidents escalated to it, not the others; body B sees none.
    let centre = Scope::new(p.centre_lead, Permission::IncidentRead);
    let seen: Vec<i64> = incidents::list(&store, centre, None, 50)
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(seen.len(), 2);
    assert!(seen.contains(&high) && seen.contains(&critical));
    let gov: Vec<i64> = incidents::list(
        &store,
        Scope::new(p.government_ciso, Permission::IncidentRead),
        None,
        50,
    )
    .await
    .unwrap()
    .iter()
    .map(|i| i.id)
    .collect();
    assert!(gov.contains(&critical) && !gov.contains(&low));
    assert!(incidents::list(
        &store,
        Scope::new(p.coordinator_b, Permission::IncidentRead),
        None,
        50
    )
    .await
    .unwrap()
    .is_empty());

    // Raising the severity later sends only the notices not yet sent.
    let manage = Scope::new(p.coordinator_a, Permission::IncidentManage);
    let mut w = store.write(ctx(p.coordinator_a)).await.unwrap();
    incidents::update(
        &mut w,
        &notifier(),
        manage,
        low,
        1,
        &incident_input("critical"),
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    assert_eq!(
        recipients(&store, low).await,
        [
            "ciso",
            "delegated_ciso",
            "operational_centre",
            "government_ciso"
        ]
    );
}

// REQ GMVI-03
#[tokio::test]
async fn rules_are_data_per_organization_and_vacant_seats_pass_up() {
    let store = fresh_store().await.unwrap();
    let net = network(&store).await;
    let p = people(&store, &net).await;
    let rules = vec![
        Rule {
            name: "Rançongiciel".into(),
            when: Condition {
                categories: vec!["ransomware".into()],
                ..Condition::default()
            },
            notify: vec![Recipient::GovernmentCiso],
            ack_hours: 1,
        },
        Rule {
            name: "Tout".into(),
            when: Condition {
                min_severity: Some(Severity::Low),
                ..Condition::default()
            },
            notify: vec![Recipient::PrivacyOfficer],
            ack_hours: 8,
        },
    ];
    let mut w = store.write(ctx(p.ciso_a)).await.unwrap();
    // Faulty rules are refused with the field named; a body B officer cannot set A's.
    let bad = notices::set_rules(
        &mut w,
        Scope::new(p.ciso_a, Permission::EscalationManage),
        net.body_a,
        &[Rule {
            name: "".into(),
            when: Condition::default(),
            notify: vec![],
            ack_hours: 0,
        }],
    )
    .await;
    match bad {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0.len(), 3),
        other => panic!("{other:?}"),
    }
    notices::set_rules(
        &mut w,
        Scope::new(p.ciso_a, Permission::EscalationManage),
        net.body_a,
        &rules,
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    let (read, from) = notices::rules(
        &store,
        Scope::new(p.ciso_a, Permission::EscalationManage),
        net.unit_a,
    )
    .await
    .unwrap();
    assert_eq!((read, from), (rules.clone(), Some(net.body_a)));

    let mut input = incident_input("low");
    input.category = "ransomware".into();
    let mut w = store.write(ctx(p.coordinator_a)).await.unwrap();
    let id = incidents::open(
        &mut w,
        &notifier(),
        Scope::new(p.coordinator_a, Permission::IncidentManage),
        net.body_a,
        &input,
        rempart_storage::now_micros(),
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    assert_eq!(
        recipients(&store, id).await,
        ["government_ciso", "privacy_officer"]
    );

    // Body B has the defaults, and no CSIO: its notice goes to the next level that is held
    // (no CDSI either: the operational centre).
    let b = open_incident(&store, p.coordinator_b, net.body_b, "low").await;
    let n = notices::of_incident(&store, b).await.unwrap();
    assert_eq!(
        n.iter().map(|x| x.recipient.as_str()).collect::<Vec<_>>(),
        ["operational_centre"]
    );
    let entry = incidents::timeline(&store, b, 0, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.kind == "escalation")
        .unwrap();
    assert!(
        entry
            .body
            .contains("\"vacant\":[\"ciso\",\"delegated_ciso\"]"),
        "{}",
        entry.body
    );
}

// REQ GMVI-03, PLAT-11
#[tokio::test]
async fn an_unacknowledged_notice_goes_one_level_up() {
    let store = fresh_store().await.unwrap();
    let net = network(&store).await;
    let p = people(&store, &net).await;
    let incident = open_incident(&store, p.coordinator_a, net.body_a, "low").await;
    let first = notices::of_incident(&store, incident)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        (
            first.recipient.as_str(),
            (first.due_at - first.created_at) / HOUR
        ),
        ("ciso", 24)
    );
    let start = first.created_at;

    // Nothing before the warning (six hours before a 24-hour deadline).
    let none = deadlines::pass(&store, &notifier(), start + 17 * HOUR, 100)
        .await
        .unwrap();
    assert_eq!((none.warned, none.escalated), (0, 0));
    let warned = deadlines::pass(&store, &notifier(), start + 19 * HOUR, 100)
        .await
        .unwrap();
    assert_eq!((warned.warned, warned.escalated), (1, 0));
    assert!(inbox::list(&store, p.ciso_a, false, 10)
        .await
        .unwrap()
        .iter()
        .any(|n| n.kind == "notice-reminder"));
    // Passed again: nothing twice.
    assert_eq!(
        deadlines::pass(&store, &notifier(), start + 20 * HOUR, 100)
            .await
            .unwrap()
            .warned,
        0
    );

    let up = deadlines::pass(&store, &notifier(), start + 25 * HOUR, 100)
        .await
        .unwrap();
    assert_eq!(up.escalated, 1);
    let all = notices::of_incident(&store, incident).await.unwrap();
    assert_eq!(
        all.iter().map(|n| n.recipient.as_str()).collect::<Vec<_>>(),
        ["ciso", "delegated_ciso"]
    );
    assert!(all[0].escalated_at.is_some());
    assert_eq!(all[1].escalated_from, Some(first.id));
    // The CDSI sees it awaiting acknowledgement; the CSIO may still acknowledge late.
    let waiting = notices::for_person(&store, p.delegated_a, false, start)
        .await
        .unwrap();
    assert_eq!(waiting.len(), 1);
    // Someone without the seat cannot acknowledge.
    let mut w = store.write(ctx(p.coordinator_a)).await.unwrap();
    assert!(matches!(
        notices::acknowledge(&mut w, p.coordinator_a, all[1].id).await,
        Err(StoreError::NotFound)
    ));
    notices::acknowledge(&mut w, p.delegated_a, all[1].id)
        .await
        .unwrap();
    w.commit().await.unwrap();
    // Acknowledged: its deadline is met and nothing more goes up.
    let later = deadlines::pass(&store, &notifier(), start + 60 * HOUR, 100)
        .await
        .unwrap();
    assert_eq!(later.escalated, 0);
    assert_eq!(
        notices::of_incident(&store, incident).await.unwrap().len(),
        2
    );
    let timeline = incidents::timeline(&store, incident, 0, 50).await.unwrap();
    assert!(timeline
        .iter()
        .any(|e| e.body.contains("\"event\":\"ack\"")));
}

// REQ PLAT-11
#[tokio::test]
async fn side_by_side_passes_take_each_step_once() {
    let store = fresh_store().await.unwrap();
    let net = network(&store).await;
    let p = people(&store, &net).await;
    let mut ids = Vec::new();
    for _ in 0..20 {
        ids.push(open_incident(&store, p.coordinator_a, net.body_a, "low").await);
    }
    let at = rempart_storage::now_micros() + 30 * HOUR;
    let (n1, n2) = (notifier(), notifier());
    let (a, b) = tokio::join!(
        deadlines::pass(&store, &n1, at, 3),
        deadlines::pass(&store, &n2, at, 3)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.escalated + b.escalated, 20, "{a:?} {b:?}");
    for id in ids {
        assert_eq!(recipients(&store, id).await, ["ciso", "delegated_ciso"]);
    }
}

// REQ GMVI-08
#[tokio::test]
async fn the_alert_board_and_overdue_bodies() {
    let store = fresh_store().await.unwrap();
    let net = network(&store).await;
    let p = people(&store, &net).await;
    let due = today().succ_opt().unwrap();
    let input = AlertInput {
        kind: AlertKind::Measure,
        title: "Appliquer le correctif du pare-feu".into(),
        description: String::new(),
        severity: Severity::High,
        due_on: Some(due),
        due_rule: String::new(),
    };
    let lead = Scope::new(p.centre_lead, Permission::AlertIssue);
    let mut w = store.write(ctx(p.centre_lead)).await.unwrap();
    // A body is no issuer; a body outside the subtree is no target.
    assert!(alerts::issue(
        &mut w,
        &notifier(),
        Scope::new(p.ciso_a, Permission::AlertIssue),
        net.body_a,
        &input,
        &Targets::Subtree
    )
    .await
    .is_err());
    assert!(matches!(
        alerts::issue(
            &mut w,
            &notifier(),
            lead,
            net.centre,
            &input,
            &Targets::Chosen(vec![net.root])
        )
        .await,
        Err(StoreError::Invalid(_))
    ));
    let id = alerts::issue(
        &mut w,
        &notifier(),
        lead,
        net.centre,
        &input,
        &Targets::Subtree,
    )
    .await
    .unwrap();
    w.commit().await.unwrap();

    // Each body's responders were told.
    for who in [p.coordinator_a, p.ciso_a, p.delegated_a, p.coordinator_b] {
        assert!(
            inbox::list(&store, who, false, 10)
                .await
                .unwrap()
                .iter()
                .any(|n| n.kind == "measure-issued"),
            "{who}"
        );
    }
    // Body A acknowledges then applies; body B's coordinator cannot answer for A.
    let respond_b = Scope::new(p.coordinator_b, Permission::AlertRespond);
    let mut w = store.write(ctx(p.coordinator_b)).await.unwrap();
    assert!(matches!(
        alerts::respond(
            &mut w,
            respond_b,
            id,
            net.body_a,
            TargetStatus::Acknowledged,
            ""
        )
        .await,
        Err(StoreError::NotFound)
    ));
    drop(w);
    let respond_a = Scope::new(p.coordinator_a, Permission::AlertRespond);
    let mut w = store.write(ctx(p.coordinator_a)).await.unwrap();
    alerts::respond(
        &mut w,
        respond_a,
        id,
        net.body_a,
        TargetStatus::Acknowledged,
        "",
    )
    .await
    .unwrap();
    assert!(matches!(
        alerts::respond(
            &mut w,
            respond_a,
            id,
            net.body_a,
            TargetStatus::Applied,
            " "
        )
        .await,
        Err(StoreError::Invalid(_))
    ));
    alerts::respond(
        &mut w,
        respond_a,
        id,
        net.body_a,
        TargetStatus::Applied,
        "Correctif 7.4.2 installé le jour même",
    )
    .await
    .unwrap();
    w.commit().await.unwrap();

    let board = alerts::board(
        &store,
        Scope::new(p.centre_lead, Permission::AlertRead),
        id,
        today(),
    )
    .await
    .unwrap();
    assert_eq!(
        (
            board.total.targets,
            board.total.settled,
            board.total.overdue
        ),
        (2, 1, 0)
    );
    assert_eq!(board.centres.len(), 1);
    assert_eq!(board.centres[0].1, "COCD Capitale");
    // A body sees the alert and only its own row.
    let own = alerts::board(
        &store,
        Scope::new(p.coordinator_b, Permission::AlertRead),
        id,
        today(),
    )
    .await
    .unwrap();
    assert_eq!(
        own.bodies.iter().map(|b| b.org_id).collect::<Vec<_>>(),
        [net.body_b]
    );
    // After the deadline, body B is late: escalated to its CDSI (none: the centre) and the
    // issuer told; body A, done, is not.
    let after = incidents::end_of_day(due) + HOUR;
    let pass = deadlines::pass(&store, &notifier(), after, 100)
        .await
        .unwrap();
    assert_eq!(pass.escalated, 1);
    let board = alerts::board(
        &store,
        Scope::new(p.centre_lead, Permission::AlertRead),
        id,
        due.succ_opt().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!((board.total.settled, board.total.overdue), (1, 1));
    let late = board
        .bodies
        .iter()
        .find(|b| b.org_id == net.body_b)
        .unwrap();
    assert!(late.overdue && late.escalated_at.is_some());
    assert!(inbox::list(&store, p.centre_lead, false, 20)
        .await
        .unwrap()
        .iter()
        .any(|n| n.kind == "alert-body-overdue"));
}

/// An asset of `org` written directly, classified `(a, i, c)` when given.
async fn asset(
    store: &Store,
    org: i64,
    holder: i64,
    name: &str,
    class: Option<(i64, i64, i64)>,
) -> i64 {
    let now = rempart_storage::now_micros();
    let (a, i, c) = match class {
        Some((a, i, c)) => (a.to_string(), i.to_string(), c.to_string()),
        None => ("NULL".into(), "NULL".into(), "NULL".into()),
    };
    sqlx::query_scalar(&format!(
        "INSERT INTO assets (org_id, kind, name, description, holder_id, hosting, \
         hosting_provider, hosting_locations, outside_quebec, personal_info, sensitive_info, \
         end_of_support, retention_rule, availability, integrity, confidentiality, classified_on, \
         review_due, archived_at, created_at, updated_at, version) VALUES ($1, 'information_system', \
         $2, '', $3, 'own_data_centre', '', '', 0, 0, 0, NULL, '', {a}, {i}, {c}, NULL, NULL, NULL, \
         $4, $4, 1) RETURNING id"
    ))
    .bind(org)
    .bind(name)
    .bind(holder)
    .bind(now)
    .fetch_one(store.pool())
    .await
    .unwrap()
}

// REQ GMVI-03
#[tokio::test]
async fn the_top_classification_and_several_bodies_rules() {
    let store = fresh_store().await.unwrap();
    let net = network(&store).await;
    let p = people(&store, &net).await;
    let holder_b = person_with(&store, "detenteur.b@test.qc.ca", net.body_b, "Holder").await;
    let top = asset(
        &store,
        net.unit_a,
        p.ciso_a,
        "Dossiers fiscaux",
        Some((1, 2, 3)),
    )
    .await;
    let middle = asset(&store, net.unit_a, p.ciso_a, "Intranet", Some((2, 2, 2))).await;
    let of_b = asset(&store, net.body_b, holder_b, "Portail de l'agence", None).await;
    let impact = AssetImpact {
        availability: Impact::Low,
        integrity: Impact::None,
        confidentiality: Impact::None,
    };
    let manage = Scope::new(p.coordinator_a, Permission::IncidentManage);

    // An asset below the top: nothing more than the CSIO.
    let id = open_incident(&store, p.coordinator_a, net.body_a, "low").await;
    let mut w = store.write(ctx(p.coordinator_a)).await.unwrap();
    incidents::set_asset(&mut w, &notifier(), manage, id, middle, impact)
        .await
        .unwrap();
    w.commit().await.unwrap();
    assert_eq!(recipients(&store, id).await, ["ciso"]);
    // An asset at the top of the scale: the CDSI within four hours.
    let mut w = store.write(ctx(p.coordinator_a)).await.unwrap();
    incidents::set_asset(&mut w, &notifier(), manage, id, top, impact)
        .await
        .unwrap();
    w.commit().await.unwrap();
    let n = notices::of_incident(&store, id).await.unwrap();
    assert_eq!(
        n.iter().map(|x| x.recipient.as_str()).collect::<Vec<_>>(),
        ["ciso", "delegated_ciso"]
    );
    assert_eq!((n[1].due_at - n[1].created_at) / HOUR, 4);
    assert!(n[1].rules.contains("plus haut niveau"));

    // Body A's coordinator cannot attach body B's asset; the incident touching two bodies
    // (attached by the centre, which sees both) calls the centre and the government CISO.
    let mut w = store.write(ctx(p.coordinator_a)).await.unwrap();
    let refused = incidents::set_asset(&mut w, &notifier(), manage, id, of_b, impact).await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
    drop(w);
    let mut w = store.write(ctx(p.coordinator_a)).await.unwrap();
    incidents::set_asset(
        &mut w,
        &notifier(),
        Scope::LocalAdministrator,
        id,
        of_b,
        impact,
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    assert_eq!(
        recipients(&store, id).await,
        [
            "ciso",
            "delegated_ciso",
            "operational_centre",
            "government_ciso"
        ]
    );
    let n = notices::of_incident(&store, id).await.unwrap();
    assert!(n[2].rules.contains("Plusieurs organismes"));
}

// REQ PLAT-11, GMVI-08
#[tokio::test]
async fn a_measure_in_working_days_skips_christmas_and_is_watched_to_its_day() {
    use rempart_domain::alert::{AlertDraft, DueDraft};
    use rempart_domain::calendar::{DayCount, Delay, HolidayCalendar};
    let store = fresh_store().await.unwrap();
    let net = network(&store).await;
    let p = people(&store, &net).await;
    // Issued Wednesday 23 December 2026, three working days: Thursday 24, then (Christmas on
    // Friday, the weekend) Monday 28 and Tuesday 29. With the public service's days off added
    // (26 December, 2 January), the same.
    let issued = NaiveDate::from_ymd_opt(2026, 12, 23).unwrap();
    let draft = AlertDraft {
        kind: "measure".into(),
        title: "Désactiver le protocole vulnérable".into(),
        description: String::new(),
        severity: "high".into(),
        due: DueDraft::In(Delay {
            days: 3,
            count: DayCount::Working,
        }),
    };
    let input = draft.check(issued, &HolidayCalendar::default()).unwrap();
    assert_eq!(input.due_on, NaiveDate::from_ymd_opt(2026, 12, 29));
    // Over New Year with 2 January off: Wednesday 30 December + 3 working days → 31, (1 and 2
    // January off, the weekend), Monday 4, Tuesday 5.
    let public_service = HolidayCalendar {
        yearly: vec![(12, 26), (1, 2)],
        ..HolidayCalendar::default()
    };
    let new_year = draft
        .check(
            NaiveDate::from_ymd_opt(2026, 12, 30).unwrap(),
            &public_service,
        )
        .unwrap();
    assert_eq!(new_year.due_on, NaiveDate::from_ymd_opt(2027, 1, 5));

    let mut w = store.write(ctx(p.centre_lead)).await.unwrap();
    let id = alerts::issue(
        &mut w,
        &notifier(),
        Scope::new(p.centre_lead, Permission::AlertIssue),
        net.centre,
        &input,
        &Targets::Subtree,
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    let alert = alerts::get(&store, Scope::new(p.centre_lead, Permission::AlertRead), id)
        .await
        .unwrap();
    assert_eq!(alert.due_on.as_deref(), Some("2026-12-29"));
    assert!(alert.due_rule.contains("3 jours ouvrables"));
    let board = alerts::board(
        &store,
        Scope::new(p.centre_lead, Permission::AlertRead),
        id,
        issued,
    )
    .await
    .unwrap();
    let target = board.bodies[0].id;
    let d = deadlines::of(&store, deadlines::Subject::AlertTarget(target))
        .await
        .unwrap()
        .unwrap();
    // Late from midnight at the end of 29 December, Québec time (UTC−5 in winter).
    let end = chrono::DateTime::from_timestamp_micros(d.due_at).unwrap();
    assert_eq!(end.to_rfc3339(), "2026-12-30T05:00:00+00:00");
    assert_eq!(d.state, "open");
}

// REQ GMVI-08, PLAT-11
#[tokio::test]
async fn a_withdrawn_alert_and_a_closed_incident_stop_their_deadlines() {
    let store = fresh_store().await.unwrap();
    let net = network(&store).await;
    let p = people(&store, &net).await;
    let input = AlertInput {
        kind: AlertKind::Measure,
        title: "Mesure retirée".into(),
        description: String::new(),
        severity: Severity::Low,
        due_on: Some(today()),
        due_rule: String::new(),
    };
    let lead = Scope::new(p.centre_lead, Permission::AlertIssue);
    let mut w = store.write(ctx(p.centre_lead)).await.unwrap();
    let id = alerts::issue(
        &mut w,
        &notifier(),
        lead,
        net.centre,
        &input,
        &Targets::Subtree,
    )
    .await
    .unwrap();
    // Body A's coordinator may not withdraw it.
    assert!(matches!(
        alerts::withdraw(
            &mut w,
            Scope::new(p.coordinator_a, Permission::AlertIssue),
            id
        )
        .await,
        Err(StoreError::NotFound)
    ));
    alerts::withdraw(&mut w, lead, id).await.unwrap();
    assert!(matches!(
        alerts::withdraw(&mut w, lead, id).await,
        Err(StoreError::Invalid(_))
    ));
    w.commit().await.unwrap();
    let later = incidents::end_of_day(today()) + 48 * HOUR;
    assert_eq!(
        deadlines::pass(&store, &notifier(), later, 100)
            .await
            .unwrap()
            .escalated,
        0
    );
    let mut w = store.write(ctx(p.coordinator_a)).await.unwrap();
    let answer = alerts::respond(
        &mut w,
        Scope::new(p.coordinator_a, Permission::AlertRespond),
        id,
        net.body_a,
        TargetStatus::Acknowledged,
        "",
    )
    .await;
    assert!(matches!(answer, Err(StoreError::NotFound)), "{answer:?}");
    drop(w);
    let alert = alerts::get(&store, Scope::new(p.centre_lead, Permission::AlertRead), id)
        .await
        .unwrap();
    assert!(alert.withdrawn_at.is_some());

    // An incident closed before its notices were acknowledged escalates no further.
    let incident = open_incident(&store, p.coordinator_a, net.body_a, "high").await;
    let manage = Scope::new(p.coordinator_a, Permission::IncidentManage);
    let mut w = store.write(ctx(p.coordinator_a)).await.unwrap();
    incidents::set_role(&mut w, manage, incident, IncidentRole::Lead, Some(p.ciso_a))
        .await
        .unwrap();
    incidents::transition(
        &mut w,
        manage,
        incident,
        2,
        IncidentStatus::Recovered,
        "",
        "",
    )
    .await
    .unwrap();
    incidents::transition(
        &mut w,
        manage,
        incident,
        3,
        IncidentStatus::Closed,
        "Faux positif confirmé",
        "",
    )
    .await
    .unwrap();
    w.commit().await.unwrap();
    let pass = deadlines::pass(
        &store,
        &notifier(),
        rempart_storage::now_micros() + 48 * HOUR,
        100,
    )
    .await
    .unwrap();
    assert_eq!(pass.escalated, 0);
    assert!(notices::of_incident(&store, incident)
        .await
        .unwrap()
        .iter()
        .all(|n| n.escalated_at.is_none()));
}
