//! The line a terminal would show: characters in cells, each with a style,
//! and a cursor. Printing overwrites the cell under the cursor, so `\r`,
//! backspace, cursor moves and erase-in-line leave what a user would see.
//! A `\n` inside a message (a plugin's multi-line text) ends one line and
//! starts the next; the text keeps it.
//!
//! Cost model: one cell (a `char` and a style number) per character of
//! the line, reused from line to line. Styles are interned per line: by a
//! short linear search while a line has few of them (the usual case, no
//! hashing), through a hash map once it has many, so a line with thousands
//! of colour changes still compares each style once.

use std::collections::HashMap;

use taskdeck_protocol::{StyleSpan, TextStyle};
use vte::{Params, Perform};

use super::{Styled, sgr};

/// The longest hyperlink target kept (longer ones are dropped, the text
/// stays).
const MAX_LINK_BYTES: usize = 2_048;

/// Distinct styles in a line beyond which they are found by hashing.
const LINEAR_STYLES: usize = 16;

/// Moves and erases never reach beyond this column (a hostile `ESC[99999C`
/// must not fill memory with blanks).
const MAX_COLUMN: usize = 65_536;

#[derive(Clone, Copy)]
struct Cell {
    character: char,
    /// An index into `Screen::styles` (0 is plain).
    style: u32,
}

/// The state of one stream: the pen (current style), the line being
/// drawn, and the lines of this message already ended.
pub struct Screen {
    /// Every style seen in the line, interned; `styles[0]` is plain.
    styles: Vec<TextStyle>,
    /// The numbers of `styles`, once there are more than [`LINEAR_STYLES`].
    numbers: HashMap<TextStyle, u32>,
    pen: u32,
    cells: Vec<Cell>,
    cursor: usize,
    /// Lines ended by `\n` within this message.
    done: Styled,
}

impl Default for Screen {
    fn default() -> Self {
        Self {
            styles: vec![TextStyle::default()],
            numbers: HashMap::new(),
            pen: 0,
            cells: Vec::new(),
            cursor: 0,
            done: Styled::default(),
        }
    }
}

impl Screen {
    /// The text drawn since the last call, with its spans; the pen stays.
    pub fn finish(&mut self) -> Styled {
        self.end_line();
        // Styles seen in this line that the pen no longer uses are
        // forgotten, so a long stream does not grow the table.
        if self.pen != 0 {
            let pen = self.styles.swap_remove(self.pen as usize);
            self.styles.truncate(1);
            self.styles.push(pen);
            self.pen = 1;
        } else {
            self.styles.truncate(1);
        }
        self.numbers.clear();
        std::mem::take(&mut self.done)
    }

    /// Takes the buffer of text already fed (and drawn into cells) to
    /// write the shown text into, saving an allocation, unless lines of
    /// this message were already written out.
    pub fn recycle(&mut self, mut buffer: String) {
        if self.done.text.is_empty() {
            buffer.clear();
            self.done.text = buffer;
        }
    }

    /// Back to plain style, as a new screen.
    pub fn reset_pen(&mut self) {
        self.styles.truncate(1);
        self.numbers.clear();
        self.pen = 0;
    }

    /// Whether text printed now would be plain.
    pub fn pen_is_plain(&self) -> bool {
        self.pen == 0
    }

    fn intern(&mut self, style: TextStyle) -> u32 {
        let number = |index: usize| u32::try_from(index).unwrap_or(0);
        if self.styles.len() <= LINEAR_STYLES {
            if let Some(index) = self.styles.iter().position(|known| *known == style) {
                return number(index);
            }
        } else {
            if self.numbers.is_empty() {
                let known = self.styles.iter().cloned().enumerate();
                self.numbers = known.map(|(index, style)| (style, number(index))).collect();
            }
            if let Some(&found) = self.numbers.get(&style) {
                return found;
            }
            self.numbers
                .insert(style.clone(), number(self.styles.len()));
        }
        self.styles.push(style);
        number(self.styles.len() - 1)
    }

    fn restyle(&mut self, change: impl FnOnce(&mut TextStyle)) {
        let mut style = self.styles[self.pen as usize].clone();
        change(&mut style);
        self.pen = self.intern(style);
    }

    /// Moves the line drawn so far into `done` as text and spans.
    fn end_line(&mut self) {
        let done = &mut self.done;
        done.text.reserve(self.cells.len());
        let mut run: Option<(usize, u32)> = None;
        for cell in &self.cells {
            if run.is_some_and(|(_, style)| style != cell.style) {
                close_run(done, &self.styles, run.take());
            }
            if run.is_none() {
                run = Some((done.text.len(), cell.style));
            }
            done.text.push(cell.character);
        }
        close_run(done, &self.styles, run);
        self.cells.clear();
        self.cursor = 0;
    }

