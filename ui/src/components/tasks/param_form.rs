//! A form generated from a plugin's parameter schema, checked with the
//! schema's own rules (the ones the core applies) before anything runs.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use taskdeck_protocol::{InvalidParam, ParamField, ParamKind, ParamSchema, PathPicker};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// The raw text of each field, by parameter name.
pub type FormValues = BTreeMap<String, String>;

/// Properties of [`ParamForm`].
#[derive(Properties, PartialEq)]
pub struct ParamFormProps {
    /// The schema to render.
    pub schema: ParamSchema,
    /// The current raw values.
    pub values: FormValues,
    /// The problem to show next to its field.
    #[prop_or_default]
    pub error: Option<InvalidParam>,
    /// Called with the values after each edit.
    pub on_change: Callback<FormValues>,
}

/// The parameter form.
#[function_component(ParamForm)]
pub fn param_form(props: &ParamFormProps) -> Html {
    html! {
        <div class="param-form">
            { for props.schema.fields.iter().map(|field| field_row(field, props)) }
        </div>
    }
}

fn field_row(field: &ParamField, props: &ParamFormProps) -> Html {
    let name = field.name.clone();
    let value = props.values.get(&name).cloned().unwrap_or_default();
    let set = {
        let values = props.values.clone();
        let on_change = props.on_change.clone();
        let name = name.clone();
        move |text: String| {
            let mut values = values.clone();
            values.insert(name.clone(), text);
            on_change.emit(values);
        }
    };
    let test_id = format!("param-{name}");
    let control = match field.kind {
        ParamKind::Boolean => {
            let set = set.clone();
            html! {
                <input type="checkbox" id={test_id.clone()} data-testid={test_id.clone()}
                    checked={value == "true"}
                    onchange={Callback::from(move |event: Event| {
                        let checked = event.target_unchecked_into::<HtmlInputElement>().checked();
                        set(checked.to_string());
                    })} />
            }
        }
        ParamKind::StringList | ParamKind::StringMap => {
            let placeholder = if field.kind == ParamKind::StringList {
                "one per line"
            } else {
                "KEY=VALUE, one per line"
            };
            html! {
                <textarea id={test_id.clone()} data-testid={test_id.clone()} rows="3" placeholder={placeholder}
                    class={classes!(field.secret.then_some("secret"))}
                    autocomplete="off" spellcheck="false"
                    value={value}
                    oninput={Callback::from(move |event: InputEvent| {
                        set(event.target_unchecked_into::<HtmlTextAreaElement>().value());
                    })} />
            }
        }
        ParamKind::String if !field.choices.is_empty() => {
            let set = set.clone();
            html! {
                <select id={test_id.clone()} data-testid={test_id.clone()}
                    onchange={Callback::from(move |event: Event| {
                        set(event.target_unchecked_into::<HtmlSelectElement>().value());
                    })}>
                    <option value="" selected={value.is_empty()}>{ "choose…" }</option>
                    { for field.choices.iter().map(|choice| html! {
                        <option value={choice.clone()} selected={*choice == value}>{ choice.clone() }</option>
                    }) }
                </select>
            }
        }
        _ => {
            let text = {
                let set = set.clone();
                html! {
                    <input type={if field.secret { "password" } else { "text" }}
                        id={test_id.clone()} data-testid={test_id.clone()} value={value.clone()}
                        inputmode={matches!(field.kind, ParamKind::Integer | ParamKind::Number).then_some("numeric")}
                        oninput={Callback::from(move |event: InputEvent| {
                            set(event.target_unchecked_into::<HtmlInputElement>().value());
                        })} />
                }
            };
            match field.picker {
                Some(picker) => html! {
                    <div class="path-field">
                        { text }
                        <BrowseButton picker={picker} field={name.clone()} label={field.label.clone()}
                            current={value} on_pick={Callback::from(set)} />
                    </div>
                },
                None => text,
            }
        }
    };
    let error = props
        .error
        .as_ref()
        .filter(|error| error.field == name)
        .map(|error| error.reason.clone());
    html! {
        <div class={classes!("param", error.is_some().then_some("invalid"))}>
            <label for={test_id.clone()}>
                { field.label.clone() }
                if field.required { <span class="required" aria-label="required">{ " *" }</span> }
            </label>
            { control }
            if let Some(reason) = error {
                <p class="param-error" data-testid={format!("param-error-{name}")} role="alert">{ reason }</p>
            } else {
                <p class="muted param-help">{ field.description.clone() }</p>
            }
        </div>
    }
}

/// Properties of [`BrowseButton`].
#[derive(Properties, PartialEq)]
struct BrowseButtonProps {
    picker: PathPicker,
    field: String,
    label: String,
    current: String,
    on_pick: Callback<String>,
}

