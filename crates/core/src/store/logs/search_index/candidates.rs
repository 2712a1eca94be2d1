//! Which rows of the trigram index a search can be narrowed to: an FTS5
//! expression that selects a superset of the rows the search matches, or
//! none when the index cannot narrow it and the task's rows are scanned.

use taskdeck_protocol::{SearchExpression, SearchMatcher, SearchMode, SearchQuery};

/// Trigrams per term in a candidate expression at most: any subset of a
/// text's trigrams still selects every row containing it, and a few
/// spread along it are about as selective as all of them.
const MAX_TRIGRAMS_PER_TERM: usize = 12;

/// An FTS5 expression over the index that selects every row `matcher`
/// can match, or `None` when the index cannot narrow it.
pub fn candidates(matcher: &SearchMatcher) -> Option<String> {
    match matcher.query().mode {
        SearchMode::Text => trigram_group(&matcher.query().text),
        SearchMode::Operators => matcher.expression().and_then(expression_candidates),
        SearchMode::Regex => regex_candidates(matcher.query()),
    }
}

/// Most literals a regex may require before the index stops narrowing it
/// (each becomes a trigram group in one `OR`).
const MAX_REGEX_LITERALS: usize = 16;

/// Candidates of a regex: when every match starts (or else ends) with one
/// of a few literals of three characters or more, the rows holding one of
/// them. `None` when the regex has no such literals (`\d+`, `a.b`), and
/// the task's rows are scanned.
fn regex_candidates(query: &SearchQuery) -> Option<String> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = query.regex_hir().ok()?;
    [ExtractKind::Prefix, ExtractKind::Suffix]
        .into_iter()
        .find_map(|kind| {
            let suffix = matches!(kind, ExtractKind::Suffix);
            let literals = Extractor::new().kind(kind).extract(&hir);
            let texts: Vec<String> = literals
                .literals()?
                .iter()
                .map(|literal| whole_characters(literal.as_bytes(), suffix).to_lowercase())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            if texts.is_empty() || texts.len() > MAX_REGEX_LITERALS {
                return None;
            }
            let groups: Option<Vec<String>> =
                texts.iter().map(|text| trigram_group(text)).collect();
            let groups = groups?;
            Some(if groups.len() == 1 {
                groups.into_iter().collect()
            } else {
                groups
                    .iter()
                    .map(|group| format!("({group})"))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            })
        })
}

/// The whole characters of a literal the regex parser cut to a length:
/// a prefix may end, a suffix may start, inside a character.
fn whole_characters(bytes: &[u8], suffix: bool) -> String {
    let start = if suffix {
        bytes
            .iter()
            .position(|byte| (byte & 0xC0) != 0x80)
            .unwrap_or(bytes.len())
    } else {
        0
    };
    let rest = &bytes[start..];
    match std::str::from_utf8(rest) {
        Ok(text) => text.to_owned(),
        Err(error) => String::from_utf8_lossy(&rest[..error.valid_up_to()]).into_owned(),
    }
}

fn expression_candidates(expression: &SearchExpression) -> Option<String> {
    match expression {
        SearchExpression::Term(term) => trigram_group(term),
        SearchExpression::And(left, right) => {
            match (expression_candidates(left), expression_candidates(right)) {
                (Some(left), Some(right)) => Some(format!("({left}) AND ({right})")),
                (one, other) => one.or(other),
            }
        }
        SearchExpression::Or(left, right) => {
            let left = expression_candidates(left)?;
            let right = expression_candidates(right)?;
            Some(format!("({left}) OR ({right})"))
        }
        // Rows without a term are no subset of the index's.
        SearchExpression::Not(_) => None,
    }
}

