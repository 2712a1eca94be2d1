//! [`SettingsRepository`]: the user's [`Settings`] in the store, read with
//! defaults for anything never saved and written only when valid; and the
//! app's remembered History filters, kept in the data directory beside
//! them (the webview's own storage writes behind, so an app closed at once
//! would forget them).

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, EntityTrait, TransactionTrait};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use taskdeck_protocol::{RetentionSettings, Settings};

use crate::store::entities::settings;
use crate::store::logs::write_transaction;
use crate::{CoreError, Store};

const KEEP_DAYS: &str = "retention.keep_days";
const MAX_TASKS: &str = "retention.max_tasks";
const MAX_DATABASE_MB: &str = "retention.max_database_mb";
const FLUSH_INTERVAL_MS: &str = "flush_interval_ms";
const HISTORY_FILTER: &str = "view.history_filter";
/// The longest History filter text kept.
pub const MAX_HISTORY_FILTER_LEN: usize = 4096;

/// Reads and writes the settings rows.
#[derive(Debug, Clone)]
pub struct SettingsRepository {
    store: Store,
}

impl SettingsRepository {
    /// A repository on `store`.
    pub fn new(store: &Store) -> Self {
        Self {
            store: store.clone(),
        }
    }

    /// The saved settings, each missing one at its default. A stored value
    /// that cannot be read (written by hand, or by a newer build) is an
    /// error naming the setting, not a silent default.
    pub async fn load(&self) -> Result<Settings, CoreError> {
        let rows = settings::Entity::find()
            .all(self.store.connection())
            .await?;
        let stored = |name: &str| rows.iter().find(|row| row.name == name);
        let defaults = Settings::default();
        let settings = Settings {
            retention: RetentionSettings {
                keep_days: read(stored(KEEP_DAYS), defaults.retention.keep_days)?,
                max_tasks: read(stored(MAX_TASKS), defaults.retention.max_tasks)?,
                max_database_mb: read(stored(MAX_DATABASE_MB), defaults.retention.max_database_mb)?,
            },
            flush_interval_ms: read(stored(FLUSH_INTERVAL_MS), defaults.flush_interval_ms)?,
        };
        settings.validate().map_err(CoreError::InvalidArgument)?;
        Ok(settings)
    }

    /// The saved settings for starting the engine: an unreadable setting
    /// is logged as a warning and the defaults are used, so a damaged row
    /// never keeps the app from starting (the Settings view and `taskdeck
    /// settings` show the error until the settings are saved again).
    pub async fn load_for_start(&self) -> Settings {
        match self.load().await {
            Ok(settings) => settings,
            Err(error) => {
                tracing::warn!(%error, "the saved settings cannot be read; using the defaults");
                Settings::default()
            }
        }
    }

