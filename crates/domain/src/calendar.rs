//! Québec's calendar for deadlines (PLAT-11, QUEBEC-RULES "Holidays and deadlines"): the
//! statutory holidays of the Interpretation Act (RLRQ c. I-16, art. 61), computed for any year
//! (Easter by the Gregorian computus, never a typed list of dates), days an organization adds,
//! working days, and deadlines counted in calendar or working days. A deadline that falls on a
//! holiday moves to the next day that is not one (art. 52); whether a Saturday moves it too is
//! configuration (the Commission d'accès à l'information's rules say it does).

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// A statutory holiday other than Sundays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Holiday {
    NewYear,
    GoodFriday,
    EasterMonday,
    /// Journée nationale des patriotes: the Monday before 25 May.
    PatriotsDay,
    /// Fête nationale, 24 June (no other day when it falls on a Sunday).
    FeteNationale,
    /// 1 July, or 2 July when the 1st is a Sunday.
    CanadaDay,
    /// The first Monday of September.
    LabourDay,
    /// The second Monday of October.
    Thanksgiving,
    Christmas,
}

impl Holiday {
    pub fn label_key(self) -> &'static str {
        match self {
            Holiday::NewYear => "holiday-new-year",
            Holiday::GoodFriday => "holiday-good-friday",
            Holiday::EasterMonday => "holiday-easter-monday",
            Holiday::PatriotsDay => "holiday-patriots-day",
            Holiday::FeteNationale => "holiday-fete-nationale",
            Holiday::CanadaDay => "holiday-canada-day",
            Holiday::LabourDay => "holiday-labour-day",
            Holiday::Thanksgiving => "holiday-thanksgiving",
            Holiday::Christmas => "holiday-christmas",
        }
    }
}

/// Easter Sunday of `year` in the Gregorian calendar (the "anonymous" computus, Meeus/Jones/
/// Butcher), valid for every year chrono represents after 1582.
pub fn easter(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The `n`th (1-based) `weekday` of `month` in `year`.
fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u8) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n)
}

/// The statutory holidays of `year` other than Sundays (I-16 art. 61), in date order.
pub fn statutory_holidays(year: i32) -> Vec<(NaiveDate, Holiday)> {
    let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
    let mut out: Vec<(Option<NaiveDate>, Holiday)> = vec![(ymd(1, 1), Holiday::NewYear)];
    if let Some(e) = easter(year) {
        out.push((e.checked_sub_days(Days::new(2)), Holiday::GoodFriday));
        out.push((e.checked_add_days(Days::new(1)), Holiday::EasterMonday));
    }
    // The Monday before 25 May: between 18 and 24 May.
    let patriots = ymd(5, 24).map(|d| {
        let back = d.weekday().num_days_from_monday();
        d - Days::new(u64::from(back))
    });
    out.push((patriots, Holiday::PatriotsDay));
    out.push((ymd(6, 24), Holiday::FeteNationale));
    let canada = match ymd(7, 1) {
        Some(d) if d.weekday() == Weekday::Sun => ymd(7, 2),
        other => other,
    };
    out.push((canada, Holiday::CanadaDay));
    out.push((nth_weekday(year, 9, Weekday::Mon, 1), Holiday::LabourDay));
    out.push((
        nth_weekday(year, 10, Weekday::Mon, 2),
        Holiday::Thanksgiving,
    ));
    out.push((ymd(12, 25), Holiday::Christmas));
    let mut days: Vec<(NaiveDate, Holiday)> = out
        .into_iter()
        .filter_map(|(d, h)| d.map(|d| (d, h)))
        .collect();
    days.sort_by_key(|(d, _)| *d);
    days
}

/// The statutory holiday falling on `day`, if any (Sundays aside), computed for that day alone.
pub fn holiday_on(day: NaiveDate) -> Option<Holiday> {
    let year = day.year();
    let (m, d) = (day.month(), day.day());
    let holiday = match (m, d) {
        (1, 1) => Holiday::NewYear,
        (6, 24) => Holiday::FeteNationale,
        (12, 25) => Holiday::Christmas,
        (7, 1) if day.weekday() != Weekday::Sun => Holiday::CanadaDay,
        (7, 2) if day.weekday() == Weekday::Mon => Holiday::CanadaDay,
        (5, 18..=24) if day.weekday() == Weekday::Mon => Holiday::PatriotsDay,
        (9, 1..=7) if day.weekday() == Weekday::Mon => Holiday::LabourDay,
        (10, 8..=14) if day.weekday() == Weekday::Mon => Holiday::Thanksgiving,
        (3 | 4, _) if matches!(day.weekday(), Weekday::Fri | Weekday::Mon) => {
            let easter = easter(year)?;
            if easter.checked_sub_days(Days::new(2)) == Some(day) {
                Holiday::GoodFriday
            } else if easter.checked_add_days(Days::new(1)) == Some(day) {
                Holiday::EasterMonday
            } else {
                return None;
            }
        }
        _ => return None,
    };
    Some(holiday)
}

