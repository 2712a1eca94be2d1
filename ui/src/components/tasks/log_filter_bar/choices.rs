//! What the filter bar offers: the sources as a tree (dotted children
//! under their parent), the context choices, and how a match count reads.

use taskdeck_protocol::LogCount;

/// One choice of the source list: the source to filter on and how deep it
/// is (it is shown indented under its parent, in full so that the closed
/// list still says which it is).
#[derive(Debug, PartialEq)]
pub(super) struct SourceChoice {
    pub(super) source: String,
    pub(super) depth: usize,
}

/// The sources as a tree in name order, with the parents they imply
/// (`backup` for `backup.archive`) even when nothing logged as the parent
/// itself (choosing a parent shows its children too).
pub(super) fn source_tree(sources: &[String]) -> Vec<SourceChoice> {
    let mut all = std::collections::BTreeSet::new();
    for source in sources {
        let mut end = 0;
        for part in source.split('.') {
            end += part.len();
            all.insert(source[..end].to_owned());
            end += 1;
        }
    }
    // By parts, so children follow their parent (`backup-x` sorts before
    // `backup.archive` as text).
    let mut all: Vec<String> = all.into_iter().collect();
    all.sort_by(|left, right| left.split('.').cmp(right.split('.')));
    all.into_iter()
        .map(|source| SourceChoice {
            depth: source.matches('.').count(),
            source,
        })
        .collect()
}

/// The context choices offered, in lines before and after each match (the
/// core takes up to [`taskdeck_protocol::log::MAX_CONTEXT`]).
pub(super) const CONTEXT_CHOICES: [u32; 8] = [0, 1, 2, 3, 5, 10, 25, 50];

/// "1,234 matches", "1 match", "100,000+ matches".
pub(super) fn match_text(count: LogCount) -> String {
    let digits = crate::format::grouped(count.matching);
    let plus = if count.capped { "+" } else { "" };
    let noun = if count.matching == 1 && !count.capped {
        "match"
    } else {
        "matches"
    };
    format!("{digits}{plus} {noun}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_form_a_tree_with_implied_parents() {
        let sources: Vec<String> = [
            "backup.archive.zip",
            "backup.upload",
            "system",
            "backup-x",
            "backup",
        ]
        .map(String::from)
        .to_vec();
        let tree: Vec<(String, usize)> = source_tree(&sources)
            .into_iter()
            .map(|choice| (choice.source, choice.depth))
            .collect();
        let expected = [
            ("backup", 0),
            ("backup.archive", 1),
            ("backup.archive.zip", 2),
            ("backup.upload", 1),
            ("backup-x", 0),
            ("system", 0),
        ]
        .map(|(source, depth)| (source.to_owned(), depth));
        assert_eq!(tree, expected);
    }

    #[test]
    fn match_counts_read_naturally() {
        let count = |matching, capped| match_text(LogCount { matching, capped });
        assert_eq!(count(1, false), "1 match");
        assert_eq!(count(0, false), "0 matches");
        assert_eq!(count(1234, false), "1,234 matches");
        assert_eq!(count(100_000, true), "100,000+ matches");
    }
}
