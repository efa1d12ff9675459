//! The real `gsi-api` binary as a child process, for what an in-process server cannot show:
//! SIGKILL mid-write, SIGTERM draining, several instances on one database.
//!
//! The binary sits next to the test executable's folder (`<target>/debug/gsi-api`; the test
//! executable is `<target>/debug/deps/http-…`). `cargo test --workspace --all-targets`
//! builds it; with `-p gsi-tests` alone, run `cargo build -p gsi-api` first.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use awc::Client;

use crate::support::{AUDIENCE, ISSUER, Reply, SECRET};

pub struct ServerProcess {
    pub base: String,
    pub port: u16,
    child: Child,
    client: Client,
}

fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let target = exe.parent().and_then(|deps| deps.parent()).expect("target folder");
    let path = target.join("gsi-api");
    assert!(path.exists(), "{} is missing: run `cargo build -p gsi-api` (or `make test`) first", path.display());
    path
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

impl ServerProcess {
    /// Starts `gsi-api serve` on `database_url` with the test JWT settings and `env` on top,
    /// on `port` (a free one when `None`), and waits until `/readyz` answers 200.
    pub async fn start(database_url: &str, port: Option<u16>, env: &[(&str, &str)]) -> Self {
        let port = port.unwrap_or_else(free_port);
        let mut command = Command::new(binary());
        command
            .arg("serve")
            .env("GSI_DATABASE_URL", database_url)
            .env("GSI_BIND", format!("127.0.0.1:{port}"))
            .env("GSI_JWT_SECRET", SECRET)
            .env("GSI_JWT_ISSUER", ISSUER)
            .env("GSI_JWT_AUDIENCE", AUDIENCE)
            .env("GSI_LOG", "warn")
            .env("GSI_WORKERS", "2")
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("gsi-api starts");
        let server = ServerProcess {
            base: format!("http://127.0.0.1:{port}"),
            port,
            child,
            client: Client::builder().timeout(Duration::from_secs(60)).disable_redirects().finish(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(response) = server.client.get(format!("{}/readyz", server.base)).send().await
                && response.status() == 200
            {
                return server;
            }
            assert!(Instant::now() < deadline, "gsi-api on port {port} did not become ready");
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: the process gets no chance to finish anything.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    /// SIGTERM: the graceful stop a process manager asks for.
    pub fn terminate(&self) {
        let status = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status().expect("kill -TERM");
        assert!(status.success(), "kill -TERM failed");
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends a request to this process (the same shape as `TestApp::raw`).
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Reply, String> {
        send(&self.client, &self.base, method, path, token, headers, body).await
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request with awc; a transport failure is an `Err`, never a panic.
pub async fn send(
    client: &Client,
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Result<Reply, String> {
    let method = actix_web::http::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let mut request = client.request(method, format!("{base}{path}"));
    if let Some(token) = token {
        request = request.insert_header(("Authorization", format!("Bearer {token}")));
    }
    for (name, value) in headers {
        request = request.insert_header((*name, *value));
    }
    let mut response = match body {
        Some(bytes) => request.insert_header(("Content-Type", "application/json")).send_body(bytes.to_vec()).await,
        None => request.send().await,
    }
    .map_err(|e| e.to_string())?;
    let bytes = response.body().limit(10 * 1024 * 1024).await.map_err(|e| e.to_string())?;
    let body = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    Ok(Reply { status: response.status(), headers: response.headers().clone(), body })
}