/// Why a deadline may not end on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "holiday")]
pub enum DayOff {
    Sunday,
    /// A Saturday, where the calendar says it moves deadlines.
    Saturday,
    Holiday(Holiday),
    /// A day off every year in this calendar (26 December, 2 January before the CAI).
    Yearly,
    /// A day the organization or the government added.
    Added,
}

impl DayOff {
    pub fn label_key(self) -> &'static str {
        match self {
            DayOff::Sunday => "day-off-sunday",
            DayOff::Saturday => "day-off-saturday",
            DayOff::Holiday(h) => h.label_key(),
            DayOff::Yearly => "day-off-yearly",
            DayOff::Added => "day-off-added",
        }
    }
}

/// The most days off one organization may add.
pub const MAX_DAYS_OFF: usize = 400;
/// The longest reason given for a day off, in characters.
pub const MAX_DAY_OFF_REASON: usize = 200;

/// Checks the days off an organization adds (a closure, a day the government fixes): each a
/// date as YYYY-MM-DD with a reason, no date twice, within bounds. Faults are named by
/// position (`days[2].day`), so that a form or a request shows the line at fault.
pub fn check_days_off(
    entries: &[(String, String)],
) -> Result<Vec<(NaiveDate, String)>, Vec<crate::FieldError>> {
    use crate::FieldError;
    let mut errors = Vec::new();
    if entries.len() > MAX_DAYS_OFF {
        errors.push(FieldError::with_limit(
            "days",
            "error-too-many",
            MAX_DAYS_OFF as u64,
        ));
        return Err(errors);
    }
    let mut out: Vec<(NaiveDate, String)> = Vec::with_capacity(entries.len());
    for (i, (day, reason)) in entries.iter().enumerate() {
        let reason = reason.trim();
        match NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d") {
            Err(_) => errors.push(FieldError::new(format!("days[{i}].day"), "error-date")),
            Ok(d) if out.iter().any(|(o, _)| *o == d) => {
                errors.push(FieldError::new(format!("days[{i}].day"), "error-taken"))
            }
            Ok(d) => out.push((d, reason.to_owned())),
        }
        if reason.is_empty() {
            errors.push(FieldError::new(
                format!("days[{i}].reason"),
                "error-required",
            ));
        } else if reason.chars().count() > MAX_DAY_OFF_REASON {
            errors.push(FieldError::with_limit(
                format!("days[{i}].reason"),
                "error-too-long",
                MAX_DAY_OFF_REASON as u64,
            ));
        } else if reason.chars().any(char::is_control) {
            errors.push(FieldError::new(
                format!("days[{i}].reason"),
                "error-control-characters",
            ));
        }
    }
    if errors.is_empty() {
        out.sort_by_key(|(d, _)| *d);
        Ok(out)
    } else {
        Err(errors)
    }
}

/// How a deadline is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    /// Every day counts; a deadline that falls on a day off moves to the next day on.
    Calendar,
    /// Only working days count: not Saturdays, Sundays or holidays.
    Working,
}

/// A delay: so many days, counted one way or the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delay {
    pub days: u32,
    pub count: DayCount,
}

/// The days off deadlines are computed with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayCalendar {
    /// Whether a calendar-day deadline that falls on a Saturday moves to the next day on.
    pub saturday_moves_deadlines: bool,
    /// Days off every year, as (month, day): 26 December and 2 January in the public service.
    pub yearly: Vec<(u32, u32)>,
    /// Single days off an organization or the government adds.
    pub dates: Vec<NaiveDate>,
}

impl Default for HolidayCalendar {
    /// The Interpretation Act alone: its holidays, Saturdays not among them.
    fn default() -> Self {
        HolidayCalendar {
            saturday_moves_deadlines: false,
            yearly: Vec::new(),
            dates: Vec::new(),
        }
    }
}

