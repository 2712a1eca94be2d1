use super::*;

fn run(lines: &[(&str, &str)]) -> Vec<RunLine> {
    lines
        .iter()
        .enumerate()
        .map(|(index, (section, message))| RunLine {
            seq: index as u64 + 1,
            level: LogLevel::Info,
            source: "shell.stdout".to_owned(),
            message: (*message).to_owned(),
            sections: if section.is_empty() {
                Vec::new()
            } else {
                vec![(*section).to_owned()]
            },
        })
        .collect()
}

fn changes(hunk: &DiffHunk) -> Vec<(LineChange, &str)> {
    hunk.lines
        .iter()
        .map(|line| (line.change, line.message.as_str()))
        .collect()
}

#[test]
fn runs_that_differ_only_in_volatile_parts_match_when_normalised() {
    let a = run(&[
        ("", "started at 10:42:00"),
        ("", "took 1.2 s"),
        ("", "id 3f2a9c1e"),
    ]);
    let b = run(&[
        ("", "started at 11:03:17"),
        ("", "took 0.9 s"),
        ("", "id 77b0c4d2"),
    ]);
    assert!(diff_lines(&a, &b, &CompareOptions::default()).is_empty());
    let raw = CompareOptions {
        normalise: false,
        context: 3,
    };
    let hunks = diff_lines(&a, &b, &raw);
    assert_eq!(hunks.len(), 1);
    assert_eq!(hunks[0].lines.len(), 6, "three removed, three added");
}

#[test]
fn a_difference_comes_with_its_context_and_its_place_in_both_runs() {
    let a = run(&[
        ("", "one"),
        ("", "two"),
        ("", "three"),
        ("", "four"),
        ("", "five"),
        ("", "six"),
        ("", "seven"),
        ("", "eight"),
    ]);
    let b = run(&[
        ("", "one"),
        ("", "two"),
        ("", "three"),
        ("", "FOUR"),
        ("", "five"),
        ("", "six"),
        ("", "seven"),
        ("", "eight"),
        ("", "nine"),
    ]);
    let options = CompareOptions {
        normalise: true,
        context: 1,
    };
    let hunks = diff_lines(&a, &b, &options);
    assert_eq!(hunks.len(), 2, "{hunks:#?}");
    assert_eq!(
        changes(&hunks[0]),
        [
            (LineChange::Same, "three"),
            (LineChange::Removed, "four"),
            (LineChange::Added, "FOUR"),
            (LineChange::Same, "five"),
        ]
    );
    assert_eq!(
        (
            hunks[0].a_start,
            hunks[0].a_lines,
            hunks[0].b_start,
            hunks[0].b_lines
        ),
        (3, 3, 3, 3)
    );
    let removed = &hunks[0].lines[1];
    assert_eq!((removed.a_seq, removed.b_seq), (Some(4), None));
    let same = &hunks[0].lines[0];
    assert_eq!((same.a_seq, same.b_seq), (Some(3), Some(3)));
    // Hunks further apart than twice the context stay apart.
    assert_eq!(
        changes(&hunks[1]),
        [(LineChange::Same, "eight"), (LineChange::Added, "nine")]
    );
}

#[test]
fn sections_align_on_their_header_lines_and_lines_keep_their_titles() {
    // Build's lines are alike; Test became Deploy, with one line more.
    let a = run(&[
        ("", "Build"),
        ("Build", "ok"),
        ("", "Test"),
        ("Test", "ran 3"),
    ]);
    let b = run(&[
        ("", "Build"),
        ("Build", "ok"),
        ("", "Deploy"),
        ("Deploy", "ran 4"),
        ("Deploy", "pushed"),
    ]);
    let hunks = diff_lines(&a, &b, &CompareOptions::default());
    assert_eq!(hunks.len(), 1, "{hunks:#?}");
    let changed: Vec<(LineChange, &str, Vec<String>)> = hunks[0]
        .lines
        .iter()
        .filter(|line| line.change != LineChange::Same)
        .map(|line| (line.change, line.message.as_str(), line.sections.clone()))
        .collect();
    assert_eq!(
        changed,
        [
            (LineChange::Removed, "Test", vec![]),
            (LineChange::Added, "Deploy", vec![]),
            (LineChange::Added, "pushed", vec!["Deploy".to_owned()]),
        ]
    );
    // "ran 3" and "ran 4" match, normalised: shown as the second run's.
    let ran = hunks[0]
        .lines
        .iter()
        .find(|line| line.message.starts_with("ran"))
        .unwrap();
    assert_eq!(
        (ran.change, ran.message.as_str()),
        (LineChange::Same, "ran 4")
    );
    assert_eq!((ran.a_seq, ran.b_seq), (Some(4), Some(4)));
}

#[test]
fn empty_runs_and_identical_runs_have_no_hunks() {
    assert!(diff_lines(&[], &[], &CompareOptions::default()).is_empty());
    let a = run(&[("", "same")]);
    assert!(diff_lines(&a, &a.clone(), &CompareOptions::default()).is_empty());
    let hunks = diff_lines(&[], &a, &CompareOptions::default());
    assert_eq!(changes(&hunks[0]), [(LineChange::Added, "same")]);
    assert_eq!((hunks[0].a_start, hunks[0].a_lines), (1, 0));
}
