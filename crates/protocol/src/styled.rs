//! Styled text: the colours and attributes a program's output carried in
//! its terminal escape sequences, kept as spans beside the plain text a
//! user reads.
//!
//! The core parses escape sequences once, when an entry is emitted; from
//! then on the stored, indexed, searched and exported message is the plain
//! text, and [`StyleSpan`]s say which byte ranges of it were drawn how.
//! Everything that shows colours starts from them: the UI's rows (with
//! [`segments`], which lays search highlights over the styles), the CLI
//! on a terminal and the text export "with colours" (with [`to_ansi`]).

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// A colour: an entry of the 256-colour palette (0–7 normal, 8–15 bright,
/// 16–231 the 6×6×6 cube, 232–255 greys) or a 24-bit colour. On the wire a
/// palette entry is a number and a 24-bit colour is `[r, g, b]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(untagged)]
pub enum Color {
    /// An entry of the 256-colour palette.
    Palette(u8),
    /// Red, green and blue.
    Rgb([u8; 3]),
}

impl Color {
    /// The colour as red, green and blue, with the first 16 palette
    /// entries as the xterm defaults (a theme draws those its own way).
    pub fn to_rgb(self) -> [u8; 3] {
        const BASIC: [[u8; 3]; 16] = [
            [0, 0, 0],
            [205, 0, 0],
            [0, 205, 0],
            [205, 205, 0],
            [0, 0, 238],
            [205, 0, 205],
            [0, 205, 205],
            [229, 229, 229],
            [127, 127, 127],
            [255, 0, 0],
            [0, 255, 0],
            [255, 255, 0],
            [92, 92, 255],
            [255, 0, 255],
            [0, 255, 255],
            [255, 255, 255],
        ];
        match self {
            Self::Rgb(rgb) => rgb,
            Self::Palette(index @ 0..=15) => BASIC[usize::from(index)],
            Self::Palette(index @ 16..=231) => {
                let cube = index - 16;
                let level = |value: u8| if value == 0 { 0 } else { 55 + value * 40 };
                [level(cube / 36), level((cube / 6) % 6), level(cube % 6)]
            }
            Self::Palette(index) => {
                let grey = 8 + (index - 232) * 10;
                [grey, grey, grey]
            }
        }
    }
}

/// How a stretch of text is drawn. The default is plain text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct TextStyle {
    /// The text colour (`None`: the theme's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fg: Option<Color>,
    /// The background colour (`None`: none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bg: Option<Color>,
    /// Bold.
    #[serde(skip_serializing_if = "is_false")]
    pub bold: bool,
    /// Dim (faint).
    #[serde(skip_serializing_if = "is_false")]
    pub dim: bool,
    /// Italic.
    #[serde(skip_serializing_if = "is_false")]
    pub italic: bool,
    /// Underlined.
    #[serde(skip_serializing_if = "is_false")]
    pub underline: bool,
    /// Text and background colours swapped.
    #[serde(skip_serializing_if = "is_false")]
    pub inverse: bool,
    /// Struck through.
    #[serde(skip_serializing_if = "is_false")]
    pub strikethrough: bool,
    /// The target of a hyperlink (OSC 8) over the text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// For `skip_serializing_if`: a flag that is off is left out.
pub(crate) fn is_false(value: &bool) -> bool {
    !*value
}

impl TextStyle {
    /// Whether this is plain text (nothing to draw differently).
    pub fn is_plain(&self) -> bool {
        *self == Self::default()
    }
}

/// A byte range of a message and how it is drawn. Spans of one message are
/// in order, do not overlap, never cover an empty range, and start and end
/// on character boundaries; text outside every span is plain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StyleSpan {
    /// The first byte.
    pub start: u32,
    /// The byte after the last.
    pub end: u32,
    /// How it is drawn.
    #[serde(flatten)]
    pub style: TextStyle,
}

impl StyleSpan {
    /// The span's byte range.
    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Whether `spans` are valid for `text`: in order, not overlapping, not
/// empty, within it and on character boundaries. Spans read from a file
/// or an old database are checked before anything draws them.
pub fn spans_fit(text: &str, spans: &[StyleSpan]) -> bool {
    let mut previous_end = 0;
    spans.iter().all(|span| {
        let range = span.range();
        let fits = range.start >= previous_end
            && range.start < range.end
            && range.end <= text.len()
            && text.is_char_boundary(range.start)
            && text.is_char_boundary(range.end);
        previous_end = range.end;
        fits
    })
}

/// Checks that a link from a program's output may be opened in the
/// system's browser: only `http`, `https` and `mailto` targets are (a
/// `file:` or custom-scheme link could start a program). Returns the link,
/// or why not.
pub fn openable_link(target: &str) -> Result<&str, String> {
    let scheme = target
        .split_once(':')
        .map(|(scheme, _)| scheme.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("http" | "https" | "mailto") if !target.chars().any(char::is_control) => Ok(target),
        _ => Err(format!(
            "only web and mail links (http, https, mailto) are opened, not {target:?}"
        )),
    }
}

/// A stretch of a message as the UI draws it: its bytes, its style (if
/// any) and whether the search matched it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment<'a> {
    /// The bytes of the message.
    pub range: Range<usize>,
    /// How it is drawn (`None`: plain).
    pub style: Option<&'a TextStyle>,
    /// Whether it lies inside a search match.
    pub highlighted: bool,
}

