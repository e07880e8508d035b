//! `rempart serve`: opens the store, optionally loads the demo, and serves until SIGTERM or
//! Ctrl-C, letting in-flight requests finish.

use std::time::Duration;

use rempart_storage::{now_micros, risks, scheduler, AuditContext, Store};
use rempart_web::auth::PasswordHashing;
use rempart_web::AppState;

use crate::config::Config;

pub fn state(
    store: Store,
    config: &Config,
    hashing: PasswordHashing,
) -> Result<AppState, rempart_web::sso::SsoError> {
    AppState::new(store, config.web.clone(), hashing)
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("arrêt demandé : fin des requêtes en cours");
}

/// The daily reassessment job (RISK-04): risks past their review date are flagged, lapsed
/// approvals end. Claimed hourly, so a new day is seen within the hour; among several
/// processes sharing the database one runs each occurrence; the job changes nothing when run
/// twice on one day.
pub const REASSESSMENT_JOB: &str = "risk.reassessment";
const CLAIM_EVERY: Duration = Duration::from_secs(3600);
const POLL: Duration = Duration::from_secs(60);

/// The daily end of designations whose act has lapsed (REG-01): the grant behind each is
/// revoked, the designation kept in the register's history.
pub const DESIGNATIONS_JOB: &str = "designations.lapse";

/// The daily vulnerability pass (GMVI-04): lapsed risk acceptances reopened, overdue
/// vulnerabilities escalated to their holders and their body's security staff, once per
/// deadline.
pub const VULNERABILITIES_JOB: &str = "vulnerabilities.daily";

/// The daily reminder of confidentiality incidents that present a risk of serious injury and
/// still wait for their notices (PRIV-02), every `[deadlines] confidentiality_reminder_days`.
pub const CONFIDENTIALITY_JOB: &str = "confidentiality.reminders";
/// Personal-information files whose destruction or anonymization has come due (PRP-01).
pub const DISPOSAL_JOB: &str = "personal_info_files.disposal";

/// Runs each due job this process claims; what each did, for the log. `notify_email` says
/// whether notifications also go out by e-mail; `reminder_days` is the cadence of the
/// confidentiality incidents' reminders.
pub async fn run_due_jobs(
    store: &Store,
    who: &str,
    notify_email: bool,
    reminder_days: u32,
) -> Result<Option<String>, rempart_storage::StoreError> {
    let mut done = Vec::new();
    for job in [
        REASSESSMENT_JOB,
        DESIGNATIONS_JOB,
        VULNERABILITIES_JOB,
        CONFIDENTIALITY_JOB,
        DISPOSAL_JOB,
    ] {
        if let Some(summary) = run_job(store, job, who, notify_email, reminder_days).await? {
            done.push(summary);
        }
    }
    Ok((!done.is_empty()).then(|| done.join(" ; ")))
}

