//! The in-memory log buffer between emitters and the flusher.
//!
//! Cost model of an emit: one mutex acquisition on the task's own shard
//! (tasks never share a lock, so producers in different tasks never wait
//! on each other), one `Vec` push of a [`LogRecord`] (the message moved in,
//! task and source shared), and — only when someone subscribed to live
//! entries — one `Arc<LogEntry>` sent on a broadcast channel. No I/O, no
//! await: emitting never waits on the database.
//!
//! A task's entries wait in chunks of at most `max_batch`; a backlog of
//! millions of entries (a burst faster than the disk) is many chunks, so no
//! push ever copies more than one chunk. The flusher takes every shard's
//! chunks, joining the small ones of different tasks into transactions of
//! up to `max_batch` entries.
//!
//! The buffer is bounded: at most `max_held` entries may wait (in shards
//! and in the flusher's backlog) while the database cannot be written (disk
//! full, locked). Producers that can wait ([`LogBuffer::wait_for_room`],
//! used by the readers of programs' output) pause once [`PAUSE_BATCHES`]
//! batches wait (or half the bound, if that is less), so their programs
//! slow down instead of losing lines; the store, writing a batch at a time,
//! stays busy, and a program faster than the disk costs a few MiB rather
//! than half the bound. An entry pushed
//! into a full buffer is not kept but counted, and the count is written as
//! a `system` error entry before the task's next kept entry — a loss is
//! never silent. `system` entries themselves (a task's start and end, that
//! report) are few and always kept (the source is
//! [`taskdeck_protocol::log::SYSTEM`]).

use parking_lot::{Mutex, MutexGuard};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use serde_json::{Map, Value};
use taskdeck_protocol::log::SYSTEM;
use taskdeck_protocol::{LogEntry, LogLevel};
use tokio::sync::{Notify, broadcast};

use super::entry_text::{KEPT_LINE_BYTES, MAX_MESSAGE_BYTES, cap_message, push_truncation_marker};
use super::secrets::Secrets;
use crate::ansi::{self, Styled};
use crate::store::logs::record::{
    LogRecord, MAX_SEQ, SectionChange, SectionMark, TaskIdentity, now_millis,
};

/// How many live entries a slow subscriber may fall behind before it is
/// told it lagged (it then fills the gap from the store).
pub const LIVE_CHANNEL_CAPACITY: usize = 16_384;

/// How many full batches may wait before producers that can wait pause:
/// enough to keep the flusher writing while they refill.
pub const PAUSE_BATCHES: usize = 4;

/// Entries waiting to be written, shared by every task of one manager.
#[derive(Debug)]
pub struct LogBuffer {
    /// The shard of every task that may still have entries waiting.
    shards: Mutex<Vec<Arc<Shard>>>,
    /// Woken when a task's pending chunk reaches `max_batch`.
    pub(crate) full: Notify,
    max_batch: usize,
    /// Entries pushed and not yet written (in shards or the flusher's
    /// backlog).
    held: AtomicUsize,
    /// The most entries `held` may reach before pushes are refused.
    max_held: usize,
    /// Where producers that can wait pause (see [`LogBuffer::has_room`]).
    pause_at: usize,
    /// Woken after every write, for producers waiting for room.
    room: Notify,
    live: broadcast::Sender<Arc<LogEntry>>,
}

/// One task's waiting entries, in `seq` order, in chunks of at most
/// `max_batch`.
#[derive(Debug, Default)]
struct Shard {
    pending: Mutex<Vec<Vec<LogRecord>>>,
}

impl Shard {
    fn lock(&self) -> MutexGuard<'_, Vec<Vec<LogRecord>>> {
        // A panic while holding the lock cannot leave the Vec half-pushed,
        // so a poisoned lock is still safe to use.
        self.pending.lock()
    }
}

/// The open sections of a task's log; changed only under its shard's lock,
/// so sections open and close in `seq` order.
#[derive(Debug, Default)]
struct OpenSections {
    /// The last section id given (ids count from 1).
    last_id: u32,
    /// The open ones, outermost first: the path of every entry emitted
    /// now (shared by them).
    path: Option<Arc<[u32]>>,
    /// Sections closed after the last entry was taken by the flusher, for
    /// the next entry to carry: (id, when).
    closed: Vec<(u32, i64)>,
}

