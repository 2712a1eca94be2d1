//! The search box's text as a filter: the search in the chosen mode, or
//! why the text cannot be searched (shown beside the box), and the mode
//! toggles and placeholder.

use taskdeck_protocol::{InvalidSearch, LogFilter, SearchMode, SearchQuery};

/// A filter with the search box's text in `mode`, and why that text
/// cannot be searched, if it cannot (the filter then has no search).
pub(super) struct WithSearch {
    pub(super) filter: LogFilter,
    pub(super) error: Option<String>,
}

pub(super) fn with_search(
    filter: &LogFilter,
    text: &str,
    mode: SearchMode,
    case_sensitive: bool,
) -> WithSearch {
    let text = text.trim();
    let query = SearchQuery {
        text: text.to_owned(),
        mode,
        case_sensitive,
    };
    let error = if text.is_empty() {
        None
    } else {
        query.compile().err().map(|error| describe(mode, &error))
    };
    let search = (!text.is_empty() && error.is_none()).then(|| text.to_owned());
    WithSearch {
        filter: LogFilter {
            search,
            search_mode: mode,
            case_sensitive,
            ..filter.clone()
        },
        error,
    }
}

/// What the user reads when the text cannot be searched.
pub(super) fn describe(mode: SearchMode, error: &InvalidSearch) -> String {
    let what = match mode {
        SearchMode::Regex => "Not a valid regular expression",
        SearchMode::Operators | SearchMode::Text => "Not a valid search",
    };
    format!("{what} {error}")
}

/// `mode` switched on, or back to plain text if it was on.
pub(super) fn flip(current: SearchMode, mode: SearchMode) -> SearchMode {
    if current == mode {
        SearchMode::Text
    } else {
        mode
    }
}

pub(super) fn placeholder(mode: SearchMode) -> &'static str {
    match mode {
        SearchMode::Text => "Search (/): text as typed",
        SearchMode::Operators => "Search (/): terms with AND, OR, NOT, \"phrases\"",
        SearchMode::Regex => "Search (/): regular expression",
    }
}