impl HolidayCalendar {
    /// The calendar of deadlines before the Commission d'accès à l'information (A-2.1, r. 6,
    /// s. 2, verified): holidays, 26 December, 2 January and Saturdays move a deadline.
    pub fn access_commission() -> Self {
        HolidayCalendar {
            saturday_moves_deadlines: true,
            yearly: vec![(12, 26), (1, 2)],
            dates: Vec::new(),
        }
    }

    /// A holiday: a Sunday, a statutory holiday or a day this calendar adds.
    pub fn is_holiday(&self, day: NaiveDate) -> bool {
        self.holiday_reason(day).is_some()
    }

    /// Why `day` is a holiday in this calendar, if it is.
    fn holiday_reason(&self, day: NaiveDate) -> Option<DayOff> {
        if day.weekday() == Weekday::Sun {
            Some(DayOff::Sunday)
        } else if let Some(h) = holiday_on(day) {
            Some(DayOff::Holiday(h))
        } else if self.yearly.contains(&(day.month(), day.day())) {
            Some(DayOff::Yearly)
        } else if self.dates.contains(&day) {
            Some(DayOff::Added)
        } else {
            None
        }
    }

    /// Why a deadline may not end on `day` (art. 52: a holiday; a Saturday when the calendar
    /// says so), or `None` when it may.
    pub fn deadline_day_off(&self, day: NaiveDate) -> Option<DayOff> {
        self.holiday_reason(day).or_else(|| {
            (self.saturday_moves_deadlines && day.weekday() == Weekday::Sat)
                .then_some(DayOff::Saturday)
        })
    }

