use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    mwscup::cli::main().await
}
