//! Any bytes a program can print, read as its output is: split into reads
//! of any size, then lines; and any text as a plugin's whole message. The
//! text kept never holds an escape, a carriage return or a backspace, and
//! its style spans always fit it; nothing panics or hangs.

#![no_main]

use libfuzzer_sys::fuzz_target;
use taskdeck_core::ansi::{self, OutputParser, Styled};
use taskdeck_protocol::styled::spans_fit;

fn check(styled: &Styled) {
    assert!(
        !styled.text.contains(['\x1b', '\r', '\x08']),
        "{:?}",
        styled.text
    );
    assert!(spans_fit(&styled.text, &styled.spans), "{styled:?}");
}

fuzz_target!(|data: &[u8]| {
    let Some((&split, output)) = data.split_first() else {
        return;
    };
    // As a stream: reads of `split` bytes (or more), a line at each \n.
    let mut parser = OutputParser::default();
    for line in output.split(|byte| *byte == b'\n') {
        for read in line.chunks(usize::from(split).max(1)) {
            parser.feed(read);
        }
        check(&parser.finish_line());
    }
    // As a whole message.
    check(&ansi::parse(String::from_utf8_lossy(output).into_owned()));
});
