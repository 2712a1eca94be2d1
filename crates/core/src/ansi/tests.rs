use proptest::prelude::*;
use taskdeck_protocol::{Color, StyleSpan, TextStyle};

use super::*;

fn fg(index: u8) -> TextStyle {
    TextStyle {
        fg: Some(Color::Palette(index)),
        ..TextStyle::default()
    }
}

fn span(start: u32, end: u32, style: TextStyle) -> StyleSpan {
    StyleSpan { start, end, style }
}

fn s(text: &str) -> String {
    text.to_owned()
}

fn parsed(text: &str) -> Styled {
    parse(text.to_owned())
}

#[test]
fn plain_text_is_left_as_it_is() {
    for text in ["", "hello", "tab\there", "multi\nline", "ünïcödé ✓"] {
        assert!(!needs_parsing(text));
        assert_eq!(parsed(text), Styled::plain(text.to_owned()));
    }
}

#[test]
fn a_red_word_becomes_plain_text_with_a_red_span() {
    let styled = parsed("\x1b[31mRED\x1b[0m text");
    assert_eq!(styled.text, "RED text");
    assert_eq!(styled.spans, vec![span(0, 3, fg(1))]);
}

#[test]
fn sequences_and_characters_split_across_reads_are_joined() {
    let mut parser = OutputParser::default();
    for part in [&b"\x1b[3"[..], b"1mR", b"ED\x1b[0", b"m caf\xc3", b"\xa9"] {
        parser.feed(part);
    }
    let styled = parser.finish_line();
    assert_eq!(styled.text, "RED café");
    assert_eq!(styled.spans, vec![span(0, 3, fg(1))]);
}

#[test]
fn the_pen_carries_over_to_the_next_line_of_a_stream() {
    let mut parser = OutputParser::default();
    let first = parser.line(s("\x1b[32mgreen"));
    let second = parser.line(s("still green\x1b[0m, then plain"));
    let third = parser.line(s("plain"));
    assert_eq!(first.spans, vec![span(0, 5, fg(2))]);
    assert_eq!(second.text, "still green, then plain");
    assert_eq!(second.spans, vec![span(0, 11, fg(2))]);
    assert!(third.spans.is_empty());
}

#[test]
fn extended_colours_in_both_notations() {
    let cases = [
        ("\x1b[38;5;208mx", fg(208)),
        ("\x1b[38:5:208mx", fg(208)),
        (
            "\x1b[38;2;255;128;0mx",
            TextStyle {
                fg: Some(Color::Rgb([255, 128, 0])),
                ..TextStyle::default()
            },
        ),
        (
            "\x1b[38:2::255:128:0mx",
            TextStyle {
                fg: Some(Color::Rgb([255, 128, 0])),
                ..TextStyle::default()
            },
        ),
        (
            "\x1b[48;2;1;2;3;97mx",
            TextStyle {
                fg: Some(Color::Palette(15)),
                bg: Some(Color::Rgb([1, 2, 3])),
                ..TextStyle::default()
            },
        ),
        (
            "\x1b[44;103mx",
            TextStyle {
                bg: Some(Color::Palette(11)),
                ..TextStyle::default()
            },
        ),
    ];
    for (text, style) in cases {
        assert_eq!(parsed(text).spans, vec![span(0, 1, style)], "{text:?}");
    }
    // Malformed extended colours change nothing and hide no text.
    for text in [
        "\x1b[38;5mx",
        "\x1b[38;2;1;2mx",
        "\x1b[38;9mx",
        "\x1b[38;2;999;0;0mx",
    ] {
        let styled = parsed(text);
        assert_eq!(styled.text, "x", "{text:?}");
        assert!(styled.spans.is_empty(), "{text:?}: {:?}", styled.spans);
    }
}

#[test]
fn attributes_switch_on_and_off() {
    let styled = parsed("\x1b[1;2;3;4;7;9mA\x1b[22;23mB\x1b[24;27;29mC\x1b[4:0mD\x1b[21mE\x1b[mF");
    assert_eq!(styled.text, "ABCDEF");
    let all = TextStyle {
        bold: true,
        dim: true,
        italic: true,
        underline: true,
        inverse: true,
        strikethrough: true,
        ..TextStyle::default()
    };
    let after_b = TextStyle {
        underline: true,
        inverse: true,
        strikethrough: true,
        ..TextStyle::default()
    };
    let underline = TextStyle {
        underline: true,
        ..TextStyle::default()
    };
    assert_eq!(
        styled.spans,
        vec![span(0, 1, all), span(1, 2, after_b), span(4, 5, underline)]
    );
    let reset = parsed("\x1b[31;42mX\x1b[39mY\x1b[49mZ");
    assert_eq!(reset.spans.len(), 2);
    assert_eq!(reset.spans[1].style.bg, Some(Color::Palette(2)));
    assert_eq!(reset.spans[1].style.fg, None);
}

#[test]
fn osc_8_links_with_either_terminator() {
    let styled = parsed(
        "see \x1b]8;;https://example.com/a;b?c=1\x1b\\the docs\x1b]8;;\x1b\\ or \
         \x1b]8;id=x;http://x.io\x07here\x1b]8;;\x07.",
    );
    assert_eq!(styled.text, "see the docs or here.");
    let link = |target: &str| TextStyle {
        link: Some(target.to_owned()),
        ..TextStyle::default()
    };
    assert_eq!(
        styled.spans,
        vec![
            span(4, 12, link("https://example.com/a;b?c=1")),
            span(16, 20, link("http://x.io"))
        ]
    );
}

