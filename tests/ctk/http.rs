//! A small blocking HTTP/1.1 client: one connection per request (`Connection: close`), plain
//! TCP for `http://` and rustls (webpki roots, or a CA file) for `https://`. The kit needs the
//! status, the headers and the body of each answer, and real concurrency for the racing
//! scenario (one thread per request), nothing more; no OpenSSL.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

/// Where and how to connect.
#[derive(Clone)]
pub struct Client {
    scheme_tls: bool,
    host: String,
    port: u16,
    /// The base URL's path, without a trailing slash ("" or "/api").
    prefix: String,
    timeout: Duration,
    tls: Option<Arc<rustls::ClientConfig>>,
}

/// One answer.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`Null` when empty or not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The body as text, cut to `max` characters, for evidence.
    pub fn excerpt(&self, max: usize) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let mut cut: String = text.chars().take(max).collect();
        if text.chars().count() > max {
            cut.push('…');
        }
        cut
    }
}

impl Client {
    /// `base_url` is `http(s)://host[:port][/prefix]`; `ca_file` adds a PEM trust anchor
    /// (a provider's private CA) to the webpki roots.
    pub fn new(base_url: &str, timeout: Duration, ca_file: Option<&str>) -> Result<Client, String> {
        let (tls, rest) = if let Some(rest) = base_url.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = base_url.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(format!("base_url `{base_url}`: expected http:// or https://"));
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
            None => (rest, ""),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
                let port = p.parse::<u16>().map_err(|_| format!("base_url `{base_url}`: bad port `{p}`"))?;
                (h.trim_start_matches('[').trim_end_matches(']').to_owned(), port)
            }
            _ => (authority.to_owned(), if tls { 443 } else { 80 }),
        };
        if host.is_empty() {
            return Err(format!("base_url `{base_url}`: no host"));
        }
        let tls_config = if tls { Some(Arc::new(tls_config(ca_file)?)) } else { None };
        Ok(Client { scheme_tls: tls, host, port, prefix: path.to_owned(), timeout, tls: tls_config })
    }

    /// Sends one request; `path` starts with `/` and is appended to the base URL's path.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> io::Result<Response> {
        let body = body.map(|b| serde_json::to_vec(b).unwrap_or_default());
        self.send_raw(method, path, token, headers, body.as_deref().map(|b| (b, "application/json")))
    }

    /// Sends bytes as they are, with a content type.
    pub fn send_raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<(&[u8], &str)>,
    ) -> io::Result<Response> {
        let host_header = match (self.scheme_tls, self.port) {
            (true, 443) | (false, 80) => self.host.clone(),
            _ => format!("{}:{}", self.host, self.port),
        };
        let mut head = format!(
            "{method} {}{path} HTTP/1.1\r\nHost: {host_header}\r\nConnection: close\r\nAccept: application/json, application/problem+json\r\nUser-Agent: gsi-ctk/{}\r\n",
            self.prefix,
            env!("CARGO_PKG_VERSION")
        );
        if let Some(token) = token {
            head.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        let bytes = match body {
            Some((body, content_type)) => {
                head.push_str(&format!("Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n", body.len()));
                let mut bytes = head.into_bytes();
                bytes.extend_from_slice(body);
                bytes
            }
            None => {
                head.push_str("Content-Length: 0\r\n\r\n");
                head.into_bytes()
            }
        };
        let raw = self.exchange(&bytes)?;
        parse_response(&raw)
    }

    fn exchange(&self, request: &[u8]) -> io::Result<Vec<u8>> {
        let addr = (self.host.as_str(), self.port)
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::other(format!("{} resolves to no address", self.host)))?;
        let tcp = TcpStream::connect_timeout(&addr, self.timeout)?;
        tcp.set_read_timeout(Some(self.timeout))?;
        tcp.set_write_timeout(Some(self.timeout))?;
        tcp.set_nodelay(true)?;
        let mut answer = Vec::with_capacity(8 * 1024);
        match &self.tls {
            Some(config) => {
                let name = rustls::pki_types::ServerName::try_from(self.host.clone())
                    .map_err(|e| io::Error::other(format!("TLS server name `{}`: {e}", self.host)))?;
                let connection = rustls::ClientConnection::new(config.clone(), name).map_err(io::Error::other)?;
                let mut stream = rustls::StreamOwned::new(connection, tcp);
                stream.write_all(request)?;
                stream.flush()?;
                read_to_end_tolerant(&mut stream, &mut answer)?;
            }
            None => {
                let mut tcp = tcp;
                tcp.write_all(request)?;
                read_to_end_tolerant(&mut tcp, &mut answer)?;
            }
        }
        Ok(answer)
    }
}

