//! The servers under measurement, each its own process on loopback: the release `gsi-api`
//! and the bare baseline (this binary, `gsi-bench bare`).

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::client::{Connection, request};

pub const SECRET: &str = "bench-secret-bench-secret-bench-secret-0123";
pub const ISSUER: &str = "gsi-hub-bench";
pub const AUDIENCE: &str = "gsi-hub-api-bench";

pub struct ServerProcess {
    pub addr: SocketAddr,
    child: Child,
}

/// A free loopback port (bound, then released for the child).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(18_080)
}

/// A binary built next to this one (`target/release/<name>`).
pub fn sibling(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    exe.parent().map(|dir| dir.join(name)).unwrap_or_else(|| PathBuf::from(name))
}

impl ServerProcess {
    /// `gsi-api serve` on `database_url`.
    pub fn hub(database_url: &str) -> Self {
        let port = free_port();
        let mut command = Command::new(sibling("gsi-api"));
        command
            .arg("serve")
            .env("GSI_DATABASE_URL", database_url)
            .env("GSI_BIND", format!("127.0.0.1:{port}"))
            .env("GSI_JWT_SECRET", SECRET)
            .env("GSI_JWT_ISSUER", ISSUER)
            .env("GSI_JWT_AUDIENCE", AUDIENCE)
            .env("GSI_LOG", std::env::var("BENCH_SERVER_LOG").unwrap_or_else(|_| "warn".into()));
        Self::start(command, port, "/readyz")
    }

    /// The bare baseline handler on `database_url`.
    pub fn bare(database_url: &str) -> Self {
        let port = free_port();
        let mut command = Command::new(std::env::current_exe().unwrap_or_else(|_| sibling("gsi-bench")));
        command.arg("bare").arg(database_url).arg(port.to_string());
        Self::start(command, port, "/healthz")
    }

    fn start(mut command: Command, port: u16, probe: &str) -> Self {
        let child = command.stdin(Stdio::null()).spawn().unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let server = ServerProcess { addr, child };
        let deadline = Instant::now() + Duration::from_secs(60);
        let probe = request("GET", probe, None, None, &[]);
        loop {
            if let Ok(r) = Connection::new(addr).send(&probe)
                && r.status == 200
            {
                return server;
            }
            assert!(Instant::now() < deadline, "server on port {port} did not become ready");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Peak resident memory so far (VmHWM), in MiB.
    pub fn peak_rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
