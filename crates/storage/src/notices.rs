//! Escalation (GMVI-03): the rules of an organization (its own or its nearest ancestor's, else
//! the defaults), the notices an incident calls for, who receives them, their acknowledgement,
//! and a notice not acknowledged in time sent one level up. The domain decides who is told
//! (`escalation::notices`) and what the next level is; this module finds the people.

use rempart_domain::authz::Permission;
use rempart_domain::escalation::{self, EventFacts, Notice, Recipient, Rule};
use rempart_domain::org::OrgKind;
use rempart_domain::role::Role;
use rempart_domain::watch::{Step, WatchState, HOUR};
use sqlx::{AnyConnection, Row};

use crate::deadlines::{self, Subject};
use crate::error::{Result, StoreError};
use crate::inbox::{self, Message, Notifier};
use crate::scope::Scope;
use crate::store::Store;
use crate::write::{Change, WriteTx};

/// The rules that apply to `org_id`, with the organization they come from (`None`: defaults).
pub async fn rules_for(conn: &mut AnyConnection, org_id: i64) -> Result<(Vec<Rule>, Option<i64>)> {
    let row = sqlx::query(
        "SELECT r.org_id, r.rules_json FROM org_closure c \
         JOIN escalation_rules r ON r.org_id = c.ancestor_id \
         WHERE c.descendant_id = $1 ORDER BY c.depth LIMIT 1",
    )
    .bind(org_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok((escalation::default_rules(), None));
    };
    let json: String = row.try_get("rules_json")?;
    // Stored rules were checked when set; rules that no longer read fall back to the defaults
    // rather than silence every escalation.
    let rules = serde_json::from_str(&json).unwrap_or_else(|_| escalation::default_rules());
    Ok((rules, Some(row.try_get("org_id")?)))
}

/// The rules of an organization the reader may see incidents or rules of.
pub async fn rules(store: &Store, scope: Scope, org_id: i64) -> Result<(Vec<Rule>, Option<i64>)> {
    let mut conn = store.pool.acquire().await?;
    let n: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM organizations o WHERE o.id = $1 AND {}",
        scope.condition("o.id")
    ))
    .bind(org_id)
    .fetch_one(&mut *conn)
    .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    rules_for(&mut conn, org_id).await
}

/// Sets the rules of `org_id` (and of those below without their own); audited.
pub async fn set_rules(wtx: &mut WriteTx, scope: Scope, org_id: i64, rules: &[Rule]) -> Result<()> {
    escalation::check_rules(rules)?;
    let manage = match scope {
        Scope::Person { person_id, .. } => Scope::new(person_id, Permission::EscalationManage),
        other => other,
    };
    let n: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM organizations o WHERE o.id = $1 AND o.archived_at IS NULL AND {}",
        manage.condition("o.id")
    ))
    .bind(org_id)
    .fetch_one(wtx.conn())
    .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    let (before, from) = rules_for(wtx.conn(), org_id).await?;
    let json = serde_json::to_string(rules).map_err(|e| StoreError::Io(e.into()))?;
    sqlx::query("DELETE FROM escalation_rules WHERE org_id = $1")
        .bind(org_id)
        .execute(wtx.conn())
        .await?;
    sqlx::query(
        "INSERT INTO escalation_rules (org_id, rules_json, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(org_id)
    .bind(&json)
    .bind(wtx.now())
    .bind(wtx.ctx.actor_id)
    .execute(wtx.conn())
    .await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "escalation.rules_set",
        entity_type: "organization",
        entity_id: org_id.to_string(),
        before: Some(serde_json::json!({ "rules": before, "inherited_from": from })),
        after: Some(serde_json::json!({ "rules": rules })),
    })
    .await?;
    Ok(())
}

/// Where a recipient sits: the kind of organization above the body and the role held there.
fn seat(recipient: Recipient) -> (OrgKind, Role) {
    match recipient {
        Recipient::Ciso => (OrgKind::PublicBody, Role::Ciso),
        Recipient::DelegatedCiso => (OrgKind::PublicBody, Role::DelegatedCiso),
        Recipient::PrivacyOfficer => (OrgKind::PublicBody, Role::PrivacyOfficer),
        Recipient::OperationalCentre => (OrgKind::OperationalCentre, Role::CyberdefenceLead),
        Recipient::GovernmentCiso => (OrgKind::GovernmentCentre, Role::GovernmentCiso),
    }
}

