//! How a program's output bytes become the text of its log lines. UTF-8
//! is taken as it is. On Windows, output that is not UTF-8 is text in the
//! console's code page (cmd, git, compilers write `café` as one byte per
//! letter in code page 850 or 437, `日本` in 932): it is decoded from the
//! system's OEM code page, so it is stored as the user wrote it, never as
//! replacement characters. Elsewhere invalid bytes stay visible as U+FFFD.

use std::borrow::Cow;

/// The text of one line of output.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(not_utf8(bytes)),
    }
}

#[cfg(windows)]
fn not_utf8(bytes: &[u8]) -> String {
    oem_code_page()
        .and_then(|code_page| decode_with(code_page, bytes))
        .unwrap_or_else(|| String::from_utf8_lossy(bytes).into_owned())
}

#[cfg(not(windows))]
fn not_utf8(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `bytes` decoded from Windows code page `code_page`, or `None` for a code
/// page neither the DOS tables nor the WHATWG encodings know.
pub fn decode_with(code_page: u16, bytes: &[u8]) -> Option<String> {
    if let Some(table) = oem_cp::code_table::DECODING_TABLE_CP_MAP.get(&code_page) {
        return Some(table.decode_string_lossy(bytes));
    }
    let encoding = codepage::to_encoding(code_page)?;
    Some(encoding.decode_without_bom_handling(bytes).0.into_owned())
}

/// The system's OEM code page, the one console programs write in, read
/// once from the registry (`GetOEMCP` would need `unsafe`, which this
/// workspace forbids; the registry value is where Windows keeps it).
#[cfg(windows)]
pub fn oem_code_page() -> Option<u16> {
    static CODE_PAGE: std::sync::OnceLock<Option<u16>> = std::sync::OnceLock::new();
    *CODE_PAGE.get_or_init(|| {
        let key = winreg::RegKey::predef(winreg::enums::HKEY_LOCAL_MACHINE)
            .open_subkey(r"SYSTEM\CurrentControlSet\Control\Nls\CodePage")
            .ok()?;
        let value: String = key.get_value("OEMCP").ok()?;
        value.trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_borrowed_and_code_pages_decode_what_they_wrote() {
        assert!(matches!(decode("café".as_bytes()), Cow::Borrowed("café")));
        // `café` and `Jürgen` as cmd writes them in code pages 850 and 437.
        assert_eq!(decode_with(850, b"caf\x82").as_deref(), Some("café"));
        assert_eq!(decode_with(437, b"J\x81rgen").as_deref(), Some("Jürgen"));
        // The ANSI and the CJK code pages, through encoding_rs.
        assert_eq!(decode_with(1252, b"caf\xe9").as_deref(), Some("café"));
        assert_eq!(
            decode_with(932, b"\x93\xfa\x96\x7b").as_deref(),
            Some("日本")
        );
        assert_eq!(decode_with(1, b"x"), None);
    }

    #[cfg(not(windows))]
    #[test]
    fn elsewhere_invalid_bytes_stay_visible() {
        assert_eq!(decode(b"caf\x82"), "caf\u{FFFD}");
    }

    #[cfg(windows)]
    #[test]
    fn windows_decodes_from_the_oem_code_page() {
        let code_page = oem_code_page().expect("the OEM code page is in the registry");
        let expected = decode_with(code_page, b"caf\x82").unwrap();
        assert_eq!(decode(b"caf\x82"), expected);
        assert!(!expected.contains('\u{FFFD}'), "{expected}");
    }
}
