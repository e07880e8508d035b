//! Access requests in the store (PRP-03): recorded by the privacy officer, moved step by step
//! through the domain's `access_request::check_step`, the deadline recomputed from the
//! organization's calendar at each step. Personal information (the requester, the subject)
//! is read only by the privacy officer of the body or the person assigned to the request, and
//! every read of a request is written to the audit trail; the trail itself never holds the
//! requester's name or words, only references, dates and statuses.

use chrono::NaiveDate;
use rempart_domain::access_request::{
    self as rules, AccessRequestStatus, CheckedRequest, DecisionKind, NewRequest, Provision,
    RequestDates, Step, StepError,
};
use rempart_domain::authz::Permission;
use rempart_domain::legal_deadline::{
    deadline_state, review_request, AccessRequestKind, Deadline, DeadlineError, DeadlineSettings,
    DeadlineState, ReviewStart,
};
use rempart_domain::{FieldError, ValidationErrors};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::dates::{parse as date, parse_opt as opt_date, ymd};
use crate::days_off::settings_for;
use crate::error::{Result, StoreError};
use crate::list::{Page, PageRequest};
use crate::scope::Scope;
use crate::write::{AuditContext, Change, WriteTx};
use crate::Store;

fn invalid(field: &str, code: &'static str) -> StoreError {
    StoreError::Invalid(ValidationErrors::single(FieldError::new(field, code)))
}

/// Who may read a request: the privacy officers that reach its organization, and the person
/// assigned to it (who sees that request and no other).
pub(crate) fn read_condition(scope: Scope) -> String {
    read_condition_on(scope, "r.org_id", "r.assignee_id")
}

fn read_condition_on(scope: Scope, org_column: &str, assignee_column: &str) -> String {
    let officers = scope.with(Permission::PrivacyRead).condition(org_column);
    match scope.person_id() {
        Some(person) => format!("({officers} OR {assignee_column} = {person})"),
        None => officers,
    }
}

/// A step's refusal, as the field at fault and a message key without arguments.
fn step_error(e: StepError) -> StoreError {
    let (field, code) = match &e {
        StepError::Extension(DeadlineError::ExtensionTooLate { .. }) => {
            ("notice_on", "error-access-request-extension-late")
        }
        StepError::Extension(DeadlineError::ExtensionBeforeReceipt { .. }) => {
            ("notice_on", "error-access-request-date-order")
        }
        StepError::Extension(DeadlineError::OutOfRange) => {
            ("notice_on", "deadline-error-out-of-range")
        }
        other => other.field(),
    };
    invalid(field, code)
}

/// Records a request received by an organization the caller manages requests for.
pub async fn create(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    org_id: i64,
    input: &NewRequest,
    today: NaiveDate,
    base: &DeadlineSettings,
) -> Result<i64> {
    let mut wtx = store.write(ctx).await?;
    crate::scope::require_org(wtx.conn(), scope, Permission::PrivacyManage, org_id).await?;
    let checked: CheckedRequest =
        rules::check_new(input, today).map_err(|e| StoreError::Invalid(ValidationErrors(e)))?;
    let settings = settings_for(wtx.conn(), org_id, base).await?;
    let due =
        rempart_domain::legal_deadline::access_answer(checked.kind, checked.received_on, &settings)
            .map_err(|_| invalid("received_on", "deadline-error-out-of-range"))?
            .due;
    let now = wtx.now();
    let person = wtx.context().actor_id;
    let row = sqlx::query(
        "INSERT INTO access_requests (org_id, reference, kind, status, requester_name, \
         requester_contact, subject, language, received_on, last_step_on, due_on, \
         recourse_notice, created_by, created_at, updated_at, version) \
         VALUES ($1, $2, $3, 'received', $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $13, 1) \
         RETURNING id",
    )
    .bind(org_id)
    // Unique until the id is known; the reference follows from it.
    .bind(format!("pending-{now}-{org_id}"))
    .bind(checked.kind.as_str())
    .bind(&checked.requester_name)
    .bind(&checked.requester_contact)
    .bind(&checked.subject)
    .bind(checked.language.code())
    .bind(ymd(checked.received_on))
    .bind(ymd(checked.received_on))
    .bind(ymd(due))
    .bind(person)
    .bind(now)
    .bind(now)
    .fetch_one(wtx.conn())
    .await?;
    let id: i64 = row.try_get("id")?;
    let reference = format!("DA-{}-{id:05}", checked.received_on.format("%Y"));
    sqlx::query("UPDATE access_requests SET reference = $2 WHERE id = $1")
        .bind(id)
        .bind(&reference)
        .execute(wtx.conn())
        .await?;
    insert_step(
        &mut wtx,
        id,
        "received",
        checked.received_on,
        json!({}),
        person,
    )
    .await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "access_request.created",
        entity_type: "access_request",
        entity_id: id.to_string(),
        before: None,
        after: Some(json!({
            "reference": reference,
            "kind": checked.kind.as_str(),
            "received_on": ymd(checked.received_on),
            "due_on": ymd(due),
        })),
    })
    .await?;
    wtx.commit().await?;
    Ok(id)
}