    /// A working day: neither a Saturday nor a holiday.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        day.weekday() != Weekday::Sat && !self.is_holiday(day)
    }

    /// When a delay that starts on `start` ends: `days` calendar days later, moved past days
    /// off; or the `days`th working day after `start`. `None` past the end of chrono's range.
    pub fn deadline(&self, start: NaiveDate, delay: Delay) -> Option<NaiveDate> {
        match delay.count {
            DayCount::Calendar => {
                let mut day = start.checked_add_days(Days::new(u64::from(delay.days)))?;
                while self.deadline_day_off(day).is_some() {
                    day = day.succ_opt()?;
                }
                Some(day)
            }
            DayCount::Working => {
                let mut day = start;
                let mut left = delay.days;
                while left > 0 {
                    day = day.succ_opt()?;
                    if self.is_working_day(day) {
                        left -= 1;
                    }
                }
                Some(day)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn easter_by_the_computus() {
        for (year, date) in [
            (1818, "1818-03-22"),
            (1943, "1943-04-25"),
            (2000, "2000-04-23"),
            (2019, "2019-04-21"),
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2027, "2027-03-28"),
            (2038, "2038-04-25"),
            (2285, "2285-03-22"),
        ] {
            assert_eq!(easter(year), Some(d(date)), "{year}");
        }
    }

    // REQ PLAT-11
    #[test]
    fn the_interpretation_acts_holidays_for_any_year() {
        let days: Vec<NaiveDate> = statutory_holidays(2026)
            .into_iter()
            .map(|(d, _)| d)
            .collect();
        assert_eq!(
            days,
            [
                "2026-01-01",
                "2026-04-03",
                "2026-04-06",
                "2026-05-18",
                "2026-06-24",
                "2026-07-01",
                "2026-09-07",
                "2026-10-12",
                "2026-12-25"
            ]
            .map(d)
        );
        // The Monday before 25 May: the 24th itself when it is a Monday.
        let patriots = |y| {
            statutory_holidays(y)
                .into_iter()
                .find(|(_, h)| *h == Holiday::PatriotsDay)
                .unwrap()
                .0
        };
        assert_eq!(patriots(2027), d("2027-05-24"));
        assert_eq!(patriots(2026), d("2026-05-18"), "25 May 2026 is a Monday");
        for y in 1900..2200 {
            let p = patriots(y);
            assert_eq!(p.weekday(), Weekday::Mon);
            assert!((18..=24).contains(&p.day()) && p.month() == 5, "{p}");
        }
        // 1 July on a Sunday: 2 July instead; 24 June on a Sunday: no other day.
        assert_eq!(d("2029-07-01").weekday(), Weekday::Sun);
        let y2029 = statutory_holidays(2029);
        assert!(y2029.contains(&(d("2029-07-02"), Holiday::CanadaDay)));
        assert!(!y2029.iter().any(|(day, _)| *day == d("2029-07-01")));
        assert_eq!(d("2029-06-24").weekday(), Weekday::Sun);
        assert!(y2029.contains(&(d("2029-06-24"), Holiday::FeteNationale)));
        assert!(!y2029.iter().any(|(day, _)| *day == d("2029-06-25")));
        assert_eq!(y2029.len(), 9);
    }

    // REQ PLAT-11
    #[test]
    fn a_days_holiday_agrees_with_the_years_list() {
        for year in 1900..2300 {
            let list = statutory_holidays(year);
            let mut day = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
            while day.year() == year {
                let listed = list.iter().find(|(d, _)| *d == day).map(|(_, h)| *h);
                assert_eq!(holiday_on(day), listed, "{day}");
                day = day.succ_opt().unwrap();
            }
        }
    }

    // REQ PRP-03: the days an organization adds are checked and named by line.
    #[test]
    fn days_off_are_checked_line_by_line() {
        let e = |d: &str, r: &str| (d.to_owned(), r.to_owned());
        let ok = check_days_off(&[e("2026-12-24", "Fermeture"), e("2026-12-31", " Fermeture ")])
            .unwrap();
        assert_eq!(ok[1], (d("2026-12-31"), "Fermeture".to_owned()));
        let err = check_days_off(&[
            e("2026-12-24", "Fermeture"),
            e("2026-12-24", "Encore"),
            e("24/12/2026", ""),
            e("2026-12-30", &"x".repeat(201)),
        ])
        .unwrap_err();
        let got: Vec<(String, &str)> = err.into_iter().map(|f| (f.field, f.code)).collect();
        assert_eq!(
            got,
            [
                ("days[1].day".to_owned(), "error-taken"),
                ("days[2].day".to_owned(), "error-date"),
                ("days[2].reason".to_owned(), "error-required"),
                ("days[3].reason".to_owned(), "error-too-long"),
            ]
        );
        let many: Vec<(String, String)> =
            (0..401).map(|i| e(&format!("2026-01-{i}"), "x")).collect();
        assert_eq!(check_days_off(&many).unwrap_err()[0].field, "days");
    }

    // REQ PLAT-11
    #[test]
    fn working_day_deadlines_skip_weekends_and_holidays() {
        let cal = HolidayCalendar::default();
        let working = |n| Delay {
            days: n,
            count: DayCount::Working,
        };
        // From Friday 19 June 2026: 24 June and 1 July are not counted.
        assert_eq!(
            cal.deadline(d("2026-06-19"), working(10)),
            Some(d("2026-07-07"))
        );
        // Over Easter 2026: Good Friday and Easter Monday skipped.
        assert_eq!(
            cal.deadline(d("2026-04-02"), working(1)),
            Some(d("2026-04-07"))
        );
        assert_eq!(
            cal.deadline(d("2026-04-02"), working(0)),
            Some(d("2026-04-02"))
        );
        assert!(cal.is_working_day(d("2026-12-28")));
        assert!(!cal.is_working_day(d("2026-12-26")), "a Saturday");
        // A day an organization adds is off too.
        let mut own = HolidayCalendar::default();
        own.dates.push(d("2026-06-22"));
        assert_eq!(
            own.deadline(d("2026-06-19"), working(10)),
            Some(d("2026-07-08"))
        );
    }

    // REQ PLAT-11
    #[test]
    fn calendar_deadlines_move_past_days_off_as_the_calendar_says() {
        let thirty = Delay {
            days: 30,
            count: DayCount::Calendar,
        };
        // Falls on Christmas 2026 (a Friday).
        let act = HolidayCalendar::default();
        assert_eq!(
            act.deadline(d("2026-11-25"), thirty),
            Some(d("2026-12-26")),
            "Saturday is not a holiday under I-16"
        );
        let cai = HolidayCalendar::access_commission();
        assert_eq!(
            cai.deadline(d("2026-11-25"), thirty),
            Some(d("2026-12-28")),
            "26 December, then a weekend"
        );
        // 2 January 2027 is a Saturday; 1 January a holiday: the CAI's deadline moves to Monday.
        assert_eq!(cai.deadline(d("2026-12-02"), thirty), Some(d("2027-01-04")));
        // A deadline on an ordinary day stays.
        assert_eq!(act.deadline(d("2026-03-01"), thirty), Some(d("2026-03-31")));
        // Far ends of the range do not panic.
        assert_eq!(act.deadline(NaiveDate::MAX, thirty), None);
    }
}
