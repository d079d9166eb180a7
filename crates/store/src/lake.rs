//! Publishing the committed segments to a Parquet lake on any `object_store` backend.
//!
//! A lake is a location on an object store (a local directory, an S3-compatible bucket)
//! where several ingest nodes publish their segments, partitioned by UTC day, so that a
//! distributed engine (Apache Ballista, DuckDB, Spark) reads every node's reads as one table:
//!
//! ```text
//! LAKE/reads/date=2026-11-30/node-a_seg-0000000042.parquet
//! LAKE/reads/date=2026-11-30/node-b_seg-0000000007.parquet
//! LAKE/reads/date=2026-12-01/node-a_seg-0000000043.parquet
//! ```
//!
//! The files are the store's segments byte for byte (see docs/storage.md for the schema).
//! A file name starts with the node id and `_`; node ids hold no `_`, so two nodes never
//! write or delete each other's files.
//! [`Lake::publish`] mirrors one node's committed segments: it uploads segments the lake
//! lacks (each upload appears atomically under its final name) and then deletes that node's
//! files the store no longer lists (merged by compaction, or expired by retention).
//!
//! ```no_run
//! # async fn example(store: &corridor_store::Store) -> Result<(), corridor_store::Error> {
//! use corridor_store::lake::{Lake, NodeId};
//! let lake = Lake::open("file:///srv/lake")?;
//! let node = NodeId::parse("node-a")?;
//! let report = lake.publish(&node, &store.segment_paths()).await?;
//! println!("{} segments uploaded", report.n_uploaded);
//! # Ok(()) }
//! ```

use crate::Error;
use futures::TryStreamExt;
use object_store::path::Path as LakePath;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Directory of the reads table under the lake's root.
pub const READS_DIR: &str = "reads";
/// Bytes per part of an upload (S3 wants at least 5 MiB per part but the last).
const UPLOAD_PART_BYTES: usize = 8 << 20;
/// Parts of one upload in flight at once.
const UPLOAD_PARTS_IN_FLIGHT: usize = 4;
/// Longest node id.
const NODE_ID_CHARS_MAX: usize = 64;

/// The name of an ingest node in the lake's file names: 1 to 64 of `a-z`, `0-9` and `-`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NodeId(String);

impl NodeId {
    /// Checks `raw` (no `_`, so that one node's file names never start with another's).
    pub fn parse(raw: &str) -> Result<NodeId, Error> {
        let valid = !raw.is_empty()
            && raw.len() <= NODE_ID_CHARS_MAX
            && raw
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-');
        if !valid {
            return Err(Error::BadLake {
                reason: format!(
                    "node id `{raw}`: use 1 to {NODE_ID_CHARS_MAX} of a-z, 0-9 and `-`"
                ),
            });
        }
        Ok(NodeId(raw.to_owned()))
    }

    /// The id as written in file names.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What one [`Lake::publish`] did.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct PublishReport {
    /// Segments uploaded.
    pub n_uploaded: usize,
    /// Segments already in the lake with the same size, left alone.
    pub n_unchanged: usize,
    /// This node's lake files deleted because the store no longer lists them.
    pub n_deleted: usize,
    /// Bytes uploaded.
    pub bytes_uploaded: u64,
}

/// One Parquet file of the lake's reads table.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LakeFile {
    /// Path under the object store's root, e.g. `lake/reads/date=2026-11-30/node-a_seg-0000000042.parquet`.
    pub location: String,
    /// The UTC day of its partition, `YYYY-MM-DD`.
    pub date: String,
    pub size_bytes: u64,
}

/// A Parquet lake on an object store.
#[derive(Debug, Clone)]
pub struct Lake {
    store: Arc<dyn ObjectStore>,
    root: LakePath,
    url: String,
}

impl Lake {
    /// Opens the lake at `url`: `file:///absolute/dir`, or `s3://bucket/prefix` when built
    /// with the `s3` feature (credentials, region and endpoint from the `AWS_*` environment
    /// variables, e.g. `AWS_ENDPOINT` for an S3-compatible service).
    pub fn open(url: &str) -> Result<Lake, Error> {
        let bad = |reason: String| Error::BadLake { reason };
        let parsed = url::Url::parse(url).map_err(|err| bad(format!("`{url}`: {err}")))?;
        if parsed.scheme() == "file" {
            // The local backend writes through missing directories, but listing needs the root.
            let dir = parsed
                .to_file_path()
                .map_err(|()| bad(format!("`{url}` is not an absolute file URL")))?;
            std::fs::create_dir_all(&dir).map_err(|source| Error::io("creating", dir, source))?;
        }
        let options = std::env::vars()
            .filter(|(key, _)| key.starts_with("AWS_"))
            .map(|(key, value)| (key.to_ascii_lowercase(), value));
        let (store, root) =
            object_store::parse_url_opts(&parsed, options).map_err(|source| Error::Lake {
                action: "opening",
                location: url.to_owned(),
                source,
            })?;
        Ok(Lake {
            store: Arc::from(store),
            root,
            url: url.trim_end_matches('/').to_owned(),
        })
    }

    /// A lake at `root` on an object store built by the caller.
    pub fn with_store(store: Arc<dyn ObjectStore>, root: &str, url: &str) -> Lake {
        Lake {
            store,
            root: LakePath::from(root),
            url: url.trim_end_matches('/').to_owned(),
        }
    }

    /// The URL of the reads table (a directory), for `CREATE EXTERNAL TABLE ... LOCATION`
    /// or a DataFusion listing table.
    pub fn reads_url(&self) -> String {
        format!("{}/{READS_DIR}/", self.url)
    }

