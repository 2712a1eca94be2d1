//! The app's routes, kept in the location hash by `yew-router`: the three
//! views, History with its filters (`#/history/<filters>`, a shareable
//! link), and links to one log line (`#/task/<task id>/line/<seq>`), which
//! open the task in History with the panel scrolled to that line.

use yew_router::Routable;

use crate::components::View;

/// Where the app is.
#[derive(Debug, Clone, PartialEq, Eq, Routable)]
pub enum Route {
    /// Pick a plugin and run a task.
    #[at("/")]
    Run,
    /// Every past task.
    #[at("/history")]
    History,
    /// History with filters (a [`HistoryQuery`](crate::history_query)'s
    /// text).
    #[at("/history/:query")]
    HistoryFiltered {
        /// The filters, as `HistoryQuery::encode` writes them.
        query: String,
    },
    /// Retention and logging settings.
    #[at("/settings")]
    Settings,
    /// One line of a task's log, in History.
    #[at("/task/:task_id/line/:seq")]
    Line {
        /// The task.
        task_id: String,
        /// The line.
        seq: u64,
    },
    /// Anything else: the Run view.
    #[not_found]
    #[at("/unknown")]
    Unknown,
}

/// A line of a task's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineLink {
    /// The task.
    pub task_id: String,
    /// The line.
    pub seq: u64,
}

impl Route {
    /// The route to `seq` of `task_id`'s log.
    pub fn line(task_id: String, seq: u64) -> Route {
        Route::Line { task_id, seq }
    }

    /// The line this route names, if it names a valid one.
    pub fn line_link(&self) -> Option<LineLink> {
        let Route::Line { task_id, seq } = self else {
            return None;
        };
        let valid_id = !task_id.is_empty()
            && task_id
                .chars()
                .all(|character| character.is_ascii_hexdigit() || character == '-');
        (valid_id && *seq > 0).then(|| LineLink {
            task_id: task_id.clone(),
            seq: *seq,
        })
    }

    /// The History filters this route names (`None`: the remembered ones).
    pub fn history_query(&self) -> Option<String> {
        match self {
            Route::HistoryFiltered { query } => Some(query.clone()),
            _ => None,
        }
    }

    /// The route to History filtered by `query` (the plain History route
    /// when it filters nothing).
    pub fn history(query: String) -> Route {
        if query.is_empty() {
            Route::History
        } else {
            Route::HistoryFiltered { query }
        }
    }

    /// The view this route shows: a line link that is not valid shows Run,
    /// as any other unknown address does.
    pub fn view(&self) -> View {
        match self {
            Route::History | Route::HistoryFiltered { .. } => View::History,
            Route::Settings => View::Settings,
            Route::Line { .. } if self.line_link().is_some() => View::History,
            Route::Run | Route::Line { .. } | Route::Unknown => View::Run,
        }
    }
}

impl From<View> for Route {
    fn from(view: View) -> Route {
        match view {
            View::Run => Route::Run,
            View::History => Route::History,
            View::Settings => Route::Settings,
        }
    }
}

/// The `href` of the link to `seq` of `task_id`'s log.
pub fn line_href(task_id: &str, seq: u64) -> String {
    format!("#{}", Route::line(task_id.to_owned(), seq).to_path())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route_of(href: &str) -> Route {
        let path = href.strip_prefix('#').unwrap_or(href);
        Route::recognize(if path.is_empty() { "/" } else { path }).unwrap_or(Route::Unknown)
    }

    #[test]
    fn line_links_round_trip_and_anything_else_is_no_link() {
        let id = "01a21220-3576-77e6-b82d-2591bf1962ea";
        let route = route_of(&line_href(id, 42));
        assert_eq!(
            route.line_link(),
            Some(LineLink {
                task_id: id.to_owned(),
                seq: 42
            })
        );
        assert_eq!(route.view(), View::History);
        for href in [
            "",
            "#/task//line/3",
            "#/task/abc/line/0",
            "#/task/abc/line/x",
            "#/task/<script>/line/3",
            "#/other",
        ] {
            let route = route_of(href);
            assert_eq!(route.line_link(), None, "{href}");
            assert_eq!(route.view(), View::Run, "{href}");
        }
    }

    #[test]
    fn every_view_has_a_route_that_shows_it() {
        for view in [View::Run, View::History, View::Settings] {
            let route = Route::from(view);
            assert_eq!(route_of(&format!("#{}", route.to_path())), route);
            assert_eq!(route.view(), view);
        }
    }

    #[test]
    fn history_links_carry_their_filters() {
        let text = "status.failed-cancelled_text.permission~20denied~2F";
        let path = Route::history(text.into()).to_path();
        assert_eq!(
            path,
            format!("/history/{text}"),
            "the router escaped nothing"
        );
        let route = route_of(&format!("#{path}"));
        assert_eq!(route.history_query().as_deref(), Some(text));
        assert_eq!(route.view(), View::History);
        assert_eq!(Route::history(String::new()), Route::History);
        assert_eq!(Route::History.history_query(), None);
        assert_eq!(Route::Settings.history_query(), None);
    }
}