pub fn recipient_str(recipient: Recipient) -> &'static str {
    match recipient {
        Recipient::Ciso => "ciso",
        Recipient::DelegatedCiso => "delegated_ciso",
        Recipient::PrivacyOfficer => "privacy_officer",
        Recipient::OperationalCentre => "operational_centre",
        Recipient::GovernmentCiso => "government_ciso",
    }
}

pub fn parse_recipient(raw: &str) -> Option<Recipient> {
    [
        Recipient::Ciso,
        Recipient::DelegatedCiso,
        Recipient::PrivacyOfficer,
        Recipient::OperationalCentre,
        Recipient::GovernmentCiso,
    ]
    .into_iter()
    .find(|r| recipient_str(*r) == raw)
}

/// The organization of `kind` nearest above `org_id` (itself included).
pub async fn nearest(conn: &mut AnyConnection, org_id: i64, kind: OrgKind) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT c.ancestor_id FROM org_closure c JOIN organizations o ON o.id = c.ancestor_id \
         WHERE c.descendant_id = $1 AND o.kind = $2 AND o.archived_at IS NULL \
         ORDER BY c.depth LIMIT 1",
    )
    .bind(org_id)
    .bind(kind.as_str())
    .fetch_optional(&mut *conn)
    .await?)
}

/// The active people holding `role` on `org_id`.
pub async fn holders(conn: &mut AnyConnection, org_id: i64, role: Role) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT g.person_id FROM role_grants g JOIN persons p ON p.id = g.person_id \
         WHERE g.org_id = $1 AND g.role = $2 AND p.disabled_at IS NULL ORDER BY g.person_id",
    )
    .bind(org_id)
    .bind(role.as_str())
    .fetch_all(&mut *conn)
    .await?)
}

/// The seat a notice for `recipient` about an event in `org_id` reaches: the recipient itself
/// when someone holds it, else the next level up (a vacant seat never swallows a notice).
/// The levels passed over are returned too.
async fn reach(
    conn: &mut AnyConnection,
    org_id: i64,
    recipient: Recipient,
) -> Result<Option<(Recipient, i64, Vec<i64>, Vec<Recipient>)>> {
    let mut level = Some(recipient);
    let mut vacant = Vec::new();
    while let Some(r) = level {
        let (kind, role) = seat(r);
        if let Some(org) = nearest(conn, org_id, kind).await? {
            let people = holders(conn, org, role).await?;
            if !people.is_empty() {
                return Ok(Some((r, org, people, vacant)));
            }
        }
        vacant.push(r);
        level = r.next_level();
    }
    Ok(None)
}

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About {
    Incident(i64),
    AlertTarget(i64),
}

impl About {
    fn parts(self) -> (&'static str, i64) {
        match self {
            About::Incident(id) => ("incident", id),
            About::AlertTarget(id) => ("alert_target", id),
        }
    }

    fn from_parts(kind: &str, id: i64) -> Option<About> {
        match kind {
            "incident" => Some(About::Incident(id)),
            "alert_target" => Some(About::AlertTarget(id)),
            _ => None,
        }
    }
}

/// Texts a notice's message carries about its subject.
#[derive(Debug, Clone)]
pub struct Topic {
    pub kind: &'static str,
    pub reference: String,
    pub title: String,
    pub link: String,
}

