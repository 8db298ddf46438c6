//! Registry v2 API client, Docker CLI credentials and image references.
//!
//! Self-contained domain module: no UI code lives here. The panes call into
//! [`reference`] to validate what the user typed, [`credentials`] to find or store logins,
//! and [`client`] to browse a registry over the Registry HTTP API v2.

pub mod digest;
pub mod reference;

pub use digest::{Digest, DigestError};
pub use reference::{Reference, ReferenceError, ReferenceErrorKind};
pub mod credentials;
pub mod secret;

pub use credentials::{Credentials, CredentialsError, DockerConfig};
pub use secret::Secret;
pub mod client;
pub mod config;

pub use client::{ClientOptions, RegistryClient, RegistryError};
pub use config::{RegistriesConfig, RegistryEntry};
