//! Quantities as people read them, shared by every interface (the UI, the
//! CLI, log messages) so a size reads the same everywhere.

/// A size for people: `512 B`, `1.5 KiB`, `3.2 MiB`, up to TiB.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(3 * 1024 * 1024 + 200 * 1024), "3.2 MiB");
        assert_eq!(human_size(4096), "4.0 KiB");
        assert_eq!(human_size(12_897_485), "12.3 MiB");
    }
}
