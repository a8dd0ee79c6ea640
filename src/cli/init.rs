//! `duban init`: a new workspace in the working directory — `duban.toml`, `campaigns/` and an
//! example campaign to start from. The only command, besides `sync`, that makes a workspace
//! where there was none; it never overwrites anything.

use std::path::Path;
use std::process::ExitCode;

use super::CliError;

/// Arguments of `duban init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {}

const CONFIG: &str = r#"# duban's settings for this office (see README.md). Every path is relative to this file.
database = "duban.db"            # or "postgresql://user@host/db" for a whole province
campaigns = "campaigns"

# [mail]
# url = "smtp://mail.example.org:587"   # smtps://… for TLS from the start
# from = "督办 <duban@example.org>"
# password_file = "/run/credentials/duban/smtp"
"#;

const EXAMPLE: &str = include_str!("../../examples/02-chinese-keywords.campaign");

/// Writes `duban.toml`, `campaigns/` and `campaigns/example.campaign`, refusing if any of
/// them exists.
pub fn run(_args: &InitArgs) -> Result<ExitCode, CliError> {
    let (config, folder) = (Path::new("duban.toml"), Path::new("campaigns"));
    let example = folder.join("example.campaign");
    for path in [config, example.as_path()] {
        if path.exists() {
            return Err(CliError::Usage {
                message: format!(
                    "{} exists already: this folder is a workspace (nothing was changed)",
                    path.display()
                ),
            });
        }
    }
    let write = |path: &Path, text: &str| {
        std::fs::write(path, text).map_err(|source| CliError::Write {
            path: path.to_path_buf(),
            source,
        })
    };
    std::fs::create_dir_all(folder).map_err(|source| CliError::Write {
        path: folder.to_path_buf(),
        source,
    })?;
    write(&example, EXAMPLE)?;
    write(config, CONFIG)?;
    say!(
        "created duban.toml and campaigns/example.campaign; next: `duban check campaigns/`, then `duban sync` and `duban status`"
    )?;
    Ok(ExitCode::SUCCESS)
}
