//! Parsing and formatting of single cell values. Byte-level and
//! allocation-free: this runs for every cell of the file.

use crate::study::{DateFormat, Decimal};

/// A whole number: optional sign and ASCII digits, nothing else.
pub fn parse_int(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut v: i64 = 0;
    for &b in digits {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + i64::from(d);
    }
    Some(if neg { -v } else { v })
}

/// What a text that is not a plain [`parse_int`] number may still be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whole {
    /// A whole number written another way: leading zeros, or a fraction of
    /// zeros after the decimal separator (`3.00`, as SPSS writes an F8.2
    /// value).
    Value(i64),
    /// A whole number with more digits than any range holds.
    TooLarge,
}

/// The whole number in `s`, allowing leading zeros and a zero fraction
/// with the study's decimal separator; `None` when `s` is not a whole
/// number at all (`3.5`, `x4`, `1e3`).
pub fn parse_whole(s: &[u8], decimal: Decimal) -> Option<Whole> {
    let sep = match decimal {
        Decimal::Point => b'.',
        Decimal::Comma => b',',
    };
    let (neg, rest) = match s.first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (digits, fraction) = match rest.iter().position(|&b| b == sep) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    if digits.is_empty()
        || !digits.iter().all(u8::is_ascii_digit)
        || !fraction.iter().all(|&b| b == b'0')
    {
        return None;
    }
    let significant = match digits.iter().position(|&b| b != b'0') {
        Some(i) => &digits[i..],
        None => &digits[digits.len() - 1..],
    };
    Some(match parse_int(significant) {
        Some(v) => Whole::Value(if neg { -v } else { v }),
        None => Whole::TooLarge,
    })
}

/// A finite real number with the given decimal separator. Exponents are
/// accepted (`1e-3`); `inf` and `nan` are not values.
pub fn parse_float(s: &[u8], decimal: Decimal) -> Option<f64> {
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let mut buf = [0u8; 64];
    let n = s.len();
    buf[..n].copy_from_slice(s);
    let other = match decimal {
        Decimal::Point => b',',
        Decimal::Comma => b'.',
    };
    for b in &mut buf[..n] {
        if *b == other {
            return None;
        }
        if *b == b',' {
            *b = b'.';
        }
        if !(b.is_ascii_digit() || matches!(*b, b'.' | b'-' | b'+' | b'e' | b'E')) {
            return None;
        }
    }
    let text = std::str::from_utf8(&buf[..n]).ok()?;
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A date in `format`, as days since 1970-01-01; `None` unless the day
/// exists in the calendar.
pub fn parse_date(s: &[u8], format: DateFormat) -> Option<i32> {
    if s.len() != 10 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        s[r].iter().try_fold(0u32, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
        })
    };
    let (y, m, d, seps) = match format {
        DateFormat::YearMonthDay => (num(0..4)?, num(5..7)?, num(8..10)?, [(4, b'-'), (7, b'-')]),
        DateFormat::DayMonthYear => (num(6..10)?, num(3..5)?, num(0..2)?, [(2, b'-'), (5, b'-')]),
        DateFormat::DayMonthYearSlash => {
            (num(6..10)?, num(3..5)?, num(0..2)?, [(2, b'/'), (5, b'/')])
        }
    };
    if seps.iter().any(|&(i, c)| s[i] != c) {
        return None;
    }
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y as i64, m, d) as i32)
}

/// Formats days since 1970-01-01 in `format`.
pub fn format_date(days: i32, format: DateFormat) -> String {
    let (y, m, d) = civil_from_days(i64::from(days));
    match format {
        DateFormat::YearMonthDay => format!("{y:04}-{m:02}-{d:02}"),
        DateFormat::DayMonthYear => format!("{d:02}-{m:02}-{y:04}"),
        DateFormat::DayMonthYearSlash => format!("{d:02}/{m:02}/{y:04}"),
    }
}

fn is_leap(y: u32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert_eq!(parse_int(b"-9"), Some(-9));
        assert_eq!(parse_int(b"+12"), Some(12));
        assert_eq!(parse_int(b"3.0"), None);
        assert_eq!(parse_int(b"-"), None);
        assert_eq!(parse_int(b""), None);
        assert_eq!(parse_int(b"1234567890123456789"), None);
    }

    #[test]
    fn whole_numbers_written_another_way() {
        use Whole::*;
        assert_eq!(parse_whole(b"3.00", Decimal::Point), Some(Value(3)));
        assert_eq!(parse_whole(b"-3,0", Decimal::Comma), Some(Value(-3)));
        assert_eq!(
            parse_whole(b"0000000000000000000007", Decimal::Point),
            Some(Value(7))
        );
        assert_eq!(parse_whole(b"000", Decimal::Point), Some(Value(0)));
        assert_eq!(
            parse_whole(b"12345678901234567890", Decimal::Point),
            Some(TooLarge)
        );
        assert_eq!(parse_whole(b"3.5", Decimal::Point), None);
        // A comma in a point-decimal file is a thousands separator or a
        // delimiter, never a decimal: not silently read as 3.
        assert_eq!(parse_whole(b"3,000", Decimal::Point), None);
        assert_eq!(parse_whole(b"1e3", Decimal::Point), None);
        assert_eq!(parse_whole(b".0", Decimal::Point), None);
        assert_eq!(parse_whole(b"-", Decimal::Point), None);
    }

    #[test]
    fn floats_with_either_decimal_separator() {
        assert_eq!(parse_float(b"1.5", Decimal::Point), Some(1.5));
        assert_eq!(parse_float(b"1,5", Decimal::Comma), Some(1.5));
        assert_eq!(parse_float(b"1,5", Decimal::Point), None);
        assert_eq!(parse_float(b"1.5", Decimal::Comma), None);
        assert_eq!(parse_float(b"inf", Decimal::Point), None);
        assert_eq!(parse_float(b"2e-3", Decimal::Point), Some(0.002));
    }

    #[test]
    fn dates_known_by_hand() {
        // 1970-01-01 is day 0; 2000-03-01 is 11017 days later
        // (30 years * 365 + 7 leap days = 10957 to 2000-01-01, + 31 + 29).
        assert_eq!(parse_date(b"1970-01-01", DateFormat::YearMonthDay), Some(0));
        assert_eq!(
            parse_date(b"2000-03-01", DateFormat::YearMonthDay),
            Some(11017)
        );
        assert_eq!(
            parse_date(b"01-03-2000", DateFormat::DayMonthYear),
            Some(11017)
        );
        assert_eq!(
            parse_date(b"1969-12-31", DateFormat::YearMonthDay),
            Some(-1)
        );
        assert_eq!(parse_date(b"2019-02-29", DateFormat::YearMonthDay), None);
        assert_eq!(
            parse_date(b"2020-02-29", DateFormat::YearMonthDay),
            Some(18321)
        );
        assert_eq!(
            format_date(11017, DateFormat::DayMonthYearSlash),
            "01/03/2000"
        );
        assert_eq!(format_date(-1, DateFormat::YearMonthDay), "1969-12-31");
    }
}