async fn topic(conn: &mut AnyConnection, about: About) -> Result<Topic> {
    match about {
        About::Incident(id) => {
            let r = sqlx::query("SELECT reference, title FROM incidents WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
            Ok(Topic {
                kind: "notice-incident",
                reference: r.try_get("reference")?,
                title: r.try_get("title")?,
                link: format!("/incidents/{id}"),
            })
        }
        About::AlertTarget(id) => {
            let r = sqlx::query(
                "SELECT a.id, a.reference, a.title FROM alert_targets t \
                 JOIN alerts a ON a.id = t.alert_id WHERE t.id = $1",
            )
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
            Ok(Topic {
                kind: "notice-alert-overdue",
                reference: r.try_get("reference")?,
                title: r.try_get("title")?,
                link: format!("/alerts/{}", r.try_get::<i64, _>("id")?),
            })
        }
    }
}

/// Sends the notices `wanted` about `about` (an event in `org_id`): one per seat reached, none
/// to a seat that already has one open or acknowledged for this subject. Each notice is
/// watched until acknowledged; the people of its seat are notified; a centre brought in sees
/// the incident from then on. The ids of the notices created.
pub async fn send(
    wtx: &mut WriteTx,
    notifier: &Notifier<'_>,
    about: About,
    org_id: i64,
    wanted: &[Notice],
    escalated_from: Option<i64>,
) -> Result<Vec<i64>> {
    let (kind, subject_id) = about.parts();
    let topic = topic(wtx.conn(), about).await?;
    let mut created = Vec::new();
    for notice in wanted {
        let Some((recipient, target_org, people, vacant)) =
            reach(wtx.conn(), org_id, notice.recipient).await?
        else {
            continue;
        };
        let existing: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM notices WHERE subject_type = $1 AND subject_id = $2 \
             AND recipient = $3 AND target_org_id = $4 AND escalated_at IS NULL",
        )
        .bind(kind)
        .bind(subject_id)
        .bind(recipient_str(recipient))
        .bind(target_org)
        .fetch_one(wtx.conn())
        .await?;
        if existing > 0 {
            continue;
        }
        let now = wtx.now();
        let due_at = now + i64::from(notice.ack_hours) * HOUR;
        let rules = notice.rules.join(" ; ");
        let id: i64 = sqlx::query(
            "INSERT INTO notices (subject_type, subject_id, org_id, recipient, target_org_id, \
             rules, created_at, due_at, escalated_from) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(kind)
        .bind(subject_id)
        .bind(org_id)
        .bind(recipient_str(recipient))
        .bind(target_org)
        .bind(&rules)
        .bind(now)
        .bind(due_at)
        .bind(escalated_from)
        .fetch_one(wtx.conn())
        .await?
        .try_get("id")?;
        deadlines::watch(
            wtx,
            Subject::Notice(id),
            org_id,
            due_at,
            &format!("{} h ({rules})", notice.ack_hours),
        )
        .await?;
        if let About::Incident(incident) = about {
            if matches!(
                recipient,
                Recipient::OperationalCentre | Recipient::GovernmentCiso
            ) {
                share(wtx, incident, target_org).await?;
            }
            crate::incidents::system_entry(
                wtx,
                incident,
                "escalation",
                &serde_json::json!({
                    "event": "notice", "recipient": recipient_str(recipient),
                    "org": target_org, "rules": rules, "hours": notice.ack_hours,
                    "vacant": vacant.iter().map(|r| recipient_str(*r)).collect::<Vec<_>>(),
                    "escalated": escalated_from.is_some(),
                })
                .to_string(),
            )
            .await?;
        }
        let message = Message {
            kind: topic.kind,
            args: vec![
                ("reference", topic.reference.clone()),
                ("title", topic.title.clone()),
                ("hours", notice.ack_hours.to_string()),
                ("rules", rules.clone()),
            ],
            link: topic.link.clone(),
        };
        inbox::notify(wtx, notifier, &people, Some(id), &message).await?;
        wtx.audit(Change {
            org_id: Some(org_id),
            action: "notice.send",
            entity_type: "notice",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "subject": kind, "subject_id": subject_id,
                "recipient": recipient_str(recipient), "target_org_id": target_org,
                "rules": notice.rules, "ack_hours": notice.ack_hours,
                "vacant": vacant.iter().map(|r| recipient_str(*r)).collect::<Vec<_>>(),
                "escalated_from": escalated_from,
            })),
        })
        .await?;
        created.push(id);
    }
    Ok(created)
}

async fn share(wtx: &mut WriteTx, incident: i64, org_id: i64) -> Result<()> {
    let exists: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM incident_shares WHERE incident_id = $1 AND org_id = $2",
    )
    .bind(incident)
    .bind(org_id)
    .fetch_one(wtx.conn())
    .await?;
    if exists == 0 {
        sqlx::query("INSERT INTO incident_shares (incident_id, org_id, since) VALUES ($1, $2, $3)")
            .bind(incident)
            .bind(org_id)
            .bind(wtx.now())
            .execute(wtx.conn())
            .await?;
    }
    Ok(())
}