    fn put(&mut self, character: char) {
        let cell = Cell {
            character,
            style: self.pen,
        };
        if self.cursor >= MAX_COLUMN {
            return;
        }
        self.pad_to(self.cursor);
        match self.cells.get_mut(self.cursor) {
            Some(existing) => *existing = cell,
            None => self.cells.push(cell),
        }
        self.cursor += 1;
    }

    /// Fills the line with plain blanks up to `column` (a cursor moved
    /// beyond its end).
    fn pad_to(&mut self, column: usize) {
        if self.cells.len() < column {
            self.cells.resize(
                column,
                Cell {
                    character: ' ',
                    style: 0,
                },
            );
        }
    }

    fn blank(&mut self, columns: std::ops::Range<usize>) {
        let end = columns.end.min(self.cells.len());
        for cell in self
            .cells
            .get_mut(columns.start.min(end)..end)
            .unwrap_or(&mut [])
        {
            *cell = Cell {
                character: ' ',
                style: 0,
            };
        }
    }

    /// `CSI n K`: 0 erases to the end of the line, 1 to its start, 2 all.
    fn erase_in_line(&mut self, mode: u16) {
        match mode {
            0 => self.cells.truncate(self.cursor),
            1 => self.blank(0..self.cursor + 1),
            _ => self.cells.clear(),
        }
    }
}

fn close_run(done: &mut Styled, styles: &[TextStyle], run: Option<(usize, u32)>) {
    let Some((start, style)) = run else {
        return;
    };
    if style == 0 || start == done.text.len() {
        return;
    }
    let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(done.text.len())) else {
        return;
    };
    done.spans.push(StyleSpan {
        start,
        end,
        style: styles[style as usize].clone(),
    });
}

/// The first parameter of a sequence, or `default` when absent or zero
/// (as cursor moves count).
fn count(params: &Params, default: u16) -> usize {
    let value = params
        .iter()
        .next()
        .and_then(|param| param.first().copied())
        .unwrap_or(0);
    usize::from(if value == 0 { default } else { value })
}

impl Perform for Screen {
    fn print(&mut self, character: char) {
        if character != '\u{7f}' {
            self.put(character);
        }
    }

    fn execute(&mut self, byte: u8) {
        match byte {
            b'\r' => self.cursor = 0,
            b'\n' => {
                self.end_line();
                self.done.text.push('\n');
            }
            b'\t' => self.put('\t'),
            0x08 => self.cursor = self.cursor.saturating_sub(1),
            // Bells, shifts and other controls draw nothing.
            _ => {}
        }
    }

    fn csi_dispatch(&mut self, params: &Params, intermediates: &[u8], _ignore: bool, action: char) {
        // Private sequences (`ESC[?25l`, `ESC[>4;2m`) change modes, not text.
        if !intermediates.is_empty() {
            return;
        }
        match action {
            'm' => self.restyle(|style| sgr::apply(style, params)),
            'K' => self.erase_in_line(count(params, 0).min(2) as u16),
            'C' => self.cursor = (self.cursor + count(params, 1)).min(MAX_COLUMN),
            'D' => self.cursor = self.cursor.saturating_sub(count(params, 1)),
            'G' => self.cursor = (count(params, 1) - 1).min(MAX_COLUMN),
            'X' => {
                let end = (self.cursor + count(params, 1)).min(MAX_COLUMN);
                self.blank(self.cursor..end);
            }
            'P' => {
                let end = (self.cursor + count(params, 1)).min(self.cells.len());
                if self.cursor < end {
                    self.cells.drain(self.cursor..end);
                }
            }
            // Cursor up/down, scrolling, screen erases and the rest move
            // between lines a log does not have.
            _ => {}
        }
    }

    fn osc_dispatch(&mut self, params: &[&[u8]], _bell_terminated: bool) {
        // OSC 8 ; params ; URI — the URI may itself hold semicolons.
        if params.first() != Some(&&b"8"[..]) || params.len() < 3 {
            return;
        }
        let target = params[2..].join(&b';');
        let link = match String::from_utf8(target) {
            Ok(link) if !link.is_empty() && link.len() <= MAX_LINK_BYTES => Some(link),
            _ => None,
        };
        self.restyle(|style| style.link = link);
    }

    fn esc_dispatch(&mut self, intermediates: &[u8], _ignore: bool, byte: u8) {
        // `ESC c` resets the terminal; character-set choices and the like
        // draw nothing.
        if intermediates.is_empty() && byte == b'c' {
            self.restyle(|style| *style = TextStyle::default());
        }
    }
}
