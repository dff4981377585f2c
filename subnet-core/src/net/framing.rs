//! gRPC's message framing by hand, on both ends: a length-prefixed message each way,
//! the status in the trailers. A request goes out as HEADERS and one DATA frame ending
//! the stream, an answer as HEADERS, DATA, trailers, written together. The bytes on
//! the wire are standard gRPC, so any gRPC client or server interoperates.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use http::HeaderMap;
use http_body::Body;
use http_body_util::BodyExt;
use tonic::Status;

/// gRPC's length prefix: a compression flag byte and a big-endian u32 length.
const PREFIX: usize = 5;

/// `message` with its gRPC length prefix (uncompressed).
pub(crate) fn frame(message: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(PREFIX + message.len());
    out.put_u8(0);
    out.put_u32(message.len() as u32);
    out.put_slice(message);
    out.freeze()
}

/// What ended a body read that gave no message.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The peer sent something that is not one gRPC message (a status to answer with).
    Invalid(Status),
    /// The body failed (connection reset, stream reset).
    Body(String),
}

/// Read exactly one gRPC message from `body`, refusing one larger than `max` as soon as
/// its prefix says so; returns the message and the trailers, if any came.
pub(crate) async fn read_message<B>(mut body: B, max: usize) -> Result<(Bytes, Option<HeaderMap>), ReadError>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut buffered = BytesMut::new();
    let mut trailers = None;
    let mut expected: Option<usize> = None;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| ReadError::Body(e.into().to_string()))?;
        match frame.into_data() {
            Ok(mut data) => {
                if buffered.len() + data.remaining() > PREFIX + max {
                    return Err(ReadError::Invalid(too_large(buffered.len() + data.remaining(), max)));
                }
                buffered.put(&mut data);
            }
            Err(frame) => {
                trailers = frame.into_trailers().ok();
                break;
            }
        }
        if expected.is_none() && buffered.len() >= PREFIX {
            if buffered[0] != 0 {
                return Err(ReadError::Invalid(Status::unimplemented("compressed messages are not accepted (no grpc-encoding agreed)")));
            }
            let len = u32::from_be_bytes([buffered[1], buffered[2], buffered[3], buffered[4]]) as usize;
            if len > max {
                return Err(ReadError::Invalid(too_large(len, max)));
            }
            expected = Some(len);
        }
    }
    match expected {
        Some(len) if buffered.len() == PREFIX + len => Ok((buffered.freeze().slice(PREFIX..), trailers)),
        Some(len) if buffered.len() > PREFIX + len => Err(ReadError::Invalid(Status::invalid_argument("more than one message on a unary call"))),
        _ if buffered.is_empty() && trailers.is_some() => Ok((Bytes::new(), trailers)),
        _ => Err(ReadError::Invalid(Status::internal("the message ends before its length prefix says"))),
    }
}

fn too_large(len: usize, max: usize) -> Status {
    Status::out_of_range(format!("a message of {len} bytes is over the limit of {max}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body::Frame;
    use http_body_util::{Full, StreamBody};

    fn body(chunks: Vec<&'static [u8]>) -> impl Body<Data = Bytes, Error = std::convert::Infallible> + Unpin {
        StreamBody::new(futures::stream::iter(chunks.into_iter().map(|c| Ok(Frame::data(Bytes::from_static(c))))))
    }

    #[tokio::test]
    async fn one_message_is_read_whole_even_split_across_frames() {
        let framed = frame(b"hello");
        let (message, _) = read_message(Full::new(framed.clone()), 64).await.unwrap();
        assert_eq!(&message[..], b"hello");
        let leaked: &'static [u8] = Box::leak(framed.to_vec().into_boxed_slice());
        let (message, _) = read_message(body(vec![&leaked[..2], &leaked[2..6], &leaked[6..]]), 64).await.unwrap();
        assert_eq!(&message[..], b"hello");
    }

    #[tokio::test]
    async fn bad_messages_get_statuses() {
        let code = |r: Result<(Bytes, Option<HeaderMap>), ReadError>| match r {
            Err(ReadError::Invalid(s)) => s.code(),
            other => panic!("{other:?}"),
        };
        assert_eq!(code(read_message(body(vec![b"\x00\xff\xff\xff\xffx"]), 64).await), tonic::Code::OutOfRange);
        assert_eq!(code(read_message(body(vec![b"\x01\x00\x00\x00\x01x"]), 64).await), tonic::Code::Unimplemented);
        assert_eq!(code(read_message(body(vec![b"\x00\x00\x00\x00\x09abc"]), 64).await), tonic::Code::Internal);
        assert_eq!(code(read_message(body(vec![b"\x00\x00\x00\x00\x01ab"]), 64).await), tonic::Code::InvalidArgument);
        assert_eq!(code(read_message(body(vec![b"\xff"]), 64).await), tonic::Code::Internal);
        assert_eq!(code(read_message(body(vec![]), 64).await), tonic::Code::Internal);
        // A body larger than the limit is refused before the rest is read.
        let big: &'static [u8] = Box::leak(vec![0u8; 200].into_boxed_slice());
        assert_eq!(code(read_message(body(vec![big]), 64).await), tonic::Code::OutOfRange);
    }
}
