//! Deadline computation throughput (issue 9): the access law's rules (answer, extended answer,
//! review request, incident retention) computed for every day of a span of years, by the same
//! domain functions the product and `rempart deadline` call. No database: the number is the
//! same on both engines.

use std::hint::black_box;
use std::time::Instant;

use chrono::NaiveDate;
use rempart_domain::legal_deadline::{
    self as rules, AccessRequestKind, DeadlineSettings, ReviewStart,
};
use serde_json::json;

use crate::stats::median;
use crate::{DeadlinesArgs, Report, Result};

pub async fn run(args: &DeadlinesArgs) -> Result<Report> {
    // A body that adds a few days, as a real configuration would: each one is searched too.
    let days_off: Vec<NaiveDate> = (0..12)
        .filter_map(|i| NaiveDate::from_ymd_opt(2026 + i, 12, 24))
        .collect();
    let settings = DeadlineSettings::with_days_off(&days_off);
    let first = NaiveDate::from_ymd_opt(2000, 1, 1).ok_or("date")?;
    let days: Vec<NaiveDate> = first.iter_days().take(args.days).collect();
    let mut rates = Vec::new();
    let mut computed = 0usize;
    let mut moved = 0usize;
    for _ in 0..args.runs {
        let start = Instant::now();
        computed = 0;
        moved = 0;
        for &day in &days {
            let answer = rules::access_answer(AccessRequestKind::Documents, day, &settings)?;
            let extended =
                rules::access_answer_extended(AccessRequestKind::Documents, day, day, &settings)?;
            let review = rules::review_request(ReviewStart::Decision(day), &settings)?;
            let kept = rules::incident_retention(day, &settings)?;
            moved += usize::from(!answer.skipped.is_empty())
                + usize::from(!extended.skipped.is_empty())
                + usize::from(!review.skipped.is_empty());
            black_box((answer, extended, review, kept));
            computed += 4;
        }
        rates.push(computed as f64 / start.elapsed().as_secs_f64());
    }
    let rate = median(rates.clone());
    let human = format!(
        "deadlines: {computed} computations per run ({} days from {first}, 4 rules each; {moved} moved past a day off): median {:.0}/s over {} runs\n",
        days.len(),
        rate,
        args.runs
    );
    Ok(Report {
        human,
        json: json!({
            "computations_per_run": computed,
            "moved": moved,
            "runs": args.runs,
            "per_second_median": rate.round(),
            "per_second_runs": rates.iter().map(|r| r.round()).collect::<Vec<_>>(),
        }),
    })
}
