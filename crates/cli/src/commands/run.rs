//! `taskdeck run`: runs a task in this process and prints its log live.
//!
//! Lines come from the engine's live subscription (see [`super::follow`]),
//! so they appear as they become durable, complete and in `seq` order.
//! Ctrl-C cancels the task, waits for it to end (its entries flushed) and
//! exits with status 130.

use serde_json::{Map, Value};
use taskdeck_core::TaskManager;
use taskdeck_protocol::{LogFilter, RunTaskRequest, TaskStatus, TaskSummary};

use super::follow::{Shown, follow};
use crate::args::RunArgs;
use crate::error::CliError;
use crate::output::Printer;

pub async fn run(
    manager: &TaskManager,
    args: RunArgs,
    printer: &mut Printer,
) -> Result<(), CliError> {
    let params = parse_params(args.params_json.as_deref(), &args.params)?;
    let task = manager
        .run_task(RunTaskRequest {
            plugin_id: args.plugin.clone(),
            params,
        })
        .await?;
    let show_lines = !args.quiet && !args.json;
    let finished = if show_lines {
        print_while_running(manager, &task.id, printer).await?
    } else {
        wait_or_cancel(manager, &task.id).await?
    };
    let summary = if args.json {
        printer.json(&finished)
    } else {
        printer.line(&finished.id)
    };
    match summary {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => return Err(error.into()),
        // A closed output does not change how the task ended.
        _ => {}
    }
    match finished.status {
        TaskStatus::Succeeded => Ok(()),
        status => Err(CliError::TaskDidNotSucceed {
            task_id: finished.id,
            status,
            reason: finished.error,
        }),
    }
}

/// Waits for the task; the first Ctrl-C cancels it (and keeps waiting).
async fn wait_or_cancel(manager: &TaskManager, task_id: &str) -> Result<TaskSummary, CliError> {
    let wait = manager.wait(task_id);
    tokio::pin!(wait);
    tokio::select! {
        finished = &mut wait => return Ok(finished?),
        _ = tokio::signal::ctrl_c() => {
            eprintln!("taskdeck: cancelling task {task_id}…");
            // It may have ended meanwhile; waiting tells how.
            let _ = manager.cancel_task(task_id).await;
        }
    }
    Ok(wait.await?)
}

/// Prints the task's entries as they come until it ends, through the
/// same live subscription as `logs --follow` and the app. If the output
/// is closed (`taskdeck run … | head`), printing stops but the task runs
/// on and its status still decides the exit status.
async fn print_while_running(
    manager: &TaskManager,
    task_id: &str,
    printer: &mut Printer,
) -> Result<TaskSummary, CliError> {
    let everything = LogFilter::default();
    let printing = follow(manager, task_id, &everything, 0, |entries| {
        let printed = entries
            .iter()
            .try_for_each(|entry| printer.entry(entry, false))
            .and_then(|()| printer.flush());
        match printed {
            Ok(()) => Ok(Shown::More),
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(Shown::Enough),
            Err(error) => Err(error.into()),
        }
    });
    let (printed, finished) = tokio::join!(printing, wait_or_cancel(manager, task_id));
    printed?;
    finished
}

/// `--params-json` first, then each `--param KEY=VALUE` over it; a value
/// that parses as JSON is JSON, anything else a string.
pub fn parse_params(json: Option<&str>, pairs: &[String]) -> Result<Map<String, Value>, CliError> {
    let mut params = match json {
        None => Map::new(),
        Some(text) => match serde_json::from_str(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => {
                return Err(CliError::Input(
                    "--params-json must be a JSON object, like {\"program\": \"ls\"}".to_owned(),
                ));
            }
            Err(error) => {
                return Err(CliError::Input(format!(
                    "--params-json is not valid JSON: {error}"
                )));
            }
        },
    };
    for pair in pairs {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(CliError::Input(format!(
                "--param {pair:?} must be KEY=VALUE"
            )));
        };
        if key.trim().is_empty() {
            return Err(CliError::Input(format!(
                "--param {pair:?} has an empty key"
            )));
        }
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
        params.insert(key.trim().to_owned(), value);
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn params_merge_json_then_pairs_and_values_parse_as_json_when_they_can() {
        let params = parse_params(
            Some(r#"{"program": "ls", "timeout_secs": 5}"#),
            &[
                "args=[\"-l\", \"/tmp\"]".into(),
                "timeout_secs=9".into(),
                "cwd=/var/log".into(),
                "label=a=b".into(),
            ],
        )
        .unwrap();
        assert_eq!(
            Value::Object(params),
            json!({ "program": "ls", "timeout_secs": 9, "args": ["-l", "/tmp"], "cwd": "/var/log", "label": "a=b" })
        );
    }

    #[test]
    fn malformed_params_are_input_errors() {
        for (json, pairs) in [
            (Some("{"), vec![]),
            (Some("[1]"), vec![]),
            (None, vec!["novalue".to_owned()]),
            (None, vec!["=x".to_owned()]),
        ] {
            let error = parse_params(json, &pairs).unwrap_err();
            assert_eq!(error.exit_status(), 2, "{error}");
        }
    }
}