/// The log of one task: its identity, its `seq` counter and its shard.
#[derive(Debug)]
pub struct TaskLog {
    pub(crate) identity: Arc<TaskIdentity>,
    /// The last `seq` handed out; only changed under the shard's lock, so
    /// entries enter the buffer (and reach subscribers) in `seq` order.
    last_seq: AtomicU64,
    /// Entries refused by a full buffer since the last kept one.
    lost: AtomicU64,
    /// Texts masked in every entry (the task's secret params).
    secrets: Secrets,
    shard: Arc<Shard>,
    buffer: Arc<LogBuffer>,
    /// Its open sections.
    sections: Mutex<OpenSections>,
}

/// A new chunk's first capacity: a task that logs a few lines does not
/// hold a whole batch's worth of memory.
const FIRST_CHUNK_CAPACITY: usize = 64;

impl LogBuffer {
    /// An empty buffer that asks for a flush once `max_batch` entries of a
    /// task wait and holds at most `max_held` entries.
    pub fn new(max_batch: usize, max_held: usize) -> Self {
        let (live, _) = broadcast::channel(LIVE_CHANNEL_CAPACITY);
        let (max_batch, max_held) = (max_batch.max(1), max_held.max(1));
        Self {
            shards: Mutex::new(Vec::new()),
            full: Notify::new(),
            max_batch,
            held: AtomicUsize::new(0),
            max_held,
            pause_at: (max_held / 2).min(PAUSE_BATCHES * max_batch).max(1),
            room: Notify::new(),
            live,
        }
    }

    /// Entries per write transaction.
    pub fn max_batch(&self) -> usize {
        self.max_batch
    }

    /// How many entries wait to be written.
    pub fn held(&self) -> usize {
        self.held.load(Ordering::Relaxed)
    }

    /// Records that `count` taken entries are in the store, and wakes the
    /// producers waiting for room.
    pub(crate) fn written(&self, count: usize) {
        self.held.fetch_sub(count, Ordering::Relaxed);
        self.room.notify_waiters();
    }

    /// Whether fewer than [`PAUSE_BATCHES`] batches (and less than half of
    /// the bound) wait: false only while the database has fallen behind or
    /// cannot be written.
    pub fn has_room(&self) -> bool {
        self.held() < self.pause_at
    }

    /// Returns once [`LogBuffer::has_room`] holds.
    pub async fn wait_for_room(&self) {
        loop {
            // Created before the check, so a write in between still wakes it.
            let room = self.room.notified();
            if self.has_room() {
                return;
            }
            room.await;
        }
    }

    fn shards(&self) -> MutexGuard<'_, Vec<Arc<Shard>>> {
        self.shards.lock()
    }

    /// Takes every waiting entry, each task's in emit order, in chunks of
    /// at most `max_batch` (small chunks of different tasks joined).
    /// Forgets the shards of tasks whose log is gone once emptied.
    pub fn take(&self) -> Vec<Vec<LogRecord>> {
        let mut chunks = Vec::new();
        self.shards().retain(|shard| {
            // Read before taking: once only this registry holds the shard,
            // nothing can be pushed into it after the take below.
            let orphan = Arc::strong_count(shard) == 1;
            chunks.append(&mut *shard.lock());
            !orphan
        });
        let mut batches = Vec::with_capacity(chunks.len());
        let mut joined: Vec<LogRecord> = Vec::new();
        for mut chunk in chunks {
            if chunk.len() >= self.max_batch {
                batches.push(chunk);
                continue;
            }
            if joined.len() + chunk.len() > self.max_batch {
                batches.push(std::mem::take(&mut joined));
            }
            joined.append(&mut chunk);
        }
        if !joined.is_empty() {
            batches.push(joined);
        }
        batches
    }

    /// A receiver of every entry emitted from now on, in `seq` order per
    /// task.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LogEntry>> {
        self.live.subscribe()
    }
}

impl TaskLog {
    /// The log of `identity`, continuing after `last_seq`, with a shard of
    /// its own in `buffer`.
    pub fn new(identity: Arc<TaskIdentity>, last_seq: u64, buffer: Arc<LogBuffer>) -> Self {
        let shard = Arc::new(Shard::default());
        buffer.shards().push(Arc::clone(&shard));
        Self {
            identity,
            last_seq: AtomicU64::new(last_seq),
            lost: AtomicU64::new(0),
            secrets: Secrets::default(),
            shard,
            buffer,
            sections: Mutex::new(OpenSections::default()),
        }
    }

