//! "Did you mean" suggestions for misspelt keys and names.

/// The known word nearest to `word`, if it is a likely typo (at most a
/// third of the word's length in edits, at least one) or a decorated form
/// of a known word (`wave_column` for `wave`: the longest known word of
/// four or more characters that `word` contains).
pub fn did_you_mean<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    let length = word.chars().count();
    let limit = (length / 3).max(1);
    // The distance is at least the difference in length: words that differ
    // by more than the limit in length are not measured (a header of long
    // undeclared names stays linear in its bytes).
    let typo = known
        .iter()
        .filter(|k| k.chars().count().abs_diff(length) <= limit)
        .map(|k| (edit_distance(word, k), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k);
    typo.or_else(|| {
        let lower = word.to_lowercase();
        known
            .iter()
            .filter(|k| {
                let chars = k.chars().count();
                (4..=length).contains(&chars) && lower.contains(&k.to_lowercase())
            })
            .max_by_key(|k| k.len())
            .copied()
    })
}

/// Levenshtein distance over characters (insert, delete, substitute).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_worked_by_hand() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("wave", "wave"), 0);
    }

    #[test]
    fn suggests_only_close_words() {
        assert_eq!(
            did_you_mean("respondant", &["respondent", "cluster"]),
            Some("respondent")
        );
        assert_eq!(did_you_mean("zzz", &["respondent", "cluster"]), None);
        // One edit away, and one character longer or shorter: still found.
        assert_eq!(
            did_you_mean("respondents", &["respondent"]),
            Some("respondent")
        );
        assert_eq!(
            did_you_mean("espondent", &["respondent"]),
            Some("respondent")
        );
        assert_eq!(
            did_you_mean("wave_column", &["path", "wave", "pattern"]),
            Some("wave")
        );
    }
}
