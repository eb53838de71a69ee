//! Durations as people write them in files ("90s", "30m", "1h30m") and as we print them.
//!
//! Simulated time is virtual, so every duration in the product is a `std::time::Duration`
//! counted from the start of a run; this module only converts to and from text.

use std::fmt::Write as _;
use std::time::Duration;

/// Parses `"45s"`, `"30m"`, `"1h30m"` or `"500ms"`; a bare number is rejected because its
/// unit would be a guess.
pub fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty duration".to_owned());
    }
    let mut total_ms: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!("expected a number in `{text}`"));
        }
        let number: u64 = rest[..digits].parse().map_err(|_| format!("number too large in `{text}`"))?;
        rest = &rest[digits..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let unit_ms = match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "" => return Err(format!("missing unit in `{text}` (use ms, s, m or h)")),
            other => {
                return Err(format!("unknown unit `{other}` in `{text}` (use ms, s, m or h)"));
            }
        };
        rest = &rest[unit_len..];
        total_ms = number
            .checked_mul(unit_ms)
            .and_then(|ms| total_ms.checked_add(ms))
            .ok_or_else(|| format!("duration too large: `{text}`"))?;
    }
    Ok(Duration::from_millis(total_ms))
}

/// A clock reading since the start of a run: `00:12:40`, or `00:12:40.250` below the second.
pub fn clock(at: Duration) -> String {
    let total = at.as_secs();
    let mut out = format!("{:02}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60);
    let ms = at.subsec_millis();
    if ms != 0 {
        let _ = write!(out, ".{ms:03}");
    }
    out
}

/// A length of time for people: `45s`, `30m`, `1h 2m 5s`.
pub fn human(length: Duration) -> String {
    let total = length.as_secs();
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(format!("{h}h"));
    }
    if m > 0 {
        parts.push(format!("{m}m"));
    }
    if total == 0 && length.subsec_millis() != 0 {
        parts.push(format!("{}ms", length.subsec_millis()));
    } else if s > 0 || parts.is_empty() {
        parts.push(format!("{s}s"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, expect: Result<u64, &str>) {
        let got = parse(text).map(|d| d.as_millis() as u64);
        assert_eq!(got, expect.map_err(str::to_owned));
    }

    #[test]
    fn parses_units_and_sums() {
        check("45s", Ok(45_000));
        check("30m", Ok(1_800_000));
        check("1h30m", Ok(5_400_000));
        check("250ms", Ok(250));
        check("90", Err("missing unit in `90` (use ms, s, m or h)"));
        check("3d", Err("unknown unit `d` in `3d` (use ms, s, m or h)"));
        check("m", Err("expected a number in `m`"));
        check("", Err("empty duration"));
    }

    #[test]
    fn renders_clock_and_human() {
        assert_eq!(clock(Duration::from_secs(760)), "00:12:40");
        assert_eq!(clock(Duration::from_millis(1_250)), "00:00:01.250");
        assert_eq!(human(Duration::from_secs(3725)), "1h 2m 5s");
        assert_eq!(human(Duration::from_secs(0)), "0s");
        assert_eq!(human(Duration::from_millis(300)), "300ms");
        assert_eq!(human(Duration::from_millis(30_138)), "30s");
    }
}
