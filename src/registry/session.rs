//! Glue for the panes: a client for a registry with the login the Docker CLI would use, and
//! the `X-Registry-Auth` credentials for an engine pull or push of a reference.

use super::client::{AuthKind, ClientOptions, RegistryClient, RegistryError};
use super::config::{RegistriesConfig, RegistryEntry};
use super::credentials::{Credentials, CredentialsError, DockerConfig};
use super::reference::Reference;
use super::secret::Secret;

/// Why a browsing session could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Reading the saved login failed.
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// The registry address is unusable.
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

/// A client for `entry`, logged in with the saved credentials for it (if any).
pub async fn open_client(
    entry: &RegistryEntry,
    docker: &DockerConfig,
) -> Result<RegistryClient, SessionError> {
    let credentials = docker.get(&entry.url).await?;
    let options = ClientOptions {
        credentials,
        ..entry.client_options()
    };
    Ok(RegistryClient::new(&entry.url, options)?)
}

/// A client for the registry `reference` points at (insecure when the registries file says
/// so), with the repository path and the tag or digest to ask for.
pub async fn open_client_for_reference(
    reference: &Reference,
    registries: &RegistriesConfig,
    docker: &DockerConfig,
) -> Result<(RegistryClient, String, String), SessionError> {
    let host = reference.registry_host();
    let entry = RegistryEntry {
        name: reference.registry(),
        url: host.clone(),
        insecure: registries.is_insecure(&host),
    };
    let client = open_client(&entry, docker).await?;
    Ok((
        client,
        reference.repository(),
        reference.manifest_reference(),
    ))
}

/// `docker login`: verifies `username`/`password` against `registry` (basic auth or the token
/// service), and only then stores them the way the Docker CLI does (helper or `auths`).
/// Returns how the registry authenticates.
pub async fn login(
    docker: &mut DockerConfig,
    registry: &str,
    username: &str,
    password: Secret,
    insecure: bool,
) -> Result<AuthKind, SessionError> {
    let credentials = Credentials::basic(registry, username, password);
    let client = RegistryClient::new(
        registry,
        ClientOptions {
            insecure,
            credentials: Some(credentials.clone()),
            ..ClientOptions::default()
        },
    )?;
    let auth = client.check_login().await?;
    docker.store(&credentials).await?;
    Ok(auth)
}

/// `docker logout`: forgets the saved login for `registry`.
pub async fn logout(docker: &mut DockerConfig, registry: &str) -> Result<(), SessionError> {
    docker.erase(registry).await?;
    Ok(())
}

/// The credentials to send with an engine pull or push of `reference` (`X-Registry-Auth`),
/// `None` when there is no saved login for its registry.
pub async fn engine_credentials(
    reference: &Reference,
    docker: &DockerConfig,
) -> Result<Option<bollard::auth::DockerCredentials>, CredentialsError> {
    Ok(docker
        .get(&reference.registry())
        .await?
        .map(|c| c.to_docker_credentials()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn futures_are_send() {
        fn send<T: Send>(_: T) {}
        let docker = DockerConfig::load("/nonexistent/config.json").unwrap();
        let registries = RegistriesConfig::default();
        let r = Reference::parse("busybox").unwrap();
        send(docker.get("docker.io"));
        send(open_client(&registries.registries()[0], &docker));
        send(open_client_for_reference(&r, &registries, &docker));
        send(engine_credentials(&r, &docker));
        let mut docker = docker;
        send(login(&mut docker, "h:1", "u", Secret::new("p"), false));
    }

    #[tokio::test]
    async fn reference_picks_registry_login_and_insecure_flag() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(
            &path,
            r#"{"auths": {"lab.internal:5000": {"auth": "dTpw"}, "https://index.docker.io/v1/": {"auth": "aHViOmh1YnB3"}}}"#,
        )
        .unwrap();
        let docker = DockerConfig::load(&path).unwrap();
        let registries = RegistriesConfig::parse(
            "[[registry]]\nname = \"lab\"\nurl = \"lab.internal:5000\"\ninsecure = true\n",
            std::path::Path::new("r.toml"),
        )
        .unwrap();
        let r = Reference::parse("lab.internal:5000/team/app:1").unwrap();
        let (client, repo, tag) = open_client_for_reference(&r, &registries, &docker)
            .await
            .unwrap();
        assert_eq!(client.base_url().as_str(), "http://lab.internal:5000/");
        assert_eq!((repo.as_str(), tag.as_str()), ("team/app", "1"));
        let creds = engine_credentials(&r, &docker).await.unwrap().unwrap();
        assert_eq!(creds.username.as_deref(), Some("u"));
        assert_eq!(creds.serveraddress.as_deref(), Some("lab.internal:5000"));

        let hub = Reference::parse("busybox").unwrap();
        let creds = engine_credentials(&hub, &docker).await.unwrap().unwrap();
        assert_eq!(creds.username.as_deref(), Some("hub"));
        assert_eq!(
            creds.serveraddress.as_deref(),
            Some("https://index.docker.io/v1/")
        );
        let (client, repo, tag) = open_client_for_reference(&hub, &registries, &docker)
            .await
            .unwrap();
        assert_eq!(client.base_url().as_str(), "https://registry-1.docker.io/");
        assert_eq!(client.registry(), "docker.io");
        assert_eq!((repo.as_str(), tag.as_str()), ("library/busybox", "latest"));
        let none = Reference::parse("other.example:1/x").unwrap();
        assert!(engine_credentials(&none, &docker).await.unwrap().is_none());
    }
}
