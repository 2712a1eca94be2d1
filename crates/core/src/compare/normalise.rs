//! What changes from run to run without meaning anything: times,
//! durations, UUIDs, hex ids, temporary paths and numbers, each replaced
//! by a placeholder (`<time>`, `<uuid>`, …) before two runs' lines are
//! compared. Rules apply in order, the more specific first: a timestamp's
//! digits are a time, not three numbers.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

/// One rule: what it matches and what it puts there (after the match's
/// first group, when the pattern has one: what comes before it).
struct Rule {
    /// The rule's name, as the comparison's help lists it.
    name: &'static str,
    pattern: &'static str,
    placeholder: &'static str,
    /// A match is replaced only if this says so (`None`: always).
    keep_if: Option<fn(&str) -> bool>,
}

/// The rules, in the order they apply.
const RULES: &[Rule] = &[
    Rule {
        name: "timestamp",
        // 2026-12-06T10:42:00.123Z, 2026-12-06 10:42:00, with or without
        // fractions and an offset.
        pattern: r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
        placeholder: "<time>",
        keep_if: None,
    },
    Rule {
        name: "clock time",
        pattern: r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b",
        placeholder: "<time>",
        keep_if: None,
    },
    Rule {
        name: "uuid",
        pattern: r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b",
        placeholder: "<uuid>",
        keep_if: None,
    },
    Rule {
        name: "temporary path",
        // Unix temporary folders, macOS's per-user ones, Windows' %TEMP%,
        // up to a space or a quote; at the start of a path, not inside one
        // (`/home/ann/tmp/x` is not temporary): what comes before is kept.
        pattern: r#"(^|[\s'"=:(\[,])(?:/tmp|/var/tmp|/private/var/folders|/var/folders|[A-Za-z]:\\Users\\[^\\\s]+\\AppData\\Local\\Temp)[/\\][^\s'"]*"#,
        placeholder: "<temp>",
        keep_if: None,
    },
    Rule {
        name: "duration",
        pattern: r"\b\d+(?:\.\d+)?\s?(?:ns|µs|us|ms|s|sec|secs|seconds?|min|mins|minutes?|h|hours?)\b",
        placeholder: "<duration>",
        keep_if: None,
    },
    Rule {
        name: "hex id",
        // Seven hex digits or more (a short git hash on), with a digit and
        // a letter in them: "deadbeef" is a word, "1234567" a number.
        pattern: r"\b[0-9a-fA-F]{7,}\b",
        placeholder: "<hex>",
        keep_if: Some(|found| {
            found.bytes().any(|byte| byte.is_ascii_digit())
                && found.bytes().any(|byte| byte.is_ascii_alphabetic())
        }),
    },
    Rule {
        name: "number",
        pattern: r"\b\d+(?:[.,]\d+)*\b",
        placeholder: "<n>",
        keep_if: None,
    },
];

/// The rules compiled, once per process. Each pattern is a constant
/// tested below, so compiling it cannot fail at run time.
static COMPILED: LazyLock<Vec<(Regex, &'static Rule)>> = LazyLock::new(|| {
    RULES
        .iter()
        .filter_map(|rule| Regex::new(rule.pattern).ok().map(|regex| (regex, rule)))
        .collect()
});

/// The rules' names, in the order they apply.
pub fn rule_names() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|rule| rule.name)
}

/// `text` with its volatile parts replaced by placeholders; borrowed when
/// nothing was replaced.
pub fn normalise(text: &str) -> Cow<'_, str> {
    let mut text = Cow::Borrowed(text);
    for (regex, rule) in COMPILED.iter() {
        if !regex.is_match(&text) {
            continue;
        }
        let replaced = regex.replace_all(&text, |found: &Captures<'_>| {
            let before = found.get(1).map_or("", |group| group.as_str());
            let whole = &found[0];
            match rule.keep_if {
                Some(applies) if !applies(whole) => whole.to_owned(),
                _ => format!("{before}{}", rule.placeholder),
            }
        });
        text = Cow::Owned(replaced.into_owned());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_compiles() {
        assert_eq!(COMPILED.len(), RULES.len());
        assert_eq!(
            rule_names().collect::<Vec<_>>(),
            [
                "timestamp",
                "clock time",
                "uuid",
                "temporary path",
                "duration",
                "hex id",
                "number"
            ]
        );
    }

    #[test]
    fn timestamps_and_clock_times_are_times() {
        assert_eq!(
            normalise("at 2026-12-06T10:42:00.123Z done"),
            "at <time> done"
        );
        assert_eq!(normalise("at 2026-12-06 10:42:00+01:00"), "at <time>");
        assert_eq!(normalise("on 2026-12-06"), "on <time>");
        assert_eq!(normalise("[10:42:07.5] started"), "[<time>] started");
    }

    #[test]
    fn uuids_are_uuids_not_hex_and_numbers() {
        assert_eq!(
            normalise("task 0193a4b2-7c1d-7e3f-9a0b-1c2d3e4f5a6b ended"),
            "task <uuid> ended"
        );
    }

    #[test]
    fn temporary_paths_are_temp_up_to_a_space_or_quote() {
        assert_eq!(
            normalise("wrote /tmp/.tmpA1b2C3/out.tar and 'x'"),
            "wrote <temp> and 'x'"
        );
        assert_eq!(normalise("in /var/folders/xy/T/abc/file"), "in <temp>");
        assert_eq!(
            normalise(r"C:\Users\ann\AppData\Local\Temp\run-7\a.txt copied"),
            "<temp> copied"
        );
        assert_eq!(normalise("/home/ann/tmp/file"), "/home/ann/tmp/file");
        assert_eq!(normalise("path=/tmp/x.log"), "path=<temp>");
    }

    #[test]
    fn durations_keep_no_number_or_unit() {
        assert_eq!(normalise("took 1.25 s"), "took <duration>");
        assert_eq!(
            normalise("took 350ms, then 2 minutes"),
            "took <duration>, then <duration>"
        );
    }

    #[test]
    fn hex_ids_need_a_digit_and_seven_places() {
        assert_eq!(
            normalise("HEAD is now at 3f2a9c1 fix"),
            "HEAD is now at <hex> fix"
        );
        assert_eq!(normalise("deadbeef stays a word"), "deadbeef stays a word");
        assert_eq!(normalise("abc123 is short"), "abc123 is short");
        assert_eq!(normalise("1234567 is a number"), "<n> is a number");
    }

    #[test]
    fn numbers_are_numbers_words_stay() {
        assert_eq!(
            normalise("42 files (1,024 bytes) in 3.5 MiB"),
            "<n> files (<n> bytes) in <n> MiB"
        );
        assert_eq!(normalise("step2 of v8"), "step2 of v8");
        assert_eq!(normalise("no digits here"), Cow::Borrowed("no digits here"));
    }
}
