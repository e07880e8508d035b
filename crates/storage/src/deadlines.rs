//! Every deadline the platform watches (PLAT-11), in one table: acknowledgements of notices,
//! incident tasks, alert responses. One pass of the scheduler looks only at the deadlines whose
//! next check has come (an index on `next_check_at`), asks the domain's watch what to do, and
//! claims each step with a conditional UPDATE: with several processes on one database, each
//! warning and each escalation happens once.

use rempart_domain::watch::{self, Step, WatchState};
use sqlx::Row;

use crate::error::Result;
use crate::inbox::Notifier;
use crate::store::Store;
use crate::write::{AuditContext, WriteTx};

/// What a deadline is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Notice(i64),
    IncidentTask(i64),
    AlertTarget(i64),
}

impl Subject {
    pub fn parts(self) -> (&'static str, i64) {
        match self {
            Subject::Notice(id) => ("notice", id),
            Subject::IncidentTask(id) => ("incident_task", id),
            Subject::AlertTarget(id) => ("alert_target", id),
        }
    }

    fn from_parts(kind: &str, id: i64) -> Option<Subject> {
        match kind {
            "notice" => Some(Subject::Notice(id)),
            "incident_task" => Some(Subject::IncidentTask(id)),
            "alert_target" => Some(Subject::AlertTarget(id)),
            _ => None,
        }
    }
}

/// Starts watching `subject`, due at `due_at` (UTC microseconds), computed by `rule` (shown
/// beside the date). Watching the same subject again moves its deadline.
pub async fn watch(
    wtx: &mut WriteTx,
    subject: Subject,
    org_id: i64,
    due_at: i64,
    rule: &str,
) -> Result<()> {
    let (kind, id) = subject.parts();
    let now = wtx.now();
    let warn_at = watch::warn_at(now, due_at);
    let (_, state, next) = watch::step(WatchState::Open, warn_at, due_at, i64::MIN);
    sqlx::query("DELETE FROM deadlines WHERE subject_type = $1 AND subject_id = $2")
        .bind(kind)
        .bind(id)
        .execute(wtx.conn())
        .await?;
    sqlx::query(
        "INSERT INTO deadlines (subject_type, subject_id, org_id, due_at, warn_at, rule, state, \
         next_check_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(kind)
    .bind(id)
    .bind(org_id)
    .bind(due_at)
    .bind(warn_at)
    .bind(rule)
    .bind(state.as_str())
    .bind(next.unwrap_or(due_at))
    .execute(wtx.conn())
    .await?;
    Ok(())
}

/// Ends the watch of `subject`: met (done, in time or not) or cancelled.
pub async fn settle(wtx: &mut WriteTx, subject: Subject, state: WatchState) -> Result<()> {
    let (kind, id) = subject.parts();
    sqlx::query(
        "UPDATE deadlines SET state = $1, next_check_at = NULL \
         WHERE subject_type = $2 AND subject_id = $3 AND state IN ('open', 'warned', 'overdue')",
    )
    .bind(state.as_str())
    .bind(kind)
    .bind(id)
    .execute(wtx.conn())
    .await?;
    Ok(())
}

/// A deadline as shown beside its subject.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Deadline {
    pub due_at: i64,
    pub warn_at: Option<i64>,
    pub rule: String,
    pub state: String,
}

