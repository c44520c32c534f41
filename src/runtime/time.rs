//! Wall-clock arithmetic in the account's IANA time zone.
//!
//! Policy (language reference): a wall-clock time skipped by a daylight-saving
//! change means the first instant after the gap; an ambiguous one (clocks
//! turned back) the earlier instant.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
    Timelike, Utc, Weekday,
};
use chrono_tz::Tz;

/// The instant of a local wall-clock time in `tz`.
pub fn resolve_local(tz: Tz, naive: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // In a gap: the first wall-clock minute after it that exists is
            // the transition instant (gaps start and end on whole minutes in
            // every IANA zone in use).
            let mut probe = naive
                .with_second(0)
                .and_then(|p| p.with_nanosecond(0))
                .unwrap_or(naive);
            for _ in 0..(26 * 60) {
                probe += Duration::minutes(1);
                match tz.from_local_datetime(&probe) {
                    LocalResult::Single(t) => return t.with_timezone(&Utc),
                    LocalResult::Ambiguous(a, b) => return a.min(b).with_timezone(&Utc),
                    LocalResult::None => {}
                }
            }
            // Unreachable for real zones; fall back to reading it as UTC.
            Utc.from_utc_datetime(&naive)
        }
    }
}

/// The local calendar date of an instant in `tz`.
pub fn local_date(tz: Tz, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// `delay until [days] [at time]`: the instant the record resumes, or `now`
/// when it does not wait.
///
/// With a time: the next instant strictly after `now` with that wall-clock
/// time (on one of `days` if any). With days only: no wait when today is one
/// of them, else 00:00 of the next such day.
pub fn next_matching(
    tz: Tz,
    now: DateTime<Utc>,
    days: &[Weekday],
    time: Option<NaiveTime>,
) -> DateTime<Utc> {
    let today = local_date(tz, now);
    let day_ok = |d: NaiveDate| days.is_empty() || days.contains(&d.weekday());
    match time {
        Some(time) => {
            // Eight days always reach a matching day; a ninth covers a
            // candidate that resolves to before `now` around a DST change.
            for offset in 0..=9 {
                let Some(date) = today.checked_add_signed(Duration::days(offset)) else {
                    break;
                };
                if !day_ok(date) {
                    continue;
                }
                let at = resolve_local(tz, date.and_time(time));
                if at > now {
                    return at;
                }
            }
            now
        }
        None => {
            if days.is_empty() || day_ok(today) {
                return now;
            }
            for offset in 1..=7 {
                let Some(date) = today.checked_add_signed(Duration::days(offset)) else {
                    break;
                };
                if day_ok(date) {
                    return resolve_local(tz, date.and_time(NaiveTime::MIN));
                }
            }
            now
        }
    }
}

/// A date-centred delay's instant: `offset_minutes` of wall-clock time from
/// 00:00 of `centre` (or, with `time`, that time of day on the day
/// `offset_minutes / 1440` days away).
pub fn centred_instant(
    tz: Tz,
    centre: NaiveDate,
    offset_minutes: i64,
    time: Option<NaiveTime>,
) -> Option<DateTime<Utc>> {
    let naive = match time {
        Some(time) => {
            let days = offset_minutes.div_euclid(1440);
            centre
                .checked_add_signed(Duration::try_days(days)?)?
                .and_time(time)
        }
        None => centre
            .and_time(NaiveTime::MIN)
            .checked_add_signed(Duration::try_minutes(offset_minutes)?)?,
    };
    Some(resolve_local(tz, naive))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").expect("a local time")
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("RFC 3339")
            .with_timezone(&Utc)
    }

    /// docs/runtime.md, "Delays": a wall-clock time in a gap is the first
    /// instant after the gap, an ambiguous one the earlier instant; also
    /// for a gap of a whole day (Samoa skipped 30 December 2011).
    #[test]
    fn a_skipped_time_is_the_end_of_the_gap_and_an_ambiguous_one_the_earlier() {
        let ams: Tz = chrono_tz::Europe::Amsterdam;
        assert_eq!(
            resolve_local(ams, local("2026-03-29T02:30")),
            utc("2026-03-29T01:00:00Z")
        );
        assert_eq!(
            resolve_local(ams, local("2026-10-25T02:30")),
            utc("2026-10-25T00:30:00Z")
        );
        assert_eq!(
            resolve_local(ams, local("2026-06-01T09:00")),
            utc("2026-06-01T07:00:00Z")
        );
        let apia: Tz = chrono_tz::Pacific::Apia;
        assert_eq!(
            resolve_local(apia, local("2011-12-30T09:00")),
            utc("2011-12-30T10:00:00Z")
        );
    }
}