async fn insert_step(
    wtx: &mut WriteTx,
    request_id: i64,
    step: &str,
    on: NaiveDate,
    detail: serde_json::Value,
    person: Option<i64>,
) -> Result<()> {
    let now = wtx.now();
    sqlx::query(
        "INSERT INTO access_request_steps (request_id, step, on_date, detail, person_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(request_id)
    .bind(step)
    .bind(ymd(on))
    .bind(detail.to_string())
    .bind(person)
    .bind(now)
    .execute(wtx.conn())
    .await?;
    Ok(())
}

/// A request in a list: no personal information (the requester's name and words are on the
/// request's own page, whose reading is audited).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub reference: String,
    pub kind: String,
    pub status: String,
    pub received_on: String,
    pub due_on: String,
    pub closed_on: Option<String>,
    pub decision: Option<String>,
    pub extended: bool,
    pub assignee_name: Option<String>,
}

/// Which requests a list shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// An organization and those below it.
    pub org: Option<i64>,
    /// `open`, `closed`, or one status.
    pub status: Option<String>,
    pub kind: Option<String>,
    /// Open and past their deadline on `today`: deemed refusals.
    pub overdue: bool,
    /// A reference, or its beginning.
    pub reference: Option<String>,
    pub today: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RequestSort {
    #[default]
    Received,
    Due,
    Reference,
}

impl RequestSort {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "received" => Some(RequestSort::Received),
            "due" => Some(RequestSort::Due),
            "reference" => Some(RequestSort::Reference),
            _ => None,
        }
    }

    fn column(self) -> &'static str {
        match self {
            RequestSort::Received => "r.received_on",
            RequestSort::Due => "r.due_on",
            RequestSort::Reference => "r.reference",
        }
    }
}

