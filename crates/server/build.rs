//! Builds the web UI (`web/`, TypeScript + Vite) into `OUT_DIR` and writes the table of its
//! files that `src/ui.rs` embeds in the binary.
//!
//! It reruns only when the UI's sources or lock file change. `npm ci` runs when
//! `web/node_modules` is missing or older than `web/package-lock.json`; the bundle is written
//! to `OUT_DIR/web-dist`, never into the source tree, so nothing built is committed.

use std::path::{Path, PathBuf};
use std::process::Command;

const WATCHED: [&str; 6] = [
    "src",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
];

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let web_dir = manifest_dir.join("../../web");
    let web_dir = web_dir
        .canonicalize()
        .unwrap_or_else(|error| panic!("the web UI sources {web_dir:?}: {error}"));
    for watched in WATCHED {
        println!("cargo:rerun-if-changed={}", web_dir.join(watched).display());
    }
    println!("cargo:rerun-if-changed=build.rs");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    let dist_dir = out_dir.join("web-dist");
    if needs_install(&web_dir) {
        npm(&web_dir, &["ci", "--no-audit", "--no-fund"]);
    }
    let dist_arg = dist_dir.display().to_string();
    npm(
        &web_dir,
        &["run", "build", "--", "--outDir", &dist_arg, "--emptyOutDir"],
    );
    let mut files = Vec::new();
    collect_files(&dist_dir, &dist_dir, &mut files);
    files.sort();
    assert!(
        files.iter().any(|(url, _)| url == "/index.html"),
        "the UI build wrote no index.html into {dist_dir:?}"
    );
    let table = files
        .iter()
        .map(|(url, path)| format!("    ({url:?}, include_bytes!({:?})),\n", path.display()))
        .collect::<String>();
    let source = format!("&[\n{table}]\n");
    std::fs::write(out_dir.join("ui_assets.rs"), source).expect("writing ui_assets.rs");
}

/// `npm ci` is needed when the installed tree is missing or older than the lock file.
fn needs_install(web_dir: &Path) -> bool {
    let modified = |path: PathBuf| {
        std::fs::metadata(path)
            .and_then(|meta| meta.modified())
            .ok()
    };
    let installed = modified(web_dir.join("node_modules/.package-lock.json"));
    let locked = modified(web_dir.join("package-lock.json"));
    match (installed, locked) {
        (Some(installed), Some(locked)) => installed < locked,
        _ => true,
    }
}

fn npm(web_dir: &Path, args: &[&str]) {
    let status = Command::new("npm")
        .args(args)
        .current_dir(web_dir)
        .status()
        .unwrap_or_else(|error| {
            panic!(
                "running `npm {}` in {web_dir:?}: {error}\n\
                 The web UI needs Node.js 20+ and npm on PATH (Debian: apt-get install nodejs npm).",
                args.join(" ")
            )
        });
    assert!(
        status.success(),
        "`npm {}` in {web_dir:?} failed with {status}",
        args.join(" ")
    );
}

/// Every file under `dir`, as (URL path from `root`, absolute path).
fn collect_files(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|error| panic!("reading {dir:?}: {error}"));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect_files(root, &path, files);
        } else {
            let relative = path.strip_prefix(root).expect("under the root");
            let url = format!("/{}", relative.to_string_lossy().replace('\\', "/"));
            files.push((url, path));
        }
    }
}