#[test]
fn a_redrawn_line_keeps_its_final_state() {
    let cases = [
        ("10%\r20%\r100%", "100%"),
        ("abcdef\rXY", "XYcdef"),
        ("downloading 40%\r\x1b[2Kdone", "done"),
        ("downloading 40%\r\x1b[Kdone", "done"),
        ("old text\rnew\x1b[K", "new"),
        ("abcdef\x1b[3D\x1b[1K!", "   !ef"),
        ("ab\x08c", "ac"),
        ("a\x1b[3Cb", "a   b"),
        ("abc\x1b[1Gx", "xbc"),
        ("abcdef\x1b[3G\x1b[2P", "abef"),
        ("abcdef\x1b[2G\x1b[2X", "a  def"),
        ("line\r", "line"),
    ];
    for (raw, shown) in cases {
        assert_eq!(parsed(raw).text, shown, "{raw:?}");
    }
    // A redraw keeps the styles of what is shown at the end.
    let styled = parsed("\x1b[33m50%\x1b[0m\r\x1b[32m100%\x1b[0m");
    assert_eq!(styled.text, "100%");
    assert_eq!(styled.spans, vec![span(0, 4, fg(2))]);
}

#[test]
fn other_sequences_never_show_as_text() {
    let cases = [
        ("\x1b]0;window title\x07text", "text"),
        ("\x1b]2;title\x1b\\text", "text"),
        ("\x1b[1Aup\x1b[2Bdown", "updown"),
        ("\x1b[?25lhidden cursor\x1b[?25h", "hidden cursor"),
        ("\x1b[2J\x1b[Hclear", "clear"),
        ("\x1bPq#0;2;0;0;0\x1b\\dcs", "dcs"),
        ("\x1b(Bcharset", "charset"),
        ("\x1b[0mbell\x07", "bell"),
        ("\x1b[>4;2mkeys", "keys"),
        ("\x1b[0mdel\x7f", "del"),
    ];
    for (raw, shown) in cases {
        let styled = parsed(raw);
        assert_eq!(styled.text, shown, "{raw:?}");
        assert!(styled.spans.is_empty(), "{raw:?}");
    }
}

#[test]
fn malformed_or_unterminated_sequences_are_dropped_at_the_line_end() {
    let mut parser = OutputParser::default();
    assert_eq!(parser.line(s("abc\x1b[31")).text, "abc");
    assert_eq!(parser.line(s("next line")).text, "next line");
    assert_eq!(parser.line(s("x\x1b]8;;http://never-ended")).text, "x");
    let after = parser.line(s("then text"));
    assert_eq!(after.text, "then text");
    assert!(after.spans.is_empty());
    assert_eq!(parser.line(s("\x1b")).text, "");
    assert_eq!(parser.line(s("\x1b[99999999999999999999mbig")).text, "big");
    assert_eq!(
        parser
            .line(s("\x1b[;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;31mx"))
            .text,
        "x"
    );
}

#[test]
fn hostile_moves_stay_bounded() {
    // Parameters saturate at 65,535; nothing is drawn past the last column.
    let styled = parsed("a\x1b[4294967295Cb\x1b[999999999999Gc");
    assert!(styled.text.starts_with('a') && styled.text.ends_with('c'));
    assert!(styled.text.len() <= 65_536);
    assert!(!styled.text.contains('b'));
}

#[test]
fn a_message_of_several_lines_keeps_them() {
    let styled = parsed("a\x1b[31mb\nc\x1b[0m\rd");
    assert_eq!(styled.text, "ab\nd");
    assert_eq!(styled.spans, vec![span(1, 2, fg(1))]);
    // A sequence left open ends with its line, not with the message.
    assert_eq!(
        parsed("\x1b]0;title\nline 2\nline 3").text,
        "\nline 2\nline 3"
    );
}

#[test]
fn ten_thousand_colour_changes_in_one_line() {
    let raw: String = (0..10_000)
        .map(|index| format!("\x1b[38;5;{}mx", index % 256))
        .collect();
    let styled = parsed(&raw);
    assert_eq!(styled.text.len(), 10_000);
    assert_eq!(styled.spans.len(), 10_000);
    assert!(taskdeck_protocol::styled::spans_fit(
        &styled.text,
        &styled.spans
    ));
}

#[test]
fn truncation_clips_the_spans() {
    let mut styled = parsed("\x1b[31mabc\x1b[32mdéf\x1b[0m");
    assert!(truncate(&mut styled, 5));
    assert_eq!(styled.text, "abcd");
    assert_eq!(styled.spans, vec![span(0, 3, fg(1)), span(3, 4, fg(2))]);
    assert!(!truncate(&mut styled, 10));
}

proptest! {
    #[test]
    fn parsed_text_holds_no_escapes_and_its_spans_fit(raw in "(\\PC|\x1b|\\[|\r|\x08|;|[0-9]|m|\x07|\\]|\n){0,80}") {
        let styled = parse(raw.clone());
        prop_assert!(!styled.text.contains('\x1b'));
        prop_assert!(!styled.text.contains('\r'));
        prop_assert!(taskdeck_protocol::styled::spans_fit(&styled.text, &styled.spans));
    }

    #[test]
    fn text_without_controls_comes_back_unchanged(raw in "\\PC{0,80}") {
        let styled = parse(raw.clone());
        prop_assert_eq!(styled.text, raw);
        prop_assert!(styled.spans.is_empty());
    }

    #[test]
    fn styled_text_rendered_back_parses_to_itself(raw in "(\\PC|\x1b\\[3[1-7]m|\x1b\\[0m|\x1b\\[1m|\x1b\\[38;5;200m){0,40}") {
        let styled = parse(raw);
        let again = parse(taskdeck_protocol::styled::to_ansi(&styled.text, &styled.spans));
        prop_assert_eq!(again.text, styled.text);
        prop_assert_eq!(again.spans, styled.spans);
    }
}