/// `"abc" AND "bcd" AND …` for the trigrams of `text` (deduplicated, at
/// most [`MAX_TRIGRAMS_PER_TERM`] spread along it), or `None` for a text
/// shorter than three characters.
fn trigram_group(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() < 3 {
        return None;
    }
    let mut trigrams: Vec<String> = chars
        .windows(3)
        .map(|window| window.iter().collect())
        .collect();
    let mut seen = std::collections::HashSet::new();
    // FTS5 reads its expression as a C string: a NUL would end it. Rows
    // holding the other trigrams are still a superset.
    trigrams
        .retain(|trigram: &String| !trigram.contains('\0') && seen.insert(trigram.to_lowercase()));
    if trigrams.is_empty() {
        return None;
    }
    if trigrams.len() > MAX_TRIGRAMS_PER_TERM {
        let step = (trigrams.len() - 1) as f64 / (MAX_TRIGRAMS_PER_TERM - 1) as f64;
        trigrams = (0..MAX_TRIGRAMS_PER_TERM)
            .map(|index| trigrams[(index as f64 * step).round() as usize].clone())
            .collect();
    }
    let quoted: Vec<String> = trigrams
        .iter()
        .map(|trigram| format!("\"{}\"", trigram.replace('"', "\"\"")))
        .collect();
    Some(quoted.join(" AND "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigram_groups_cover_the_text_and_quote_it() {
        assert_eq!(trigram_group("ab"), None);
        assert_eq!(
            trigram_group("a\"b.c").as_deref(),
            Some("\"a\"\"b\" AND \"\"\"b.\" AND \"b.c\"")
        );
        assert_eq!(trigram_group("aaaa").as_deref(), Some("\"aaa\""));
        // A NUL cannot be written in an FTS5 expression: its trigrams go.
        assert_eq!(trigram_group("Z\0i"), None);
        assert_eq!(
            trigram_group("ab\0cdef").as_deref(),
            Some("\"cde\" AND \"def\"")
        );
        let long =
            trigram_group(&"x".repeat(10).chars().chain('a'..='z').collect::<String>()).unwrap();
        assert_eq!(long.matches(" AND ").count(), MAX_TRIGRAMS_PER_TERM - 1);
    }

    #[test]
    fn expressions_narrow_only_where_every_match_has_the_terms() {
        let plan = |text: &str| {
            let query = SearchQuery {
                text: text.to_owned(),
                mode: SearchMode::Operators,
                case_sensitive: false,
            };
            candidates(&query.compile().unwrap())
        };
        assert_eq!(
            plan("disk NOT full").as_deref(),
            Some("\"dis\" AND \"isk\"")
        );
        assert_eq!(plan("disk OR ab"), None, "ab is too short for the index");
        assert_eq!(plan("NOT disk"), None);
        assert_eq!(
            plan("disk OR nets").as_deref(),
            Some("(\"dis\" AND \"isk\") OR (\"net\" AND \"ets\")")
        );
    }

    #[test]
    fn a_regex_narrows_by_the_literals_every_match_starts_or_ends_with() {
        let plan = |text: &str, case_sensitive: bool| {
            regex_candidates(&SearchQuery {
                text: text.to_owned(),
                mode: SearchMode::Regex,
                case_sensitive,
            })
        };
        assert_eq!(plan("kra+ken", true).as_deref(), Some("\"kra\""));
        assert_eq!(
            plan("(disk|net)work", true).as_deref(),
            Some(
                "(\"dis\" AND \"isk\" AND \"skw\" AND \"kwo\" AND \"wor\" AND \"ork\") OR (\"net\" AND \"etw\" AND \"two\" AND \"wor\" AND \"ork\")"
            )
        );
        // Case folded: the variants are one literal for the folded index.
        assert_eq!(
            plan("ERR-\\d+", false).as_deref(),
            Some("\"err\" AND \"rr-\"")
        );
        // Only a suffix is required.
        assert_eq!(
            plan("\\d+ bytes", true).as_deref(),
            Some("\" by\" AND \"byt\" AND \"yte\" AND \"tes\"")
        );
        for scanned in ["\\d+", "a.b", "ab", ".*", "x|\\d{3}"] {
            assert_eq!(plan(scanned, true), None, "{scanned}");
        }
    }
}
