//! What one entry's text and source may be: the message cap and the
//! marker a cut message ends with, how much of a program's output line is
//! kept, and valid source names. A leaf: the logger and the log buffer
//! both use it.

use taskdeck_protocol::log::SYSTEM;

use crate::ansi::{self, Styled};

/// The longest message stored; longer ones are cut at a character
/// boundary and end with a visible marker.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// The bytes of a cut message's text kept, leaving room for the
/// truncation marker within [`MAX_MESSAGE_BYTES`]; also how much of one
/// output line a program's reader keeps (the rest is read and dropped, so
/// a program that never ends its line cannot fill memory).
pub const KEPT_LINE_BYTES: usize = MAX_MESSAGE_BYTES - 64;

/// Cuts `message` to [`MAX_MESSAGE_BYTES`] at a character boundary (its
/// styles clipped) and says how long it was.
pub fn cap_message(message: &mut Styled) {
    let original = message.text.len();
    if ansi::truncate(message, MAX_MESSAGE_BYTES) {
        push_truncation_marker(&mut message.text, original);
    }
}

/// The visible end of a cut message: how long the whole was.
pub fn push_truncation_marker(message: &mut String, original: usize) {
    message.push_str(&format!(" … [truncated: {original} bytes in all]"));
}

/// Makes `source` a valid dotted source name: empty parts dropped,
/// whitespace and control characters replaced by `_`, `system` if nothing
/// is left.
pub fn sanitise_source(source: &str) -> String {
    let parts: Vec<String> = source
        .split('.')
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            part.chars()
                .map(|character| {
                    if character.is_whitespace() || character.is_control() {
                        '_'
                    } else {
                        character
                    }
                })
                .collect()
        })
        .collect();
    if parts.is_empty() {
        SYSTEM.to_owned()
    } else {
        parts.join(".")
    }
}
