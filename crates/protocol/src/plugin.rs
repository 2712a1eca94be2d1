//! What a plugin is and which parameters it takes.
//!
//! The parameter schema is the single description both ends use: the UI
//! renders a form from it and the core validates a run's parameters against
//! it before anything executes. Validation lives here, beside the schema, so
//! the form can check input with exactly the rules the core applies.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A plugin as the task runner lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PluginInfo {
    /// Stable identifier, also the default log source (`shell`).
    pub id: String,
    /// Human name (`Shell command`).
    pub name: String,
    /// One or two sentences on what it does.
    pub description: String,
    /// The parameters a run takes.
    pub params: ParamSchema,
}

/// The parameters of a plugin, in the order a form shows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ParamSchema {
    /// One entry per parameter.
    pub fields: Vec<ParamField>,
}

/// The JSON shape a parameter's value must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ParamKind {
    /// A string.
    String,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An array of strings.
    StringList,
    /// An object whose values are strings (environment variables, headers).
    StringMap,
}

impl ParamKind {
    /// What a value of this kind is, for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            ParamKind::String => "a string",
            ParamKind::Integer => "a whole number",
            ParamKind::Number => "a number",
            ParamKind::Boolean => "true or false",
            ParamKind::StringList => "an array of strings",
            ParamKind::StringMap => "an object of strings",
        }
    }

    fn accepts(self, value: &Value) -> bool {
        match self {
            ParamKind::String => value.is_string(),
            ParamKind::Integer => value.is_i64() || value.is_u64(),
            ParamKind::Number => value.is_number(),
            ParamKind::Boolean => value.is_boolean(),
            ParamKind::StringList => value
                .as_array()
                .is_some_and(|items| items.iter().all(Value::is_string)),
            ParamKind::StringMap => value
                .as_object()
                .is_some_and(|map| map.values().all(Value::is_string)),
        }
    }
}

/// One parameter of a plugin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ParamField {
    /// The key in the params object (`program`).
    pub name: String,
    /// The form label (`Program`).
    pub label: String,
    /// Help text shown under the field.
    pub description: String,
    /// The shape its value must have.
    pub kind: ParamKind,
    /// Whether a run must give it.
    pub required: bool,
    /// The value used when a run leaves it out.
    pub default: Option<Value>,
    /// For numbers: the smallest accepted value.
    pub minimum: Option<f64>,
    /// For numbers: the largest accepted value.
    pub maximum: Option<f64>,
    /// For strings: the only accepted values (the form offers them as a
    /// list); empty for any string.
    #[serde(default)]
    pub choices: Vec<String>,
    /// For strings that are paths: the native picker the form offers
    /// beside the text box.
    #[serde(default)]
    pub picker: Option<PathPicker>,
    /// Whether its value is a secret (a token, a password): the form masks
    /// it, and its text is replaced by `[redacted]` in the task's log and
    /// in the params stored with the task.
    #[serde(default)]
    pub secret: bool,
}

/// Which native picker a path parameter's form offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PathPicker {
    /// Choose a folder.
    Folder,
    /// Choose a file (existing or not).
    File,
}

impl ParamField {
    /// A field with no default and no bounds.
    pub fn new(
        name: &str,
        label: &str,
        kind: ParamKind,
        required: bool,
        description: &str,
    ) -> Self {
        Self {
            name: name.to_owned(),
            label: label.to_owned(),
            description: description.to_owned(),
            kind,
            required,
            default: None,
            minimum: None,
            maximum: None,
            choices: Vec::new(),
            picker: None,
            secret: false,
        }
    }

    /// The same field, marked secret.
    pub fn secret(mut self) -> Self {
        self.secret = true;
        self
    }

    /// The same field, with the value used when a run leaves it out.
    pub fn with_default(mut self, default: Value) -> Self {
        self.default = Some(default);
        self
    }

    /// The same field, offering a native picker for its path.
    pub fn with_picker(mut self, picker: PathPicker) -> Self {
        self.picker = Some(picker);
        self
    }

    /// The same field, accepting only `choices`.
    pub fn with_choices(mut self, choices: &[&str]) -> Self {
        self.choices = choices.iter().map(|choice| (*choice).to_owned()).collect();
        self
    }

    /// The same field, with numeric bounds.
    pub fn with_range(mut self, minimum: Option<f64>, maximum: Option<f64>) -> Self {
        self.minimum = minimum;
        self.maximum = maximum;
        self
    }

    fn check(&self, value: &Value) -> Result<(), InvalidParam> {
        if !self.kind.accepts(value) {
            return Err(InvalidParam::new(
                &self.name,
                format!("must be {}, not {}", self.kind.describe(), json_type(value)),
            ));
        }
        if self.kind == ParamKind::String
            && value.as_str().is_some_and(|text| text.is_empty())
            && self.required
        {
            return Err(InvalidParam::new(&self.name, "must not be empty"));
        }
        if let Some(text) = value.as_str()
            && !self.choices.is_empty()
            && !text.is_empty()
            && !self.choices.iter().any(|choice| choice == text)
        {
            return Err(InvalidParam::new(
                &self.name,
                format!("must be one of {}, not {text:?}", self.choices.join(", ")),
            ));
        }
        if let Some(number) = value.as_f64() {
            if let Some(minimum) = self.minimum
                && number < minimum
            {
                return Err(InvalidParam::new(
                    &self.name,
                    format!("must be at least {minimum}, not {number}"),
                ));
            }
            if let Some(maximum) = self.maximum
                && number > maximum
            {
                return Err(InvalidParam::new(
                    &self.name,
                    format!("must be at most {maximum}, not {number}"),
                ));
            }
        }
        Ok(())
    }
}