/// The facts of an incident the rules are evaluated on.
pub async fn incident_facts(conn: &mut AnyConnection, incident: i64) -> Result<(i64, EventFacts)> {
    let r = sqlx::query(
        "SELECT org_id, severity, category, personal_info FROM incidents WHERE id = $1",
    )
    .bind(incident)
    .fetch_one(&mut *conn)
    .await?;
    let org_id: i64 = r.try_get("org_id")?;
    let severity: String = r.try_get("severity")?;
    let category: String = r.try_get("category")?;
    let personal_info: bool = crate::incidents::get_bool(&r, "personal_info")?;
    let highest: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(CASE WHEN a.confidentiality >= a.integrity AND a.confidentiality >= \
         a.availability THEN a.confidentiality WHEN a.integrity >= a.availability \
         THEN a.integrity ELSE a.availability END) \
         FROM incident_assets ia JOIN assets a ON a.id = ia.asset_id WHERE ia.incident_id = $1",
    )
    .bind(incident)
    .fetch_one(&mut *conn)
    .await?;
    // Bodies touched: the incident's own and those of its affected assets.
    let mut bodies: Vec<i64> = Vec::new();
    let orgs: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT a.org_id FROM incident_assets ia JOIN assets a ON a.id = ia.asset_id \
         WHERE ia.incident_id = $1",
    )
    .bind(incident)
    .fetch_all(&mut *conn)
    .await?;
    for org in std::iter::once(org_id).chain(orgs) {
        if let Some(body) = nearest(conn, org, OrgKind::PublicBody).await? {
            if !bodies.contains(&body) {
                bodies.push(body);
            }
        }
    }
    let scale_top = scale_top(conn, org_id).await?;
    Ok((
        org_id,
        EventFacts {
            severity: rempart_domain::incident::parse_severity(&severity)
                .unwrap_or(escalation::Severity::Medium),
            category,
            highest_classification: highest.and_then(|h| u8::try_from(h).ok()),
            scale_top,
            personal_info,
            bodies: bodies.len().max(1),
        },
    ))
}

async fn scale_top(conn: &mut AnyConnection, org_id: i64) -> Result<u8> {
    let json: Option<String> = sqlx::query_scalar(
        "SELECT s.levels_json FROM org_closure c \
         JOIN classification_scales s ON s.org_id = c.ancestor_id \
         WHERE c.descendant_id = $1 ORDER BY c.depth LIMIT 1",
    )
    .bind(org_id)
    .fetch_optional(&mut *conn)
    .await?;
    let scale = json
        .and_then(|j| {
            serde_json::from_str::<Vec<rempart_domain::classification::ScaleLevel>>(&j).ok()
        })
        .unwrap_or_else(|| rempart_domain::classification::Scale::default().levels);
    Ok(scale.iter().map(|l| l.value).max().unwrap_or(3))
}

/// Evaluates the rules on the incident as it now stands and sends the notices not yet sent.
pub async fn escalate_incident(
    wtx: &mut WriteTx,
    notifier: &Notifier<'_>,
    incident: i64,
) -> Result<Vec<i64>> {
    let (org_id, facts) = incident_facts(wtx.conn(), incident).await?;
    let (rules, _) = rules_for(wtx.conn(), org_id).await?;
    let wanted = escalation::notices(&rules, &facts);
    send(
        wtx,
        notifier,
        About::Incident(incident),
        org_id,
        &wanted,
        None,
    )
    .await
}

/// A notice as its subject's page and the acknowledgement view show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NoticeRow {
    pub id: i64,
    pub subject_type: String,
    pub subject_id: i64,
    pub recipient: String,
    pub target_org_id: i64,
    pub target_org_name: String,
    pub rules: String,
    pub created_at: i64,
    pub due_at: i64,
    pub acknowledged_at: Option<i64>,
    pub acknowledged_by_name: Option<String>,
    pub escalated_at: Option<i64>,
    pub escalated_from: Option<i64>,
    pub reference: String,
    pub title: String,
}

const NOTICE_COLUMNS: &str = "x.id, x.subject_type, x.subject_id, x.recipient, x.target_org_id, \
     o.name AS target_org_name, x.rules, x.created_at, x.due_at, x.acknowledged_at, \
     p.name AS acknowledged_by_name, x.escalated_at, x.escalated_from, \
     COALESCE(i.reference, a.reference, '') AS reference, COALESCE(i.title, a.title, '') AS title";

