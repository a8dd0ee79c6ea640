//! A submitted file sent as it is read, never held whole: from its file on disk (SQLite keeps
//! files content-addressed in its data folder) through a `ReaderStream`, or from the records a
//! piece at a time (PostgreSQL's `blobs`, sliced with `substring`), each piece fetched only once
//! the connection has taken the one before. Thirty people downloading a 63 MiB file at once hold
//! thirty pieces, not thirty files.

use std::sync::Arc;

use axum::body::Body;
use futures_util::Stream;

use super::Web;
use crate::store::FileSource;

/// How much of a file on disk is read at a time.
const DISK_PIECE: usize = 64 * 1024;
/// How much of a file in the records is fetched at a time: large enough that the round trips do
/// not dominate, small enough that many downloads at once stay small.
const RECORDS_PIECE: usize = 512 * 1024;

/// The body of the submitted file `sha256`, kept at `source`; `None` if its file on disk is gone.
pub(super) async fn body(
    web: &Arc<Web>,
    source: &FileSource,
    sha256: String,
) -> std::io::Result<Option<Body>> {
    match source {
        FileSource::Disk { path, .. } => match tokio::fs::File::open(path).await {
            Ok(file) => Ok(Some(Body::from_stream(
                tokio_util::io::ReaderStream::with_capacity(file, DISK_PIECE),
            ))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        },
        FileSource::Records { size } => {
            Ok(Some(Body::from_stream(pieces(web.clone(), sha256, *size))))
        }
    }
}

/// The pieces of a file of `size` bytes in the records, in order. A failure, or a content
/// shorter than its size, ends the stream with an error (the download is cut short, never
/// passed off as whole).
fn pieces(
    web: Arc<Web>,
    sha256: String,
    size: u64,
) -> impl Stream<Item = std::io::Result<Vec<u8>>> + Send + 'static {
    futures_util::stream::unfold(0u64, move |offset| {
        let (web, sha256) = (web.clone(), sha256.clone());
        async move {
            if offset >= size {
                return None;
            }
            let piece = web
                .run(move |_, store| Ok(store.file_piece(&sha256, offset, RECORDS_PIECE)?))
                .await;
            Some(match piece {
                Ok(piece) if piece.is_empty() => (
                    Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the file in the records is shorter than its size",
                    )),
                    size,
                ),
                Ok(piece) => {
                    let next = offset + piece.len() as u64;
                    (Ok(piece), next)
                }
                Err(e) => {
                    tracing::error!(error = %e, "a download failed");
                    (Err(std::io::Error::other(e.to_string())), size)
                }
            })
        }
    })
}
