//! A message as it is drawn: the colours and links of the program that
//! wrote it (its [`StyleSpan`]s) with the search's matches highlighted over
//! them, exactly where the core's matcher found them (see
//! [`taskdeck_protocol::styled::segments`]). Text is always text, never
//! markup.
//!
//! Colours follow the theme: the 16 basic colours have a palette for the
//! light theme and one for the dark, each readable on its background; any
//! other colour (the 256-colour cube, 24-bit) is drawn as given unless it is
//! too close to the background to read, when it is moved towards the
//! theme's text colour. A link (OSC 8) opens in the system browser.

use std::ops::Range;
use taskdeck_protocol::commands::OpenLink;

use taskdeck_protocol::styled::{Segment, segments};
use taskdeck_protocol::{Color, StyleSpan, TextStyle};
use yew::prelude::*;

use crate::ipc;

/// Red, green and blue.
type Rgb = [u8; 3];

/// The basic colours on the light theme's background (`--surface`).
const LIGHT_PALETTE: [Rgb; 16] = [
    [0x1d, 0x23, 0x30],
    [0xc0, 0x1c, 0x28],
    [0x1a, 0x7f, 0x37],
    [0x9a, 0x67, 0x00],
    [0x1a, 0x5f, 0xb4],
    [0xa3, 0x47, 0xba],
    [0x0e, 0x7c, 0x86],
    [0x6b, 0x72, 0x80],
    [0x5e, 0x66, 0x75],
    [0xe0, 0x1b, 0x24],
    [0x2e, 0xa0, 0x43],
    [0xb5, 0x89, 0x00],
    [0x35, 0x84, 0xe4],
    [0xc0, 0x61, 0xcb],
    [0x1b, 0x9a, 0xaa],
    [0x9c, 0xa3, 0xaf],
];

/// The basic colours on the dark theme's background.
const DARK_PALETTE: [Rgb; 16] = [
    [0x4b, 0x52, 0x63],
    [0xf8, 0x71, 0x71],
    [0x4a, 0xde, 0x80],
    [0xfa, 0xcc, 0x15],
    [0x60, 0xa5, 0xfa],
    [0xe8, 0x79, 0xf9],
    [0x22, 0xd3, 0xee],
    [0xd1, 0xd5, 0xdb],
    [0x6b, 0x72, 0x80],
    [0xfc, 0xa5, 0xa5],
    [0x86, 0xef, 0xac],
    [0xfd, 0xe0, 0x47],
    [0x93, 0xc5, 0xfd],
    [0xf0, 0xab, 0xfc],
    [0x67, 0xe8, 0xf9],
    [0xf9, 0xfa, 0xfb],
];

/// A theme's background and text colours (as `--surface` and `--text` in
/// `styles/main.css`) and basic palette.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    background: Rgb,
    text: Rgb,
    palette: &'static [Rgb; 16],
}

/// The light theme.
pub const LIGHT: Theme = Theme {
    background: [0xff, 0xff, 0xff],
    text: [0x1d, 0x23, 0x30],
    palette: &LIGHT_PALETTE,
};

/// The dark theme.
pub const DARK: Theme = Theme {
    background: [0x17, 0x1c, 0x25],
    text: [0xe4, 0xe8, 0xef],
    palette: &DARK_PALETTE,
};

/// The least contrast a coloured text keeps against the background.
const MIN_CONTRAST: f64 = 3.0;

impl Theme {
    /// The theme the system asks for (`prefers-color-scheme`).
    pub fn current() -> Theme {
        let dark = web_sys::window()
            .and_then(|window| window.match_media("(prefers-color-scheme: dark)").ok())
            .flatten()
            .is_some_and(|query| query.matches());
        if dark { DARK } else { LIGHT }
    }

    /// `color` as this theme draws it.
    fn rgb(&self, color: Color) -> Rgb {
        match color {
            Color::Palette(index @ 0..=15) => self.palette[usize::from(index)],
            other => other.to_rgb(),
        }
    }

    /// A text colour readable on `background`: `color` itself, or moved
    /// towards the theme's text colour (on the theme's own background) or
    /// towards black or white (on a coloured one) until it is.
    fn readable(&self, color: Rgb, background: Rgb) -> Rgb {
        let towards = if background == self.background {
            self.text
        } else if luminance(background) > 0.4 {
            [0, 0, 0]
        } else {
            [0xff, 0xff, 0xff]
        };
        let mut shown = color;
        for step in 1..=10 {
            if contrast(shown, background) >= MIN_CONTRAST {
                break;
            }
            shown = mix(color, towards, f64::from(step) / 10.0);
        }
        shown
    }