const NOTICE_JOINS: &str = "FROM notices x JOIN organizations o ON o.id = x.target_org_id \
     LEFT JOIN persons p ON p.id = x.acknowledged_by \
     LEFT JOIN incidents i ON x.subject_type = 'incident' AND i.id = x.subject_id \
     LEFT JOIN alert_targets t ON x.subject_type = 'alert_target' AND t.id = x.subject_id \
     LEFT JOIN alerts a ON a.id = t.alert_id";

fn notice_row(r: &sqlx::any::AnyRow) -> Result<NoticeRow> {
    Ok(NoticeRow {
        id: r.try_get("id")?,
        subject_type: r.try_get("subject_type")?,
        subject_id: r.try_get("subject_id")?,
        recipient: r.try_get("recipient")?,
        target_org_id: r.try_get("target_org_id")?,
        target_org_name: r.try_get("target_org_name")?,
        rules: r.try_get("rules")?,
        created_at: r.try_get("created_at")?,
        due_at: r.try_get("due_at")?,
        acknowledged_at: r.try_get("acknowledged_at")?,
        acknowledged_by_name: r.try_get("acknowledged_by_name")?,
        escalated_at: r.try_get("escalated_at")?,
        escalated_from: r.try_get("escalated_from")?,
        reference: r.try_get("reference")?,
        title: r.try_get("title")?,
    })
}

/// The notices of an incident (the caller has checked the incident is in scope).
pub async fn of_incident(store: &Store, incident: i64) -> Result<Vec<NoticeRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {NOTICE_COLUMNS} {NOTICE_JOINS} \
         WHERE x.subject_type = 'incident' AND x.subject_id = $1 ORDER BY x.id"
    ))
    .bind(incident)
    .fetch_all(&store.pool)
    .await?;
    rows.iter().map(notice_row).collect()
}

/// SQL true when `person` sits in the seat of notice `x` (holds its role on its organization).
fn seated(person_id: i64) -> String {
    let cases = [
        Recipient::Ciso,
        Recipient::DelegatedCiso,
        Recipient::PrivacyOfficer,
        Recipient::OperationalCentre,
        Recipient::GovernmentCiso,
    ]
    .into_iter()
    .map(|r| {
        format!(
            "(x.recipient = '{}' AND g.role = '{}')",
            recipient_str(r),
            seat(r).1.as_str()
        )
    })
    .collect::<Vec<_>>()
    .join(" OR ");
    format!(
        "EXISTS (SELECT 1 FROM role_grants g WHERE g.person_id = {person_id} \
         AND g.org_id = x.target_org_id AND ({cases}))"
    )
}

/// The notices waiting for `person_id`'s seat to acknowledge, oldest deadline first; with
/// `all`, the acknowledged and escalated ones of the last 90 days too.
pub async fn for_person(
    store: &Store,
    person_id: i64,
    all: bool,
    now: i64,
) -> Result<Vec<NoticeRow>> {
    let filter = if all {
        format!("x.created_at >= {}", now - 90 * 24 * HOUR)
    } else {
        "x.acknowledged_at IS NULL AND x.escalated_at IS NULL".to_owned()
    };
    let rows = sqlx::query(&format!(
        "SELECT {NOTICE_COLUMNS} {NOTICE_JOINS} WHERE {} AND {filter} \
         ORDER BY x.due_at, x.id LIMIT 500",
        seated(person_id)
    ))
    .fetch_all(&store.pool)
    .await?;
    rows.iter().map(notice_row).collect()
}