async fn run_job(
    store: &Store,
    job: &'static str,
    who: &str,
    notify_email: bool,
    reminder_days: u32,
) -> Result<Option<String>, rempart_storage::StoreError> {
    let now = now_micros();
    let every = i64::try_from(CLAIM_EVERY.as_micros()).unwrap_or(i64::MAX);
    if !scheduler::claim(store, job, now, every, who).await? {
        return Ok(None);
    }
    let today = rempart_web::time::today();
    let result = async {
        let mut w = store.write(AuditContext::system("planificateur")).await?;
        let summary = match job {
            REASSESSMENT_JOB => {
                let o = risks::flag_due(&mut w, today).await?;
                format!(
                    "{} risque(s) à réévaluer, {} approbation(s) échue(s)",
                    o.review_due, o.approvals_expired
                )
            }
            VULNERABILITIES_JOB => {
                let notifier = rempart_storage::inbox::Notifier {
                    wording: &rempart_web::gmvi::Words,
                    email: notify_email,
                };
                let o = rempart_storage::vuln_workflow::daily(&mut w, &notifier, today).await?;
                format!(
                    "{} acceptation(s) de risque échue(s), {} vulnérabilité(s) en retard signalée(s)",
                    o.reopened, o.escalated
                )
            }
            CONFIDENTIALITY_JOB => {
                let notifier = rempart_storage::inbox::Notifier {
                    wording: &rempart_web::gmvi::Words,
                    email: notify_email,
                };
                let n = rempart_storage::confidentiality::remind(
                    &mut w,
                    &notifier,
                    today,
                    reminder_days,
                )
                .await?;
                format!("{n} rappel(s) d'avis d'incident de confidentialité")
            }
            DISPOSAL_JOB => {
                let notifier = rempart_storage::inbox::Notifier {
                    wording: &rempart_web::gmvi::Words,
                    email: notify_email,
                };
                let n = rempart_storage::personal_info_files::disposal_reminders(
                    &mut w, &notifier, today,
                )
                .await?;
                format!("{n} fichier(s) de renseignements personnels à détruire signalé(s)")
            }
            _ => {
                let n = rempart_storage::register::end_lapsed(&mut w, today).await?;
                format!("{n} désignation(s) échue(s), rôle(s) retiré(s)")
            }
        };
        w.commit().await?;
        Ok::<_, rempart_storage::StoreError>(summary)
    }
    .await;
    let recorded = match &result {
        Ok(s) => s.clone(),
        Err(e) => format!("échec : {e}"),
    };
    scheduler::finish(store, job, now_micros(), &recorded).await?;
    result.map(Some)
}

/// One pass over the deadlines whose time has come (PLAT-11): warnings before, escalations
/// after. Every `serve` process runs it every minute; each step is claimed in the database, so
/// with several processes on one database each warning and escalation happens once.
pub async fn deadline_pass(
    store: &Store,
    notify_email: bool,
    now: i64,
) -> Result<rempart_storage::deadlines::PassOutcome, rempart_storage::StoreError> {
    let notifier = rempart_storage::inbox::Notifier {
        wording: &rempart_web::gmvi::Words,
        email: notify_email,
    };
    rempart_storage::deadlines::pass(store, &notifier, now, 200).await
}

/// Polls for due jobs and deadlines until the process stops. Errors are logged and tried
/// again at the next poll: a database that is briefly away must not end the server.
pub async fn scheduler_loop(store: Store, notify_email: bool, reminder_days: u32) {
    let who = format!("{}:{}", hostname(), std::process::id());
    let mut tick = tokio::time::interval(POLL);
    loop {
        tick.tick().await;
        match deadline_pass(&store, notify_email, now_micros()).await {
            Ok(o) if o.warned + o.escalated > 0 => tracing::info!(
                "échéances : {} avertissement(s), {} escalade(s)",
                o.warned,
                o.escalated
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!("échéances : {e}"),
        }
        // The view up the tree from the root, ready for its first reader of the day.
        if let Err(e) = rempart_storage::assets::prewarm(&store, rempart_web::time::today()).await {
            tracing::warn!("vue consolidée : {e}");
        }
        match run_due_jobs(&store, &who, notify_email, reminder_days).await {
            Ok(Some(summary)) => tracing::info!("tâches planifiées : {summary}"),
            Ok(None) => {}
            Err(e) => tracing::warn!("tâche planifiée : {e}"),
        }
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "rempart".to_owned())
}

/// How often `serve` looks for e-mail to send when `[mail]` is enabled.
const MAIL_POLL: Duration = Duration::from_secs(15);

/// Sends the outbox until the process stops: every 15 s, and at once again while batches come
/// back full. Errors are logged and tried again at the next poll.
pub async fn mail_loop(store: Store, mailer: crate::mail::Mailer) {
    let mut tick = tokio::time::interval(MAIL_POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        loop {
            match crate::mail::deliver_due(&store, &mailer, now_micros()).await {
                Ok(r) => {
                    if r.claimed > 0 {
                        tracing::info!(
                            "courriels : {} envoyé(s), {} à reprendre, {} en échec",
                            r.sent,
                            r.retrying,
                            r.failed
                        );
                    }
                    if i64::try_from(r.claimed).unwrap_or(0) < crate::mail::BATCH {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!("envoi des courriels : {e}");
                    break;
                }
            }
        }
    }
}
