//! Running the real `corridor` binary on files in a temp dir.

use std::path::PathBuf;
use std::process::{Command, Output};

pub(crate) const CAMERAS_CSV: &str = "\
camera_id,name,lat,lon,heading,country,operator,kind,infrared
FR-A16-0042,A16 Boulogne north,50.7421,1.6113,180,FR,DIRNO,fixed,true
BE-E40-0007,E40 Jabbeke,51.1822,3.0901,,BE,Federale Politie,fixed,false
GB-MOB-0003,Kent van 3,51.0,1.0,,GB,Kent Police,mobile,true
";

pub(crate) const READS_HEADER: &str = "read_id,plate,country,camera_id,ts,confidence,lat,lon,heading,make,model,colour,vehicle_type\n";

/// RFC 3339 for `hours` before the real now (the binary checks timestamps against it).
pub(crate) fn hours_ago(hours: i64) -> String {
    let ts = chrono::Utc::now() - chrono::Duration::hours(hours);
    ts.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// One reads CSV row: a white Ford Transit van.
pub(crate) fn read_row(
    read_id: &str,
    plate: &str,
    country: &str,
    camera_id: &str,
    ts: &str,
) -> String {
    format!("{read_id},{plate},{country},{camera_id},{ts},0.9,,,,Ford,Transit,white,van\n")
}

/// A temp dir holding a data directory and input files.
pub(crate) struct Scene {
    pub(crate) dir: tempfile::TempDir,
}

impl Scene {
    pub(crate) fn new() -> Scene {
        let scene = Scene {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        scene.write("cameras.csv", CAMERAS_CSV);
        scene
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(crate) fn data(&self) -> String {
        self.path("data").display().to_string()
    }

    pub(crate) fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, text).expect("write input");
        path
    }

    /// `corridor import --data DATA --cameras cameras.csv --reads NAME [extra...]`.
    pub(crate) fn import(&self, reads: &str, extra: &[&str]) -> Output {
        let data = self.data();
        let cameras = self.path("cameras.csv").display().to_string();
        let reads = self.path(reads).display().to_string();
        let mut args = vec![
            "import",
            "--data",
            data.as_str(),
            "--cameras",
            cameras.as_str(),
            "--reads",
            reads.as_str(),
        ];
        args.extend_from_slice(extra);
        corridor(&args)
    }

    /// `corridor history --data DATA [args...]`, expected to succeed; returns stdout.
    pub(crate) fn history(&self, args: &[&str]) -> String {
        let data = self.data();
        let mut all = vec!["history", "--data", data.as_str()];
        all.extend_from_slice(args);
        stdout_of(&corridor(&all))
    }

    /// `history --json`, parsed.
    pub(crate) fn history_json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.history(&all)).expect("history --json prints JSON")
    }
}

/// Runs the binary with these arguments and no `CORRIDOR_*` settings from the environment.
pub(crate) fn corridor(args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_corridor"));
    command.args(args);
    for (key, _) in std::env::vars() {
        if key.starts_with("CORRIDOR_") {
            command.env_remove(key);
        }
    }
    command.output().expect("run corridor")
}

/// Stdout of a run that must have succeeded.
#[track_caller]
pub(crate) fn stdout_of(output: &Output) -> String {
    assert!(
        output.status.success(),
        "corridor failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout")
}

/// Stderr of a run that must have failed.
#[track_caller]
pub(crate) fn stderr_of_failure(output: &Output) -> String {
    assert!(
        !output.status.success(),
        "corridor should have failed; stdout: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8(output.stderr.clone()).expect("utf-8 stderr")
}

/// Read ids of every read in a `history --json` document, per plate.
pub(crate) fn ids_by_plate(json: &serde_json::Value) -> Vec<(String, Vec<String>)> {
    json["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| {
            let plate = hit["plate"].as_str().expect("plate").to_owned();
            let ids = hit["reads"]
                .as_array()
                .expect("reads")
                .iter()
                .map(|read| read["read_id"].as_str().expect("read_id").to_owned())
                .collect();
            (plate, ids)
        })
        .collect()
}
