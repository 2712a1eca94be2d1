//! Plugins: the [`Plugin`] trait a task runner implements, the
//! [`PluginRegistry`] the manager looks them up in, and the built-in
//! plugins (one module each).

#[cfg(test)]
mod attribution_tests;
pub mod backup;
pub mod git;
pub mod migration;
pub mod process;
pub mod shell;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;
use taskdeck_protocol::PluginInfo;

use crate::CoreError;
use crate::task_manager::TaskContext;

/// Something Taskdeck can run as a task.
///
/// `info` describes it (its `id` is also the source of the logger in the
/// context); `execute` does the work, logs through `ctx.logger()` (or
/// `tracing`, which is captured), watches `ctx.cancellation()`, and returns
/// a JSON result or an error. An error or a panic ends the task `failed`
/// with the message logged at `ERROR` from source `system`; returning
/// [`CoreError::Cancelled`] ends it `cancelled`.
#[async_trait::async_trait]
pub trait Plugin: Send + Sync + 'static {
    /// Id, name, description and parameter schema.
    fn info(&self) -> PluginInfo;

    /// Runs one task with validated parameters.
    async fn execute(&self, ctx: TaskContext) -> Result<Value, CoreError>;
}

/// The plugins a manager can run, by id.
#[derive(Clone, Default)]
pub struct PluginRegistry {
    plugins: BTreeMap<String, Arc<dyn Plugin>>,
}

impl std::fmt::Debug for PluginRegistry {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_list().entries(self.plugins.keys()).finish()
    }
}

impl PluginRegistry {
    /// The plugins that ship with Taskdeck.
    pub fn builtin() -> Self {
        let mut registry = Self::default();
        registry.register(Arc::new(backup::BackupPlugin));
        registry.register(Arc::new(git::GitPlugin));
        registry.register(Arc::new(migration::MigrationPlugin));
        registry.register(Arc::new(shell::ShellPlugin));
        registry
    }

    /// Adds `plugin`, replacing any plugin with the same id.
    pub fn register(&mut self, plugin: Arc<dyn Plugin>) {
        self.plugins.insert(plugin.info().id, plugin);
    }

    /// The plugin with `id`.
    pub fn get(&self, id: &str) -> Result<Arc<dyn Plugin>, CoreError> {
        self.plugins
            .get(id)
            .cloned()
            .ok_or_else(|| CoreError::PluginNotFound {
                id: id.to_owned(),
                available: self.plugins.keys().cloned().collect::<Vec<_>>().join(", "),
            })
    }

    /// Every plugin's description, by id.
    pub fn list(&self) -> Vec<PluginInfo> {
        self.plugins.values().map(|plugin| plugin.info()).collect()
    }
}
