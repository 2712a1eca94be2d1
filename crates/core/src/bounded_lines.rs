//! Reading a line in bounded memory: a producer that never ends its line
//! (a program's output, a file handed to the import) cannot make Taskdeck
//! hold all of it.

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// Reads one line (through its `\n`, or to the end of the stream) into
/// `line`, keeping at most `keep` bytes of it; returns the line's length
/// without its `\n` (more than `line` holds: it was cut), `None` at the
/// end of the stream.
pub async fn read_line_capped<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
    keep: usize,
) -> std::io::Result<Option<usize>> {
    let mut length = 0;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok((length > 0).then_some(length));
        }
        let (chunk, ended) = match available.iter().position(|byte| *byte == b'\n') {
            Some(end) => (&available[..=end], true),
            None => (available, false),
        };
        let room = keep.saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = chunk.len();
        length += used;
        reader.consume(used);
        if ended {
            return Ok(Some(length - 1));
        }
    }
}
