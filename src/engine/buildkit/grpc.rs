//! gRPC over HTTP/2 as far as a BuildKit session needs it: message framing, a reader of framed
//! request messages, and response bodies that end with `grpc-status` trailers.
use std::convert::Infallible;

use bytes::{Buf, Bytes, BytesMut};
use futures::StreamExt;
use http::{HeaderMap, HeaderValue, Response};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Frame, Incoming};
use tokio::sync::mpsc;

/// The body of every response the session sends.
pub type Body = BoxBody<Bytes, Infallible>;

/// gRPC status codes used here.
pub const OK: u32 = 0;
/// The caller asked for something that does not exist.
pub const NOT_FOUND: u32 = 5;
/// A method the session does not serve.
pub const UNIMPLEMENTED: u32 = 12;
/// Anything else.
pub const INTERNAL: u32 = 13;

/// Largest message accepted from the daemon.
const MAX_MESSAGE: usize = 16 << 20;

/// Frames one message: compression flag, big-endian length, bytes.
pub fn frame(message: &impl prost::Message) -> Bytes {
    let len = message.encoded_len();
    let mut buf = BytesMut::with_capacity(5 + len);
    buf.extend_from_slice(&[0]);
    buf.extend_from_slice(&(len as u32).to_be_bytes());
    // Encoding into a buffer with enough room cannot fail.
    let _ = message.encode(&mut buf);
    buf.freeze()
}

/// Reads framed messages from a request body.
pub struct Reader {
    body: Incoming,
    buf: BytesMut,
}

impl Reader {
    /// Wraps a request body.
    pub fn new(body: Incoming) -> Self {
        Reader {
            body,
            buf: BytesMut::new(),
        }
    }

    /// The next message, `Ok(None)` at the end of the stream.
    pub async fn next<M: prost::Message + Default>(&mut self) -> Result<Option<M>, String> {
        loop {
            if self.buf.len() >= 5 {
                let len = u32::from_be_bytes([self.buf[1], self.buf[2], self.buf[3], self.buf[4]])
                    as usize;
                if self.buf[0] != 0 {
                    return Err("compressed gRPC messages are not supported".into());
                }
                if len > MAX_MESSAGE {
                    return Err(format!("gRPC message of {len} bytes is too large"));
                }
                if self.buf.len() >= 5 + len {
                    self.buf.advance(5);
                    let msg = self.buf.split_to(len);
                    return M::decode(msg.freeze()).map(Some).map_err(|e| e.to_string());
                }
            }
            match self.body.frame().await {
                None => return Ok(None),
                Some(Err(e)) => return Err(e.to_string()),
                Some(Ok(f)) => {
                    if let Ok(data) = f.into_data() {
                        self.buf.extend_from_slice(&data);
                    }
                }
            }
        }
    }
}

/// The trailers that end a call.
pub fn trailers(code: u32, message: &str) -> HeaderMap {
    let mut map = HeaderMap::new();
    map.insert("grpc-status", HeaderValue::from(code));
    if !message.is_empty() {
        let clean: String = message
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() || c == ' ' {
                    c
                } else {
                    '?'
                }
            })
            .collect();
        if let Ok(v) = HeaderValue::from_str(&clean) {
            map.insert("grpc-message", v);
        }
    }
    map
}

/// A streaming response: frames sent on the returned sender become the body.
pub fn streaming() -> (mpsc::Sender<Frame<Bytes>>, Response<Body>) {
    let (tx, mut rx) = mpsc::channel::<Frame<Bytes>>(32);
    let stream = futures::stream::poll_fn(move |cx| rx.poll_recv(cx)).map(Ok::<_, Infallible>);
    (tx, response(BodyExt::boxed(StreamBody::new(stream))))
}

/// A one-message reply, or a status without a message.
pub fn unary(reply: Result<Bytes, (u32, String)>) -> Response<Body> {
    let frames: Vec<Frame<Bytes>> = match reply {
        Ok(msg) => vec![Frame::data(msg), Frame::trailers(trailers(OK, ""))],
        Err((code, message)) => vec![Frame::trailers(trailers(code, &message))],
    };
    let stream = futures::stream::iter(frames.into_iter().map(Ok::<_, Infallible>));
    response(BodyExt::boxed(StreamBody::new(stream)))
}

fn response(body: Body) -> Response<Body> {
    let mut res = Response::new(body);
    res.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/grpc"));
    res
}
