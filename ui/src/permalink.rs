//! Links to one log line: `#/task/<task id>/line/<seq>`. Opening one shows
//! the task in History with the panel scrolled to that line.

/// A line of a task's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineLink {
    /// The task.
    pub task_id: String,
    /// The line.
    pub seq: u64,
}

/// The link's `href`.
pub fn href(task_id: &str, seq: u64) -> String {
    format!("#/task/{task_id}/line/{seq}")
}

/// The line a location hash names, if it names one.
pub fn parse(hash: &str) -> Option<LineLink> {
    let rest = hash.strip_prefix("#/task/")?;
    let (task_id, seq) = rest.split_once("/line/")?;
    let valid_id = !task_id.is_empty()
        && task_id
            .chars()
            .all(|character| character.is_ascii_hexdigit() || character == '-');
    let seq = seq.parse().ok().filter(|seq| *seq > 0)?;
    valid_id.then(|| LineLink {
        task_id: task_id.to_owned(),
        seq,
    })
}

/// The line the window's location names.
pub fn current() -> Option<LineLink> {
    let hash = web_sys::window()?.location().hash().ok()?;
    parse(&hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_round_trip_and_anything_else_is_no_link() {
        let id = "01a21220-3576-77e6-b82d-2591bf1962ea";
        assert_eq!(
            parse(&href(id, 42)),
            Some(LineLink {
                task_id: id.to_owned(),
                seq: 42
            })
        );
        for hash in [
            "",
            "#/task//line/3",
            "#/task/abc/line/0",
            "#/task/abc/line/x",
            "#/task/<script>/line/3",
            "#/other",
        ] {
            assert_eq!(parse(hash), None, "{hash}");
        }
    }
}
