//! What a search means: the text a user typed, how it is read — a literal
//! substring (the default), an expression with operators, or a regular
//! expression — and whether case matters. A [`SearchQuery`] compiles once
//! into a [`SearchMatcher`], which every surface uses: the store verifies
//! candidate rows with it, and the UI highlights exactly what it finds.
//!
//! - [`SearchMode::Text`]: the text as typed, punctuation and spaces
//!   literal, found anywhere in a message (inside words too).
//! - [`SearchMode::Operators`]: terms joined by `AND` (or nothing), `OR`
//!   and `NOT` (upper case), with `( )` and `"quoted phrases"`. Each term
//!   and phrase is a literal substring, so `build*` means `build`.
//! - [`SearchMode::Regex`]: the `regex` crate's syntax, which runs in time
//!   linear in the text (no backtracking) and within a size limit.
//!
//! Case is ignored unless [`SearchQuery::case_sensitive`] says otherwise
//! (Unicode simple case folding).

use std::ops::Range;

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

mod expression;

pub use expression::parse_expression;

/// How the search text is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SearchMode {
    /// A literal substring, exactly as typed.
    #[default]
    Text,
    /// Terms with `AND`, `OR`, `NOT`, parentheses and quoted phrases.
    Operators,
    /// A regular expression.
    Regex,
}

impl SearchMode {
    /// The mode's name on the wire and in the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Operators => "operators",
            Self::Regex => "regex",
        }
    }
}

/// The most memory one compiled regex may take, in bytes.
pub const MAX_REGEX_SIZE: usize = 2 * 1024 * 1024;

/// A search as the user asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchQuery {
    /// What the user typed.
    pub text: String,
    /// How to read it.
    pub mode: SearchMode,
    /// Whether upper and lower case differ.
    pub case_sensitive: bool,
}

/// Why a search cannot run, in the user's words: what is wrong and where
/// (a 1-based character position in the search text, when there is one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct InvalidSearch {
    /// The character (1-based) where the problem is.
    pub position: Option<usize>,
    /// What is wrong.
    pub reason: String,
}

impl InvalidSearch {
    fn at(position: usize, reason: impl Into<String>) -> Self {
        Self {
            position: Some(position),
            reason: reason.into(),
        }
    }

    fn describe(&self) -> String {
        match self.position {
            Some(position) => format!("at character {position}: {}", self.reason),
            None => self.reason.clone(),
        }
    }
}

/// A boolean expression of literal terms (operators mode).
#[derive(Debug, Clone)]
pub enum SearchExpression {
    /// A literal substring.
    Term(String),
    /// Both sides match.
    And(Box<SearchExpression>, Box<SearchExpression>),
    /// Either side matches.
    Or(Box<SearchExpression>, Box<SearchExpression>),
    /// The inside does not match.
    Not(Box<SearchExpression>),
}

/// A compiled search: decides whether a message matches and where.
#[derive(Debug, Clone)]
pub struct SearchMatcher {
    query: SearchQuery,
    compiled: Compiled,
}

#[derive(Debug, Clone)]
enum Compiled {
    /// One pattern (an escaped literal, or the user's regex).
    Pattern(Regex),
    /// An expression whose terms are patterns, in the order of
    /// [`SearchExpression::terms`].
    Expression {
        expression: SearchExpression,
        terms: Vec<Regex>,
    },
}

