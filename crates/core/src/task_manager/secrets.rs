//! Keeping a task's secret params out of its log: the texts of the params
//! its plugin marks secret are masked in every entry before the entry is
//! buffered, streamed or stored.

use serde_json::{Map, Value};
use taskdeck_protocol::REDACTED;
use taskdeck_protocol::plugin::for_each_string_mut;

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
