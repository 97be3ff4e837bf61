//! `lpt`: the Livepeer operator CLI. All logic lives in the `livepeer_cli` library.

use std::process::ExitCode;

use clap::{Parser, error::ErrorKind};
use livepeer_cli::{cli::Cli, one_line, run};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err)
            if matches!(
                err.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) =>
        {
            let _ = err.print();
            return if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
        Err(err) => {
            // clap's message, without the usage block: its first paragraph on one line (a
            // missing argument is named on the line after the message).
            let text = err.to_string();
            let paragraph: Vec<&str> = text
                .lines()
                .map(str::trim)
                .skip_while(|l| l.is_empty())
                .take_while(|l| !l.is_empty())
                .collect();
            let line = if paragraph.is_empty() {
                "invalid arguments".to_owned()
            } else {
                paragraph.join(" ")
            };
            let line = line.trim_start_matches("error: ");
            eprintln!("error: {line} (see `lpt --help`)");
            return ExitCode::from(2);
        }
    };
    let urls = cli.global.rpc_urls.clone();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {}", one_line(&err, &urls));
            ExitCode::FAILURE
        }
    }
}