impl SearchQuery {
    /// A literal, case-insensitive search for `text`.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            mode: SearchMode::Text,
            case_sensitive: false,
        }
    }

    /// Compiles the query, or says what is wrong with it and where.
    pub fn compile(&self) -> Result<SearchMatcher, InvalidSearch> {
        let compiled = match self.mode {
            SearchMode::Text => Compiled::Pattern(self.literal(&self.text)?),
            SearchMode::Regex => Compiled::Pattern(self.regex()?),
            SearchMode::Operators => {
                let expression = parse_expression(&self.text)?;
                let terms = expression
                    .terms()
                    .into_iter()
                    .map(|term| self.literal(term))
                    .collect::<Result<_, _>>()?;
                Compiled::Expression { expression, terms }
            }
        };
        Ok(SearchMatcher {
            query: self.clone(),
            compiled,
        })
    }

    fn literal(&self, text: &str) -> Result<Regex, InvalidSearch> {
        self.build(&regex::escape(text))
    }

    fn regex(&self) -> Result<Regex, InvalidSearch> {
        // The parser's own error names the problem and its place; the
        // compiled regex's message is a multi-line drawing of the pattern.
        if let Err(error) = regex_syntax::ast::parse::Parser::new().parse(&self.text) {
            return Err(regex_error(
                &self.text,
                error.span(),
                &error.kind().to_string(),
            ));
        }
        if let Err(regex_syntax::Error::Translate(error)) = self.regex_hir().map_err(|error| *error)
        {
            return Err(regex_error(
                &self.text,
                error.span(),
                &error.kind().to_string(),
            ));
        }
        self.build(&self.text)
    }

    /// The text read as a regex, case folded unless case matters: its
    /// structure, as the index needs it to find the literals every match
    /// holds.
    pub fn regex_hir(&self) -> Result<regex_syntax::hir::Hir, Box<regex_syntax::Error>> {
        regex_syntax::ParserBuilder::new()
            .case_insensitive(!self.case_sensitive)
            .build()
            .parse(&self.text)
            .map_err(Box::new)
    }

    fn build(&self, pattern: &str) -> Result<Regex, InvalidSearch> {
        RegexBuilder::new(pattern)
            .case_insensitive(!self.case_sensitive)
            .size_limit(MAX_REGEX_SIZE)
            .dfa_size_limit(MAX_REGEX_SIZE)
            .build()
            .map_err(|error| match error {
                regex::Error::CompiledTooBig(_) => InvalidSearch {
                    position: None,
                    reason: "the search is too complex; make it shorter or simpler".to_owned(),
                },
                other => InvalidSearch {
                    position: None,
                    reason: other.to_string(),
                },
            })
    }
}

fn regex_error(text: &str, span: &regex_syntax::ast::Span, reason: &str) -> InvalidSearch {
    let before = text.get(..span.start.offset).unwrap_or(text);
    let position = before.chars().count() + 1;
    InvalidSearch::at(position, reason)
}

impl SearchMatcher {
    /// The query this matcher was compiled from.
    pub fn query(&self) -> &SearchQuery {
        &self.query
    }

    /// Whether `message` matches.
    pub fn is_match(&self, message: &str) -> bool {
        match &self.compiled {
            Compiled::Pattern(pattern) => pattern.is_match(message),
            Compiled::Expression { expression, terms } => {
                let mut next = 0;
                expression.evaluate(&mut next, &mut |index| terms[index].is_match(message))
            }
        }
    }

