//! The Settings form's state: each rule switched on or off with the text
//! typed for it, read back into [`Settings`] with an error naming the
//! field when a number does not parse.

use taskdeck_protocol::{RetentionSettings, Settings};

/// One retention rule as the form holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Whether the rule applies.
    pub on: bool,
    /// The number typed (kept when the rule is switched off).
    pub value: String,
}

impl Rule {
    fn new(value: Option<u32>, default: Option<u32>) -> Self {
        Self {
            on: value.is_some(),
            value: value
                .or(default)
                .map_or_else(String::new, |value| value.to_string()),
        }
    }

    fn read(&self, label: &str) -> Result<Option<u32>, String> {
        if !self.on {
            return Ok(None);
        }
        number(&self.value, label).map(Some)
    }
}

fn number(text: &str, label: &str) -> Result<u32, String> {
    text.trim()
        .parse::<u32>()
        .map_err(|_| format!("{label}: enter a whole number, not {:?}", text.trim()))
}

/// Which field of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    KeepDays,
    MaxTasks,
    MaxDatabaseMb,
}

/// The form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub keep_days: Rule,
    pub max_tasks: Rule,
    pub max_database_mb: Rule,
    pub flush_interval_ms: String,
}

impl Draft {
    /// The form showing `settings`; a rule that is off shows its default
    /// number, ready to be switched on.
    pub fn new(settings: &Settings) -> Self {
        let defaults = Settings::default().retention;
        let retention = settings.retention;
        Self {
            keep_days: Rule::new(retention.keep_days, defaults.keep_days),
            max_tasks: Rule::new(retention.max_tasks, defaults.max_tasks),
            max_database_mb: Rule::new(retention.max_database_mb, defaults.max_database_mb),
            flush_interval_ms: settings.flush_interval_ms.to_string(),
        }
    }

    /// The rule behind `field`.
    pub fn rule(&self, field: Field) -> &Rule {
        match field {
            Field::KeepDays => &self.keep_days,
            Field::MaxTasks => &self.max_tasks,
            Field::MaxDatabaseMb => &self.max_database_mb,
        }
    }

    /// The rule behind `field`, to change it.
    pub fn rule_mut(&mut self, field: Field) -> &mut Rule {
        match field {
            Field::KeepDays => &mut self.keep_days,
            Field::MaxTasks => &mut self.max_tasks,
            Field::MaxDatabaseMb => &mut self.max_database_mb,
        }
    }

    /// The settings typed, or what is wrong with them.
    pub fn read(&self) -> Result<Settings, String> {
        let settings = Settings {
            retention: RetentionSettings {
                keep_days: self.keep_days.read("Remove tasks older than")?,
                max_tasks: self.max_tasks.read("Keep at most")?,
                max_database_mb: self.max_database_mb.read("Cap the database at")?,
            },
            flush_interval_ms: number(&self.flush_interval_ms, "Flush interval")?,
        };
        settings.validate()?;
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_through_the_form_and_off_rules_keep_a_number_ready() {
        let mut settings = Settings::default();
        settings.retention.keep_days = None;
        settings.retention.max_tasks = Some(42);
        let draft = Draft::new(&settings);
        assert!(!draft.keep_days.on);
        assert_eq!(draft.keep_days.value, "365");
        assert_eq!(draft.max_tasks.value, "42");
        assert_eq!(draft.read(), Ok(settings));

        let mut switched = draft.clone();
        switched.rule_mut(Field::KeepDays).on = true;
        assert_eq!(switched.read().unwrap().retention.keep_days, Some(365));
    }

    #[test]
    fn bad_numbers_are_named_by_their_field() {
        let mut draft = Draft::new(&Settings::default());
        draft.rule_mut(Field::MaxTasks).value = "many".to_owned();
        assert!(draft.read().unwrap_err().starts_with("Keep at most"));
        let mut draft = Draft::new(&Settings::default());
        draft.flush_interval_ms = "5".to_owned();
        assert!(draft.read().unwrap_err().contains("flush_interval_ms"));
        // A rule switched off is not read at all.
        let mut draft = Draft::new(&Settings::default());
        draft.rule_mut(Field::MaxDatabaseMb).value = "?".to_owned();
        draft.rule_mut(Field::MaxDatabaseMb).on = false;
        assert_eq!(draft.read().unwrap().retention.max_database_mb, None);
    }
}