    /// The same log, masking `secrets` in every entry.
    pub fn with_secrets(mut self, secrets: Secrets) -> Self {
        self.secrets = secrets;
        self
    }

    /// The task's identities.
    pub fn identity(&self) -> &TaskIdentity {
        &self.identity
    }

    /// The texts masked in its entries.
    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// See [`LogBuffer::wait_for_room`].
    pub async fn wait_for_room(&self) {
        self.buffer.wait_for_room().await;
    }

    /// See [`LogBuffer::has_room`].
    pub fn has_room(&self) -> bool {
        self.buffer.has_room()
    }

    /// Appends one entry (escape sequences in its message parsed into
    /// styles, see [`crate::ansi`]; the text capped at
    /// [`super::entry_text::MAX_MESSAGE_BYTES`]) and returns its `seq`, or `None` when it was not
    /// kept: the buffer is full (the entry is counted as lost and reported
    /// before the next kept one) or the task has used every `seq` (more
    /// than four billion entries).
    pub fn push(
        &self,
        level: LogLevel,
        source: &Arc<str>,
        message: String,
        metadata: Option<Map<String, Value>>,
    ) -> Option<u64> {
        let styled = self.parse_masked(message, |message| {
            // Cut before parsing, so a huge message is not parsed whole;
            // the marker goes after the parse, where no sequence can
            // swallow it.
            let original = message.len();
            if original <= MAX_MESSAGE_BYTES || !ansi::needs_parsing(&message) {
                return ansi::parse(message);
            }
            let mut cut = Styled::plain(message);
            ansi::truncate(&mut cut, MAX_MESSAGE_BYTES);
            let mut styled = ansi::parse(cut.text);
            // Room for the marker within the cap.
            ansi::truncate(&mut styled, KEPT_LINE_BYTES);
            push_truncation_marker(&mut styled.text, original);
            styled
        });
        self.push_styled(level, source, styled, metadata)
    }

    /// `text` with the task's secrets masked, then parsed by `parse`.
    /// Masked before parsing, while a secret is still one piece of text;
    /// one that escape sequences had cut in two shows only once they are
    /// parsed away, so a parsed text is looked at again, and loses its
    /// colours rather than show them out of place.
    pub fn parse_masked(&self, text: String, parse: impl FnOnce(String) -> Styled) -> Styled {
        if self.secrets.is_empty() {
            return parse(text);
        }
        let text = self.secrets.mask(text);
        let escaped = ansi::needs_parsing(&text);
        let mut styled = parse(text);
        if escaped && self.secrets.found_in(&styled.text) {
            styled.spans.clear();
            styled.text = self.secrets.mask(std::mem::take(&mut styled.text));
        }
        styled
    }

    /// Appends one entry whose text went through [`Self::parse_masked`]
    /// (a program's output line, see [`crate::ansi::OutputParser`]), as
    /// [`TaskLog::push`] does.
    pub fn push_styled(
        &self,
        level: LogLevel,
        source: &Arc<str>,
        styled: Styled,
        metadata: Option<Map<String, Value>>,
    ) -> Option<u64> {
        self.push_entry(level, source, styled, metadata, false)
            .map(|(seq, _)| seq)
    }

    /// Opens a section titled `title` inside the open ones: its header
    /// line, an entry at `level` whose message is the title, is appended as
    /// [`TaskLog::push`] appends. Returns the section's id, or `None` when
    /// the header line was not kept (the section then does not exist).
    pub fn open_section(
        &self,
        level: LogLevel,
        source: &Arc<str>,
        title: String,
        metadata: Option<Map<String, Value>>,
    ) -> Option<u32> {
        let styled = self.parse_masked(title, ansi::parse);
        self.push_entry(level, source, styled, metadata, true)
            .and_then(|(_, opened)| opened)
    }