/// Why a run's parameters were refused: the parameter and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid parameter `{field}`: {reason}")]
pub struct InvalidParam {
    /// The parameter's name (or `params` for the object as a whole).
    pub field: String,
    /// What is wrong with it.
    pub reason: String,
}

impl InvalidParam {
    fn new(field: &str, reason: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}

impl ParamSchema {
    /// The field named `name`, if the schema has one.
    pub fn field(&self, name: &str) -> Option<&ParamField> {
        self.fields.iter().find(|field| field.name == name)
    }

    /// Checks `params` against the schema and returns them with defaults
    /// filled in. Unknown keys, missing required keys, values of the wrong
    /// shape and numbers out of range are refused, naming the parameter.
    /// `null` counts as leaving a parameter out.
    pub fn validate(
        &self,
        params: &Map<String, Value>,
    ) -> Result<Map<String, Value>, InvalidParam> {
        if let Some(unknown) = params.keys().find(|key| self.field(key).is_none()) {
            let known: Vec<&str> = self
                .fields
                .iter()
                .map(|field| field.name.as_str())
                .collect();
            return Err(InvalidParam::new(
                unknown,
                format!(
                    "is not a parameter of this plugin (expected one of: {})",
                    known.join(", ")
                ),
            ));
        }
        let mut validated = Map::new();
        for field in &self.fields {
            match params.get(&field.name).filter(|value| !value.is_null()) {
                Some(value) => {
                    field.check(value)?;
                    validated.insert(field.name.clone(), value.clone());
                }
                None if field.required => {
                    return Err(InvalidParam::new(&field.name, "is required"));
                }
                None => {
                    if let Some(default) = &field.default {
                        validated.insert(field.name.clone(), default.clone());
                    }
                }
            }
        }
        Ok(validated)
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> ParamSchema {
        let mut timeout = ParamField::new("timeout_secs", "Timeout", ParamKind::Integer, false, "")
            .with_range(Some(1.0), Some(86_400.0));
        timeout.default = Some(json!(60));
        ParamSchema {
            fields: vec![
                ParamField::new("program", "Program", ParamKind::String, true, ""),
                ParamField::new("args", "Arguments", ParamKind::StringList, false, ""),
                ParamField::new("env", "Environment", ParamKind::StringMap, false, ""),
                timeout,
            ],
        }
    }

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn a_field_with_choices_accepts_only_them() {
        let schema = ParamSchema {
            fields: vec![
                ParamField::new("mode", "Mode", ParamKind::String, true, "")
                    .with_choices(&["fast", "safe"]),
            ],
        };
        assert!(schema.validate(&object(json!({ "mode": "safe" }))).is_ok());
        let error = schema
            .validate(&object(json!({ "mode": "reckless" })))
            .unwrap_err();
        assert_eq!(error.field, "mode");
        assert_eq!(error.reason, "must be one of fast, safe, not \"reckless\"");
    }

    #[test]
    fn valid_params_get_their_defaults() {
        let params = schema()
            .validate(&object(json!({ "program": "ls", "args": ["-l"] })))
            .unwrap();
        assert_eq!(
            Value::Object(params),
            json!({ "program": "ls", "args": ["-l"], "timeout_secs": 60 })
        );
    }

    #[test]
    fn each_kind_of_bad_input_names_the_parameter() {
        let cases = [
            (json!({}), "program", "is required"),
            (json!({ "program": "" }), "program", "must not be empty"),
            (
                json!({ "program": 3 }),
                "program",
                "must be a string, not a number",
            ),
            (
                json!({ "program": "ls", "args": ["a", 1] }),
                "args",
                "must be an array of strings",
            ),
            (
                json!({ "program": "ls", "env": { "A": 1 } }),
                "env",
                "must be an object of strings",
            ),
            (
                json!({ "program": "ls", "timeout_secs": 0 }),
                "timeout_secs",
                "at least 1",
            ),
            (
                json!({ "program": "ls", "timeout_secs": 1.5 }),
                "timeout_secs",
                "whole number",
            ),
            (
                json!({ "program": "ls", "colour": "red" }),
                "colour",
                "not a parameter",
            ),
        ];
        for (params, field, reason) in cases {
            let error = schema().validate(&object(params.clone())).unwrap_err();
            assert_eq!(error.field, field, "{params}");
            assert!(error.reason.contains(reason), "{params}: {error}");
        }
    }

    #[test]
    fn null_counts_as_absent() {
        let params = schema()
            .validate(&object(json!({ "program": "ls", "args": null })))
            .unwrap();
        assert!(!params.contains_key("args"));
    }
}
