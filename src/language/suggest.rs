//! "Did you mean …?": the nearest of a set of names to a misspelled one, by edit distance over
//! characters (so one wrong Chinese character is one edit, as one wrong letter is).

/// The candidate nearest to `word`, if it is close enough to be a plausible typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = match word.chars().count() {
        0 => return None,
        1..=3 => 1,
        _ => 2,
    };
    nearest_within(word, candidates, limit)
}

/// The candidate at most `limit` edits from `word`, if any (for codes such as periods, where
/// two edits already make another valid code).
pub fn nearest_within<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Option<&'a str> {
    let length = word.chars().count();
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (distance(word, c), c))
        // A candidate that shares no character in place (`县` and `甲`) is no typo of it.
        .filter(|(d, c)| *d <= limit && *d < length.max(c.chars().count()))
        // Of equally near ones, the one that starts the same way (`县` → `县区`).
        .min_by_key(|(d, c)| (*d, std::cmp::Reverse(common_prefix(word, c))))
        .map(|(_, c)| c)
}

/// How many leading characters `a` and `b` share.
fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// `help` text for a suggestion.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    nearest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// Levenshtein distance between two strings, counted in characters.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        for (a, b, d) in [
            ("", "", 0),
            ("report", "raport", 1),
            ("宛城区", "宛城去", 1),
            ("报送单", "报送单位", 1),
            ("abc", "", 3),
            ("卧龙区", "宛城区", 2),
        ] {
            assert_eq!(distance(a, b), d, "{a} {b}");
        }
    }

    #[test]
    fn nearest_prefers_the_closest_and_refuses_far_ones() {
        let units = ["宛城区", "卧龙区", "南召县"];
        assert_eq!(nearest("宛城去", units), Some("宛城区"));
        assert_eq!(nearest("邓州市", units), None);
        assert_eq!(
            nearest("市直主管部门", ["县直部门"]),
            None,
            "half the word differs"
        );
        assert_eq!(nearest("raport", ["report", "remind"]), Some("report"));
        assert_eq!(
            nearest("县", ["甲", "县区"]),
            Some("县区"),
            "the same start wins a tie"
        );
        assert_eq!(nearest("丙", ["甲", "乙"]), None, "nothing in common");
    }
}
