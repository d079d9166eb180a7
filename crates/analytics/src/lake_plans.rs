//! The plans' `reads` relation over Parquet files in the store's reads schema (the store's
//! segments, or a lake of several nodes' segments), for the embedded engine on Parquet and
//! for a Ballista cluster.
//!
//! The embedded engine runs the plans over the read table after clock skews were corrected
//! and misreads relinked. Over the files, the same corrections are part of the plan:
//!
//! ```text
//! lake_reads (Parquet: read_id, plate, country, camera_id, ts, ...)
//!   LEFT JOIN relink(read_id, plate)          misreads moved to the track they fit
//!   ts - CASE camera_id WHEN .. THEN skew     clock skews, per camera
//!   WHERE window                              the analysis window on the stored ts
//!   -> reads(plate 'TEXT/COUNTRY', camera camera_id, ts micros)
//! ```

use crate::Error;
use crate::TimeWindow;
use crate::misread::Link;
use crate::plans::{PlanKeys, plan_error, plate_key};
use crate::table::ReadTable;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::prelude::SessionContext;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;

/// The name the Parquet files are registered under.
const LAKE_TABLE: &str = "lake_reads";

/// Registers the Parquet files or directories `reads_urls` as `lake_reads`, in the store's
/// reads schema.
pub(crate) fn register_lake(ctx: &SessionContext, reads_urls: &[String]) -> Result<(), Error> {
    const PLAN: &str = "register_lake";
    if reads_urls.is_empty() {
        return Err(Error::BadEngine {
            raw: "parquet".to_owned(),
            reason: "no Parquet files of the reads were given".to_owned(),
        });
    }
    let urls = reads_urls
        .iter()
        .map(|url| ListingTableUrl::parse(url).map_err(|err| plan_error(PLAN, err)))
        .collect::<Result<Vec<_>, _>>()?;
    let options =
        ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
    let config = ListingTableConfig::new_with_multi_paths(urls)
        .with_listing_options(options)
        .with_schema(corridor_store::schema::reads_schema());
    let table = ListingTable::try_new(config).map_err(|err| plan_error(PLAN, err))?;
    ctx.register_table(LAKE_TABLE, Arc::new(table))
        .map_err(|err| plan_error(PLAN, err))?;
    Ok(())
}

/// The keys of `reads` defined over `lake_reads` with the table's corrections.
pub(crate) fn lake_keys(
    table: &ReadTable,
    skews_us: &[i64],
    links: &[Link],
    window: Option<TimeWindow>,
) -> PlanKeys {
    PlanKeys::names(table, reads_cte(table, skews_us, links, window))
}

/// `WITH reads AS (...) `: the corrected reads over `lake_reads`, keyed by names.
fn reads_cte(
    table: &ReadTable,
    skews_us: &[i64],
    links: &[Link],
    window: Option<TimeWindow>,
) -> String {
    let mut plate = "r.plate || '/' || COALESCE(r.country, '')".to_owned();
    let mut relink_join = String::new();
    // One row per read id: a read stored by two nodes is in the table (and the lake) twice,
    // and a repeated id in the list would count each of its rows twice more.
    let relinked: BTreeMap<String, u32> = links
        .iter()
        .map(|link| (table.read_id(link.row), link.to_plate))
        .collect();
    if !relinked.is_empty() {
        plate = format!("COALESCE(relink.plate, {plate})");
        relink_join.push_str(" LEFT JOIN (VALUES ");
        for (idx, (read_id, to_plate)) in relinked.iter().enumerate() {
            let separator = if idx == 0 { "" } else { ", " };
            let read_id = quote(read_id);
            let key = quote(&plate_key(table, *to_plate));
            write!(relink_join, "{separator}({read_id}, {key})").expect("writing to a String");
        }
        relink_join.push_str(") AS relink(read_id, plate) ON r.read_id = relink.read_id");
    }
    let mut ts = "CAST(r.ts AS BIGINT)".to_owned();
    let skewed: Vec<(usize, i64)> = skews_us
        .iter()
        .copied()
        .enumerate()
        .filter(|&(_, skew)| skew != 0)
        .collect();
    if !skewed.is_empty() {
        ts.push_str(" - CASE r.camera_id");
        for (camera, skew) in skewed {
            let camera_id = quote(&table.cameras[camera].camera_id);
            write!(ts, " WHEN {camera_id} THEN {skew}").expect("writing to a String");
        }
        ts.push_str(" ELSE 0 END");
    }
    let mut filter = Vec::new();
    if let Some(window) = window {
        if window.from > i64::MIN {
            filter.push(format!("CAST(r.ts AS BIGINT) >= {}", window.from));
        }
        if window.to < i64::MAX {
            filter.push(format!("CAST(r.ts AS BIGINT) < {}", window.to));
        }
    }
    let filter = if filter.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", filter.join(" AND "))
    };
    format!(
        "WITH reads AS (SELECT {plate} AS plate, r.camera_id AS camera, {ts} AS ts \
         FROM {LAKE_TABLE} AS r{relink_join}{filter}) "
    )
}

/// A SQL string literal.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
