//! SGR ("select graphic rendition", `ESC [ … m`): its parameters applied
//! to the pen's style. Both ways of writing extended colours are read:
//! `38;5;n` / `38;2;r;g;b` and the colon forms `38:5:n` / `38:2::r:g:b`.

use taskdeck_protocol::{Color, TextStyle};
use vte::Params;

/// Applies the SGR `params` to `style` (an empty list resets it).
pub fn apply(style: &mut TextStyle, params: &Params) {
    let mut params = params.iter();
    let mut any = false;
    while let Some(param) = params.next() {
        any = true;
        let code = param.first().copied().unwrap_or(0);
        match code {
            0 => reset(style),
            1 => style.bold = true,
            2 => style.dim = true,
            3 => style.italic = true,
            // `4:0` turns underline off; `4`, `4:1`… (curly, dotted) on.
            4 => style.underline = param.get(1).is_none_or(|&kind| kind != 0),
            7 => style.inverse = true,
            9 => style.strikethrough = true,
            21 => style.underline = true,
            22 => {
                style.bold = false;
                style.dim = false;
            }
            23 => style.italic = false,
            24 => style.underline = false,
            27 => style.inverse = false,
            29 => style.strikethrough = false,
            30..=37 => style.fg = Some(Color::Palette((code - 30) as u8)),
            38 => style.fg = extended(param, &mut params).or(style.fg),
            39 => style.fg = None,
            40..=47 => style.bg = Some(Color::Palette((code - 40) as u8)),
            48 => style.bg = extended(param, &mut params).or(style.bg),
            49 => style.bg = None,
            90..=97 => style.fg = Some(Color::Palette((code - 90 + 8) as u8)),
            100..=107 => style.bg = Some(Color::Palette((code - 100 + 8) as u8)),
            // Blink, hidden, fonts, frames and the rest: not drawn.
            _ => {}
        }
    }
    if !any {
        reset(style);
    }
}

/// Everything off but an open link, which is no SGR attribute.
fn reset(style: &mut TextStyle) {
    *style = TextStyle {
        link: style.link.take(),
        ..TextStyle::default()
    };
}

/// The colour of an extended colour parameter (`38`/`48`): from its own
/// sub-parameters (colon form), else from the parameters that follow
/// (semicolon form), which it then consumes. `None` when malformed.
fn extended<'a>(param: &[u16], rest: &mut impl Iterator<Item = &'a [u16]>) -> Option<Color> {
    if param.len() > 1 {
        return match param[1] {
            5 => palette(param.get(2).copied()),
            // `38:2:<colour space>:r:g:b`, or without the colour space.
            2 if param.len() >= 6 => rgb(&param[3..6]),
            2 => rgb(param.get(2..5)?),
            _ => None,
        };
    }
    let mut next = || rest.next().and_then(|value| value.first().copied());
    match next()? {
        5 => palette(next()),
        2 => {
            let (red, green, blue) = (next()?, next()?, next()?);
            rgb(&[red, green, blue])
        }
        _ => None,
    }
}

fn palette(index: Option<u16>) -> Option<Color> {
    index
        .and_then(|index| u8::try_from(index).ok())
        .map(Color::Palette)
}

fn rgb(values: &[u16]) -> Option<Color> {
    let channel = |index: usize| {
        values
            .get(index)
            .and_then(|&value| u8::try_from(value).ok())
    };
    Some(Color::Rgb([channel(0)?, channel(1)?, channel(2)?]))
}