    /// The CSS declarations that draw `style`.
    pub fn css(&self, style: &TextStyle) -> String {
        let mut foreground = style.fg.map(|color| self.rgb(color));
        let mut background = style.bg.map(|color| self.rgb(color));
        if style.inverse {
            let (text, back) = (
                background.unwrap_or(self.background),
                foreground.unwrap_or(self.text),
            );
            foreground = Some(text);
            background = Some(back);
        }
        let mut css = String::new();
        let on = background.unwrap_or(self.background);
        if let Some(color) = foreground.or(background.map(|_| self.text)) {
            let [red, green, blue] = self.readable(color, on);
            css.push_str(&format!("color: rgb({red}, {green}, {blue});"));
        }
        if let Some([red, green, blue]) = background {
            css.push_str(&format!("background: rgb({red}, {green}, {blue});"));
        }
        if style.bold {
            css.push_str("font-weight: 700;");
        }
        if style.dim {
            css.push_str("opacity: 0.65;");
        }
        if style.italic {
            css.push_str("font-style: italic;");
        }
        match (style.underline || style.link.is_some(), style.strikethrough) {
            (true, true) => css.push_str("text-decoration: underline line-through;"),
            (true, false) => css.push_str("text-decoration: underline;"),
            (false, true) => css.push_str("text-decoration: line-through;"),
            (false, false) => {}
        }
        css
    }
}

