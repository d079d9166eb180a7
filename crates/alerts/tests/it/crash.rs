//! Crash test: the process is SIGKILLed after the alert is logged and the read
//! acknowledged, before any webhook delivery succeeded; after restart the alert is
//! delivered exactly once by de-duplication id, and never again.

use crate::receiver::{Receiver, SECRET};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::sync::mpsc;

struct ChildProcess {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl ChildProcess {
    fn start(data_dir: &std::path::Path, url: &str, read_id: &str) -> ChildProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_alerts-crash-child"))
            .args([
                data_dir.to_str().expect("utf-8 temp path"),
                url,
                SECRET,
                read_id,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn crash child");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel(64);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.blocking_send(line).is_err() {
                    return;
                }
            }
        });
        ChildProcess { child, lines }
    }

    /// Waits (up to 20 s) for a line starting with `prefix`; returns the rest.
    async fn wait_line(&mut self, prefix: &str) -> String {
        let wait = async {
            while let Some(line) = self.lines.recv().await {
                if let Some(rest) = line.strip_prefix(prefix) {
                    return rest.trim().to_owned();
                }
            }
            panic!("child exited before printing `{prefix}`");
        };
        tokio::time::timeout(Duration::from_secs(20), wait)
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for `{prefix}`"))
    }

    /// SIGKILL, then reap.
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL child");
        self.child.wait().expect("reap child");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alert_logged_before_a_crash_is_delivered_once_after_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The receiver is down (500) while the first process runs: nothing gets delivered.
    let receiver = Receiver::start(u32::MAX).await;

    let mut first = ChildProcess::start(dir.path(), &receiver.url, "read-1");
    assert_eq!(first.wait_line("logged ").await, "1");
    let alert_id = first.wait_line("alert ").await;
    receiver.wait_requests(1).await;
    first.kill();
    assert!(receiver.accepted().is_empty());
    assert!(receiver.n_failed() >= 1);

    // Restart with the receiver up; the camera also replays the same read after the crash.
    receiver.fail_next(0);
    let mut second = ChildProcess::start(dir.path(), &receiver.url, "read-1");
    assert_eq!(
        second.wait_line("logged ").await,
        "0",
        "the replayed read raises no second alert"
    );
    let delivered = receiver.wait_accepted(1).await;
    assert_eq!(delivered[0].alert_id, alert_id);
    loop {
        if second.wait_line("cursor ").await == "1" {
            break;
        }
    }
    second.kill();

    // A third run with a new watched read: the first alert is not sent again.
    let mut third = ChildProcess::start(dir.path(), &receiver.url, "read-2");
    assert_eq!(third.wait_line("logged ").await, "1");
    let second_id = third.wait_line("alert ").await;
    receiver.wait_accepted(2).await;
    third.kill();
    let counts = receiver.counts_by_id();
    assert_eq!(counts.len(), 2, "{counts:?}");
    assert_eq!(counts.get(&alert_id), Some(&1));
    assert_eq!(counts.get(&second_id), Some(&1));
    assert_eq!(receiver.n_bad_signature(), 0);
}
