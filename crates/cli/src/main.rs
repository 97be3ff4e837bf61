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
            // clap's message, without the usage block: one line.
            let text = err.to_string();
            let line = text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid arguments");
            let line = line.trim().trim_start_matches("error: ");
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