/// `text` cut where a style or a highlight starts or ends, in order: every
/// byte of `text` in exactly one segment. `spans` and `highlights` must be
/// sorted and non-overlapping (as [`StyleSpan`]s and
/// [`crate::SearchMatcher::find_ranges`] are); spans that do not fit the
/// text are ignored.
///
/// Cost: one pass over the boundaries, `O(spans + highlights)`, whatever
/// the message's length.
pub fn segments<'a>(
    text: &str,
    spans: &'a [StyleSpan],
    highlights: &[Range<usize>],
) -> Vec<Segment<'a>> {
    let spans: &[StyleSpan] = if spans_fit(text, spans) { spans } else { &[] };
    let mut cuts: Vec<usize> = Vec::with_capacity(2 * (spans.len() + highlights.len()) + 2);
    cuts.push(0);
    cuts.push(text.len());
    for span in spans {
        cuts.extend([span.range().start, span.range().end]);
    }
    for range in highlights {
        let (start, end) = (range.start.min(text.len()), range.end.min(text.len()));
        if text.is_char_boundary(start) && text.is_char_boundary(end) {
            cuts.extend([start, end]);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let (mut span_index, mut highlight_index) = (0, 0);
    cuts.windows(2)
        .map(|pair| {
            let range = pair[0]..pair[1];
            while spans
                .get(span_index)
                .is_some_and(|span| span.range().end <= range.start)
            {
                span_index += 1;
            }
            while highlights
                .get(highlight_index)
                .is_some_and(|highlight| highlight.end <= range.start)
            {
                highlight_index += 1;
            }
            let style = spans
                .get(span_index)
                .filter(|span| span.range().start <= range.start)
                .map(|span| &span.style);
            let highlighted = highlights
                .get(highlight_index)
                .is_some_and(|highlight| highlight.start <= range.start);
            Segment {
                range,
                style,
                highlighted,
            }
        })
        .collect()
}

/// `text` with its styles as terminal escape sequences (SGR, and OSC 8
/// for links), each styled stretch closed by a reset: what the CLI prints
/// on a terminal and the text export writes "with colours". Spans that do
/// not fit the text are ignored.
pub fn to_ansi(text: &str, spans: &[StyleSpan]) -> String {
    if spans.is_empty() || !spans_fit(text, spans) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + spans.len() * 16);
    let mut position = 0;
    for span in spans {
        let range = span.range();
        out.push_str(&text[position..range.start]);
        push_ansi(&mut out, &text[range.clone()], &span.style);
        position = range.end;
    }
    out.push_str(&text[position..]);
    out
}

/// Appends `text` in `style` as escape sequences, closed by a reset (and
/// the link's end): one styled stretch of [`to_ansi`].
pub fn push_ansi(out: &mut String, text: &str, style: &TextStyle) {
    if let Some(link) = &style.link {
        out.push_str("\x1b]8;;");
        out.push_str(&link.replace(['\x1b', '\x07'], ""));
        out.push_str("\x1b\\");
    }
    let codes = sgr_codes(style);
    if !codes.is_empty() {
        out.push_str("\x1b[");
        out.push_str(&codes.join(";"));
        out.push('m');
    }
    out.push_str(text);
    if !codes.is_empty() {
        out.push_str("\x1b[0m");
    }
    if style.link.is_some() {
        out.push_str("\x1b]8;;\x1b\\");
    }
}

/// The SGR parameters that select `style` from plain text.
fn sgr_codes(style: &TextStyle) -> Vec<String> {
    let mut codes = Vec::new();
    for (on, code) in [
        (style.bold, "1"),
        (style.dim, "2"),
        (style.italic, "3"),
        (style.underline, "4"),
        (style.inverse, "7"),
        (style.strikethrough, "9"),
    ] {
        if on {
            codes.push(code.to_owned());
        }
    }
    if let Some(color) = style.fg {
        codes.push(color_code(color, 30, 90, 38));
    }
    if let Some(color) = style.bg {
        codes.push(color_code(color, 40, 100, 48));
    }
    codes
}

