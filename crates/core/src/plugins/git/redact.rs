//! Keeping credentials out of the log: `user:password@` (or a token) in any
//! URL of a line becomes `***@` ([`REDACTED`]) before the line is written.

use crate::task_log::secrets::REDACTED;

/// `text` with the user information of every `scheme://user[:secret]@host`
/// URL replaced by `***`.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (before, after) = rest.split_at(at + 3);
        out.push_str(before);
        // The authority ends at the first `/`, whitespace or quote.
        let end = after
            .find(|character: char| {
                character == '/' || character.is_whitespace() || "'\"<>".contains(character)
            })
            .unwrap_or(after.len());
        let authority = &after[..end];
        match authority.rfind('@') {
            Some(user_end) => {
                out.push_str(REDACTED);
                out.push_str(&authority[user_end..]);
            }
            None => out.push_str(authority),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn user_information_in_urls_is_hidden() {
        assert_eq!(
            redact("Cloning into 'x'... from https://ada:s3cret@example.com/x.git"),
            "Cloning into 'x'... from https://***@example.com/x.git"
        );
        assert_eq!(
            redact("fatal: unable to access 'https://token@host:8443/r/': refused"),
            "fatal: unable to access 'https://***@host:8443/r/': refused"
        );
        assert_eq!(
            redact("a http://u:p@h b ssh://git@h2:22/x c"),
            "a http://***@h b ssh://***@h2:22/x c"
        );
    }

    #[test]
    fn text_without_credentials_is_unchanged() {
        for text in [
            "",
            "Receiving objects: 100% (3/3), done.",
            "https://example.com/x.git",
            "git@github.com:owner/repo.git",
            "file:///tmp/remote.git",
        ] {
            assert_eq!(redact(text), text);
        }
    }
}
