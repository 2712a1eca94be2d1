//! Programs' terminal output as a user reads it: escape sequences parsed
//! once, when an entry is emitted, into the plain text that is stored,
//! indexed, searched and exported, and style spans beside it
//! ([`taskdeck_protocol::styled`]).
//!
//! - SGR (16, 256 and 24-bit colours, foreground and background, bold,
//!   dim, italic, underline, inverse, strike-through, reset) and OSC 8
//!   hyperlinks become [`StyleSpan`]s.
//! - A line is drawn as a terminal draws it ([`screen`]): `\r`, backspace,
//!   cursor moves along the line and erase-in-line act on what was already
//!   written, so a progress bar redrawn with `\r` keeps only its final
//!   state.
//! - Every other sequence (cursor up, window titles, device strings, …) is
//!   dropped: nothing of an escape sequence ever shows as text.
//!
//! The grammar is `vte`'s (the parser of Alacritty). A message without
//! `ESC`, `\r` or backspace is not parsed at all ([`needs_parsing`]), so
//! the emit path pays one `memchr3` for plain text.

mod screen;
mod sgr;
#[cfg(test)]
mod tests;

use taskdeck_protocol::StyleSpan;

use screen::Screen;

/// Text as a user reads it, and how its stretches are drawn.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Styled {
    /// The plain text.
    pub text: String,
    /// Its styled byte ranges, in order (see [`StyleSpan`]).
    pub spans: Vec<StyleSpan>,
}

impl Styled {
    /// Plain text without styles.
    pub fn plain(text: String) -> Self {
        Self {
            text,
            spans: Vec::new(),
        }
    }
}

/// Whether `text` holds anything the parser would change: an escape
/// (`ESC`), a carriage return or a backspace.
pub fn needs_parsing(text: &str) -> bool {
    memchr::memchr3(0x1b, b'\r', 0x08, text.as_bytes()).is_some()
}

/// `text` as a terminal shows it, starting from plain style: for a whole
/// message (a plugin's, or an entry stored before styles were parsed).
/// Text without anything to parse is returned as it is.
///
/// Cost: one parser per thread, reused (its cell and style buffers keep
/// their capacity), so a coloured message costs the parse and the output
/// text, not a new parser.
pub fn parse(text: String) -> Styled {
    thread_local! {
        static PARSER: std::cell::RefCell<OutputParser> = std::cell::RefCell::default();
    }
    if !needs_parsing(&text) {
        return Styled::plain(text);
    }
    PARSER.with(|parser| match parser.try_borrow_mut() {
        Ok(mut parser) => parser.whole_message(text),
        // Only if parsing re-entered itself on this thread: a new parser.
        Err(_) => OutputParser::default().whole_message(text),
    })
}

/// The parser of one output stream (a program's stdout, say), fed a line
/// at a time. Styles and an open link carry over from one line to the
/// next, as on a terminal; a sequence left unfinished at the end of a line
/// is dropped there, so a malformed one never swallows the lines after it.
#[derive(Default)]
pub struct OutputParser {
    grammar: vte::Parser,
    screen: Screen,
}

impl OutputParser {
    /// Parses `bytes`, which may end (or start) in the middle of a
    /// sequence or of a character: the next call carries on.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.grammar.advance(&mut self.screen, bytes);
    }

    /// The text fed since the last line ended, as the terminal shows it.
    pub fn finish_line(&mut self) -> Styled {
        self.grammar = vte::Parser::new();
        self.screen.finish()
    }

    /// `text` from plain style, leaving the parser as new. Its lines are
    /// parsed as a stream's are: a sequence left open at a line's end is
    /// dropped there.
    fn whole_message(&mut self, text: String) -> Styled {
        let mut lines = text.split('\n').peekable();
        while let Some(line) = lines.next() {
            self.feed(line.as_bytes());
            if lines.peek().is_some() {
                self.grammar = vte::Parser::new();
                self.feed(b"\n");
            }
        }
        self.screen.recycle(text);
        let styled = self.finish_line();
        self.screen.reset_pen();
        styled
    }

    /// One whole line (without its line ending). A line with nothing to
    /// parse, while no style carries over from the line before, is taken
    /// as it is.
    pub fn line(&mut self, line: String) -> Styled {
        if self.screen.pen_is_plain() && !needs_parsing(&line) {
            return Styled::plain(line);
        }
        self.feed(line.as_bytes());
        self.screen.recycle(line);
        self.finish_line()
    }
}

/// Cuts `styled` to at most `keep` bytes of text at a character boundary,
/// clipping its spans; returns whether anything was cut.
pub fn truncate(styled: &mut Styled, keep: usize) -> bool {
    if styled.text.len() <= keep {
        return false;
    }
    let mut cut = keep;
    while !styled.text.is_char_boundary(cut) {
        cut -= 1;
    }
    styled.text.truncate(cut);
    let cut = u32::try_from(cut).unwrap_or(u32::MAX);
    styled.spans.retain_mut(|span| {
        span.end = span.end.min(cut);
        span.start < span.end
    });
    true
}