    /// Checks `settings` and saves all of them in one transaction.
    pub async fn save(&self, settings: &Settings) -> Result<Settings, CoreError> {
        settings.validate().map_err(CoreError::InvalidArgument)?;
        let retention = settings.retention;
        let rows = [
            (KEEP_DAYS, json(&retention.keep_days)?),
            (MAX_TASKS, json(&retention.max_tasks)?),
            (MAX_DATABASE_MB, json(&retention.max_database_mb)?),
            (FLUSH_INTERVAL_MS, json(&settings.flush_interval_ms)?),
        ];
        let transaction = self
            .store
            .connection()
            .begin_with_options(write_transaction())
            .await?;
        for (name, value) in rows {
            settings::Entity::insert(settings::ActiveModel {
                name: Set(name.to_owned()),
                value: Set(value),
            })
            .on_conflict(
                OnConflict::column(settings::Column::Name)
                    .update_column(settings::Column::Value)
                    .to_owned(),
            )
            .exec(&transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(*settings)
    }
}

impl SettingsRepository {
    /// History's remembered filters, as the app wrote them (empty when
    /// none were, or the row cannot be read: it only saves typing).
    pub async fn history_filter(&self) -> Result<String, CoreError> {
        let row = settings::Entity::find_by_id(HISTORY_FILTER.to_owned())
            .one(self.store.connection())
            .await?;
        Ok(row
            .and_then(|row| serde_json::from_str::<String>(&row.value).ok())
            .unwrap_or_default())
    }

    /// Remembers History's filters (at most [`MAX_HISTORY_FILTER_LEN`]
    /// bytes).
    pub async fn save_history_filter(&self, filter: &str) -> Result<(), CoreError> {
        if filter.len() > MAX_HISTORY_FILTER_LEN {
            return Err(CoreError::InvalidArgument(format!(
                "History's filters are {} bytes long; at most {MAX_HISTORY_FILTER_LEN} are kept",
                filter.len()
            )));
        }
        settings::Entity::insert(settings::ActiveModel {
            name: Set(HISTORY_FILTER.to_owned()),
            value: Set(json(&filter)?),
        })
        .on_conflict(
            OnConflict::column(settings::Column::Name)
                .update_column(settings::Column::Value)
                .to_owned(),
        )
        .exec(self.store.connection())
        .await?;
        Ok(())
    }
}

fn json<T: Serialize>(value: &T) -> Result<String, CoreError> {
    serde_json::to_string(value)
        .map_err(|error| CoreError::InvalidArgument(format!("cannot encode a setting: {error}")))
}

fn read<T: DeserializeOwned>(row: Option<&settings::Model>, default: T) -> Result<T, CoreError> {
    let Some(row) = row else {
        return Ok(default);
    };
    serde_json::from_str::<Value>(&row.value)
        .and_then(serde_json::from_value)
        .map_err(|error| {
            CoreError::InvalidArgument(format!(
                "the stored setting {} is {:?}, which this Taskdeck cannot read ({error}); \
                 save the settings again to replace it",
                row.name, row.value
            ))
        })
}

#[cfg(test)]
mod tests {
    use sea_orm::ConnectionTrait;

    use super::*;
    use crate::test_support::temp_store;

    #[tokio::test]
    async fn history_filters_are_remembered_apart_from_the_settings() {
        let (_dir, store) = temp_store().await;
        let repository = SettingsRepository::new(&store);
        assert_eq!(repository.history_filter().await.unwrap(), "");
        repository
            .save_history_filter("status.failed_plugin.git")
            .await
            .unwrap();
        repository
            .save_history_filter("status.failed")
            .await
            .unwrap();
        assert_eq!(repository.history_filter().await.unwrap(), "status.failed");
        // The settings do not see the row.
        assert_eq!(repository.load().await.unwrap(), Settings::default());
        let long = "x".repeat(MAX_HISTORY_FILTER_LEN + 1);
        let error = repository.save_history_filter(&long).await.unwrap_err();
        assert!(error.to_string().contains("at most 4096"), "{error}");
    }

    #[tokio::test]
    async fn defaults_until_saved_then_what_was_saved_even_after_reopening() {
        let (dir, store) = temp_store().await;
        let repository = SettingsRepository::new(&store);
        assert_eq!(repository.load().await.unwrap(), Settings::default());

        let chosen = Settings {
            retention: RetentionSettings {
                keep_days: None,
                max_tasks: Some(50),
                max_database_mb: Some(64),
            },
            flush_interval_ms: 250,
        };
        repository.save(&chosen).await.unwrap();
        store.close().await.unwrap();
        let reopened = Store::open(crate::DataDir::resolve(Some(dir.path())).unwrap())
            .await
            .unwrap();
        assert_eq!(
            SettingsRepository::new(&reopened).load().await.unwrap(),
            chosen
        );
    }

    #[tokio::test]
    async fn invalid_settings_are_refused_by_name_and_nothing_is_saved() {
        let (_dir, store) = temp_store().await;
        let repository = SettingsRepository::new(&store);
        let mut bad = Settings::default();
        bad.retention.max_tasks = Some(0);
        bad.flush_interval_ms = 1;
        let error = repository.save(&bad).await.unwrap_err();
        assert!(
            matches!(error, CoreError::InvalidArgument(ref text) if text.contains("max_tasks")),
            "{error:?}"
        );
        assert_eq!(repository.load().await.unwrap(), Settings::default());
    }

    #[tokio::test]
    async fn an_unreadable_stored_value_is_named_not_replaced_by_a_default() {
        let (_dir, store) = temp_store().await;
        store
            .connection()
            .execute_unprepared(
                "INSERT INTO settings (name, value) VALUES ('retention.max_tasks', '\"lots\"')",
            )
            .await
            .unwrap();
        let error = SettingsRepository::new(&store).load().await.unwrap_err();
        assert!(
            matches!(error, CoreError::InvalidArgument(ref text)
                if text.contains("retention.max_tasks") && text.contains("lots")),
            "{error:?}"
        );
    }
}
