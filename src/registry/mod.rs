//! Registry v2 API client, Docker CLI credentials and image references.
//!
//! Self-contained domain module: no UI code lives here. The panes call into
//! [`mod@reference`] to validate what the user typed, [`credentials`] to find or store logins,
//! [`client`] to browse a registry over the Registry HTTP API v2, [`config`] for the list of
//! registries to browse, and [`session`] to tie them together:
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use dockhand::registry::{session, DockerConfig, Reference, RegistriesConfig};
//! let reference = Reference::parse_normalized("127.0.0.1:5000/team/app:1")?;
//! let docker = DockerConfig::load_default()?;
//! let registries = RegistriesConfig::load_default()?;
//! let (client, repo, tag) =
//!     session::open_client_for_reference(&reference, &registries, &docker).await?;
//! let manifest = client.manifest(&repo, &tag).await?;
//! println!("{} {}", manifest.media_type, manifest.digest);
//! # Ok(()) }
//! ```

pub mod client;
pub mod config;
pub mod credentials;
pub mod digest;
pub mod known;
pub mod platform;
pub mod reference;
pub mod secret;
pub mod session;

pub use client::{ClientOptions, RegistryClient, RegistryError};
pub use config::{RegistriesConfig, RegistryEntry};
pub use credentials::{Credentials, CredentialsError, DockerConfig};
pub use digest::{Digest, DigestError};
pub use platform::{Platform, PlatformError};
pub use reference::{Reference, ReferenceError, ReferenceErrorKind};
pub use secret::Secret;
