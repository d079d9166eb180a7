//! `TestServer`: the real `corridor` binary serving a data directory on loopback.

use crate::client::HttpClient;
use anyhow::{Context, bail};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a starting server may take to print its URL before the start fails.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long one request of [`TestServer::client`] may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The roles [`TestServer`] creates a user and a token for before its first start
/// (`test-<role>`, agency `Test Police`). Partners need a sharing agreement, so none is made.
pub const ROLES: [&str; 5] = ["analyst", "operator", "supervisor", "auditor", "admin"];

/// The purpose [`TestServer::client_as`] declares on every request (searches need one).
pub const TEST_PURPOSE: [(&str, &str); 3] = [
    ("x-corridor-case", "OP-TEST/2026/0001"),
    ("x-corridor-offence", "vehicle_crime"),
    (
        "x-corridor-justification",
        "end-to-end tests of the corridor binary",
    ),
];

/// A running `corridor serve` process on `127.0.0.1:0`.
///
/// Dropping it kills the process (SIGKILL) and removes the temporary directory.
#[derive(Debug)]
pub struct TestServer {
    binary: PathBuf,
    data_dir: PathBuf,
    /// API tokens by role, made with `corridor users add`.
    tokens: HashMap<String, String>,
    /// Holds the data directory (unless the caller gave one) and the server logs.
    scratch: tempfile::TempDir,
    child: Option<Child>,
    url: String,
    n_starts: u32,
}

impl TestServer {
    /// Starts `binary` (e.g. `env!("CARGO_BIN_EXE_corridor")`) on a fresh data directory.
    pub fn start(binary: impl AsRef<Path>) -> anyhow::Result<TestServer> {
        let scratch = tempfile::tempdir().context("creating a temporary directory")?;
        let data_dir = scratch.path().join("data");
        TestServer::launch(binary.as_ref().to_owned(), data_dir, scratch)
    }

    /// Starts `binary` on an existing (or new) data directory owned by the caller.
    pub fn start_in(
        binary: impl AsRef<Path>,
        data_dir: impl Into<PathBuf>,
    ) -> anyhow::Result<TestServer> {
        let scratch = tempfile::tempdir().context("creating a temporary directory")?;
        TestServer::launch(binary.as_ref().to_owned(), data_dir.into(), scratch)
    }

    fn launch(
        binary: PathBuf,
        data_dir: PathBuf,
        scratch: tempfile::TempDir,
    ) -> anyhow::Result<TestServer> {
        let mut server = TestServer {
            binary,
            data_dir,
            scratch,
            child: None,
            url: String::new(),
            n_starts: 0,
            tokens: HashMap::new(),
        };
        for role in ROLES {
            let token = server.add_user(&format!("test-{role}"), role)?;
            server.tokens.insert(role.to_owned(), token);
        }
        server.spawn()?;
        Ok(server)
    }

    /// The base URL, e.g. `http://127.0.0.1:41234` (the port changes on each restart).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The data directory the server runs on.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The stderr log of the current (or last) run of the server.
    pub fn log_path(&self) -> PathBuf {
        self.scratch
            .path()
            .join(format!("server-{}.log", self.n_starts))
    }

    /// A blocking client for the current run, without credentials (for `/health`).
    pub fn client(&self) -> HttpClient {
        HttpClient::new(&self.url, REQUEST_TIMEOUT).expect("a client without TLS always builds")
    }

    /// A blocking client for the current run, authenticated as the `test-<role>` user of
    /// one of [`ROLES`] and declaring [`TEST_PURPOSE`].
    pub fn client_as(&self, role: &str) -> HttpClient {
        let mut client = self.client().with_bearer(self.token(role));
        for (name, value) in TEST_PURPOSE {
            client = client.with_header(name, value);
        }
        client
    }

    /// The API token of the `test-<role>` user; panics for a role not in [`ROLES`].
    pub fn token(&self, role: &str) -> &str {
        self.tokens
            .get(role)
            .unwrap_or_else(|| panic!("no test user with role `{role}`; see ROLES"))
    }

    /// Adds a user with `corridor users add` and returns their token. The server reads the
    /// user directory when it starts: call [`TestServer::restart`] before using the token.
    pub fn add_user(&self, name: &str, role: &str) -> anyhow::Result<String> {
        self.users_add(&["--name", name, "--role", role, "--agency", "Test Police"])
    }

    /// Runs `corridor users add --data DIR ARGS` and returns the token it prints.
    pub fn users_add(&self, args: &[&str]) -> anyhow::Result<String> {
        let output = Command::new(&self.binary)
            .args(["users", "add", "--data"])
            .arg(&self.data_dir)
            .args(args)
            .output()
            .with_context(|| format!("running {:?} users add", self.binary))?;
        if !output.status.success() {
            bail!(
                "`corridor users add {args:?}` failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let token = String::from_utf8(output.stdout).context("the token is not UTF-8")?;
        Ok(token.trim().to_owned())
    }

    /// Kills the server with SIGKILL, as a power cut would, and reaps it.
    pub fn kill_hard(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill().context("sending SIGKILL to the server")?;
            child.wait().context("reaping the killed server")?;
        }
        Ok(())
    }

    /// Asks the server to stop with SIGTERM and waits for it to exit.
    pub fn stop(&mut self) -> anyhow::Result<ExitStatus> {
        let Some(mut child) = self.child.take() else {
            bail!("the server is not running");
        };
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .context("running `kill -TERM`")?;
        if !status.success() {
            bail!("`kill -TERM {}` failed: {status}", child.id());
        }
        child.wait().context("waiting for the server to exit")
    }

    /// Kills the server if it runs, then starts it again on the same data directory.
    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.kill_hard()?;
        self.spawn()
    }

    fn spawn(&mut self) -> anyhow::Result<()> {
        self.n_starts += 1;
        let log_path = self.log_path();
        let log = File::create(&log_path).with_context(|| format!("creating {log_path:?}"))?;
        let mut child = Command::new(&self.binary)
            .arg("serve")
            .arg("--data")
            .arg(&self.data_dir)
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {:?}", self.binary))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        match first_line(stdout) {
            Ok(line) => {
                self.url = parse_url(&line)?;
                self.child = Some(child);
                Ok(())
            }
            Err(error) => {
                let _ = child.kill();
                let _ = child.wait();
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                Err(error.context(format!("the server did not start; its log:\n{log}")))
            }
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.kill_hard();
    }
}

/// Reads the first stdout line on a helper thread, so a hung server fails the start
/// after [`START_TIMEOUT`] instead of hanging the test.
fn first_line(stdout: ChildStdout) -> anyhow::Result<String> {
    let (sender, receiver) = mpsc::sync_channel(1);
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let read = reader.read_line(&mut line).map(|_| line);
        let _ = sender.send(read);
        // Keep draining so that later output never blocks the server on a full pipe.
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    match receiver.recv_timeout(START_TIMEOUT) {
        Ok(Ok(line)) if !line.is_empty() => Ok(line),
        Ok(Ok(_)) => bail!("the server exited before printing its URL"),
        Ok(Err(error)) => Err(error).context("reading the server's stdout"),
        Err(_) => bail!("the server printed no URL within {START_TIMEOUT:?}"),
    }
}

/// `listening on http://127.0.0.1:41234` -> `http://127.0.0.1:41234`.
fn parse_url(line: &str) -> anyhow::Result<String> {
    match line.trim().strip_prefix("listening on ") {
        Some(url) if url.starts_with("http://") => Ok(url.to_owned()),
        _ => bail!("unexpected first line from the server: {line:?}"),
    }
}
