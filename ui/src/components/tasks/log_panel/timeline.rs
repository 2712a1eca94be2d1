//! The level timeline above the rows: the task's entries per level in
//! equal stretches of its run, as stacked bars drawn from the core's
//! per-second aggregates (never from entries shipped here), fetched again
//! as a running task's count moves and polled while it runs. Dragging
//! across it selects a stretch of time, which becomes the filter's
//! `since`/`until`; a click jumps to that moment; Escape, or Clear, drops
//! the selection. Where the task's top-level sections start is marked
//! with a line.

use std::rc::Rc;

use chrono::{DateTime, TimeDelta, Utc};
use taskdeck_protocol::commands::GetTaskLogTimeline;
use taskdeck_protocol::{LevelCounts, LogLevel, LogTimeline};
use yew::prelude::*;

use super::live_fetch::use_live_fetch;
use crate::format::clock_time;

/// Buckets asked for: about one per 8 px of a panel at its usual width.
const BUCKETS: u32 = 120;
/// The height of the drawing, in its own units.
const HEIGHT: f64 = 32.0;
/// A press and release closer than this (in pixels) is a click.
const CLICK_SLOP: f64 = 4.0;

/// A stretch of time: `since` inclusive, `until` exclusive.
pub type TimeRange = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// How long the timeline spans, in milliseconds.
fn span_ms(timeline: &LogTimeline) -> f64 {
    timeline.bucket_ms as f64 * timeline.buckets.len() as f64
}

/// The moment at `fraction` (0 to 1) of the timeline's width.
pub fn moment_at(timeline: &LogTimeline, fraction: f64) -> Option<DateTime<Utc>> {
    let offset = (fraction.clamp(0.0, 1.0) * span_ms(timeline)).round() as i64;
    timeline
        .start?
        .checked_add_signed(TimeDelta::try_milliseconds(offset)?)
}

/// Where `moment` lies across the timeline (0 to 1).
pub fn fraction_of(timeline: &LogTimeline, moment: DateTime<Utc>) -> Option<f64> {
    let span = span_ms(timeline);
    if span <= 0.0 {
        return None;
    }
    let offset = (moment - timeline.start?).num_milliseconds() as f64;
    Some((offset / span).clamp(0.0, 1.0))
}

/// The stretch between two places across the timeline, in either order;
/// at least a millisecond long.
pub fn range_between(
    timeline: &LogTimeline,
    one: f64,
    other: f64,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let since = moment_at(timeline, one.min(other))?;
    let until = moment_at(timeline, one.max(other))?;
    let until = if until > since {
        until
    } else {
        since.checked_add_signed(TimeDelta::milliseconds(1))?
    };
    Some((since, until))
}

/// The stacked parts of one bucket's bar in a box [`HEIGHT`] tall, scaled
/// to the fullest bucket (`max`): (level, top, height), the least severe
/// at the bottom.
pub fn segments(bucket: &LevelCounts, max: u64) -> Vec<(LogLevel, f64, f64)> {
    if max == 0 {
        return Vec::new();
    }
    let mut bottom = HEIGHT;
    LogLevel::ALL
        .iter()
        .filter_map(|&level| {
            let count = bucket.get(level);
            (count > 0).then(|| {
                let height = count as f64 / max as f64 * HEIGHT;
                bottom -= height;
                (level, bottom, height)
            })
        })
        .collect()
}

/// Properties of [`LevelTimeline`].
#[derive(Properties, PartialEq)]
pub struct LevelTimelineProps {
    /// The task shown.
    pub task_id: AttrValue,
    /// Its entries so far: the timeline is fetched again when this moves.
    pub total: Option<u64>,
    /// Whether the task runs: the timeline is polled meanwhile.
    #[prop_or_default]
    pub running: bool,
    /// The selected stretch, if any (the filter's).
    pub range: TimeRange,
    /// A stretch was selected, or the selection cleared (`(None, None)`).
    pub on_range: Callback<TimeRange>,
    /// A moment was clicked.
    pub on_moment: Callback<DateTime<Utc>>,
    /// Where the task's top-level sections start, with their titles:
    /// marked on the strip.
    #[prop_or_default]
    pub marks: Rc<Vec<(DateTime<Utc>, String)>>,
}

/// Where to mark section starts (fractions across the strip), at most
/// one mark a bucket: a log of 10,000 sections gets a mark where any
/// start, titled by the first and how many more, not 10,000 lines.
pub fn thin_marks(timeline: &LogTimeline, marks: &[(DateTime<Utc>, String)]) -> Vec<(f64, String)> {
    let buckets = timeline.buckets.len().max(1) as f64;
    // (bucket, where, first title, how many more in the bucket)
    let mut thinned: Vec<(f64, f64, String, usize)> = Vec::new();
    for (moment, title) in marks {
        let Some(fraction) = fraction_of(timeline, *moment) else {
            continue;
        };
        let bucket = (fraction * buckets).floor();
        match thinned.last_mut() {
            Some((last, _, _, more)) if *last == bucket => *more += 1,
            _ => thinned.push((bucket, fraction, title.clone(), 0)),
        }
    }
    thinned
        .into_iter()
        .map(|(_, fraction, title, more)| match more {
            0 => (fraction, title),
            more => (fraction, format!("{title} (and {more} more)")),
        })
        .collect()
}

