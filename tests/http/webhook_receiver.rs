//! A local webhook receiver for the events tests: records every POST and answers with
//! scripted status codes (200 once the script runs out), and verifies signatures the way
//! the README tells integrators to.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: Vec<u8>,
    pub json: Value,
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    script: Mutex<VecDeque<u16>>,
    delay: Mutex<Duration>,
}

pub struct Receiver {
    pub url: String,
    shared: Arc<Shared>,
    handle: actix_web::dev::ServerHandle,
}

async fn receive(req: HttpRequest, body: web::Bytes, shared: web::Data<Arc<Shared>>) -> HttpResponse {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let delay = *shared.delay.lock().unwrap();
    if !delay.is_zero() {
        actix_web::rt::time::sleep(delay).await;
    }
    let status = shared.script.lock().unwrap().pop_front().unwrap_or(200);
    shared.received.lock().unwrap().push(Received {
        path: req.path().to_owned(),
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        json: serde_json::from_slice(&body).unwrap_or(Value::Null),
        body: body.to_vec(),
    });
    let mut response = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap());
    if (300..400).contains(&status) {
        response.insert_header(("Location", "/elsewhere"));
    }
    response.body("ok")
}

impl Receiver {
    pub async fn start() -> Receiver {
        let shared = Arc::new(Shared::default());
        let data = web::Data::new(shared.clone());
        let server = HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(receive)))
            .workers(1)
            .bind("127.0.0.1:0")
            .unwrap();
        let port = server.addrs()[0].port();
        let server = server.shutdown_timeout(0).run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Receiver { url: format!("http://127.0.0.1:{port}/hooks/gsi"), shared, handle }
    }

    /// The next answers, in order; 200 after them.
    pub fn respond_with(&self, statuses: &[u16]) {
        self.shared.script.lock().unwrap().extend(statuses.iter().copied());
    }

    /// A slow receiver.
    pub fn delay(&self, by: Duration) {
        *self.shared.delay.lock().unwrap() = by;
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits until at least `n` POSTs arrived (failing after `within`).
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Received> {
        let deadline = std::time::Instant::now() + within;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(std::time::Instant::now() < deadline, "expected {n} deliveries, got {}: {got:#?}", got.len());
            actix_web::rt::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub async fn stop(&self) {
        self.handle.stop(false).await;
    }
}

/// The README's receiver check: HMAC-SHA256 keyed with the base64 part of the `whsec_`
/// secret over `{webhook-id}.{webhook-timestamp}.{raw body}`, base64, compared with each
/// `v1,` entry of `webhook-signature`.
pub fn verify(secret: &str, r: &Received) -> bool {
    let key = STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.", r.id, r.timestamp).as_bytes());
    mac.update(&r.body);
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    r.signature.split(' ').any(|s| s.strip_prefix("v1,") == Some(expected.as_str()))
}