/// Acknowledges a notice for its seat: only someone holding the seat's role may. A notice
/// already escalated may still be acknowledged (late); its deadline is met either way.
pub async fn acknowledge(wtx: &mut WriteTx, person_id: i64, notice_id: i64) -> Result<()> {
    let row = sqlx::query(&format!(
        "SELECT x.subject_type, x.subject_id, x.org_id, x.recipient, x.acknowledged_at \
         FROM notices x WHERE x.id = $1 AND {}",
        seated(person_id)
    ))
    .bind(notice_id)
    .fetch_optional(wtx.conn())
    .await?
    .ok_or(StoreError::NotFound)?;
    if row.try_get::<Option<i64>, _>("acknowledged_at")?.is_some() {
        return Ok(());
    }
    let kind: String = row.try_get("subject_type")?;
    let subject_id: i64 = row.try_get("subject_id")?;
    let org_id: i64 = row.try_get("org_id")?;
    let recipient: String = row.try_get("recipient")?;
    let now = wtx.now();
    sqlx::query("UPDATE notices SET acknowledged_at = $1, acknowledged_by = $2 WHERE id = $3")
        .bind(now)
        .bind(person_id)
        .bind(notice_id)
        .execute(wtx.conn())
        .await?;
    deadlines::settle(wtx, Subject::Notice(notice_id), WatchState::Met).await?;
    if let Some(About::Incident(incident)) = About::from_parts(&kind, subject_id) {
        crate::incidents::system_entry(
            wtx,
            incident,
            "escalation",
            &serde_json::json!({ "event": "ack", "recipient": recipient }).to_string(),
        )
        .await?;
    }
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "notice.acknowledge",
        entity_type: "notice",
        entity_id: notice_id.to_string(),
        before: None,
        after: Some(serde_json::json!({ "recipient": recipient })),
    })
    .await?;
    Ok(())
}

/// The scheduler's step on a notice's deadline: a reminder before; after, the notice goes to
/// the next level with the same time to acknowledge.
pub(crate) async fn on_deadline(
    wtx: &mut WriteTx,
    notifier: &Notifier<'_>,
    notice_id: i64,
    step: Step,
) -> Result<()> {
    let r = sqlx::query(
        "SELECT subject_type, subject_id, org_id, recipient, target_org_id, rules, created_at, \
         due_at, acknowledged_at, escalated_at FROM notices WHERE id = $1",
    )
    .bind(notice_id)
    .fetch_one(wtx.conn())
    .await?;
    if r.try_get::<Option<i64>, _>("acknowledged_at")?.is_some()
        || r.try_get::<Option<i64>, _>("escalated_at")?.is_some()
    {
        return Ok(());
    }
    let kind: String = r.try_get("subject_type")?;
    let subject_id: i64 = r.try_get("subject_id")?;
    let org_id: i64 = r.try_get("org_id")?;
    let target_org: i64 = r.try_get("target_org_id")?;
    let rules: String = r.try_get("rules")?;
    let Some(recipient) = parse_recipient(&r.try_get::<String, _>("recipient")?) else {
        return Ok(());
    };
    let Some(about) = About::from_parts(&kind, subject_id) else {
        return Ok(());
    };
    let topic = topic(wtx.conn(), about).await?;
    match step {
        Step::Wait => Ok(()),
        Step::Warn => {
            let people = holders(wtx.conn(), target_org, seat(recipient).1).await?;
            let message = Message {
                kind: "notice-reminder",
                args: vec![("reference", topic.reference), ("title", topic.title)],
                link: topic.link,
            };
            inbox::notify(wtx, notifier, &people, Some(notice_id), &message).await?;
            Ok(())
        }
        Step::Escalate => {
            let now = wtx.now();
            sqlx::query("UPDATE notices SET escalated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(notice_id)
                .execute(wtx.conn())
                .await?;
            let span = r.try_get::<i64, _>("due_at")? - r.try_get::<i64, _>("created_at")?;
            let hours = u32::try_from((span / HOUR).max(1)).unwrap_or(escalation::MAX_ACK_HOURS);
            wtx.audit(Change {
                org_id: Some(org_id),
                action: "notice.escalate",
                entity_type: "notice",
                entity_id: notice_id.to_string(),
                before: None,
                after: Some(serde_json::json!({
                    "recipient": recipient_str(recipient),
                    "next": recipient.next_level().map(recipient_str),
                })),
            })
            .await?;
            let Some(next) = recipient.next_level() else {
                if let About::Incident(incident) = about {
                    crate::incidents::system_entry(
                        wtx,
                        incident,
                        "escalation",
                        &serde_json::json!({
                            "event": "unacknowledged", "recipient": recipient_str(recipient),
                        })
                        .to_string(),
                    )
                    .await?;
                }
                return Ok(());
            };
            let wanted = [Notice {
                recipient: next,
                ack_hours: hours,
                rules: vec![format!("{rules} → non accusé à temps")],
            }];
            send(wtx, notifier, about, org_id, &wanted, Some(notice_id)).await?;
            Ok(())
        }
    }
}
