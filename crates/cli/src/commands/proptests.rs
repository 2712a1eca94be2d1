//! Property tests: any command line gets a parse or clap's own error,
//! and what parses turns into parameters and filters or a typed input
//! error — never a panic.

use clap::Parser;
use proptest::prelude::*;

use super::logs::conditions;
use super::run::parse_params;
use crate::args::{Cli, Command};

/// One word of a command line: subcommands, flags, values that mean
/// something to them, and anything else.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "run",
            "logs",
            "export",
            "tasks",
            "show",
            "settings",
            "cleanup",
            "delete",
            "import",
            "--param",
            "--params-json",
            "--level",
            "--min-level",
            "--source",
            "--search",
            "--after",
            "--before",
            "--limit",
            "--since",
            "--until",
            "+2m",
            "10:42",
            "--format",
            "--output",
            "--json",
            "--follow",
            "--quiet",
            "--status",
            "--data-dir",
            "-",
            "--",
            "=",
            "k=v",
            "{}",
            "[]",
            "off",
            "-1",
            "18446744073709551616",
            "info",
            "shell",
        ])
        .prop_map(str::to_owned),
        ".{0,16}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_command_line_parses_or_is_refused_with_a_message(words in prop::collection::vec(word(), 0..8)) {
        let argv = std::iter::once("taskdeck".to_owned()).chain(words);
        let Ok(cli) = Cli::try_parse_from(argv) else {
            return Ok(());
        };
        match cli.command {
            Command::Run(args) => {
                if let Err(error) = parse_params(args.params_json.as_deref(), &args.params) {
                    prop_assert!(!error.to_string().is_empty());
                }
            }
            Command::Logs(args) => {
                if let Err(error) = conditions(&args.filter, None) {
                    prop_assert!(!error.to_string().is_empty());
                }
            }
            _ => {}
        }
    }

    #[test]
    fn any_params_give_an_object_or_an_input_error(
        json in prop::option::of(".{0,24}"),
        pairs in prop::collection::vec(".{0,16}", 0..4),
    ) {
        match parse_params(json.as_deref(), &pairs) {
            Ok(params) => prop_assert!(params.len() <= pairs.len() + json.map_or(0, |json| json.len())),
            Err(error) => prop_assert!(matches!(error, crate::error::CliError::Input(_))),
        }
    }
}