/// "Browse…": the native folder or file dialog for a path field; a dialog
/// that cannot open says why under the field.
#[function_component(BrowseButton)]
fn browse_button(props: &BrowseButtonProps) -> Html {
    let failure = use_state(|| None::<String>);
    let onclick = {
        let failure = failure.clone();
        let picker = props.picker;
        let title = props.label.clone();
        let current = props.current.clone();
        let on_pick = props.on_pick.clone();
        Callback::from(move |_: MouseEvent| {
            let failure = failure.clone();
            let title = title.clone();
            let current = current.clone();
            let on_pick = on_pick.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match crate::ipc::pick_path(picker, &title, &current).await {
                    Ok(Some(path)) => {
                        failure.set(None);
                        on_pick.emit(path);
                    }
                    Ok(None) => failure.set(None),
                    Err(error) => failure.set(Some(format!(
                        "The {} dialog did not open: {}",
                        if picker == PathPicker::Folder {
                            "folder"
                        } else {
                            "file"
                        },
                        error.message
                    ))),
                }
            });
        })
    };
    let what = if props.picker == PathPicker::Folder {
        "Choose a folder"
    } else {
        "Choose a file"
    };
    html! {
        <>
            <button type="button" class="browse" data-testid={format!("browse-{}", props.field)}
                title={what} aria-label={format!("{what} for {}", props.label)} {onclick}>
                { "Browse…" }
            </button>
            if let Some(message) = (*failure).clone() {
                <p class="param-error" role="alert">{ message }</p>
            }
        </>
    }
}

/// The form's starting values: each field's default as the form shows it
/// (so a checkbox whose default is on starts checked).
pub fn initial_values(schema: &ParamSchema) -> FormValues {
    schema
        .fields
        .iter()
        .filter_map(|field| {
            let text = match field.default.as_ref()? {
                Value::String(text) => text.clone(),
                Value::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("\n"),
                Value::Object(map) => map
                    .iter()
                    .map(|(key, value)| format!("{key}={}", value.as_str().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join("\n"),
                Value::Null => return None,
                other => other.to_string(),
            };
            Some((field.name.clone(), text))
        })
        .collect()
}

/// Turns the raw form values into parameters and checks them against the
/// schema. Empty fields are left out.
pub fn params_from(
    schema: &ParamSchema,
    values: &FormValues,
) -> Result<Map<String, Value>, InvalidParam> {
    let mut params = Map::new();
    for field in &schema.fields {
        let Some(text) = values
            .get(&field.name)
            .filter(|text| !text.trim().is_empty())
        else {
            continue;
        };
        params.insert(field.name.clone(), parse(field, text)?);
    }
    schema.validate(&params)
}

fn parse(field: &ParamField, text: &str) -> Result<Value, InvalidParam> {
    let invalid = |reason: &str| InvalidParam {
        field: field.name.clone(),
        reason: reason.to_owned(),
    };
    Ok(match field.kind {
        ParamKind::String => Value::String(text.to_owned()),
        ParamKind::Boolean => Value::Bool(text == "true"),
        ParamKind::Integer => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| invalid("must be a whole number"))?,
        ParamKind::Number => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| invalid("must be a number"))?,
        ParamKind::StringList => Value::Array(
            text.lines()
                .filter(|line| !line.is_empty())
                .map(|line| Value::String(line.to_owned()))
                .collect(),
        ),
        ParamKind::StringMap => {
            let mut map = Map::new();
            for line in text.lines().filter(|line| !line.trim().is_empty()) {
                let (key, value) = line
                    .split_once('=')
                    .ok_or_else(|| invalid(&format!("line {line:?} is not KEY=VALUE")))?;
                map.insert(key.trim().to_owned(), Value::String(value.to_owned()));
            }
            Value::Object(map)
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn defaults_fill_the_form_and_come_back_as_the_same_values() {
        let schema = ParamSchema {
            fields: vec![
                ParamField::new("verify", "Verify", ParamKind::Boolean, false, "")
                    .with_default(json!(true)),
                ParamField::new("level", "Level", ParamKind::Integer, false, "")
                    .with_default(json!(3)),
                ParamField::new("mode", "Mode", ParamKind::String, false, "")
                    .with_choices(&["skip", "fail"])
                    .with_default(json!("skip")),
                ParamField::new("args", "Args", ParamKind::StringList, false, "")
                    .with_default(json!(["-v", "--all"])),
                ParamField::new("env", "Env", ParamKind::StringMap, false, "")
                    .with_default(json!({ "A": "1" })),
                ParamField::new("path", "Path", ParamKind::String, false, ""),
            ],
        };
        let values = initial_values(&schema);
        assert_eq!(values["verify"], "true");
        assert_eq!(values["level"], "3");
        assert_eq!(values["args"], "-v\n--all");
        assert_eq!(values["env"], "A=1");
        assert!(!values.contains_key("path"));
        let params = params_from(&schema, &values).unwrap();
        for field in &schema.fields {
            assert_eq!(
                params.get(&field.name),
                field.default.as_ref(),
                "{}",
                field.name
            );
        }
    }
}
