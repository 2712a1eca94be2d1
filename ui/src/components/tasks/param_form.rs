//! A form generated from a plugin's parameter schema, checked with the
//! schema's own rules (the ones the core applies) before anything runs.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use taskdeck_protocol::{InvalidParam, ParamField, ParamKind, ParamSchema};
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
        _ => html! {
            <input type="text" id={test_id.clone()} data-testid={test_id.clone()} value={value}
                inputmode={matches!(field.kind, ParamKind::Integer | ParamKind::Number).then_some("numeric")}
                oninput={Callback::from(move |event: InputEvent| {
                    set(event.target_unchecked_into::<HtmlInputElement>().value());
                })} />
        },
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
