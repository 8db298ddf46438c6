//! The protobuf messages a BuildKit session and build speak, declared by hand from BuildKit's
//! `.proto` files (control, secrets, auth, fsutil types, grpc health): only the fields used.
use std::collections::HashMap;

/// `google.protobuf.Timestamp`.
#[derive(Clone, Copy, PartialEq, Eq, prost::Message)]
pub struct Timestamp {
    /// Seconds since the epoch.
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    /// Nanoseconds within the second.
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

/// `moby.buildkit.v1.Vertex`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Vertex {
    /// The vertex digest (its cache key).
    #[prost(string, tag = "1")]
    pub digest: String,
    /// Digests of the vertices it depends on.
    #[prost(string, repeated, tag = "2")]
    pub inputs: Vec<String>,
    /// Display name.
    #[prost(string, tag = "3")]
    pub name: String,
    /// Taken from the cache.
    #[prost(bool, tag = "4")]
    pub cached: bool,
    /// When it started.
    #[prost(message, optional, tag = "5")]
    pub started: Option<Timestamp>,
    /// When it completed.
    #[prost(message, optional, tag = "6")]
    pub completed: Option<Timestamp>,
    /// Why it failed.
    #[prost(string, tag = "7")]
    pub error: String,
}

/// `moby.buildkit.v1.VertexStatus` (a sub-task such as a transfer).
#[derive(Clone, PartialEq, prost::Message)]
pub struct VertexStatus {
    /// Its id.
    #[prost(string, tag = "1")]
    pub id: String,
    /// The vertex it belongs to.
    #[prost(string, tag = "2")]
    pub vertex: String,
    /// Display name.
    #[prost(string, tag = "3")]
    pub name: String,
    /// Units done.
    #[prost(int64, tag = "4")]
    pub current: i64,
    /// Units in all.
    #[prost(int64, tag = "5")]
    pub total: i64,
}

/// `moby.buildkit.v1.VertexLog`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct VertexLog {
    /// The vertex.
    #[prost(string, tag = "1")]
    pub vertex: String,
    /// When.
    #[prost(message, optional, tag = "2")]
    pub timestamp: Option<Timestamp>,
    /// 1 stdout, 2 stderr.
    #[prost(int64, tag = "3")]
    pub stream: i64,
    /// The bytes.
    #[prost(bytes = "vec", tag = "4")]
    pub msg: Vec<u8>,
}

/// `moby.buildkit.v1.StatusResponse`: one progress update.
#[derive(Clone, PartialEq, prost::Message)]
pub struct StatusResponse {
    /// Vertices that changed.
    #[prost(message, repeated, tag = "1")]
    pub vertexes: Vec<Vertex>,
    /// Sub-task statuses.
    #[prost(message, repeated, tag = "2")]
    pub statuses: Vec<VertexStatus>,
    /// Output.
    #[prost(message, repeated, tag = "3")]
    pub logs: Vec<VertexLog>,
}

/// `fsutil.types.Stat`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Stat {
    /// Slash-separated path relative to the synced directory.
    #[prost(string, tag = "1")]
    pub path: String,
    /// Go `os.FileMode` bits.
    #[prost(uint32, tag = "2")]
    pub mode: u32,
    /// Owner.
    #[prost(uint32, tag = "3")]
    pub uid: u32,
    /// Group.
    #[prost(uint32, tag = "4")]
    pub gid: u32,
    /// Size.
    #[prost(int64, tag = "5")]
    pub size: i64,
    /// Modification time, nanoseconds since the epoch.
    #[prost(int64, tag = "6")]
    pub mod_time: i64,
    /// Symlink target.
    #[prost(string, tag = "7")]
    pub linkname: String,
    /// Device major number.
    #[prost(int64, tag = "8")]
    pub devmajor: i64,
    /// Device minor number.
    #[prost(int64, tag = "9")]
    pub devminor: i64,
    /// Extended attributes.
    #[prost(map = "string, bytes", tag = "10")]
    pub xattrs: HashMap<String, Vec<u8>>,
}

/// `fsutil.types.Packet` types.
pub const PACKET_STAT: i32 = 0;
/// The receiver asks for a file's data.
pub const PACKET_REQ: i32 = 1;
/// File data (an empty one ends the file).
pub const PACKET_DATA: i32 = 2;
/// End of the transfer.
pub const PACKET_FIN: i32 = 3;
/// An error.
pub const PACKET_ERR: i32 = 4;

/// `fsutil.types.Packet`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Packet {
    /// One of the `PACKET_*` constants.
    #[prost(int32, tag = "1")]
    pub kind: i32,
    /// For STAT.
    #[prost(message, optional, tag = "2")]
    pub stat: Option<Stat>,
    /// For REQ and DATA: the index of the STAT it refers to.
    #[prost(uint32, tag = "3")]
    pub id: u32,
    /// For DATA and ERR.
    #[prost(bytes = "vec", tag = "4")]
    pub data: Vec<u8>,
}

/// `moby.buildkit.secrets.v1.GetSecretRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetSecretRequest {
    /// The secret's id.
    #[prost(string, tag = "1")]
    pub id: String,
}

/// `moby.buildkit.secrets.v1.GetSecretResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetSecretResponse {
    /// The value.
    #[prost(bytes = "vec", tag = "1")]
    pub data: Vec<u8>,
}

/// `moby.filesync.v1.CredentialsRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CredentialsRequest {
    /// Registry host.
    #[prost(string, tag = "1")]
    pub host: String,
}

/// `moby.filesync.v1.CredentialsResponse`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CredentialsResponse {
    /// User name (empty with an identity token).
    #[prost(string, tag = "1")]
    pub username: String,
    /// Password or identity token.
    #[prost(string, tag = "2")]
    pub secret: String,
}

/// `grpc.health.v1.HealthCheckResponse` (the request's one field is ignored).
#[derive(Clone, PartialEq, prost::Message)]
pub struct HealthCheckResponse {
    /// 1 = SERVING.
    #[prost(int32, tag = "1")]
    pub status: i32,
}
