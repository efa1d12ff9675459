//! `gsi-ctk`: runs the contract's behavioural scenarios against any base URL and prints a
//! per-clause report. `gsi-ctk <config.toml> [--format text|json] [--json <file>] [--fail-on-skip]`.
//! Exit code: 0 all checks passed, 1 a check failed (or was skipped with `--fail-on-skip`),
//! 2 the configuration or the command line is wrong.

use std::process::ExitCode;

use gsi_tests::ctk::{self, config::Config, report::Outcome};

const USAGE: &str =
    "usage: gsi-ctk <config.toml> [--format text|json] [--json <file>] [--only <scenario>]... [--fail-on-skip]
scenarios: ";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(message) => {
            eprintln!("gsi-ctk: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode, String> {
    let mut args = std::env::args().skip(1);
    let mut config_path = None;
    let mut format = "text".to_owned();
    let mut json_file = None;
    let mut only = Vec::new();
    let mut fail_on_skip = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--format" => format = args.next().ok_or("--format needs text or json")?,
            "--json" => json_file = Some(args.next().ok_or("--json needs a file")?),
            "--only" => only.push(args.next().ok_or("--only needs a scenario name")?),
            "--fail-on-skip" => fail_on_skip = true,
            "-h" | "--help" => {
                println!("{USAGE}{}", ctk::SCENARIOS.join(", "));
                return Ok(ExitCode::SUCCESS);
            }
            other if other.starts_with('-') => return Err(format!("unknown option `{other}`\n{USAGE}")),
            other => config_path = Some(other.to_owned()),
        }
    }
    if format != "text" && format != "json" {
        return Err(format!("--format `{format}`: expected text or json"));
    }
    let config_path = config_path.ok_or_else(|| format!("no configuration file given\n{USAGE}"))?;
    let text = std::fs::read_to_string(&config_path).map_err(|e| format!("{config_path}: {e}"))?;
    let mut config = Config::parse(&text).map_err(|e| format!("{config_path}: {e}"))?;
    for name in &only {
        if !ctk::SCENARIOS.contains(&name.as_str()) {
            return Err(format!("--only `{name}`: scenarios are {}", ctk::SCENARIOS.join(", ")));
        }
    }
    if !only.is_empty() {
        config.settings.only = only;
    }
    let report = ctk::run(config)?;
    let json = report.to_json_string();
    if let Some(path) = json_file {
        std::fs::write(&path, format!("{json}\n")).map_err(|e| format!("{path}: {e}"))?;
    }
    if format == "json" {
        println!("{json}");
    } else {
        print!("{}", report.to_text());
    }
    let skipped = report.count(Outcome::Skip) > 0;
    Ok(if report.failed() || (fail_on_skip && skipped) { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
