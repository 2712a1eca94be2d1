//! Splitting a migration file into SQL statements, each with the line it
//! starts on, so a failure can name the statement's line.
//!
//! Semicolons end statements except inside quotes (`'…'`, `"…"`, `` `…` ``,
//! `[…]`), comments (`-- …`, `/* … */`) and the `BEGIN … END` body of a
//! `CREATE TRIGGER`, the cases SQLite's own `sqlite3_complete` considers.

/// One statement of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The 1-based line of the file it starts on.
    pub line: usize,
    /// Its text, without the final semicolon.
    pub sql: String,
}

/// The statements of `text`, in order; comments and blank space between
/// statements are dropped.
pub fn split(text: &str) -> Vec<Statement> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut start_line = 1;
    let mut line = 1;
    // Words of the statement so far (outside quotes and comments), upper
    // case: enough to tell a trigger and its `END`.
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut chars = text.chars().peekable();
    while let Some(character) = chars.next() {
        let meaningful = current.trim().is_empty();
        if meaningful && !character.is_whitespace() {
            start_line = line;
        }
        match character {
            '\'' | '"' | '`' | '[' => {
                end_word(&mut word, &mut words);
                let close = if character == '[' { ']' } else { character };
                current.push(character);
                for inner in chars.by_ref() {
                    current.push(inner);
                    if inner == '\n' {
                        line += 1;
                    }
                    if inner == close {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                end_word(&mut word, &mut words);
                for inner in chars.by_ref() {
                    if inner == '\n' {
                        line += 1;
                        current.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                end_word(&mut word, &mut words);
                chars.next();
                let mut previous = ' ';
                for inner in chars.by_ref() {
                    if inner == '\n' {
                        line += 1;
                        current.push('\n');
                    }
                    if previous == '*' && inner == '/' {
                        break;
                    }
                    previous = inner;
                }
                current.push(' ');
            }
            ';' => {
                end_word(&mut word, &mut words);
                let trigger = words.iter().take(4).any(|word| word == "TRIGGER")
                    && words.first().is_some_and(|word| word == "CREATE");
                if trigger && words.last().is_none_or(|word| word != "END") {
                    current.push(';');
                    continue;
                }
                push_statement(&mut statements, &mut current, start_line);
                words.clear();
            }
            _ => {
                if character == '\n' {
                    line += 1;
                }
                if character.is_alphanumeric() || character == '_' {
                    word.push(character.to_ascii_uppercase());
                } else {
                    end_word(&mut word, &mut words);
                }
                current.push(character);
            }
        }
    }
    end_word(&mut word, &mut words);
    push_statement(&mut statements, &mut current, start_line);
    statements
}

fn end_word(word: &mut String, words: &mut Vec<String>) {
    if !word.is_empty() {
        words.push(std::mem::take(word));
    }
}

fn push_statement(statements: &mut Vec<Statement>, current: &mut String, line: usize) {
    let sql = current.trim();
    if !sql.is_empty() {
        statements.push(Statement {
            line,
            sql: sql.to_owned(),
        });
    }
    current.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_and_starts(text: &str) -> Vec<(usize, String)> {
        split(text)
            .into_iter()
            .map(|statement| {
                let start: String = statement.sql.chars().take(12).collect();
                (statement.line, start)
            })
            .collect()
    }

    #[test]
    fn statements_keep_their_starting_line() {
        let text = "-- schema\nCREATE TABLE a (x INTEGER);\n\n  INSERT INTO a VALUES (1);\nINSERT INTO a\nVALUES (2)";
        assert_eq!(
            lines_and_starts(text),
            vec![
                (2, "CREATE TABLE".to_owned()),
                (4, "INSERT INTO ".to_owned()),
                (5, "INSERT INTO ".to_owned()),
            ]
        );
    }

    #[test]
    fn semicolons_in_quotes_comments_and_triggers_do_not_split() {
        let text = "INSERT INTO t VALUES ('a;b', \"c;d\", [e;f]); /* x; y */\n\
                    -- z;\n\
                    CREATE TRIGGER trg AFTER INSERT ON t BEGIN\n  UPDATE t SET n = 1;\n  DELETE FROM u;\nEND;\n\
                    SELECT 'it''s; fine';";
        let statements = split(text);
        assert_eq!(statements.len(), 3, "{statements:#?}");
        assert_eq!(
            statements[0].sql,
            "INSERT INTO t VALUES ('a;b', \"c;d\", [e;f])"
        );
        assert!(statements[1].sql.starts_with("CREATE TRIGGER"));
        assert!(statements[1].sql.ends_with("END"));
        assert_eq!(statements[1].line, 3);
        assert_eq!(statements[2].sql, "SELECT 'it''s; fine'");
        assert_eq!(statements[2].line, 7);
    }

    #[test]
    fn empty_and_comment_only_text_has_no_statements() {
        assert!(split("").is_empty());
        assert!(split("  -- nothing\n/* here */ ;\n").is_empty());
    }
}