    /// Mirrors `node`'s committed segments (`Store::segment_paths`) into the lake: uploads
    /// the missing ones, then deletes the node's files that are not among them.
    ///
    /// Readers listing the lake while it runs may see a day's merged segment next to the
    /// segments it replaced; publish after compaction, outside analysis runs.
    pub async fn publish(
        &self,
        node: &NodeId,
        segment_paths: &[PathBuf],
    ) -> Result<PublishReport, Error> {
        let own_prefix = format!("{}_", node.as_str());
        let mut present: BTreeMap<String, u64> = self
            .files()
            .await?
            .into_iter()
            .filter(|file| file_name(&file.location).starts_with(&own_prefix))
            .map(|file| (file.location, file.size_bytes))
            .collect();
        let mut report = PublishReport::default();
        for segment_path in segment_paths {
            let location = self.segment_location(node, segment_path)?;
            let size_bytes = std::fs::metadata(segment_path)
                .map_err(|source| Error::io("reading the size of", segment_path, source))?
                .len();
            if present.remove(location.as_ref()) == Some(size_bytes) {
                report.n_unchanged += 1;
                continue;
            }
            self.upload(segment_path, &location).await?;
            report.n_uploaded += 1;
            report.bytes_uploaded += size_bytes;
        }
        for stale in present.keys() {
            let location = LakePath::parse(stale).map_err(|err| Error::BadLake {
                reason: format!("listed location `{stale}`: {err}"),
            })?;
            self.store
                .delete(&location)
                .await
                .map_err(|source| self.error("deleting a stale segment", source))?;
            report.n_deleted += 1;
        }
        tracing::info!(
            node = node.as_str(),
            lake = %self.url,
            n_uploaded = report.n_uploaded,
            n_unchanged = report.n_unchanged,
            n_deleted = report.n_deleted,
            "Published segments."
        );
        Ok(report)
    }

    /// Every Parquet file of the reads table, in location order.
    pub async fn files(&self) -> Result<Vec<LakeFile>, Error> {
        let prefix = self.root.clone().join(READS_DIR);
        let objects: Vec<_> = self
            .store
            .list(Some(&prefix))
            .try_collect()
            .await
            .map_err(|source| self.error("listing", source))?;
        let mut files: Vec<LakeFile> = objects
            .into_iter()
            .filter(|object| object.location.as_ref().ends_with(".parquet"))
            .filter_map(|object| {
                let location = object.location.to_string();
                let date = partition_date(&location)?.to_owned();
                Some(LakeFile {
                    location,
                    date,
                    size_bytes: object.size,
                })
            })
            .collect();
        files.sort_by(|a, b| a.location.cmp(&b.location));
        Ok(files)
    }

    /// `ROOT/reads/date=D/NODE_seg-N.parquet` for the segment `DATA/segments/date=D/seg-N.parquet`.
    fn segment_location(&self, node: &NodeId, segment_path: &Path) -> Result<LakePath, Error> {
        let not_segment = || Error::BadLake {
            reason: format!("{segment_path:?} is not a segment under segments/date=YYYY-MM-DD/"),
        };
        let name = segment_path
            .file_name()
            .and_then(|name| name.to_str())
            .ok_or_else(not_segment)?;
        let partition = segment_path
            .parent()
            .and_then(Path::file_name)
            .and_then(|name| name.to_str())
            .filter(|name| name.starts_with("date="))
            .ok_or_else(not_segment)?;
        Ok(self
            .root
            .clone()
            .join(READS_DIR)
            .join(partition)
            .join(format!("{}_{name}", node.as_str())))
    }

    async fn upload(&self, segment_path: &Path, location: &LakePath) -> Result<(), Error> {
        let mut file = std::fs::File::open(segment_path)
            .map_err(|source| Error::io("opening", segment_path, source))?;
        let upload = self
            .store
            .put_multipart(location)
            .await
            .map_err(|source| self.error("starting an upload", source))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, UPLOAD_PART_BYTES);
        let mut buffer = vec![0u8; UPLOAD_PART_BYTES];
        loop {
            let n_bytes = match file.read(&mut buffer) {
                Ok(0) => break,
                Ok(n_bytes) => n_bytes,
                Err(source) => {
                    // The upload never becomes visible; its parts are discarded.
                    let _ = writer.abort().await;
                    return Err(Error::io("reading", segment_path, source));
                }
            };
            writer
                .wait_for_capacity(UPLOAD_PARTS_IN_FLIGHT)
                .await
                .map_err(|source| self.error("uploading", source))?;
            writer.write(&buffer[..n_bytes]);
        }
        writer
            .finish()
            .await
            .map_err(|source| self.error("finishing an upload", source))?;
        Ok(())
    }

    fn error(&self, action: &'static str, source: object_store::Error) -> Error {
        Error::Lake {
            action,
            location: self.url.clone(),
            source,
        }
    }
}

/// `paths` (e.g. `Store::segment_paths`) as absolute UTF-8 paths, the form a DataFusion
/// listing table or a Ballista cluster on the same filesystem takes.
pub fn absolute_path_urls(paths: &[PathBuf]) -> Result<Vec<String>, Error> {
    paths
        .iter()
        .map(|path| {
            let absolute = std::path::absolute(path)
                .map_err(|source| Error::io("making absolute", path, source))?;
            absolute
                .into_os_string()
                .into_string()
                .map_err(|path| Error::BadLake {
                    reason: format!("path {path:?} is not UTF-8"),
                })
        })
        .collect()
}

fn file_name(location: &str) -> &str {
    location.rsplit('/').next().unwrap_or(location)
}

/// `YYYY-MM-DD` from the `date=YYYY-MM-DD` directory of a location.
fn partition_date(location: &str) -> Option<&str> {
    location
        .split('/')
        .find_map(|part| part.strip_prefix("date="))
}
