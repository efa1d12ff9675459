//! `ServerProcess`: the real `gsi-api serve` binary in its own process, for tests that kill
//! it (SIGKILL) and start it again. The binary sits next to the test executable's folder:
//! `<target>/debug/deps/http-…` → `<target>/debug/gsi-api` (build it first with
//! `cargo build -p gsi-api` when running only `-p gsi-tests`).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use awc::Client;
use serde_json::{Value, json};

use crate::support::{AUDIENCE, ISSUER, SECRET};

pub struct ServerProcess {
    pub base: String,
    child: Option<Child>,
    client: Client,
}

fn binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let debug = exe.parent().and_then(|deps| deps.parent()).expect("target/debug");
    debug.join("gsi-api")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

impl ServerProcess {
    /// Starts `gsi-api serve` on `database_url` with the test settings and `overrides`, and
    /// waits until `/readyz` answers 200.
    pub async fn start(database_url: &str, overrides: &[(&str, &str)]) -> ServerProcess {
        let port = free_port();
        let mut command = Command::new(binary());
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("GSI_DATABASE_URL", database_url)
            .env("GSI_BIND", format!("127.0.0.1:{port}"))
            .env("GSI_JWT_SECRET", SECRET)
            .env("GSI_JWT_ISSUER", ISSUER)
            .env("GSI_JWT_AUDIENCE", AUDIENCE)
            .env("GSI_WORKERS", "1")
            .env("GSI_LOG", "warn")
            .env("GSI_WEBHOOK_ALLOW_HTTP", "true")
            .env("GSI_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "true")
            .env("GSI_WEBHOOK_POLL_MS", "50")
            .env("GSI_WEBHOOK_RETRY_BASE_MS", "100")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (name, value) in overrides {
            command.env(name, value);
        }
        let child = command.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", binary().display()));
        let server = ServerProcess {
            base: format!("http://127.0.0.1:{port}"),
            child: Some(child),
            client: Client::builder().timeout(Duration::from_secs(30)).finish(),
        };
        for _ in 0..400 {
            if let Ok(r) = server.client.get(format!("{}/readyz", server.base)).send().await {
                if r.status() == 200 {
                    return server;
                }
            }
            actix_web::rt::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("gsi-api did not become ready on port {port}");
    }

    async fn call(&self, method: &str, path: &str, token: &str, body: Option<&Value>) -> (u16, Value) {
        let method = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
        let request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .insert_header(("Authorization", format!("Bearer {token}")));
        let mut response = match body {
            Some(b) => request.send_json(b).await,
            None => request.send().await,
        }
        .expect("request sent");
        let bytes = response.body().await.expect("body");
        (response.status().as_u16(), serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str, token: &str) -> Value {
        let (status, body) = self.call("GET", path, token, None).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Value {
        let (status, reply) = self.call("POST", path, token, Some(body)).await;
        assert!((200..300).contains(&status), "POST {path}: {status} {reply}");
        reply
    }

    /// Subscribes to `incident.commented`; returns (id, secret).
    pub async fn subscribe(&self, token: &str, url: &str) -> (String, String) {
        let body = self
            .post("/v1/webhook-subscriptions", token, &json!({"url": url, "event_types": ["incident.commented"]}))
            .await;
        (body["id"].as_str().unwrap().to_owned(), body["secret"].as_str().unwrap().to_owned())
    }

    /// SIGKILL: no shutdown, no draining, nothing flushed.
    pub fn kill(mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL");
            let _ = child.wait();
        }
    }

    /// SIGTERM, then wait for the exit.
    pub fn terminate(mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
            let _ = child.wait();
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