/// WCAG relative luminance.
fn luminance(color: Rgb) -> f64 {
    let channel = |value: u8| {
        let value = f64::from(value) / 255.0;
        if value <= 0.039_28 {
            value / 12.92
        } else {
            ((value + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(color[0]) + 0.7152 * channel(color[1]) + 0.0722 * channel(color[2])
}

/// WCAG contrast ratio, 1 to 21.
fn contrast(one: Rgb, other: Rgb) -> f64 {
    let (one, other) = (luminance(one), luminance(other));
    (one.max(other) + 0.05) / (one.min(other) + 0.05)
}

fn mix(from: Rgb, to: Rgb, share: f64) -> Rgb {
    let channel = |index: usize| {
        (f64::from(from[index]) * (1.0 - share) + f64::from(to[index]) * share).round() as u8
    };
    [channel(0), channel(1), channel(2)]
}

/// Whether a link target may be opened (the app opens only these).
fn openable(target: &str) -> bool {
    taskdeck_protocol::styled::openable_link(target).is_ok()
}

/// The most of a message a row draws: one line of the widest screen, three
/// when rows wrap. The detail view draws the whole message.
pub const ROW_BYTES: usize = 4096;

/// The most differently drawn stretches a row draws; the rest of its text
/// is drawn plain. A line of 10,000 colour changes then costs a row no
/// more than a few hundred elements.
pub const ROW_SEGMENTS: usize = 256;

/// What a row draws of `message`: its first segments (at most
/// [`ROW_SEGMENTS`], within the first [`ROW_BYTES`]), and the range of the
/// shown text after them that is drawn plain.
pub fn row_segments<'a>(
    message: &str,
    styles: &'a [StyleSpan],
    ranges: &[Range<usize>],
) -> (Vec<Segment<'a>>, Range<usize>) {
    let mut shown = message.len().min(ROW_BYTES);
    while !message.is_char_boundary(shown) {
        shown -= 1;
    }
    let mut drawn: Vec<Segment<'a>> = segments(message, styles, ranges)
        .into_iter()
        .take_while(|segment| segment.range.start < shown)
        .take(ROW_SEGMENTS)
        .collect();
    if let Some(last) = drawn.last_mut() {
        last.range.end = last.range.end.min(shown);
    }
    let plain_from = drawn.last().map_or(0, |last| last.range.end);
    (drawn, plain_from..shown)
}

/// `message` as a row draws it (see [`row_segments`]), the byte `ranges`
/// highlighted.
pub fn render_row(
    message: &str,
    styles: &[StyleSpan],
    ranges: &[Range<usize>],
    theme: impl FnOnce() -> Theme,
) -> Html {
    if styles.is_empty() && ranges.is_empty() && message.len() <= ROW_BYTES {
        return html! { { message.to_owned() } };
    }
    let theme = if styles.is_empty() { LIGHT } else { theme() };
    let (drawn, plain) = row_segments(message, styles, ranges);
    let rest = message[plain].to_owned();
    html! {
        <>
            { for drawn.iter().map(|segment| render_segment(message, segment, theme)) }
            { rest }
        </>
    }
}

/// `message` drawn with `styles`, the byte `ranges` highlighted.
pub fn render(
    message: &str,
    styles: &[StyleSpan],
    ranges: &[Range<usize>],
    theme: impl FnOnce() -> Theme,
) -> Html {
    if styles.is_empty() && ranges.is_empty() {
        return html! { { message.to_owned() } };
    }
    // Asked of the system only for a coloured message (plain text and
    // highlights draw no palette colour).
    let theme = if styles.is_empty() { LIGHT } else { theme() };
    segments(message, styles, ranges)
        .into_iter()
        .map(|segment| render_segment(message, &segment, theme))
        .collect()
}

fn render_segment(message: &str, segment: &Segment<'_>, theme: Theme) -> Html {
    let text = message[segment.range.clone()].to_owned();
    let inner = if segment.highlighted {
        html! { <mark class="match">{ text }</mark> }
    } else {
        html! { { text } }
    };
    let Some(style) = segment.style else {
        return inner;
    };
    let css = theme.css(style);
    match &style.link {
        Some(target) if openable(target) => {
            // No `href`: the webview itself never navigates to a program's
            // link (a middle click, a drag); only the system browser opens it.
            let open = {
                let target = target.clone();
                move || {
                    let target = target.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        if let Err(error) = ipc::invoke(&OpenLink {
                            url: target.clone(),
                        })
                        .await
                        {
                            web_sys::console::warn_1(&error.message.into());
                        }
                    });
                }
            };
            let onclick = {
                let open = open.clone();
                Callback::from(move |event: MouseEvent| {
                    event.prevent_default();
                    event.stop_propagation();
                    open();
                })
            };
            let onkeydown = Callback::from(move |event: KeyboardEvent| {
                if event.key() == "Enter" {
                    event.prevent_default();
                    open();
                }
            });
            html! {
                <span class="ansi ansi-link" role="link" tabindex="0" title={format!("Open {target}")}
                    style={css} data-testid="ansi-link" data-href={target.clone()} {onclick} {onkeydown}>
                    { inner }
                </span>
            }
        }
        Some(target) => html! {
            <span class="ansi" style={css} title={format!("{target} (only web and mail links open)")}>
                { inner }
            </span>
        },
        None => html! { <span class="ansi" style={css}>{ inner }</span> },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_draws_a_bounded_share_of_a_line_of_ten_thousand_colours() {
        // 10,000 one-character stretches, alternately red and plain.
        let message = "ab".repeat(10_000);
        let red = TextStyle {
            fg: Some(Color::Palette(1)),
            ..TextStyle::default()
        };
        let styles: Vec<StyleSpan> = (0..10_000u32)
            .map(|index| StyleSpan {
                start: 2 * index,
                end: 2 * index + 1,
                style: red.clone(),
            })
            .collect();
        let (drawn, plain) = row_segments(&message, &styles, &[]);
        assert_eq!(drawn.len(), ROW_SEGMENTS);
        assert_eq!(drawn[0].style, Some(&red));
        assert_eq!(drawn[1].style, None);
        // After the drawn stretches, the shown text goes on plain up to the cap.
        assert_eq!(plain, ROW_SEGMENTS..ROW_BYTES);
        // A short coloured line is drawn whole.
        let (drawn, plain) = row_segments("ab", &styles[..1], &[]);
        assert_eq!(drawn.len(), 2);
        assert!(plain.is_empty());
    }

    #[test]
    fn a_row_cuts_a_long_line_on_a_character_boundary() {
        let message = "é".repeat(ROW_BYTES); // two bytes each
        let first_match = 0..4;
        let (drawn, plain) = row_segments(&message, &[], std::slice::from_ref(&first_match));
        assert_eq!(drawn.len(), 2, "the match, then the rest");
        assert_eq!(drawn[1].range.end, ROW_BYTES);
        assert!(plain.is_empty());
        let first_char = 0..1;
        let (drawn, _) = row_segments(
            &format!("x{message}"),
            &[],
            std::slice::from_ref(&first_char),
        );
        assert_eq!(drawn[1].range.end, ROW_BYTES - 1, "not inside an `é`");
    }

    #[test]
    fn basic_colours_follow_the_theme_and_stay_readable() {
        for theme in [LIGHT, DARK] {
            for index in 0..16 {
                let color = theme.rgb(Color::Palette(index));
                assert!(
                    contrast(color, theme.background) >= 2.0,
                    "palette {index} on {theme:?}"
                );
            }
        }
        let red = TextStyle {
            fg: Some(Color::Palette(1)),
            ..TextStyle::default()
        };
        assert_eq!(LIGHT.css(&red), "color: rgb(192, 28, 40);");
        assert_eq!(DARK.css(&red), "color: rgb(248, 113, 113);");
    }

    #[test]
    fn colours_too_close_to_the_background_are_moved_until_readable() {
        let white_text = TextStyle {
            fg: Some(Color::Rgb([0xff, 0xff, 0xff])),
            ..TextStyle::default()
        };
        let css = LIGHT.css(&white_text);
        assert_ne!(css, "color: rgb(255, 255, 255);");
        let shown = LIGHT.readable([0xff, 0xff, 0xff], LIGHT.background);
        assert!(contrast(shown, LIGHT.background) >= MIN_CONTRAST);
        // A readable colour is left alone.
        assert_eq!(DARK.readable([255, 0, 0], DARK.background), [255, 0, 0]);
        // Text on a yellow background turns dark.
        let on_yellow = DARK.readable(DARK.text, [0xff, 0xff, 0x00]);
        assert!(contrast(on_yellow, [0xff, 0xff, 0x00]) >= MIN_CONTRAST);
    }

    #[test]
    fn inverse_swaps_and_attributes_become_css() {
        let style = TextStyle {
            fg: Some(Color::Palette(4)),
            inverse: true,
            bold: true,
            underline: true,
            strikethrough: true,
            ..TextStyle::default()
        };
        let css = LIGHT.css(&style);
        assert!(css.contains("background: rgb(26, 95, 180);"), "{css}");
        assert!(css.contains("color: rgb(255, 255, 255);"), "{css}");
        assert!(css.contains("font-weight: 700;"));
        assert!(css.contains("underline line-through"));
    }
}
