//! How one entry is written in each export format.
//!
//! - JSON Lines: the protocol's serialisation of the entry, one per line,
//!   after an [`ExportHeader`] line. Lossless; Taskdeck imports it.
//! - CSV (RFC 4180): `task_id,seq,timestamp,level,source,message,metadata`,
//!   CRLF line ends, a field quoted when it holds a comma, a quote or a line
//!   break (quotes doubled), metadata as a JSON string (empty when none).
//! - Text: `<RFC 3339 time> <LEVEL> [<source>] <message>`, then the metadata
//!   as JSON when present. One entry per line: line breaks inside a message
//!   are written as `\n` and `\r`. Plain; "with colours" writes the
//!   entry's styles back as terminal escape sequences.

use chrono::SecondsFormat;
use taskdeck_protocol::styled::to_ansi;
use taskdeck_protocol::{ExportFormat, ExportHeader, LogEntry};

use crate::CoreError;

/// The CSV header row.
pub const CSV_HEADER: &str = "task_id,seq,timestamp,level,source,message,metadata\r\n";

/// What goes before the first entry.
pub fn preamble(
    format: ExportFormat,
    header: &ExportHeader,
    out: &mut Vec<u8>,
) -> Result<(), CoreError> {
    match format {
        ExportFormat::JsonLines => {
            serde_json::to_writer(&mut *out, header).map_err(encoding)?;
            out.push(b'\n');
        }
        ExportFormat::Csv => out.extend_from_slice(CSV_HEADER.as_bytes()),
        ExportFormat::Text | ExportFormat::TextWithColours => {}
    }
    Ok(())
}

/// Appends `entry` to `out`.
pub fn entry(format: ExportFormat, entry: &LogEntry, out: &mut Vec<u8>) -> Result<(), CoreError> {
    let time = entry.timestamp.to_rfc3339_opts(SecondsFormat::Millis, true);
    let metadata = entry
        .metadata
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(encoding)?;
    match format {
        ExportFormat::JsonLines => {
            serde_json::to_writer(&mut *out, entry).map_err(encoding)?;
            out.push(b'\n');
        }
        ExportFormat::Csv => {
            let seq = entry.seq.to_string();
            let fields = [
                entry.task_id.as_str(),
                &seq,
                &time,
                entry.level.as_str(),
                &entry.source,
                &entry.message,
                metadata.as_deref().unwrap_or_default(),
            ];
            for (index, field) in fields.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                csv_field(field, out);
            }
            out.extend_from_slice(b"\r\n");
        }
        ExportFormat::Text | ExportFormat::TextWithColours => {
            let coloured;
            let message = if format == ExportFormat::TextWithColours {
                coloured = to_ansi(&entry.message, &entry.styles);
                &coloured
            } else {
                &entry.message
            };
            let message = message.replace('\r', "\\r").replace('\n', "\\n");
            out.extend_from_slice(
                format!("{time} {} [{}] {message}", entry.level, entry.source).as_bytes(),
            );
            if let Some(metadata) = metadata {
                out.push(b' ');
                out.extend_from_slice(metadata.as_bytes());
            }
            out.push(b'\n');
        }
    }
    Ok(())
}

fn csv_field(field: &str, out: &mut Vec<u8>) {
    if field.contains([',', '"', '\r', '\n']) {
        out.push(b'"');
        out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(field.as_bytes());
    }
}

fn encoding(error: serde_json::Error) -> CoreError {
    CoreError::io("encoding an entry for export", error.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_only_when_they_must_be() {
        let mut out = Vec::new();
        for field in ["plain", "a,b", "say \"hi\"", "two\nlines", ""] {
            csv_field(field, &mut out);
            out.push(b'|');
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"||"
        );
    }
}
