//! What a session's app (and the drivers that started it) writes on
//! stderr: passed on to the tests' own stderr as it comes, its last lines
//! kept for a failure's report. A failure often has its cause there (a
//! panic, a web process that died) while the page can no longer be asked.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::{Arc, Mutex};

/// How many of the last lines are kept.
const KEPT: usize = 200;

/// How many lines a failure's report quotes, and how long each may be.
const QUOTED: usize = 12;
const LINE_CHARS: usize = 300;

/// The last lines read from one stream.
#[derive(Clone, Default)]
pub struct OutputTail(Arc<Mutex<VecDeque<String>>>);

impl OutputTail {
    /// Reads `stream` on a thread of its own until it ends, copying each
    /// line to this process's stderr and keeping the last ones.
    pub fn follow(stream: impl Read + Send + 'static) -> Self {
        let tail = Self::default();
        let kept = tail.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                let _ = writeln!(std::io::stderr().lock(), "{line}");
                kept.push(line);
            }
        });
        tail
    }

    fn push(&self, line: String) {
        if let Ok(mut lines) = self.0.lock() {
            if lines.len() == KEPT {
                lines.pop_front();
            }
            lines.push_back(line);
        }
    }

    /// The last lines worth quoting (the database migrations every start
    /// logs are not), each cut to a readable length, oldest first.
    pub fn last_lines(&self) -> Vec<String> {
        let Ok(lines) = self.0.lock() else {
            return Vec::new();
        };
        let mut quoted: Vec<String> = lines
            .iter()
            .rev()
            .filter(|line| !line.contains("sea_orm_migration"))
            .take(QUOTED)
            .map(|line| line.chars().take(LINE_CHARS).collect())
            .collect();
        quoted.reverse();
        quoted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_lines_without_the_migrations_and_cut_short() {
        let long = "x".repeat(LINE_CHARS + 50);
        let text = format!(
            "first\nINFO sea_orm_migration::migrator: applied\n{long}\n{}",
            (1..=QUOTED)
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        );
        let tail = OutputTail::default();
        for line in text.lines() {
            tail.push(line.to_owned());
        }
        let quoted = tail.last_lines();
        assert_eq!(quoted.len(), QUOTED);
        assert_eq!(
            quoted.last().map(String::as_str),
            Some(QUOTED.to_string().as_str())
        );
        assert!(!quoted.iter().any(|line| line.contains("sea_orm_migration")));

        let tail = OutputTail::default();
        for line in text.lines().take(3) {
            tail.push(line.to_owned());
        }
        assert_eq!(
            tail.last_lines(),
            vec!["first".to_owned(), "x".repeat(LINE_CHARS)]
        );
    }

    #[test]
    fn follows_a_stream_to_its_end() {
        let tail = OutputTail::follow(std::io::Cursor::new(b"one\ntwo\n".to_vec()));
        let started = std::time::Instant::now();
        while tail.last_lines().len() < 2 && started.elapsed().as_secs() < 10 {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        assert_eq!(tail.last_lines(), vec!["one".to_owned(), "two".to_owned()]);
    }
}
