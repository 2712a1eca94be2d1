//! Keeping a task's secret params out of its log and its stored params:
//! the texts of the params its plugin marks secret ([`secret_texts`]) are
//! masked in every entry before the entry is buffered, streamed or stored,
//! and the stored params hold [`REDACTED`] instead ([`without_secrets`]).

use serde_json::{Map, Value};
use taskdeck_protocol::ParamSchema;

/// What a secret's text is replaced with wherever it would be shown.
pub const REDACTED: &str = "***";

/// The texts of the secret fields in `params`: every non-empty string in
/// the value of a field `schema` marks secret (a string, each item of a
/// list, each value of a map).
pub fn secret_texts(schema: &ParamSchema, params: &Map<String, Value>) -> Vec<String> {
    let mut secrets = Vec::new();
    for (name, value) in params {
        if is_secret(schema, name) {
            visit_strings(value, &mut |text| {
                if !text.is_empty() {
                    secrets.push(text.to_owned());
                }
            });
        }
    }
    secrets
}

/// `params` with every string of a secret field replaced by [`REDACTED`]
/// (map keys, such as variable names, stay).
pub fn without_secrets(schema: &ParamSchema, params: &Map<String, Value>) -> Map<String, Value> {
    let mut shown = params.clone();
    for (name, value) in &mut shown {
        if is_secret(schema, name) {
            for_each_string_mut(value, &mut |text| REDACTED.clone_into(text));
        }
    }
    shown
}

fn is_secret(schema: &ParamSchema, name: &str) -> bool {
    schema
        .fields
        .iter()
        .any(|field| field.name == name && field.secret)
}

fn visit_strings(value: &Value, visit: &mut impl FnMut(&str)) {
    match value {
        Value::String(text) => visit(text),
        Value::Array(items) => items.iter().for_each(|item| visit_strings(item, visit)),
        Value::Object(map) => map.values().for_each(|item| visit_strings(item, visit)),
        _ => {}
    }
}

/// Calls `change` on every string inside `value`: the value itself, array
/// items and object values (not keys), however deep.
pub fn for_each_string_mut(value: &mut Value, change: &mut impl FnMut(&mut String)) {
    match value {
        Value::String(text) => change(text),
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| for_each_string_mut(item, change)),
        Value::Object(map) => map
            .values_mut()
            .for_each(|item| for_each_string_mut(item, change)),
        _ => {}
    }
}

/// The secret texts of one task, longest first (so a secret that contains
/// another is masked whole).
#[derive(Debug, Default)]
pub struct Secrets(Box<[String]>);

impl Secrets {
    /// The secrets `texts` (empty ones are no secret).
    pub fn new(mut texts: Vec<String>) -> Self {
        texts.retain(|text| !text.is_empty());
        texts.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        texts.dedup();
        Self(texts.into_boxed_slice())
    }

    /// Whether there is nothing to mask.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `text` holds a secret.
    pub fn found_in(&self, text: &str) -> bool {
        self.0.iter().any(|secret| text.contains(secret.as_str()))
    }

    /// `text` with every secret replaced by [`REDACTED`].
    pub fn mask(&self, mut text: String) -> String {
        for secret in &self.0 {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), REDACTED);
            }
        }
        text
    }

    /// `metadata` with every secret masked in its string values.
    pub fn mask_metadata(&self, mut metadata: Map<String, Value>) -> Map<String, Value> {
        metadata
            .values_mut()
            .for_each(|value| self.mask_value(value));
        metadata
    }

    /// Masks every secret in the strings of `value`, in place.
    pub fn mask_value(&self, value: &mut Value) {
        for_each_string_mut(value, &mut |text| *text = self.mask(std::mem::take(text)));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use taskdeck_protocol::{ParamField, ParamKind};

    #[test]
    fn secret_fields_give_their_texts_and_are_redacted_from_what_is_shown() {
        let schema = ParamSchema {
            fields: vec![
                ParamField::new("user", "User", ParamKind::String, false, ""),
                ParamField::new("token", "Token", ParamKind::String, false, "").secret(),
                ParamField::new("vars", "Vars", ParamKind::StringMap, false, "").secret(),
            ],
        };
        let params = json!({
            "user": "ada", "token": "t0ken", "vars": { "KEY": "k3y", "EMPTY": "" }
        })
        .as_object()
        .cloned()
        .unwrap();
        let mut secrets = secret_texts(&schema, &params);
        secrets.sort();
        assert_eq!(secrets, ["k3y", "t0ken"], "empty values are no secret");
        assert_eq!(
            Value::Object(without_secrets(&schema, &params)),
            json!({ "user": "ada", "token": "***", "vars": { "KEY": "***", "EMPTY": "***" } })
        );
    }

    use super::*;

    #[test]
    fn every_secret_is_masked_the_longest_first_in_messages_and_metadata() {
        let secrets = Secrets::new(vec!["abc".into(), String::new(), "abcdef".into()]);
        assert_eq!(secrets.mask("x abcdef y abc".into()), "x *** y ***");
        assert_eq!(secrets.mask("nothing here".into()), "nothing here");
        let metadata = json!({ "url": "u?t=abc", "n": 1, "list": ["abcdef"] });
        let masked = secrets.mask_metadata(metadata.as_object().unwrap().clone());
        assert_eq!(
            Value::Object(masked),
            json!({ "url": "u?t=***", "n": 1, "list": ["***"] })
        );
        assert!(Secrets::new(vec![String::new()]).is_empty());
    }
}
