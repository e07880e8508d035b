//! Jobs that run on a schedule, such as the daily reassessment of risks (RISK-04). The
//! schedule lives in the database, so it survives restarts; a process claims a due job by
//! moving its next run forward in one conditional statement, so that when several processes
//! share one database exactly one of them runs each occurrence.

use sqlx::Row;

use crate::error::Result;
use crate::store::Store;

/// Claims `job` if it is due at `now` (UTC microseconds): its next run moves `every`
/// microseconds on, and the claim is recorded for `who`. Whether this caller should run it.
pub async fn claim(store: &Store, job: &str, now: i64, every: i64, who: &str) -> Result<bool> {
    // A job met for the first time is due at once.
    sqlx::query(
        "INSERT INTO scheduled_jobs (name, next_run_at) VALUES ($1, $2) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(job)
    .bind(now)
    .execute(&store.pool)
    .await?;
    let claimed = sqlx::query(
        "UPDATE scheduled_jobs SET next_run_at = $1, last_started_at = $2, claimed_by = $3 \
         WHERE name = $4 AND next_run_at <= $2",
    )
    .bind(now.saturating_add(every))
    .bind(now)
    .bind(who)
    .bind(job)
    .execute(&store.pool)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Records how a claimed run ended, for operators (`last_outcome`).
pub async fn finish(store: &Store, job: &str, now: i64, outcome: &str) -> Result<()> {
    sqlx::query(
        "UPDATE scheduled_jobs SET last_finished_at = $1, last_outcome = $2 WHERE name = $3",
    )
    .bind(now)
    .bind(outcome)
    .bind(job)
    .execute(&store.pool)
    .await?;
    Ok(())
}

/// A job's schedule as stored: next run, last start and finish, last outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobState {
    pub next_run_at: i64,
    pub last_started_at: Option<i64>,
    pub last_finished_at: Option<i64>,
    pub last_outcome: Option<String>,
}

pub async fn state(store: &Store, job: &str) -> Result<Option<JobState>> {
    let row = sqlx::query(
        "SELECT next_run_at, last_started_at, last_finished_at, last_outcome \
         FROM scheduled_jobs WHERE name = $1",
    )
    .bind(job)
    .fetch_optional(&store.pool)
    .await?;
    row.map(|r| {
        Ok(JobState {
            next_run_at: r.try_get("next_run_at")?,
            last_started_at: r.try_get("last_started_at")?,
            last_finished_at: r.try_get("last_finished_at")?,
            last_outcome: r.try_get("last_outcome")?,
        })
    })
    .transpose()
}
