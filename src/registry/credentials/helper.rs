//! The Docker credential-helper protocol: `docker-credential-<name> get|store|erase`.
//!
//! `get` and `erase` read the server URL on stdin; `store` reads
//! `{"ServerURL","Username","Secret"}`. `get` answers with the same JSON. A username of
//! `<token>` means the secret is an identity token.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use super::{Credentials, CredentialsError};
use crate::registry::secret::Secret;

/// Username a helper uses to mark an identity token.
pub const TOKEN_USERNAME: &str = "<token>";
/// What helpers print when they hold nothing for a server.
const NOT_FOUND: &str = "credentials not found in native keychain";
/// Helpers may prompt (gpg pinentry...); do not wait for them forever.
const HELPER_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperAnswer {
    #[serde(default, rename = "ServerURL")]
    server_url: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    secret: String,
}

/// The program name for a helper name (`pass` -> `docker-credential-pass`).
pub fn program(helper: &str) -> String {
    format!("docker-credential-{helper}")
}

/// Runs `docker-credential-<helper> <action>` with `input` on stdin; returns stdout on success,
/// or `Err(message)` built from its output (which, on failure, holds no secret).
async fn run(helper: &str, action: &str, input: &[u8]) -> Result<Vec<u8>, CredentialsError> {
    let program = program(helper);
    let mut child = Command::new(&program)
        .arg(action)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| CredentialsError::HelperMissing {
            program: program.clone(),
            reason: e.to_string(),
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        // A helper that exits early closes its stdin; its exit status tells the story.
        let _ = stdin.write_all(input).await;
        drop(stdin);
    }
    let output = tokio::time::timeout(HELPER_TIMEOUT, child.wait_with_output())
        .await
        .map_err(|_| CredentialsError::Helper {
            program: program.clone(),
            action: action.to_string(),
            message: format!("no answer within {} seconds", HELPER_TIMEOUT.as_secs()),
        })?
        .map_err(|e| CredentialsError::Helper {
            program: program.clone(),
            action: action.to_string(),
            message: e.to_string(),
        })?;
    if output.status.success() {
        return Ok(output.stdout);
    }
    let mut message = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if message.is_empty() {
        message = String::from_utf8_lossy(&output.stderr).trim().to_string();
    }
    if message.is_empty() {
        message = format!("exited with {}", output.status);
    }
    message.truncate(300);
    Err(CredentialsError::Helper {
        program,
        action: action.to_string(),
        message,
    })
}

/// `get`: the credentials the helper holds for `server_url`, or `None` when it has none.
pub async fn get(helper: &str, server_url: &str) -> Result<Option<Credentials>, CredentialsError> {
    let stdout = match run(helper, "get", server_url.as_bytes()).await {
        Ok(out) => out,
        Err(CredentialsError::Helper { message, .. }) if message.contains(NOT_FOUND) => {
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    // Deliberately no serde detail in the error: it could quote the secret.
    let answer: HelperAnswer =
        serde_json::from_slice(&stdout).map_err(|_| CredentialsError::Helper {
            program: program(helper),
            action: "get".to_string(),
            message: "answer is not the expected JSON object {ServerURL, Username, Secret}"
                .to_string(),
        })?;
    // Some helpers (docker-credential-pass 0.6) answer "nothing stored" with empty fields.
    if answer.username.is_empty() && answer.secret.is_empty() {
        return Ok(None);
    }
    let server_address = if answer.server_url.is_empty() {
        server_url.to_string()
    } else {
        answer.server_url
    };
    if answer.username == TOKEN_USERNAME {
        return Ok(Some(Credentials {
            server_address,
            username: String::new(),
            password: None,
            identity_token: Some(Secret::new(answer.secret)),
        }));
    }
    Ok(Some(Credentials {
        server_address,
        username: answer.username,
        password: Some(Secret::new(answer.secret)),
        identity_token: None,
    }))
}

/// `store`: hands the credentials to the helper under `server_url`.
pub async fn store(
    helper: &str,
    server_url: &str,
    creds: &Credentials,
) -> Result<(), CredentialsError> {
    let (username, secret) = match &creds.identity_token {
        Some(token) => (TOKEN_USERNAME, token.expose()),
        None => (
            creds.username.as_str(),
            creds.password.as_ref().map_or("", Secret::expose),
        ),
    };
    let body = serde_json::json!({
        "ServerURL": server_url,
        "Username": username,
        "Secret": secret,
    });
    run(helper, "store", body.to_string().as_bytes()).await?;
    Ok(())
}

/// `erase`: forgets what the helper holds for `server_url` (nothing stored is not an error).
pub async fn erase(helper: &str, server_url: &str) -> Result<(), CredentialsError> {
    match run(helper, "erase", server_url.as_bytes()).await {
        Ok(_) => Ok(()),
        Err(CredentialsError::Helper { message, .. }) if message.contains(NOT_FOUND) => Ok(()),
        Err(e) => Err(e),
    }
}
