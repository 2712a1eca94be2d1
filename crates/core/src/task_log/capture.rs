//! The backward-compatible path: `tracing` events emitted while a task runs
//! land in that task's log.
//!
//! The manager runs each plugin inside a span made by [`task_span`]. The
//! [`TaskLogCapture`] layer finds that span among an event's ancestors and
//! writes the event through the task's [`TaskLogger`], with the event's
//! target as the source (`hyper::client`), its fields as metadata, and
//! `TRACE` counted as `DEBUG`. Events outside any task span are ignored, and
//! each event goes to the innermost task only, so concurrent tasks never see
//! each other's entries. Work a plugin spawns keeps the task's span when it
//! is spawned with `.in_current_span()`.
//!
//! The layer must be part of the process's global subscriber: the app and
//! the CLI install it at start-up (see [`TaskLogCapture`]).

use parking_lot::Mutex;
use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value};
use taskdeck_protocol::LogLevel;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

use super::logger::TaskLogger;

/// The span name the layer looks for.
const TASK_SPAN: &str = "taskdeck_task";
/// The span field carrying the registration number.
const CAPTURE_FIELD: &str = "capture";

/// Loggers of running tasks by registration number, read once per task
/// span when it is created.
static REGISTERED: LazyLock<Mutex<HashMap<u64, TaskLogger>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));
static NEXT_REGISTRATION: AtomicU64 = AtomicU64::new(1);

/// Keeps a task's logger registered while its span may still be created;
/// unregisters on drop.
#[derive(Debug)]
pub struct Registration(u64);

impl Drop for Registration {
    fn drop(&mut self) {
        REGISTERED.lock().remove(&self.0);
    }
}

/// A span that sends the `tracing` events inside it to `logger`.
pub fn task_span(logger: &TaskLogger) -> (tracing::Span, Registration) {
    let number = NEXT_REGISTRATION.fetch_add(1, Ordering::Relaxed);
    REGISTERED.lock().insert(number, logger.clone());
    // ERROR level so that no level filter of the host disables the span.
    let span = tracing::error_span!(
        target: "taskdeck::task",
        "taskdeck_task",
        capture = number,
        task_id = %logger.task_id()
    );
    (span, Registration(number))
}

/// The `tracing_subscriber` layer that captures events into task logs.
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt;
/// let subscriber = tracing_subscriber::registry().with(taskdeck_core::TaskLogCapture);
/// # drop(subscriber);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct TaskLogCapture;

/// What a task span carries in its extensions: the task's logger and one
/// logger per target seen so far (targets are `'static`, so the cache costs
/// one entry per call site's target, not one per event).
struct CapturedBy {
    logger: TaskLogger,
    by_target: Mutex<HashMap<&'static str, TaskLogger>>,
}

impl CapturedBy {
    fn logger_for(&self, target: &'static str) -> TaskLogger {
        self.by_target
            .lock()
            .entry(target)
            .or_insert_with(|| self.logger.with_source(target))
            .clone()
    }
}

impl<S> Layer<S> for TaskLogCapture
where
    S: Subscriber + for<'lookup> LookupSpan<'lookup>,
{
    fn on_new_span(&self, attributes: &Attributes<'_>, id: &Id, context: Context<'_, S>) {
        if attributes.metadata().name() != TASK_SPAN {
            return;
        }
        let mut visitor = RegistrationVisitor(None);
        attributes.record(&mut visitor);
        let logger = visitor
            .0
            .and_then(|number| REGISTERED.lock().get(&number).cloned());
        if let (Some(logger), Some(span)) = (logger, context.span(id)) {
            span.extensions_mut().insert(CapturedBy {
                logger,
                by_target: Mutex::new(HashMap::new()),
            });
        }
    }

    fn on_event(&self, event: &Event<'_>, context: Context<'_, S>) {
        let Some(scope) = context.event_scope(event) else {
            return;
        };
        for span in scope {
            if let Some(captured) = span.extensions().get::<CapturedBy>() {
                let metadata = event.metadata();
                let mut fields = FieldVisitor::default();
                event.record(&mut fields);
                let level = match *metadata.level() {
                    tracing::Level::ERROR => LogLevel::Error,
                    tracing::Level::WARN => LogLevel::Warning,
                    tracing::Level::INFO => LogLevel::Info,
                    _ => LogLevel::Debug,
                };
                captured.logger_for(metadata.target()).log_with(
                    level,
                    fields.message,
                    fields.metadata,
                );
                return;
            }
        }
    }
}

struct RegistrationVisitor(Option<u64>);

impl Visit for RegistrationVisitor {
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == CAPTURE_FIELD {
            self.0 = Some(value);
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if field.name() == CAPTURE_FIELD {
            self.0 = u64::try_from(value).ok();
        }
    }

    fn record_debug(&mut self, _field: &Field, _value: &dyn Debug) {}
}

/// Collects an event's `message` and its other fields.
#[derive(Default)]
struct FieldVisitor {
    message: String,
    metadata: Map<String, Value>,
}

impl FieldVisitor {
    fn put(&mut self, field: &Field, value: Value) {
        if field.name() == "message" {
            self.message = match value {
                Value::String(text) => text,
                other => other.to_string(),
            };
        } else {
            self.metadata.insert(field.name().to_owned(), value);
        }
    }
}

impl Visit for FieldVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, Value::String(value.to_owned()));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, Value::from(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, Value::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, Value::Bool(value));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.put(field, Value::String(value.to_string()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.put(field, Value::String(format!("{value:?}")));
    }
}
