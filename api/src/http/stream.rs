//! Streamed responses: a producer reads the database page by page on a blocking thread and
//! hands each encoded chunk through a bounded channel to the response body, so a download of
//! any size holds only a few chunks in memory, and a slow client slows the producer instead
//! of filling memory. When the client goes away the channel closes and the producer stops.

use actix_web::web::Bytes;
use futures_util::Stream;
use gsi_persistence::{DbConnection, DbPool, checkout};
use tokio::sync::mpsc;

use crate::error::ApiError;

/// Chunks waiting between the producer and the socket.
const CHANNEL_CHUNKS: usize = 4;

/// The producer's end: `send` blocks while the channel is full.
pub struct ChunkSink {
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
}

/// The client is gone: stop producing.
#[derive(Debug)]
pub struct Disconnected;

impl ChunkSink {
    pub fn send(&self, chunk: impl Into<Bytes>) -> Result<(), Disconnected> {
        self.tx.blocking_send(Ok(chunk.into())).map_err(|_| Disconnected)
    }
}

/// Why a producer stopped early.
pub enum StreamStop {
    Disconnected,
    Failed(ApiError),
}

impl From<Disconnected> for StreamStop {
    fn from(_: Disconnected) -> Self {
        StreamStop::Disconnected
    }
}

impl From<ApiError> for StreamStop {
    fn from(e: ApiError) -> Self {
        StreamStop::Failed(e)
    }
}

/// Runs `produce` on the blocking pool with its own connection; its chunks become the body.
/// A failure after the first bytes cannot become a problem+json answer any more: it is
/// logged and the body is cut off, so the client sees an incomplete transfer rather than a
/// complete-looking file.
pub fn blocking_stream(
    pool: DbPool,
    produce: impl FnOnce(&mut DbConnection, &ChunkSink) -> Result<(), StreamStop> + Send + 'static,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> {
    let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
    actix_web::rt::task::spawn_blocking(move || {
        let sink = ChunkSink { tx };
        let outcome = match checkout(&pool) {
            Ok(mut conn) => produce(&mut conn, &sink),
            Err(e) => Err(StreamStop::Failed(e.into())),
        };
        if let Err(StreamStop::Failed(e)) = outcome {
            log::error!("streamed response failed: {e}");
            let _ = sink.tx.blocking_send(Err(std::io::Error::other("the report could not be completed")));
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) })
}