/// Reads until the peer closes; a TLS peer that closes without `close_notify` after a complete
/// answer is accepted (many servers do so with `Connection: close`).
fn read_to_end_tolerant(stream: &mut impl Read, into: &mut Vec<u8>) -> io::Result<()> {
    match stream.read_to_end(into) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof && !into.is_empty() => Ok(()),
        Err(e) => Err(e),
    }
}

fn tls_config(ca_file: Option<&str>) -> Result<rustls::ClientConfig, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    if let Some(path) = ca_file {
        let certificates = CertificateDer::pem_file_iter(path).map_err(|e| format!("tls.ca_file `{path}`: {e}"))?;
        for certificate in certificates {
            let certificate = certificate.map_err(|e| format!("tls.ca_file `{path}`: {e}"))?;
            roots.add(certificate).map_err(|e| format!("tls.ca_file `{path}`: {e}"))?;
        }
    }
    // ring, the provider the api's webhook client already builds (aws-lc would add a C build);
    // post-quantum key exchange is not what a conformance check needs.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_response(raw: &[u8]) -> io::Result<Response> {
    let header_end = find(raw, b"\r\n\r\n").ok_or_else(|| io::Error::other("no complete response head"))? + 4;
    let head = String::from_utf8_lossy(&raw[..header_end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| io::Error::other(format!("bad status line `{status_line}`")))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let rest = &raw[header_end..];
    let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        dechunk(rest)?
    } else {
        match headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse::<usize>().ok()) {
            Some(length) if length <= rest.len() => rest[..length].to_vec(),
            Some(_) => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed inside the body")),
            None => rest.to_vec(),
        }
    };
    Ok(Response { status, headers, body })
}

fn dechunk(mut rest: &[u8]) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = find(rest, b"\r\n").ok_or_else(|| io::Error::other("bad chunk"))?;
        let size_text = String::from_utf8_lossy(&rest[..line_end]).to_string();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| io::Error::other("bad chunk size"))?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(body);
        }
        if rest.len() < size {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed inside a chunk"));
        }
        body.extend_from_slice(&rest[..size]);
        rest = rest.get(size + 2..).unwrap_or_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_length_and_chunked_bodies() {
        let plain = parse_response(b"HTTP/1.1 201 Created\r\nETag: \"1\"\r\nContent-Length: 2\r\n\r\n{}").unwrap();
        assert_eq!((plain.status, plain.header("etag"), plain.body.as_slice()), (201, Some("\"1\""), &b"{}"[..]));
        let chunked =
            parse_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
                .unwrap();
        assert_eq!(chunked.body, b"abcde");
    }

    #[test]
    fn base_urls() {
        let c = Client::new("https://gsi.example.go.th/api/", Duration::from_secs(1), None).unwrap();
        assert_eq!(
            (c.host.as_str(), c.port, c.prefix.as_str(), c.scheme_tls),
            ("gsi.example.go.th", 443, "/api", true)
        );
        let c = Client::new("http://127.0.0.1:8080", Duration::from_secs(1), None).unwrap();
        assert_eq!((c.host.as_str(), c.port, c.prefix.as_str()), ("127.0.0.1", 8080, ""));
        assert!(Client::new("ftp://x", Duration::from_secs(1), None).is_err());
    }
}
