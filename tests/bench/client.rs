//! A minimal HTTP/1.1 keep-alive client over blocking sockets, and the two load shapes the
//! bench drives with it: a closed loop (each connection sends its next request when the
//! previous answer arrives) and a fixed arrival rate whose latencies are measured from the
//! time each request was due, so a stalled server cannot hide its queue (coordinated
//! omission).

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One keep-alive connection.
pub struct Connection {
    addr: SocketAddr,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
}

/// A response: status and body.
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// A request rendered once into bytes, sent as it is.
pub fn request(method: &str, path: &str, token: Option<&str>, body: Option<&[u8]>, extra: &[(&str, &str)]) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let mut bytes = match body {
        Some(body) => {
            head.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len()));
            let mut bytes = head.into_bytes();
            bytes.extend_from_slice(body);
            bytes
        }
        None => {
            head.push_str("\r\n");
            head.into_bytes()
        }
    };
    bytes.shrink_to_fit();
    bytes
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl Connection {
    pub fn new(addr: SocketAddr) -> Self {
        Connection { addr, stream: None, buf: Vec::with_capacity(16 * 1024) }
    }

    fn stream(&mut self) -> io::Result<&mut TcpStream> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(self.addr)?;
            stream.set_nodelay(true)?;
            stream.set_read_timeout(Some(Duration::from_secs(60)))?;
            self.stream = Some(stream);
            self.buf.clear();
        }
        self.stream.as_mut().ok_or_else(|| io::Error::other("no stream"))
    }

    /// Sends `raw` and reads the whole response; reconnects once if the server had closed an
    /// idle connection.
    pub fn send(&mut self, raw: &[u8]) -> io::Result<Response> {
        match self.send_once(raw) {
            Ok(r) => Ok(r),
            Err(_) if self.stream.is_some() => {
                self.stream = None;
                self.send_once(raw)
            }
            Err(e) => Err(e),
        }
    }

    fn send_once(&mut self, raw: &[u8]) -> io::Result<Response> {
        let result = self.exchange(raw);
        if result.is_err() {
            self.stream = None;
        }
        result
    }

    fn exchange(&mut self, raw: &[u8]) -> io::Result<Response> {
        self.stream()?.write_all(raw)?;
        let mut chunk = [0u8; 16 * 1024];
        let header_end = loop {
            if let Some(end) = find(&self.buf, b"\r\n\r\n") {
                break end + 4;
            }
            let n = self.stream()?.read(&mut chunk)?;
            if n == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed before the response head"));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&self.buf[..header_end]).to_ascii_lowercase();
        let status: u16 =
            head.get(9..12).and_then(|s| s.parse().ok()).ok_or_else(|| io::Error::other("bad status line"))?;
        let length =
            head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse::<usize>().ok());
        let chunked = head.lines().any(|l| l.starts_with("transfer-encoding:") && l.contains("chunked"));
        let closes = head.lines().any(|l| l.starts_with("connection:") && l.contains("close"));
        self.buf.drain(..header_end);
        let body = if chunked {
            self.read_chunked(&mut chunk)?
        } else {
            let length = length.unwrap_or(0);
            while self.buf.len() < length {
                let n = self.stream()?.read(&mut chunk)?;
                if n == 0 {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed inside the body"));
                }
                self.buf.extend_from_slice(&chunk[..n]);
            }
            self.buf.drain(..length).collect()
        };
        if closes {
            self.stream = None;
        }
        Ok(Response { status, body })
    }

    fn read_chunked(&mut self, chunk: &mut [u8]) -> io::Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let line_end = loop {
                if let Some(end) = find(&self.buf, b"\r\n") {
                    break end;
                }
                self.fill(chunk)?;
            };
            let size_text = String::from_utf8_lossy(&self.buf[..line_end]).to_string();
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                .map_err(|_| io::Error::other("bad chunk size"))?;
            self.buf.drain(..line_end + 2);
            while self.buf.len() < size + 2 {
                self.fill(chunk)?;
            }
            body.extend(self.buf.drain(..size));
            self.buf.drain(..2);
            if size == 0 {
                return Ok(body);
            }
        }
    }

    fn fill(&mut self, chunk: &mut [u8]) -> io::Result<()> {
        let n = self.stream()?.read(chunk)?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed inside a chunk"));
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }
}

/// Latencies and outcomes of one load run.
pub struct LoadResult {
    pub completed: usize,
    pub errors: usize,
    pub elapsed: Duration,
    /// Microseconds, sorted.
    pub latencies: Vec<u64>,
}

impl LoadResult {
    pub fn per_second(&self) -> f64 {
        self.completed as f64 / self.elapsed.as_secs_f64()
    }

    /// The `q` quantile in milliseconds.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let index = ((self.latencies.len() as f64 * q).ceil() as usize).clamp(1, self.latencies.len()) - 1;
        self.latencies[index] as f64 / 1000.0
    }
}

/// The request connection `c` sends as its `i`-th.
pub type RequestFor = Arc<dyn Fn(usize, usize) -> Arc<[u8]> + Send + Sync>;

/// `connections` connections, each sending its next request as soon as the previous one is
/// answered, for `duration`.
pub fn closed_loop(addr: SocketAddr, connections: usize, duration: Duration, request: RequestFor) -> LoadResult {
    let started = Instant::now();
    let deadline = started + duration;
    let threads: Vec<_> = (0..connections)
        .map(|c| {
            let request = request.clone();
            std::thread::spawn(move || {
                let mut conn = Connection::new(addr);
                let mut latencies = Vec::with_capacity(200_000);
                let mut errors = 0;
                let mut i = 0;
                while Instant::now() < deadline {
                    let raw = request(c, i);
                    i += 1;
                    let sent = Instant::now();
                    match conn.send(&raw) {
                        Ok(r) if r.status < 400 => latencies.push(sent.elapsed().as_micros() as u64),
                        _ => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    collect(threads, started)
}

/// `rate` requests per second for `duration`, spread over `connections` connections; each
/// latency counts from the moment its request was due, not from when it could be sent.
pub fn fixed_rate(
    addr: SocketAddr,
    connections: usize,
    rate: u32,
    duration: Duration,
    request: RequestFor,
) -> LoadResult {
    let total = (f64::from(rate) * duration.as_secs_f64()) as usize;
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate));
    let started = Instant::now() + Duration::from_millis(50);
    let threads: Vec<_> = (0..connections)
        .map(|c| {
            let request = request.clone();
            std::thread::spawn(move || {
                let mut conn = Connection::new(addr);
                let mut latencies = Vec::with_capacity(total / connections + 1);
                let mut errors = 0;
                let mut i = c;
                while i < total {
                    let due = started + interval * i as u32;
                    let now = Instant::now();
                    if due > now {
                        std::thread::sleep(due - now);
                    }
                    match conn.send(&request(c, i)) {
                        Ok(r) if r.status < 400 => latencies.push(due.elapsed().as_micros() as u64),
                        _ => errors += 1,
                    }
                    i += connections;
                }
                (latencies, errors)
            })
        })
        .collect();
    collect(threads, started)
}

fn collect(threads: Vec<std::thread::JoinHandle<(Vec<u64>, usize)>>, started: Instant) -> LoadResult {
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in threads {
        match t.join() {
            Ok((l, e)) => {
                latencies.extend(l);
                errors += e;
            }
            Err(_) => errors += 1,
        }
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    LoadResult { completed: latencies.len(), errors, elapsed, latencies }
}
