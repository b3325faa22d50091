//! How figures are written for people, in one place: counts grouped by
//! thousands (`1,234,567`), basis points as percentages (`30.80%`), and
//! hundredths with two decimals (`85.33`), and a count with its noun
//! (`1 exception`, `2 exceptions`). Tables, the dashboard, audit reports
//! and the command line all write numbers through here.

/// `1234567` as `1,234,567`.
pub fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// [`grouped`] for a figure that may be negative (a pool that does not
/// reconcile, in an audit).
pub fn grouped_signed(n: i128) -> String {
    let digits = grouped(u64::try_from(n.unsigned_abs()).unwrap_or(u64::MAX));
    if n < 0 { format!("-{digits}") } else { digits }
}

/// Basis points as a percentage with two decimals: `4800` is `48.00%`.
pub fn percent(bp: u64) -> String {
    format!("{}%", hundredths(bp))
}

/// Hundredths with two decimals: `8533` is `85.33`.
pub fn hundredths(n: u64) -> String {
    format!("{}.{:02}", n / 100, n % 100)
}

/// `n` grouped, with `noun` in the singular for one and in the plural
/// otherwise: `1 exception`, `0 exceptions`, `1,200 GPUs`. The plural adds
/// `s`, or `es` after s, x, ch and sh; nouns of the programme that do not
/// follow it are listed here.
pub fn count(n: u64, noun: &str) -> String {
    format!("{} {}", grouped(n), noun_for(n, noun))
}

/// `noun` as [`count`] writes it after `n`, for text that shows the figure
/// apart from its noun.
pub fn noun_for(n: u64, noun: &str) -> String {
    if n == 1 {
        noun.to_string()
    } else {
        plural(noun)
    }
}

fn plural(noun: &str) -> String {
    const IRREGULAR: [(&str, &str); 2] = [("this", "these"), ("its", "their")];
    if let Some((_, many)) = IRREGULAR.iter().find(|(one, _)| *one == noun) {
        return many.to_string();
    }
    let last = noun.split(' ').next_back().unwrap_or(noun);
    if ["s", "x", "ch", "sh"].iter().any(|end| last.ends_with(end)) {
        format!("{noun}es")
    } else if last.ends_with('y') && !last.ends_with("ay") && !last.ends_with("ey") {
        format!("{}ies", &noun[..noun.len() - 1])
    } else {
        format!("{noun}s")
    }
}

/// `part / whole` in basis points, rounded down; 0 when `whole` is 0.
pub fn bp(part: u64, whole: u64) -> u64 {
    if whole == 0 {
        0
    } else {
        (u128::from(part) * 10_000 / u128::from(whole)) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_as_people_write_them() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(13_712), "13,712");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped_signed(-4_224), "-4,224");
        assert_eq!(percent(3080), "30.80%");
        assert_eq!(percent(5), "0.05%");
        assert_eq!(hundredths(8533), "85.33");
    }

    #[test]
    fn a_count_takes_its_noun_in_the_right_number() {
        assert_eq!(count(1, "exception"), "1 exception");
        assert_eq!(count(0, "exception"), "0 exceptions");
        assert_eq!(count(2_500, "GPU"), "2,500 GPUs");
        assert_eq!(count(2, "pending application"), "2 pending applications");
        assert_eq!(count(3, "utilization report"), "3 utilization reports");
        assert_eq!(count(2, "match"), "2 matches");
        assert_eq!(count(2, "policy"), "2 policies");
        assert_eq!(count(2, "day"), "2 days");
    }

    #[test]
    fn basis_points_round_down() {
        assert_eq!(bp(4224, 13712), 3080);
        assert_eq!(bp(1, 3), 3333);
        assert_eq!(bp(5, 0), 0);
    }
}