/// The task's timeline, following its count, and polled while it runs.
#[hook]
fn use_timeline(task_id: AttrValue, total: Option<u64>, running: bool) -> Option<Rc<LogTimeline>> {
    use_live_fetch(task_id, total, running, |task_id| GetTaskLogTimeline {
        task_id: task_id.to_owned(),
        buckets: BUCKETS,
    })
}

/// Where a mouse event lies across `node` (0 to 1), and the node's width.
fn place(node: &NodeRef, event: &MouseEvent) -> Option<(f64, f64)> {
    let element = node.cast::<web_sys::Element>()?;
    let bounds = element.get_bounding_client_rect();
    (bounds.width() > 0.0).then(|| {
        let fraction = (f64::from(event.client_x()) - bounds.left()) / bounds.width();
        (fraction.clamp(0.0, 1.0), bounds.width())
    })
}

/// The strip, and the selected stretch with a way to clear it.
#[function_component(LevelTimeline)]
pub fn level_timeline(props: &LevelTimelineProps) -> Html {
    let timeline = use_timeline(props.task_id.clone(), props.total, props.running);
    let node = use_node_ref();
    // Where a drag started, and where it is now.
    let drag = use_state_eq(|| None::<(f64, f64)>);
    let Some(timeline) = timeline.filter(|timeline| !timeline.buckets.is_empty()) else {
        return html! {};
    };

    let on_down = {
        let (node, drag) = (node.clone(), drag.clone());
        Callback::from(move |event: MouseEvent| {
            if event.button() == 0
                && let Some((at, _)) = place(&node, &event)
            {
                event.prevent_default();
                drag.set(Some((at, at)));
            }
        })
    };
    let on_move = {
        let (node, drag) = (node.clone(), drag.clone());
        Callback::from(move |event: MouseEvent| {
            if let (Some((start, _)), Some((at, _))) = (*drag, place(&node, &event)) {
                drag.set(Some((start, at)));
            }
        })
    };
    let on_up = {
        let (node, drag, timeline) = (node.clone(), drag.clone(), Rc::clone(&timeline));
        let (on_range, on_moment) = (props.on_range.clone(), props.on_moment.clone());
        Callback::from(move |event: MouseEvent| {
            let Some((start, last)) = *drag else {
                return;
            };
            drag.set(None);
            let (at, width) = place(&node, &event).unwrap_or((last, 0.0));
            if (at - start).abs() * width < CLICK_SLOP {
                if let Some(moment) = moment_at(&timeline, at) {
                    on_moment.emit(moment);
                }
            } else if let Some((since, until)) = range_between(&timeline, start, at) {
                on_range.emit((Some(since), Some(until)));
            }
        })
    };
    let on_key = {
        let on_range = props.on_range.clone();
        let selected = props.range != (None, None);
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" && selected {
                event.stop_propagation();
                on_range.emit((None, None));
            }
        })
    };
    let on_clear = {
        let on_range = props.on_range.clone();
        Callback::from(move |_: MouseEvent| on_range.emit((None, None)))
    };

    let width = timeline.buckets.len();
    let max = timeline
        .buckets
        .iter()
        .map(LevelCounts::total)
        .max()
        .unwrap_or(0);
    let to_x = |fraction: f64| fraction * width as f64;
    let (since, until) = props.range;
    let selection = (since.is_some() || until.is_some()).then(|| {
        let left = since
            .and_then(|since| fraction_of(&timeline, since))
            .unwrap_or(0.0);
        let right = until
            .and_then(|until| fraction_of(&timeline, until))
            .unwrap_or(1.0);
        (left, right.max(left))
    });
    let preview = drag.map(|(start, at)| (start.min(at), start.max(at)));
    let band = |class: &'static str, (left, right): (f64, f64)| {
        html! {
            <rect class={class} x={to_x(left).to_string()} y="0"
                width={to_x(right - left).max(0.2).to_string()} height={HEIGHT.to_string()} />
        }
    };
    let label = |moment: Option<DateTime<Utc>>, end: &str| {
        moment.map_or_else(|| end.to_owned(), clock_time)
    };
    html! {
        <div class="timeline">
            <div class="level-timeline" data-testid="level-timeline" ref={node} tabindex="0"
                role="slider" aria-label="Level timeline: drag to show a stretch of time, click to jump to a moment"
                title="Drag to show a stretch of time; click to jump to a moment"
                data-start={timeline.start.map(|start| start.to_rfc3339()).unwrap_or_default()}
                data-bucket-ms={timeline.bucket_ms.to_string()} data-buckets={width.to_string()}
                data-entries={timeline.buckets.iter().map(LevelCounts::total).sum::<u64>().to_string()}
                onmousedown={on_down} onmousemove={on_move} onmouseup={on_up.clone()} onmouseleave={on_up}
                onkeydown={on_key}>
                <svg viewBox={format!("0 0 {width} {HEIGHT}")} preserveAspectRatio="none">
                    { for timeline.buckets.iter().enumerate().flat_map(|(index, bucket)| {
                        segments(bucket, max).into_iter().map(move |(level, top, height)| html! {
                            <rect class={format!("tl-bar tl-{}", level.as_str().to_ascii_lowercase())}
                                x={index.to_string()} y={top.to_string()} width="0.86" height={height.to_string()} />
                        })
                    }) }
                    { for thin_marks(&timeline, &props.marks).into_iter().map(|(fraction, title)| {
                        let x = to_x(fraction).to_string();
                        html! {
                            <line class="tl-mark" data-testid="timeline-mark" x1={x.clone()} x2={x}
                                y1="0" y2={HEIGHT.to_string()}>
                                <title>{ title }</title>
                            </line>
                        }
                    }) }
                    if let Some(selection) = selection {
                        { band("tl-selection", selection) }
                    }
                    if let Some(preview) = preview {
                        { band("tl-preview", preview) }
                    }
                </svg>
            </div>
            if selection.is_some() {
                <div class="timeline-range" data-testid="timeline-range">
                    <span>{ format!("{} – {}", label(since, "start"), label(until, "end")) }</span>
                    <button type="button" data-testid="timeline-clear" onclick={on_clear}
                        title="Show the whole log again (Escape on the timeline)">{ "Clear" }</button>
                </div>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline(buckets: usize) -> LogTimeline {
        LogTimeline {
            task_id: "t".to_owned(),
            start: DateTime::from_timestamp_millis(1_700_000_000_000),
            bucket_ms: 1_000,
            buckets: vec![LevelCounts::default(); buckets],
        }
    }

    #[test]
    fn section_marks_are_one_a_bucket_at_most() {
        let timeline = timeline(10);
        let start = timeline.start.unwrap();
        let at = |ms: i64| start + TimeDelta::milliseconds(ms);
        let marks = vec![
            (at(100), "one".to_owned()),
            (at(200), "two".to_owned()),
            (at(900), "three".to_owned()),
            (at(4_500), "four".to_owned()),
        ];
        let thinned = thin_marks(&timeline, &marks);
        assert_eq!(
            thinned
                .iter()
                .map(|(_, title)| title.as_str())
                .collect::<Vec<_>>(),
            ["one (and 2 more)", "four"]
        );
        assert!((thinned[1].0 - 0.45).abs() < 1e-9, "{thinned:?}");
    }

    #[test]
    fn places_across_the_strip_are_moments_and_back() {
        let timeline = timeline(10);
        let start = timeline.start.unwrap();
        assert_eq!(moment_at(&timeline, 0.0), Some(start));
        assert_eq!(
            moment_at(&timeline, 0.25),
            Some(start + TimeDelta::milliseconds(2_500))
        );
        assert_eq!(moment_at(&timeline, 7.0), timeline.end(), "clamped");
        assert_eq!(
            fraction_of(&timeline, start + TimeDelta::seconds(5)),
            Some(0.5)
        );
        assert_eq!(
            fraction_of(&timeline, start - TimeDelta::seconds(5)),
            Some(0.0)
        );
    }

    #[test]
    fn a_drag_either_way_is_one_range_never_empty() {
        let timeline = timeline(10);
        let start = timeline.start.unwrap();
        let forward = range_between(&timeline, 0.1, 0.3).unwrap();
        assert_eq!(range_between(&timeline, 0.3, 0.1), Some(forward));
        assert_eq!(
            forward,
            (start + TimeDelta::seconds(1), start + TimeDelta::seconds(3))
        );
        let (since, until) = range_between(&timeline, 0.5, 0.5).unwrap();
        assert_eq!(until - since, TimeDelta::milliseconds(1));
    }

    #[test]
    fn bars_stack_from_debug_up_scaled_to_the_fullest_bucket() {
        let bucket = LevelCounts {
            debug: 1,
            info: 2,
            warning: 0,
            error: 1,
        };
        let parts = segments(&bucket, 8);
        assert_eq!(
            parts,
            [
                (LogLevel::Debug, HEIGHT - 4.0, 4.0),
                (LogLevel::Info, HEIGHT - 12.0, 8.0),
                (LogLevel::Error, HEIGHT - 16.0, 4.0),
            ]
        );
        assert!(segments(&bucket, 0).is_empty());
    }
}