pub async fn of(store: &Store, subject: Subject) -> Result<Option<Deadline>> {
    let (kind, id) = subject.parts();
    let row = sqlx::query(
        "SELECT due_at, warn_at, rule, state FROM deadlines \
         WHERE subject_type = $1 AND subject_id = $2",
    )
    .bind(kind)
    .bind(id)
    .fetch_optional(&store.pool)
    .await?;
    row.map(|r| {
        Ok(Deadline {
            due_at: r.try_get("due_at")?,
            warn_at: r.try_get("warn_at")?,
            rule: r.try_get("rule")?,
            state: r.try_get("state")?,
        })
    })
    .transpose()
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PassOutcome {
    pub warned: u64,
    pub escalated: u64,
    /// Steps another process had already taken.
    pub skipped: u64,
}

/// One pass over the deadlines whose next check has come at `now`, `batch` to a transaction.
/// Runs until none is left.
pub async fn pass(
    store: &Store,
    notifier: &Notifier<'_>,
    now: i64,
    batch: i64,
) -> Result<PassOutcome> {
    let mut outcome = PassOutcome::default();
    // Each round's rows are all settled or moved forward (or taken by another process), so
    // the loop ends; the bound guards against a subject whose handler keeps failing quietly.
    for _ in 0..10_000 {
        let rows = sqlx::query(
            "SELECT id, subject_type, subject_id, due_at, warn_at, state, next_check_at \
             FROM deadlines WHERE next_check_at <= $1 ORDER BY next_check_at, id LIMIT $2",
        )
        .bind(now)
        .bind(batch)
        .fetch_all(&store.pool)
        .await?;
        if rows.is_empty() {
            break;
        }
        let mut wtx = store
            .write_at(AuditContext::system("planificateur"), now)
            .await?;
        for r in rows {
            let id: i64 = r.try_get("id")?;
            let kind: String = r.try_get("subject_type")?;
            let subject_id: i64 = r.try_get("subject_id")?;
            let due_at: i64 = r.try_get("due_at")?;
            let warn_at: Option<i64> = r.try_get("warn_at")?;
            let state: String = r.try_get("state")?;
            let checked: i64 = r.try_get("next_check_at")?;
            let current = WatchState::parse(&state).unwrap_or(WatchState::Cancelled);
            let (step, next_state, next_check) = watch::step(current, warn_at, due_at, now);
            // The claim: only the process whose UPDATE finds the row as it read it acts.
            let claimed = sqlx::query(
                "UPDATE deadlines SET state = $1, next_check_at = $2 \
                 WHERE id = $3 AND state = $4 AND next_check_at = $5",
            )
            .bind(next_state.as_str())
            .bind(next_check)
            .bind(id)
            .bind(&state)
            .bind(checked)
            .execute(wtx.conn())
            .await?
            .rows_affected()
                == 1;
            if !claimed {
                outcome.skipped += 1;
                continue;
            }
            let Some(subject) = Subject::from_parts(&kind, subject_id) else {
                continue;
            };
            match step {
                Step::Wait => {}
                Step::Warn => {
                    act(&mut wtx, notifier, subject, Step::Warn).await?;
                    outcome.warned += 1;
                }
                Step::Escalate => {
                    act(&mut wtx, notifier, subject, Step::Escalate).await?;
                    outcome.escalated += 1;
                }
            }
        }
        wtx.commit().await?;
    }
    Ok(outcome)
}

async fn act(
    wtx: &mut WriteTx,
    notifier: &Notifier<'_>,
    subject: Subject,
    step: Step,
) -> Result<()> {
    match subject {
        Subject::Notice(id) => crate::notices::on_deadline(wtx, notifier, id, step).await,
        Subject::IncidentTask(id) => {
            crate::incidents::on_task_deadline(wtx, notifier, id, step).await
        }
        Subject::AlertTarget(id) => crate::alerts::on_deadline(wtx, notifier, id, step).await,
    }
}

/// How many deadlines are being watched and how many are overdue (for the operators' view).
pub async fn counts(store: &Store) -> Result<(i64, i64)> {
    let row = sqlx::query(
        "SELECT SUM(CASE WHEN state IN ('open', 'warned') THEN 1 ELSE 0 END) AS running, \
         SUM(CASE WHEN state = 'overdue' THEN 1 ELSE 0 END) AS overdue FROM deadlines",
    )
    .fetch_one(&store.pool)
    .await?;
    Ok((
        row.try_get::<Option<i64>, _>("running")?.unwrap_or(0),
        row.try_get::<Option<i64>, _>("overdue")?.unwrap_or(0),
    ))
}