    /// The byte ranges of `message` that matched, in order and without
    /// overlaps, for highlighting: every occurrence of the text (or of each
    /// term outside a `NOT`), or every non-empty regex match. Empty when
    /// the message does not match.
    pub fn find_ranges(&self, message: &str) -> Vec<Range<usize>> {
        if !self.is_match(message) {
            return Vec::new();
        }
        let mut ranges: Vec<Range<usize>> = match &self.compiled {
            Compiled::Pattern(pattern) => pattern
                .find_iter(message)
                .map(|found| found.range())
                .collect(),
            Compiled::Expression { expression, terms } => {
                let wanted = expression.positive_terms();
                terms
                    .iter()
                    .enumerate()
                    .filter(|(index, _)| wanted.contains(index))
                    .flat_map(|(_, term)| term.find_iter(message).map(|found| found.range()))
                    .collect()
            }
        };
        ranges.retain(|range| !range.is_empty());
        ranges.sort_by_key(|range| (range.start, std::cmp::Reverse(range.end)));
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
        for range in ranges {
            match merged.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
        merged
    }

    /// The expression of an operators search (`None` in the other modes).
    pub fn expression(&self) -> Option<&SearchExpression> {
        match &self.compiled {
            Compiled::Expression { expression, .. } => Some(expression),
            Compiled::Pattern(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(text: &str, mode: SearchMode) -> SearchQuery {
        SearchQuery {
            text: text.to_owned(),
            mode,
            case_sensitive: false,
        }
    }

    fn matches(text: &str, mode: SearchMode, message: &str) -> bool {
        query(text, mode).compile().unwrap().is_match(message)
    }

    #[test]
    fn text_is_a_literal_case_insensitive_substring() {
        for (typed, message) in [
            ("app.log", "rotated APP.LOG at noon"),
            ("ERR-1234", "failed: err-1234"),
            ("unique-77", "needle-unique-7731"),
            ("don't", "I don't know"),
            ("C++", "built with c++ 17"),
            ("/var/log", "writing /var/log/syslog"),
            ("user@example.com", "mail to USER@example.com"),
            ("a(b", "x a(b y"),
            ("e", "one"),
            ("café", "CAFÉ au lait"),
        ] {
            assert!(
                matches(typed, SearchMode::Text, message),
                "{typed} in {message}"
            );
        }
        assert!(!matches("app.log", SearchMode::Text, "app-log"));
        assert!(!matches("a.b", SearchMode::Text, "axb"));
    }

    #[test]
    fn case_sensitive_text_tells_case_apart() {
        let query = SearchQuery {
            case_sensitive: true,
            ..SearchQuery::text("Error")
        };
        let matcher = query.compile().unwrap();
        assert!(matcher.is_match("an Error"));
        assert!(!matcher.is_match("an error"));
    }

    #[test]
    fn ranges_are_every_occurrence_merged() {
        let matcher = SearchQuery::text("ab").compile().unwrap();
        assert_eq!(matcher.find_ranges("ab xAB ab"), vec![0..2, 4..6, 7..9]);
        let matcher = query("a OR ab", SearchMode::Operators).compile().unwrap();
        assert_eq!(matcher.find_ranges("xab"), vec![1..3]);
        assert!(matcher.find_ranges("zzz").is_empty());
    }

    #[test]
    fn operators_combine_literal_terms() {
        let operators = SearchMode::Operators;
        assert!(matches("disk AND full", operators, "the disk is full"));
        assert!(matches("disk full", operators, "full disk"));
        assert!(!matches("disk full", operators, "disk"));
        assert!(matches("disk OR net", operators, "net down"));
        assert!(matches("disk NOT full", operators, "disk ok"));
        assert!(!matches("disk NOT full", operators, "disk full"));
        assert!(matches("NOT full", operators, "disk ok"));
        assert!(matches("\"disk full\"", operators, "the DISK FULL error"));
        assert!(!matches("\"disk full\"", operators, "full disk"));
        assert!(matches("(a OR b) AND c.d", operators, "b c.d"));
        assert!(matches("build*", operators, "rebuilding"));
        assert!(matches("\"say \"\"hi\"\"\"", operators, "say \"hi\""));
        assert!(
            matches("and", operators, "sand"),
            "lower-case words are terms"
        );
    }

    #[test]
    fn operators_errors_name_the_place() {
        for (typed, position, words) in [
            ("\"disk full", Some(1), "never closed"),
            ("(disk OR net", Some(1), "never closed"),
            ("disk)", Some(5), "has no \"(\""),
            ("disk OR", Some(8), "OR needs a term after it"),
            ("AND disk", Some(1), "AND needs a term before it"),
            ("disk NOT", Some(9), "NOT needs a term after it"),
            ("()", Some(1), "empty"),
            ("*", Some(1), "must follow a word"),
            ("\"\"", Some(1), "empty"),
        ] {
            let error = query(typed, SearchMode::Operators).compile().unwrap_err();
            assert_eq!(error.position, position, "{typed}: {error}");
            assert!(error.reason.contains(words), "{typed}: {error}");
        }
    }

    #[test]
    fn regex_errors_name_the_place_in_plain_words() {
        let error = query("ab(c", SearchMode::Regex).compile().unwrap_err();
        assert_eq!(error.position, Some(3));
        assert!(error.to_string().starts_with("at character 3:"), "{error}");
        assert!(!error.to_string().contains('\n'), "{error}");
        let error = query("é[", SearchMode::Regex).compile().unwrap_err();
        assert_eq!(error.position, Some(2), "{error}");
        let error = query("\\p{Nope}", SearchMode::Regex).compile().unwrap_err();
        assert!(error.position.is_some(), "{error}");
    }

    #[test]
    fn regex_matches_and_is_bounded() {
        assert!(matches("err(or)?-\\d{4}", SearchMode::Regex, "ERR-1234"));
        assert!(!matches("^x", SearchMode::Regex, "ax"));
        let huge = query("(\\w{1000}){1000}", SearchMode::Regex)
            .compile()
            .unwrap_err();
        assert!(huge.reason.contains("too complex"), "{huge}");
    }
}