fn color_code(color: Color, normal: u8, bright: u8, extended: u8) -> String {
    match color {
        Color::Palette(index @ 0..=7) => (normal + index).to_string(),
        Color::Palette(index @ 8..=15) => (bright + index - 8).to_string(),
        Color::Palette(index) => format!("{extended};5;{index}"),
        Color::Rgb([red, green, blue]) => format!("{extended};2;{red};{green};{blue}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(range: Range<u32>, style: TextStyle) -> StyleSpan {
        StyleSpan {
            start: range.start,
            end: range.end,
            style,
        }
    }

    fn red() -> TextStyle {
        TextStyle {
            fg: Some(Color::Palette(1)),
            ..TextStyle::default()
        }
    }

    #[test]
    fn spans_are_compact_on_the_wire_and_round_trip() {
        let spans = vec![
            span(0..3, red()),
            span(
                4..9,
                TextStyle {
                    bg: Some(Color::Rgb([1, 2, 3])),
                    bold: true,
                    link: Some("https://example.com/".into()),
                    ..TextStyle::default()
                },
            ),
        ];
        let text = serde_json::to_string(&spans).unwrap();
        assert_eq!(
            text,
            r#"[{"start":0,"end":3,"fg":1},{"start":4,"end":9,"bg":[1,2,3],"bold":true,"link":"https://example.com/"}]"#
        );
        let back: Vec<StyleSpan> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, spans);
    }

    #[test]
    fn spans_that_overlap_leave_the_text_or_split_a_character_do_not_fit() {
        let text = "héllo";
        assert!(spans_fit(text, &[span(0..1, red()), span(1..3, red())]));
        assert!(!spans_fit(text, &[span(0..2, red())]), "inside é");
        assert!(!spans_fit(text, &[span(0..3, red()), span(2..4, red())]));
        assert!(!spans_fit(text, &[span(3..3, red())]));
        assert!(!spans_fit(text, &[span(3..99, red())]));
    }

    #[test]
    fn segments_lay_highlights_over_styles() {
        // "a RED word": "RED" is red, the search matched "D w".
        let text = "a RED word";
        let spans = [span(2..5, red())];
        let matched: Vec<Range<usize>> = std::iter::once(4..7).collect();
        let found = segments(text, &spans, &matched);
        let shown: Vec<(&str, bool, bool)> = found
            .iter()
            .map(|segment| {
                (
                    &text[segment.range.clone()],
                    segment.style.is_some(),
                    segment.highlighted,
                )
            })
            .collect();
        assert_eq!(
            shown,
            vec![
                ("a ", false, false),
                ("RE", true, false),
                ("D", true, true),
                (" w", false, true),
                ("ord", false, false),
            ]
        );
        assert_eq!(segments("", &[], &[]), vec![]);
        // Spans that do not fit are dropped, the text stays whole.
        let misfit = [span(1..9, red())];
        let plain = segments("abc", &misfit, &[]);
        assert_eq!(plain.len(), 1);
        assert_eq!(plain[0].range, 0..3);
    }

    #[test]
    fn styles_render_back_as_escape_sequences() {
        let spans = [
            span(0..3, red()),
            span(
                4..8,
                TextStyle {
                    fg: Some(Color::Palette(208)),
                    bg: Some(Color::Rgb([0, 0, 255])),
                    bold: true,
                    ..TextStyle::default()
                },
            ),
            span(
                9..13,
                TextStyle {
                    link: Some("https://x.io".into()),
                    ..TextStyle::default()
                },
            ),
        ];
        assert_eq!(
            to_ansi("RED bold link", &spans),
            "\x1b[31mRED\x1b[0m \x1b[1;38;5;208;48;2;0;0;255mbold\x1b[0m \
             \x1b]8;;https://x.io\x1b\\link\x1b]8;;\x1b\\"
        );
        assert_eq!(to_ansi("plain", &[]), "plain");
    }

    #[test]
    fn only_web_and_mail_links_open() {
        for target in [
            "https://example.com/a?b",
            "HTTP://x",
            "mailto:me@example.com",
        ] {
            assert_eq!(openable_link(target), Ok(target));
        }
        for target in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "vscode://x",
            "",
            "nope",
            "https://x\n",
        ] {
            assert!(openable_link(target).is_err(), "{target:?}");
        }
    }

    #[test]
    fn palette_entries_have_their_xterm_colours() {
        assert_eq!(Color::Palette(1).to_rgb(), [205, 0, 0]);
        assert_eq!(Color::Palette(16).to_rgb(), [0, 0, 0]);
        assert_eq!(Color::Palette(196).to_rgb(), [255, 0, 0]);
        assert_eq!(Color::Palette(232).to_rgb(), [8, 8, 8]);
        assert_eq!(Color::Palette(255).to_rgb(), [238, 238, 238]);
        assert_eq!(Color::Rgb([1, 2, 3]).to_rgb(), [1, 2, 3]);
    }
}