/// The statuses that close a request, as a SQL list from the domain's rule.
fn closed_list() -> String {
    AccessRequestStatus::ALL
        .iter()
        .filter(|s| s.is_closed())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The requests the caller may read, filtered, one page.
pub async fn list(
    store: &Store,
    scope: Scope,
    filter: &ListFilter,
    page: &PageRequest<RequestSort>,
) -> Result<Page<RequestRow>> {
    // The unary plus keeps SQLite from choosing the organization's index for the scope: a
    // page is then read in the order of the sort's index and stops at its limit, instead of
    // sorting every request in scope (300 ms to 10 ms at 100,000 requests, BENCHMARKS §10).
    // PostgreSQL plans it as before.
    let mut clauses = vec![read_condition_on(scope, "+r.org_id", "+r.assignee_id")];
    let mut binds: Vec<String> = Vec::new();
    let mut org_bind: Option<i64> = None;
    if let Some(org) = filter.org {
        org_bind = Some(org);
        clauses.push(
            "+r.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = $1)".into(),
        );
    }
    let param =
        |binds: &Vec<String>| format!("${}", binds.len() + 1 + usize::from(org_bind.is_some()));
    match filter.status.as_deref() {
        Some("open") => clauses.push(format!("r.status NOT IN ({})", closed_list())),
        Some("closed") => clauses.push(format!("r.status IN ({})", closed_list())),
        Some(s) => {
            if AccessRequestStatus::parse(s).is_none() {
                return Err(invalid("status", "error-choice"));
            }
            clauses.push(format!("r.status = {}", param(&binds)));
            binds.push(s.to_owned());
        }
        None => {}
    }
    if let Some(kind) = filter.kind.as_deref() {
        if AccessRequestKind::parse(kind).is_none() {
            return Err(invalid("kind", "error-choice"));
        }
        clauses.push(format!("r.kind = {}", param(&binds)));
        binds.push(kind.to_owned());
    }
    if filter.overdue {
        let today = filter
            .today
            .ok_or_else(|| invalid("overdue", "error-choice"))?;
        clauses.push(format!(
            "r.status NOT IN ({}) AND r.due_on < {}",
            closed_list(),
            param(&binds)
        ));
        binds.push(ymd(today));
    }
    if let Some(reference) = filter.reference.as_deref().map(str::trim) {
        if !reference.is_empty() {
            clauses.push(format!("r.reference LIKE {}", param(&binds)));
            let escaped: String = reference
                .chars()
                .filter(|c| !matches!(c, '%' | '_' | '\\'))
                .collect();
            binds.push(format!("{escaped}%"));
        }
    }
    let condition = clauses.join(" AND ");
    let count_sql = format!("SELECT COUNT(*) FROM access_requests r WHERE {condition}");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
    if let Some(org) = org_bind {
        count = count.bind(org);
    }
    for b in &binds {
        count = count.bind(b.clone());
    }
    let total = count.fetch_one(store.pool()).await?;
    let sql = format!(
        "SELECT r.id, r.org_id, o.name AS org_name, r.reference, r.kind, r.status, \
         r.received_on, r.due_on, r.closed_on, r.decision, r.extension_notice_on, \
         p.name AS assignee_name \
         FROM access_requests r JOIN organizations o ON o.id = r.org_id \
         LEFT JOIN persons p ON p.id = r.assignee_id \
         WHERE {condition} ORDER BY {} {}, r.id {} LIMIT {} OFFSET {}",
        page.sort.column(),
        page.direction(),
        page.direction(),
        page.limit.clamp(1, crate::list::MAX_LIMIT),
        page.offset.max(0),
    );
    let mut q = sqlx::query(&sql);
    if let Some(org) = org_bind {
        q = q.bind(org);
    }
    for b in &binds {
        q = q.bind(b.clone());
    }
    let items = q
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(RequestRow {
                id: r.try_get("id")?,
                org_id: r.try_get("org_id")?,
                org_name: r.try_get("org_name")?,
                reference: r.try_get("reference")?,
                kind: r.try_get("kind")?,
                status: r.try_get("status")?,
                received_on: r.try_get("received_on")?,
                due_on: r.try_get("due_on")?,
                closed_on: r.try_get("closed_on")?,
                decision: r.try_get("decision")?,
                extended: r
                    .try_get::<Option<String>, _>("extension_notice_on")?
                    .is_some(),
                assignee_name: r.try_get("assignee_name")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Page {
        items,
        total,
        limit: page.limit,
        offset: page.offset,
    })
}

/// One step of a request's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepRow {
    pub step: String,
    pub on: String,
    pub detail: serde_json::Value,
    pub person_name: Option<String>,
    pub at: i64,
}

/// A request whole, as its page and the letters need it.
#[derive(Debug, Clone, Serialize)]
pub struct RequestDetail {
    pub row: RequestRow,
    pub requester_name: String,
    pub requester_contact: String,
    pub subject: String,
    pub language: String,
    pub acknowledged_on: Option<String>,
    pub extension_notice_on: Option<String>,
    pub last_step_on: String,
    pub transferred_to: Option<String>,
    pub recourse_notice: bool,
    pub answer_days: Option<i64>,
    pub assignee_id: Option<i64>,
    /// The provisions the decision cited, with their law and text.
    pub provisions: Vec<Provision>,
    pub steps: Vec<StepRow>,
    /// The deadline that applies, computed now from the organization's calendar.
    pub deadline: Option<Deadline>,
    /// Running, answered on time or late, or deemed refused; none once transferred or
    /// withdrawn.
    pub state: Option<DeadlineState>,
    /// The 20-day deadline, before any extension (the acknowledgement states it).
    pub initial_deadline: Option<Deadline>,
    /// The delay to ask the CAI for a review: from the decision, or from the expiry of the
    /// delay to answer when none came.
    pub review_deadline: Option<Deadline>,
}

impl RequestDetail {
    pub fn kind(&self) -> Option<AccessRequestKind> {
        AccessRequestKind::parse(&self.row.kind)
    }

    pub fn status(&self) -> Option<AccessRequestStatus> {
        AccessRequestStatus::parse(&self.row.status)
    }

    pub fn decision(&self) -> Option<DecisionKind> {
        self.row.decision.as_deref().and_then(DecisionKind::parse)
    }

    /// The dates the domain's rules read.
    pub fn dates(&self) -> Result<RequestDates> {
        Ok(RequestDates {
            kind: self.kind().ok_or(StoreError::NotFound)?,
            status: self.status().ok_or(StoreError::NotFound)?,
            received_on: date(&self.row.received_on)?,
            last_step_on: date(&self.last_step_on)?,
            extension_notice_on: opt_date(self.extension_notice_on.clone())?,
        })
    }
}

async fn load(
    conn: &mut sqlx::AnyConnection,
    condition: &str,
    id: i64,
    base: &DeadlineSettings,
    today: NaiveDate,
) -> Result<RequestDetail> {
    let sql = format!(
        "SELECT r.id, r.org_id, o.name AS org_name, r.reference, r.kind, r.status, \
         r.received_on, r.due_on, r.closed_on, r.decision, r.extension_notice_on, \
         p.name AS assignee_name, r.requester_name, r.requester_contact, r.subject, \
         r.language, r.acknowledged_on, r.last_step_on, r.transferred_to, r.recourse_notice, \
         r.answer_days, r.assignee_id \
         FROM access_requests r JOIN organizations o ON o.id = r.org_id \
         LEFT JOIN persons p ON p.id = r.assignee_id WHERE r.id = $1 AND {condition}"
    );
    let r = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let org_id: i64 = r.try_get("org_id")?;
    let extension_notice_on: Option<String> = r.try_get("extension_notice_on")?;
    let row = RequestRow {
        id,
        org_id,
        org_name: r.try_get("org_name")?,
        reference: r.try_get("reference")?,
        kind: r.try_get("kind")?,
        status: r.try_get("status")?,
        received_on: r.try_get("received_on")?,
        due_on: r.try_get("due_on")?,
        closed_on: r.try_get("closed_on")?,
        decision: r.try_get("decision")?,
        extended: extension_notice_on.is_some(),
        assignee_name: r.try_get("assignee_name")?,
    };
    let steps = sqlx::query(
        "SELECT s.step, s.on_date, s.detail, s.at, p.name FROM access_request_steps s \
         LEFT JOIN persons p ON p.id = s.person_id WHERE s.request_id = $1 ORDER BY s.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|s| {
        let detail: String = s.try_get("detail")?;
        Ok(StepRow {
            step: s.try_get("step")?,
            on: s.try_get("on_date")?,
            detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
            person_name: s.try_get("name")?,
            at: s.try_get("at")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let cited: Vec<String> = sqlx::query_scalar(
        "SELECT code FROM access_request_provisions WHERE request_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let known = provisions_of(conn, org_id).await?;
    let provisions = cited
        .iter()
        .map(|code| {
            known
                .iter()
                .find(|p| &p.code == code)
                .cloned()
                // A provision the body has since removed from its list is still cited.
                .unwrap_or_else(|| Provision {
                    code: code.clone(),
                    law: String::new(),
                    summary: String::new(),
                })
        })
        .collect();
    let mut detail = RequestDetail {
        row,
        requester_name: r.try_get("requester_name")?,
        requester_contact: r.try_get("requester_contact")?,
        subject: r.try_get("subject")?,
        language: r.try_get("language")?,
        acknowledged_on: r.try_get("acknowledged_on")?,
        extension_notice_on,
        last_step_on: r.try_get("last_step_on")?,
        transferred_to: r.try_get("transferred_to")?,
        recourse_notice: r.try_get::<i64, _>("recourse_notice")? != 0,
        answer_days: r.try_get("answer_days")?,
        assignee_id: r.try_get("assignee_id")?,
        provisions,
        steps,
        deadline: None,
        state: None,
        initial_deadline: None,
        review_deadline: None,
    };
    let settings = settings_for(conn, org_id, base).await?;
    let dates = detail.dates()?;
    if let Ok(deadline) = rules::deadline(&dates, &settings) {
        let state = match dates.status {
            AccessRequestStatus::Transferred | AccessRequestStatus::Withdrawn => None,
            AccessRequestStatus::Decided => Some(deadline_state(
                deadline.due,
                opt_date(detail.row.closed_on.clone())?,
                today,
            )),
            _ => Some(deadline_state(deadline.due, None, today)),
        };
        let review_start = match (dates.status, opt_date(detail.row.closed_on.clone())?) {
            (AccessRequestStatus::Decided, Some(on)) => Some(ReviewStart::Decision(on)),
            (s, _) if !s.is_closed() && deadline.due < today => {
                Some(ReviewStart::DeadlineExpired(deadline.due))
            }
            _ => None,
        };
        detail.review_deadline = review_start.and_then(|s| review_request(s, &settings).ok());
        detail.deadline = Some(deadline);
        detail.state = state;
    }
    detail.initial_deadline =
        rempart_domain::legal_deadline::access_answer(dates.kind, dates.received_on, &settings)
            .ok();
    Ok(detail)
}

/// One request, for a reader who may see it; the reading is audited (personal information).
pub async fn get(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
    base: &DeadlineSettings,
    today: NaiveDate,
) -> Result<RequestDetail> {
    read_audited(store, scope, ctx, id, base, today, "access_request.read").await
}

/// As [`get`], with the audit entry's action naming what the reading was for (a letter).
pub async fn read_audited(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
    base: &DeadlineSettings,
    today: NaiveDate,
    action: &'static str,
) -> Result<RequestDetail> {
    let mut wtx = store.write(ctx).await?;
    let detail = load(wtx.conn(), &read_condition(scope), id, base, today).await?;
    wtx.audit(Change {
        org_id: Some(detail.row.org_id),
        action,
        entity_type: "access_request",
        entity_id: id.to_string(),
        before: None,
        after: Some(json!({ "reference": detail.row.reference })),
    })
    .await?;
    wtx.commit().await?;
    Ok(detail)
}

/// Records a step on a request the caller manages, after the domain's check against the
/// request as it stands; `note` is kept in the history. The deadline is recomputed.
#[allow(clippy::too_many_arguments)]
pub async fn record_step(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
    step: &Step,
    note: &str,
    today: NaiveDate,
    base: &DeadlineSettings,
) -> Result<()> {
    let mut wtx = store.write(ctx).await?;
    let manage = scope.with(Permission::PrivacyManage).condition("r.org_id");
    let current = load(wtx.conn(), &manage, id, base, today).await?;
    let note = note.trim();
    let mut errors = Vec::new();
    rempart_domain::validation::check_text(&mut errors, "note", note, 0, rules::MAX_NOTE, true);
    if !errors.is_empty() {
        return Err(StoreError::Invalid(ValidationErrors(errors)));
    }
    // The provisions cited must be on the body's list; checked before the step's own rules so
    // that an unknown code is named as such.
    let step = match step {
        Step::Decide {
            on,
            kind,
            articles,
            recourse_notice,
        } => {
            let known: Vec<String> = provisions_of(wtx.conn(), current.row.org_id)
                .await?
                .into_iter()
                .map(|p| p.code)
                .collect();
            let articles = rules::check_articles(articles, &known)
                .map_err(|e| StoreError::Invalid(ValidationErrors::single(e)))?;
            Step::Decide {
                on: *on,
                kind: *kind,
                articles,
                recourse_notice: *recourse_notice,
            }
        }
        Step::Transfer { on, to } => {
            let mut errors = Vec::new();
            rempart_domain::validation::check_text(
                &mut errors,
                "to",
                to,
                1,
                rules::MAX_NAME,
                false,
            );
            if !errors.is_empty() {
                return Err(StoreError::Invalid(ValidationErrors(errors)));
            }
            Step::Transfer {
                on: *on,
                to: to.trim().to_owned(),
            }
        }
        other => other.clone(),
    };
    let before = current.dates()?;
    let settings = settings_for(wtx.conn(), current.row.org_id, base).await?;
    let after = rules::check_step(&before, &step, today, &settings).map_err(step_error)?;
    let due = rules::deadline(&after, &settings)
        .map_err(|_| invalid("on", "deadline-error-out-of-range"))?
        .due;
    let now = wtx.now();
    let (code, on, detail) = match &step {
        Step::Acknowledge { on } => ("acknowledge", *on, json!({})),
        Step::Extend { notice_on } => ("extend", *notice_on, json!({})),
        Step::ConsultThirdParties { on } => ("consult_third_parties", *on, json!({})),
        Step::Transfer { on, to } => ("transfer", *on, json!({ "to": to })),
        Step::Decide {
            on,
            kind,
            articles,
            recourse_notice,
        } => (
            "decide",
            *on,
            json!({
                "decision": kind.as_str(),
                "articles": articles,
                "recourse_notice": recourse_notice,
            }),
        ),
        Step::Withdraw { on } => ("withdraw", *on, json!({})),
    };
    let mut detail = detail;
    if !note.is_empty() {
        detail["note"] = json!(note);
    }
    let closed_on = after.status.is_closed().then(|| ymd(on));
    let (decision, recourse, answer_days) = match &step {
        Step::Decide {
            kind,
            recourse_notice,
            ..
        } => (
            Some(kind.as_str()),
            *recourse_notice,
            Some(rules::answer_delay_days(before.received_on, on)),
        ),
        _ => (None, false, None),
    };
    let transferred_to = match &step {
        Step::Transfer { to, .. } => Some(to.clone()),
        _ => None,
    };
    let acknowledged_on = match &step {
        Step::Acknowledge { on } => Some(ymd(*on)),
        _ => current.acknowledged_on.clone(),
    };
    let updated = sqlx::query(
        "UPDATE access_requests SET status = $2, last_step_on = $3, extension_notice_on = $4, \
         due_on = $5, closed_on = $6, decision = COALESCE($7, decision), \
         recourse_notice = $8, transferred_to = COALESCE($9, transferred_to), \
         answer_days = COALESCE($10, answer_days), acknowledged_on = $11, updated_at = $12, \
         version = version + 1 WHERE id = $1 AND status = $13",
    )
    .bind(id)
    .bind(after.status.as_str())
    .bind(ymd(after.last_step_on))
    .bind(after.extension_notice_on.map(ymd))
    .bind(ymd(due))
    .bind(closed_on.clone())
    .bind(decision)
    .bind(i64::from(recourse || current.recourse_notice))
    .bind(transferred_to)
    .bind(answer_days)
    .bind(acknowledged_on)
    .bind(now)
    .bind(before.status.as_str())
    .execute(wtx.conn())
    .await?;
    if updated.rows_affected() != 1 {
        return Err(StoreError::Stale);
    }
    if let Step::Decide { articles, .. } = &step {
        for (position, code) in articles.iter().enumerate() {
            sqlx::query(
                "INSERT INTO access_request_provisions (request_id, code, position) \
                 VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(code)
            .bind(position as i64)
            .execute(wtx.conn())
            .await?;
        }
    }
    let person = wtx.context().actor_id;
    insert_step(&mut wtx, id, code, on, detail.clone(), person).await?;
    // The note may hold personal information: the trail keeps the step, not the note.
    let mut audited = detail;
    if let Some(map) = audited.as_object_mut() {
        map.remove("note");
    }
    wtx.audit(Change {
        org_id: Some(current.row.org_id),
        action: "access_request.step",
        entity_type: "access_request",
        entity_id: id.to_string(),
        before: Some(json!({
            "status": before.status.as_str(),
            "due_on": current.row.due_on,
        })),
        after: Some(json!({
            "step": code,
            "on": ymd(on),
            "status": after.status.as_str(),
            "due_on": ymd(due),
            "detail": audited,
        })),
    })
    .await?;
    wtx.commit().await?;
    Ok(())
}

/// Assigns a request to a person of its organization (or of a unit below), or takes the
/// assignment back; that person then reads the request. Audited.
pub async fn assign(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    id: i64,
    person_id: Option<i64>,
) -> Result<()> {
    let mut wtx = store.write(ctx).await?;
    let sql = format!(
        "SELECT r.org_id, r.assignee_id FROM access_requests r WHERE r.id = $1 AND {}",
        scope.with(Permission::PrivacyManage).condition("r.org_id")
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(wtx.conn())
        .await?
        .ok_or(StoreError::NotFound)?;
    let org_id: i64 = row.try_get("org_id")?;
    let before: Option<i64> = row.try_get("assignee_id")?;
    if let Some(person) = person_id {
        let ok = sqlx::query(
            "SELECT p.id FROM persons p JOIN org_closure c ON c.descendant_id = p.org_id \
             WHERE p.id = $1 AND c.ancestor_id = $2 AND p.disabled_at IS NULL",
        )
        .bind(person)
        .bind(org_id)
        .fetch_optional(wtx.conn())
        .await?;
        if ok.is_none() {
            return Err(invalid("person_id", "error-access-request-assignee"));
        }
    }
    sqlx::query(
        "UPDATE access_requests SET assignee_id = $2, updated_at = $3, version = version + 1 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(person_id)
    .bind(wtx.now())
    .execute(wtx.conn())
    .await?;
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "access_request.assigned",
        entity_type: "access_request",
        entity_id: id.to_string(),
        before: Some(json!({ "assignee_id": before })),
        after: Some(json!({ "assignee_id": person_id })),
    })
    .await?;
    wtx.commit().await?;
    Ok(())
}

/// The provisions a decision of `org_id` may cite: the product's, then those the
/// organization and the ones above it added.
/// A provision with where it comes from: the product (`None`) or an organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListedProvision {
    #[serde(flatten)]
    pub provision: Provision,
    pub org_id: Option<i64>,
}

/// The provisions a decision of `org_id` may cite, with where each comes from: the product's,
/// then those the organization and the ones above it added (the highest first; a code once).
async fn listed_of(conn: &mut sqlx::AnyConnection, org_id: i64) -> Result<Vec<ListedProvision>> {
    let mut out: Vec<ListedProvision> = rules::shipped_provisions()
        .into_iter()
        .map(|provision| ListedProvision {
            provision,
            org_id: None,
        })
        .collect();
    let rows = sqlx::query(
        "SELECT p.code, p.law, p.summary, p.org_id FROM access_provisions p \
         JOIN org_closure c ON c.ancestor_id = p.org_id WHERE c.descendant_id = $1 \
         ORDER BY c.depth DESC, p.id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let code: String = r.try_get("code")?;
        if out.iter().any(|p| p.provision.code == code) {
            continue;
        }
        out.push(ListedProvision {
            provision: Provision {
                code,
                law: r.try_get("law")?,
                summary: r.try_get("summary")?,
            },
            org_id: Some(r.try_get("org_id")?),
        });
    }
    Ok(out)
}

/// The provisions alone, for checking and printing a decision.
pub(crate) async fn provisions_of(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
) -> Result<Vec<Provision>> {
    Ok(listed_of(conn, org_id)
        .await?
        .into_iter()
        .map(|l| l.provision)
        .collect())
}

/// The provisions that apply to `org_id`, for those who read its requests.
pub async fn provisions(store: &Store, scope: Scope, org_id: i64) -> Result<Vec<ListedProvision>> {
    let visible = format!(
        "SELECT id FROM organizations WHERE id = $1 AND {}",
        scope.with(Permission::PrivacyRead).condition("id")
    );
    let mut conn = store.pool().acquire().await?;
    if sqlx::query(&visible)
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await?
        .is_none()
    {
        return Err(StoreError::NotFound);
    }
    listed_of(&mut conn, org_id).await
}

/// Replaces the provisions `org_id` adds with `entries`, checked by the domain. Audited with
/// the codes before and after.
pub async fn set_provisions(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    org_id: i64,
    entries: &[Provision],
) -> Result<Vec<ListedProvision>> {
    let mut wtx = store.write(ctx).await?;
    crate::scope::require_org(wtx.conn(), scope, Permission::PrivacyManage, org_id).await?;
    let checked =
        rules::check_provisions(entries).map_err(|e| StoreError::Invalid(ValidationErrors(e)))?;
    let before: Vec<String> =
        sqlx::query_scalar("SELECT code FROM access_provisions WHERE org_id = $1 ORDER BY id")
            .bind(org_id)
            .fetch_all(wtx.conn())
            .await?;
    sqlx::query("DELETE FROM access_provisions WHERE org_id = $1")
        .bind(org_id)
        .execute(wtx.conn())
        .await?;
    let now = wtx.now();
    for p in &checked {
        sqlx::query(
            "INSERT INTO access_provisions (org_id, code, law, summary, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(org_id)
        .bind(&p.code)
        .bind(&p.law)
        .bind(&p.summary)
        .bind(now)
        .execute(wtx.conn())
        .await?;
    }
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "access_provisions.set",
        entity_type: "organization",
        entity_id: org_id.to_string(),
        before: Some(json!(before)),
        after: Some(json!(checked.iter().map(|p| &p.code).collect::<Vec<_>>())),
    })
    .await?;
    wtx.commit().await?;
    provisions(store, Scope::LocalAdministrator, org_id).await
}

/// A letter's text a body rewrote, if it did: its own, else the nearest above it.
pub async fn letter_template(
    store: &Store,
    org_id: i64,
    letter: &str,
    language: &str,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT t.body FROM access_letter_templates t \
         JOIN org_closure c ON c.ancestor_id = t.org_id \
         WHERE c.descendant_id = $1 AND t.letter = $2 AND t.language = $3 \
         ORDER BY c.depth LIMIT 1",
    )
    .bind(org_id)
    .bind(letter)
    .bind(language)
    .fetch_optional(store.pool())
    .await?)
}

/// Sets (or, with an empty body, removes) the text of one of `org_id`'s letters. The text is
/// checked by the caller (the web layer knows the placeholders). Audited.
pub async fn set_letter_template(
    store: &Store,
    scope: Scope,
    ctx: AuditContext,
    org_id: i64,
    letter: &str,
    language: &str,
    body: &str,
) -> Result<()> {
    let mut wtx = store.write(ctx).await?;
    crate::scope::require_org(wtx.conn(), scope, Permission::PrivacyManage, org_id).await?;
    sqlx::query(
        "DELETE FROM access_letter_templates WHERE org_id = $1 AND letter = $2 AND language = $3",
    )
    .bind(org_id)
    .bind(letter)
    .bind(language)
    .execute(wtx.conn())
    .await?;
    if !body.trim().is_empty() {
        sqlx::query(
            "INSERT INTO access_letter_templates (org_id, letter, language, body, updated_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(org_id)
        .bind(letter)
        .bind(language)
        .bind(body)
        .bind(wtx.now())
        .execute(wtx.conn())
        .await?;
    }
    wtx.audit(Change {
        org_id: Some(org_id),
        action: "access_letter.template_set",
        entity_type: "organization",
        entity_id: org_id.to_string(),
        before: None,
        after: Some(
            json!({ "letter": letter, "language": language, "removed": body.trim().is_empty() }),
        ),
    })
    .await?;
    wtx.commit().await?;
    Ok(())
}

/// The indicators of requests received in a period (PRP-03): how many, answered on time or
/// late, still open, deemed refused, the mean delay to a decision, the provisions most cited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicators {
    pub received: i64,
    pub decided: i64,
    pub decided_on_time: i64,
    pub decided_late: i64,
    pub open: i64,
    pub open_overdue: i64,
    pub transferred: i64,
    pub withdrawn: i64,
    /// Mean days from reception to decision, over the decided requests.
    pub mean_answer_days: Option<f64>,
    /// Provision codes and how many decisions cited each, most cited first (ten at most).
    pub provisions: Vec<(String, i64)>,
}

/// Indicators of the requests the caller may read, received in `[from, to]`, under `org`
/// (and the units below) when given.
pub async fn indicators(
    store: &Store,
    scope: Scope,
    org: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<Indicators> {
    let mut condition = format!(
        "{} AND r.received_on >= $1 AND r.received_on <= $2",
        scope.with(Permission::PrivacyRead).condition("r.org_id")
    );
    if let Some(org) = org {
        condition.push_str(&format!(
            " AND r.org_id IN (SELECT descendant_id FROM org_closure WHERE ancestor_id = {org})"
        ));
    }
    let closed = closed_list();
    let sql = format!(
        "SELECT COUNT(*) AS received, \
         COALESCE(SUM(CASE WHEN r.status = 'decided' THEN 1 ELSE 0 END), 0) AS decided, \
         COALESCE(SUM(CASE WHEN r.status = 'decided' AND r.closed_on <= r.due_on THEN 1 ELSE 0 END), 0) AS on_time, \
         COALESCE(SUM(CASE WHEN r.status NOT IN ({closed}) THEN 1 ELSE 0 END), 0) AS open, \
         COALESCE(SUM(CASE WHEN r.status NOT IN ({closed}) AND r.due_on < $3 THEN 1 ELSE 0 END), 0) AS overdue, \
         COALESCE(SUM(CASE WHEN r.status = 'transferred' THEN 1 ELSE 0 END), 0) AS transferred, \
         COALESCE(SUM(CASE WHEN r.status = 'withdrawn' THEN 1 ELSE 0 END), 0) AS withdrawn, \
         CAST(COALESCE(SUM(r.answer_days), 0) AS BIGINT) AS days, \
         COALESCE(SUM(CASE WHEN r.answer_days IS NULL THEN 0 ELSE 1 END), 0) AS answered \
         FROM access_requests r WHERE {condition}"
    );
    let row = sqlx::query(&sql)
        .bind(ymd(from))
        .bind(ymd(to))
        .bind(ymd(today))
        .fetch_one(store.pool())
        .await?;
    let decided: i64 = row.try_get("decided")?;
    let on_time: i64 = row.try_get("on_time")?;
    let answered: i64 = row.try_get("answered")?;
    let days: i64 = row.try_get("days")?;
    let top = format!(
        "SELECT a.code, COUNT(*) AS n FROM access_request_provisions a \
         JOIN access_requests r ON r.id = a.request_id WHERE {condition} \
         GROUP BY a.code ORDER BY n DESC, a.code LIMIT 10"
    );
    let provisions = sqlx::query(&top)
        .bind(ymd(from))
        .bind(ymd(to))
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("code")?, r.try_get("n")?)))
        .collect::<Result<Vec<_>>>()?;
    Ok(Indicators {
        received: row.try_get("received")?,
        decided,
        decided_on_time: on_time,
        decided_late: decided - on_time,
        open: row.try_get("open")?,
        open_overdue: row.try_get("overdue")?,
        transferred: row.try_get("transferred")?,
        withdrawn: row.try_get("withdrawn")?,
        mean_answer_days: (answered > 0).then(|| days as f64 / answered as f64),
        provisions,
    })
}

/// The people a request may be assigned to: those active in its organization and the units
/// below, by name. Not found when the caller does not manage the request.
pub async fn assignable(store: &Store, scope: Scope, id: i64) -> Result<Vec<(i64, String)>> {
    let sql = format!(
        "SELECT r.org_id FROM access_requests r WHERE r.id = $1 AND {}",
        scope.with(Permission::PrivacyManage).condition("r.org_id")
    );
    let org_id: i64 = sqlx::query_scalar(&sql)
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    sqlx::query(
        "SELECT p.id, p.name FROM persons p JOIN org_closure c ON c.descendant_id = p.org_id \
         WHERE c.ancestor_id = $1 AND p.disabled_at IS NULL ORDER BY p.name, p.id LIMIT 1000",
    )
    .bind(org_id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
    .collect()
}
