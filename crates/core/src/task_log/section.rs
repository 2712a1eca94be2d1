//! [`Section`]: a section of a task's log held open by a plugin, closed
//! when it is dropped (see [`super::TaskLogger::section`]).

use std::sync::Arc;

use super::buffer::TaskLog;

/// An open section of a task's log. Entries emitted while it is open (by
/// any logger of the task) lie in it; dropping it, or [`Section::close`],
/// closes it and any section still open inside it.
///
/// ```no_run
/// # fn example(logger: &taskdeck_core::TaskLogger) {
/// let scan = logger.section("Scan");
/// logger.info("42 files");
/// {
///     let _inner = logger.section("Hidden files"); // nested in `Scan`
///     logger.info("3 hidden files");
/// } // `Hidden files` closes here
/// scan.close();
/// # }
/// ```
#[derive(Debug)]
#[must_use = "a section closes when it is dropped"]
pub struct Section {
    log: Arc<TaskLog>,
    /// `None` when its header line could not be kept (a full buffer): the
    /// section then does not exist.
    id: Option<u32>,
}

impl Section {
    pub(crate) fn new(log: Arc<TaskLog>, id: Option<u32>) -> Self {
        Self { log, id }
    }

    /// The section's id in its task's log, if it opened.
    pub fn id(&self) -> Option<u32> {
        self.id
    }

    /// Closes it now.
    pub fn close(self) {
        drop(self);
    }
}

impl Drop for Section {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            self.log.close_section(id);
        }
    }
}
