//! Searches compiled lately, kept by query: one request compiles the same
//! search many times — checking the filter, building each statement's
//! plan, and in the `taskdeck_matches` SQL function once per statement
//! run — and a case-folded pattern costs a fraction of a millisecond to
//! compile, which a search across runs paid several times per task.
//!
//! Cost model: a lookup is a scan of at most [`KEPT`] queries under a
//! lock; a matcher is shared (`Arc`), never copied.

use std::sync::Arc;

use parking_lot::Mutex;
use taskdeck_protocol::{InvalidFilter, LogFilter, SearchMatcher, SearchQuery};

/// How many compiled searches are kept (the most recently used).
const KEPT: usize = 16;

/// The kept matchers, the most recently used last.
static COMPILED: Mutex<Vec<Arc<SearchMatcher>>> = Mutex::new(Vec::new());

/// The matcher of `query`, compiled by `compile` unless it is kept.
fn kept_or<E>(
    query: &SearchQuery,
    compile: impl FnOnce() -> Result<SearchMatcher, E>,
) -> Result<Arc<SearchMatcher>, E> {
    {
        let mut kept = COMPILED.lock();
        if let Some(index) = kept.iter().position(|matcher| matcher.query() == query) {
            let matcher = kept.remove(index);
            kept.push(Arc::clone(&matcher));
            return Ok(matcher);
        }
    }
    // Compiled outside the lock: another thread's lookup need not wait.
    let matcher = Arc::new(compile()?);
    let mut kept = COMPILED.lock();
    if kept.len() >= KEPT {
        kept.remove(0);
    }
    kept.push(Arc::clone(&matcher));
    Ok(matcher)
}

/// The compiled search of `filter`, if it has one (see
/// [`LogFilter::search_matcher`]: a search that cannot run is refused with
/// what is wrong and where).
pub fn filter_matcher(filter: &LogFilter) -> Result<Option<Arc<SearchMatcher>>, InvalidFilter> {
    let Some(query) = filter.search_query() else {
        return Ok(None);
    };
    kept_or(&query, || {
        filter
            .search_matcher()?
            .ok_or_else(unreachable_without_search)
    })
    .map(Some)
}

/// The compiled search `query` names, for the SQL function.
pub fn query_matcher(query: &SearchQuery) -> Result<Arc<SearchMatcher>, String> {
    kept_or(query, || query.compile().map_err(|error| error.to_string()))
}

/// `search_matcher` answers a matcher whenever `search_query` has a query.
fn unreachable_without_search() -> InvalidFilter {
    InvalidFilter {
        field: "search",
        reason: "has no text".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use taskdeck_protocol::SearchMode;

    #[test]
    fn a_query_compiles_once_while_it_is_kept() {
        let query = SearchQuery {
            text: "kept-search-test".into(),
            mode: SearchMode::Text,
            case_sensitive: false,
        };
        let first = query_matcher(&query).unwrap();
        let again = query_matcher(&query).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert!(first.is_match("a KEPT-SEARCH-TEST here"));
        let bad = SearchQuery {
            text: "a(".into(),
            mode: SearchMode::Regex,
            case_sensitive: false,
        };
        assert!(query_matcher(&bad).is_err());
    }
}