    /// Closes section `id` and any still open inside it, now. Closing a
    /// section that is not open does nothing.
    pub fn close_section(&self, id: u32) {
        let mut pending = self.shard.lock();
        let mut sections = self.sections.lock();
        let Some(path) = sections.path.clone() else {
            return;
        };
        let Some(at) = path.iter().position(|&open| open == id) else {
            return;
        };
        let now = now_millis();
        let closed: Vec<(u32, i64)> = path[at..].iter().rev().map(|&id| (id, now)).collect();
        sections.path = (at > 0).then(|| Arc::from(&path[..at]));
        // An entry not yet taken by the flusher carries the close at once;
        // else the next entry does.
        match pending.last_mut().and_then(|chunk| chunk.last_mut()) {
            Some(last) => last
                .section
                .change
                .get_or_insert_with(Box::default)
                .closes
                .extend(closed),
            None => sections.closed.extend(closed),
        }
    }

    /// Closes every open section (at the end of the task).
    pub fn close_sections(&self) {
        let outermost = self
            .sections
            .lock()
            .path
            .as_deref()
            .and_then(|path| path.first().copied());
        if let Some(id) = outermost {
            self.close_section(id);
        }
    }

    /// Appends one entry, opening a section with it when `opening`: its
    /// `seq`, and the id of the section it opened.
    fn push_entry(
        &self,
        level: LogLevel,
        source: &Arc<str>,
        mut styled: Styled,
        mut metadata: Option<Map<String, Value>>,
        opening: bool,
    ) -> Option<(u64, Option<u32>)> {
        if !self.secrets.is_empty() {
            metadata = metadata.map(|metadata| self.secrets.mask_metadata(metadata));
        }
        // Capped once masked, so the cut never leaves the start of a secret.
        cap_message(&mut styled);
        // Read before the lock, so the shard is held no longer than needed.
        let timestamp_ms = now_millis();
        let mut pending = self.shard.lock();
        if &**source != SYSTEM && self.buffer.held() >= self.buffer.max_held {
            self.lost.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        let mut full = false;
        // `lost` changes only under the shard's lock: a plain load, and a
        // write only once something was lost.
        let lost = self.lost.load(Ordering::Relaxed);
        if lost > 0 {
            self.lost.store(0, Ordering::Relaxed);
            let (message, metadata) = loss_report(lost, self.buffer.max_held);
            let message = Styled::plain(message);
            let system: Arc<str> = Arc::from(SYSTEM);
            let report = self.append(
                &mut pending,
                timestamp_ms,
                LogLevel::Error,
                &system,
                message,
                metadata,
                false,
            );
            full |= report.is_some_and(|(_, full, _)| full);
        }
        let appended = self.append(
            &mut pending,
            timestamp_ms,
            level,
            source,
            styled,
            metadata,
            opening,
        );
        drop(pending);
        if full || appended.is_some_and(|(_, full, _)| full) {
            self.buffer.full.notify_one();
        }
        appended.map(|(seq, _, opened)| (seq, opened))
    }

    /// Appends one entry to the locked shard (opening a section with it
    /// when `opening`): its `seq`, whether its chunk is now full, and the
    /// section it opened.
    #[allow(clippy::too_many_arguments)]
    fn append(
        &self,
        pending: &mut Vec<Vec<LogRecord>>,
        timestamp_ms: i64,
        level: LogLevel,
        source: &Arc<str>,
        message: Styled,
        metadata: Option<Map<String, Value>>,
        opening: bool,
    ) -> Option<(u64, bool, Option<u32>)> {
        let seq = self.last_seq.load(Ordering::Relaxed) + 1;
        if seq > MAX_SEQ {
            return None;
        }
        self.last_seq.store(seq, Ordering::Relaxed);
        let section = self.section_mark(opening);
        let opened = if opening {
            section.ids().last().copied()
        } else {
            None
        };
        let record = LogRecord {
            task: Arc::clone(&self.identity),
            seq,
            timestamp_ms,
            level,
            source: Arc::clone(source),
            message: message.text,
            styles: message.spans,
            metadata,
            section,
        };
        if self.buffer.live.receiver_count() > 0 {
            // Nobody listening is the normal case; a send error only means
            // the last subscriber left meanwhile.
            let _ = self.buffer.live.send(Arc::new(record.to_entry()));
        }
        let max_batch = self.buffer.max_batch;
        match pending.last_mut() {
            Some(chunk) if chunk.len() < max_batch => chunk.push(record),
            _ => {
                let mut chunk = Vec::with_capacity(FIRST_CHUNK_CAPACITY.min(max_batch));
                chunk.push(record);
                pending.push(chunk);
            }
        }
        self.buffer.held.fetch_add(1, Ordering::Relaxed);
        let full = pending.last().is_some_and(|chunk| chunk.len() == max_batch);
        Some((seq, full, opened))
    }
}

impl TaskLog {
    /// Where the entry being appended stands among the sections (called
    /// under the shard's lock): a new section opens with it when
    /// `opening`, and it carries the closes no entry carries yet.
    fn section_mark(&self, opening: bool) -> SectionMark {
        let mut sections = self.sections.lock();
        if opening {
            sections.last_id += 1;
            let id = sections.last_id;
            let mut path = sections.path.as_deref().unwrap_or_default().to_vec();
            path.push(id);
            sections.path = Some(Arc::from(path));
        }
        let closes = std::mem::take(&mut sections.closed);
        SectionMark {
            path: sections.path.clone(),
            change: (opening || !closes.is_empty()).then(|| {
                Box::new(SectionChange {
                    opens: opening,
                    closes,
                })
            }),
        }
    }
}

/// The `system` entry that reports `lost` entries refused by a full buffer.
fn loss_report(lost: u64, max_held: usize) -> (String, Option<Map<String, Value>>) {
    let message = format!(
        "{lost} log entries were lost: {max_held} entries were already waiting \
         while the database could not be written"
    );
    let metadata = Map::from_iter([("lost_entries".to_owned(), Value::from(lost))]);
    (message, Some(metadata))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task_log(buffer: &Arc<LogBuffer>, key: i64) -> TaskLog {
        let identity = TaskIdentity {
            key,
            id: format!("task-{key}"),
        };
        TaskLog::new(Arc::new(identity), 0, Arc::clone(buffer))
    }

    fn push(log: &TaskLog, count: usize) {
        let source: Arc<str> = Arc::from("test");
        for index in 0..count {
            log.push(LogLevel::Info, &source, format!("line {index}"), None);
        }
    }

    #[test]
    fn a_huge_coloured_message_is_cut_with_its_marker_and_its_styles_clipped() {
        use crate::task_log::entry_text::MAX_MESSAGE_BYTES;
        let buffer = Arc::new(LogBuffer::new(4, 1000));
        let log = task_log(&buffer, 1);
        let source: Arc<str> = Arc::from("test");
        let message = format!("\x1b[31m{}\x1b[0m", "x".repeat(100_000));
        let length = message.len();
        log.push(LogLevel::Info, &source, message, None);
        let record = buffer.take().concat().remove(0);
        assert!(record.message.len() <= MAX_MESSAGE_BYTES + 64);
        assert!(
            record
                .message
                .ends_with(&format!(" … [truncated: {length} bytes in all]")),
            "{}",
            &record.message[record.message.len() - 60..]
        );
        assert_eq!(record.styles.len(), 1);
        assert!(record.styles[0].end as usize <= MAX_MESSAGE_BYTES);
    }

    #[test]
    fn a_secret_split_by_escape_codes_is_masked_and_its_line_loses_its_colours() {
        let buffer = Arc::new(LogBuffer::new(4, 1000));
        // A secret as long as the mask: its length tells nothing.
        let log = task_log(&buffer, 1).with_secrets(Secrets::new(vec!["abc".to_owned()]));
        let source: Arc<str> = Arc::from("test");
        log.push(
            LogLevel::Info,
            &source,
            "\x1b[32ma\x1b[33mbc\x1b[0m def".to_owned(),
            None,
        );
        let record = buffer.take().concat().remove(0);
        assert_eq!(record.message, "*** def");
        assert!(record.styles.is_empty());
    }

    #[test]
    fn a_secret_across_the_message_cap_is_masked_before_the_cut() {
        use crate::task_log::entry_text::MAX_MESSAGE_BYTES;
        let buffer = Arc::new(LogBuffer::new(4, 1000));
        let log =
            task_log(&buffer, 1).with_secrets(Secrets::new(vec!["hunter2-s3cret".to_owned()]));
        let source: Arc<str> = Arc::from("test");
        // Cut first, the cap would fall inside the secret.
        for message in [
            format!("{}hunter2-s3cret", "x".repeat(MAX_MESSAGE_BYTES - 5)),
            format!("{}hunter2-s3cret tail", "é".repeat(MAX_MESSAGE_BYTES)),
        ] {
            log.push(LogLevel::Info, &source, message, None);
        }
        for record in buffer.take().concat() {
            assert!(record.message.len() <= MAX_MESSAGE_BYTES + 64);
            assert!(
                !record.message.contains("hunt"),
                "{}",
                &record.message[record.message.len() - 60..]
            );
        }
    }

    #[test]
    fn take_keeps_each_tasks_order_and_joins_small_chunks() {
        let buffer = Arc::new(LogBuffer::new(4, 1000));
        let (first, second) = (task_log(&buffer, 1), task_log(&buffer, 2));
        push(&first, 6);
        push(&second, 1);
        let batches = buffer.take();
        let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
        assert_eq!(
            sizes,
            vec![4, 3],
            "a full chunk, then the partial ones joined"
        );
        let seqs = |key: i64| -> Vec<u64> {
            batches
                .iter()
                .flatten()
                .filter(|record| record.task.key == key)
                .map(|record| record.seq)
                .collect()
        };
        assert_eq!(seqs(1), vec![1, 2, 3, 4, 5, 6]);
        assert_eq!(seqs(2), vec![1]);
        assert!(buffer.take().is_empty());
        push(&first, 1);
        assert_eq!(buffer.take().concat()[0].seq, 7);
    }

    #[test]
    fn a_gone_tasks_entries_are_taken_and_then_its_shard_is_forgotten() {
        let buffer = Arc::new(LogBuffer::new(4, 1000));
        let log = task_log(&buffer, 1);
        push(&log, 2);
        drop(log);
        assert_eq!(buffer.shards().len(), 1);
        assert_eq!(buffer.take().concat().len(), 2, "nothing lost");
        assert!(buffer.shards().is_empty());
    }

    #[test]
    fn a_full_buffer_counts_what_it_refuses_and_reports_it_before_the_next_kept_entry() {
        let buffer = Arc::new(LogBuffer::new(4, 5));
        let log = task_log(&buffer, 1);
        push(&log, 8);
        assert_eq!(buffer.held(), 5, "the bound holds");
        let system: Arc<str> = Arc::from(SYSTEM);
        let end = log.push(LogLevel::Info, &system, "the end".to_owned(), None);
        assert_eq!(end, Some(7), "system entries are kept, after the report");
        let taken = buffer.take().concat();
        buffer.written(taken.len());
        assert_eq!(buffer.held(), 0);
        let report = &taken[5];
        assert_eq!((report.seq, &*report.source), (6, SYSTEM));
        assert_eq!(report.level, LogLevel::Error);
        assert!(
            report.message.starts_with("3 log entries were lost"),
            "{}",
            report.message
        );
        assert_eq!(report.metadata.as_ref().unwrap()["lost_entries"], 3);
        let seqs: Vec<u64> = taken.iter().map(|record| record.seq).collect();
        assert_eq!(seqs, (1..=7).collect::<Vec<_>>(), "no gap in seq");

        push(&log, 1);
        let next = buffer.take().concat();
        assert_eq!(next.len(), 1, "the loss is reported once");
        assert_eq!(next[0].message, "line 0");
    }

    #[tokio::test]
    async fn waiting_for_room_returns_once_a_write_frees_half_the_bound() {
        let buffer = Arc::new(LogBuffer::new(4, 10));
        let log = task_log(&buffer, 1);
        push(&log, 4);
        buffer.wait_for_room().await; // 4 of 10: room at once
        push(&log, 2);
        let waiter = tokio::spawn({
            let buffer = Arc::clone(&buffer);
            async move { buffer.wait_for_room().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished(), "6 of 10 held: no room");
        let taken = buffer.take().concat();
        buffer.written(taken.len());
        waiter.await.unwrap();
    }

    #[test]
    fn producers_pause_at_a_few_batches_when_the_bound_is_far_larger() {
        let buffer = Arc::new(LogBuffer::new(4, 1_000));
        let log = task_log(&buffer, 1);
        push(&log, PAUSE_BATCHES * 4 - 1);
        assert!(buffer.has_room());
        push(&log, 1);
        assert!(!buffer.has_room(), "{} batches wait", PAUSE_BATCHES);
        // Entries are still kept up to the bound for producers that cannot
        // wait.
        push(&log, 100);
        assert_eq!(buffer.held(), PAUSE_BATCHES * 4 + 100);
    }
}
