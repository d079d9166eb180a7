//! The memtable: reads in the WAL that are not yet in a segment, indexed by plate and id.

use crate::ids::id_hash;
use corridor_domain::{PlateRead, PlateText};
use std::collections::HashMap;

/// Reads appended since the last flush, in WAL order.
#[derive(Debug, Default)]
pub(crate) struct Memtable {
    pub(crate) reads: Vec<PlateRead>,
    /// `(wal sequence, rows after that record)`, ascending: rows of a record become visible
    /// once its sequence number is durable.
    record_ends: Vec<(u64, usize)>,
    by_plate: HashMap<PlateText, Vec<u32>>,
    by_id: HashMap<u64, Vec<u32>>,
}

impl Memtable {
    /// Adds the rows of WAL record `seq`.
    pub(crate) fn push_record(&mut self, seq: u64, reads: Vec<PlateRead>) {
        for read in reads {
            let row = self.reads.len() as u32;
            self.by_plate
                .entry(read.plate.clone())
                .or_default()
                .push(row);
            self.by_id
                .entry(id_hash(&read.read_id))
                .or_default()
                .push(row);
            self.reads.push(read);
        }
        self.record_ends.push((seq, self.reads.len()));
    }

    /// Rows whose record is durable when `durable_seq` is.
    pub(crate) fn visible_rows(&self, durable_seq: u64) -> usize {
        let n_records = self
            .record_ends
            .partition_point(|&(seq, _)| seq <= durable_seq);
        match n_records {
            0 => 0,
            n => self.record_ends[n - 1].1,
        }
    }

    /// The WAL sequence number of the record holding `row`.
    pub(crate) fn seq_of_row(&self, row: usize) -> u64 {
        let idx = self.record_ends.partition_point(|&(_, end)| end <= row);
        self.record_ends[idx].0
    }

    /// The row holding `read_id`, if any (durable or not).
    pub(crate) fn find_id(&self, hash: u64, read_id: &str) -> Option<usize> {
        self.by_id
            .get(&hash)?
            .iter()
            .map(|&row| row as usize)
            .find(|&row| self.reads[row].read_id == read_id)
    }

    /// Whether some row's id has this hash.
    pub(crate) fn contains_hash(&self, hash: u64) -> bool {
        self.by_id.contains_key(&hash)
    }

    /// Rows of `plate` among the first `n_visible`.
    pub(crate) fn plate_rows(
        &self,
        plate: &PlateText,
        n_visible: usize,
    ) -> impl Iterator<Item = &PlateRead> {
        self.by_plate
            .get(plate)
            .into_iter()
            .flatten()
            .map(|&row| row as usize)
            .filter(move |&row| row < n_visible)
            .map(|row| &self.reads[row])
    }

    /// Whether any visible row has this plate text.
    pub(crate) fn contains_plate(&self, plate: &PlateText, n_visible: usize) -> bool {
        self.plate_rows(plate, n_visible).next().is_some()
    }

    pub(crate) fn len(&self) -> usize {
        self.reads.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.reads.is_empty()
    }

    /// The sorted id hashes of all rows.
    pub(crate) fn sorted_id_hashes(&self) -> Vec<u64> {
        let mut hashes: Vec<u64> = self
            .reads
            .iter()
            .map(|read| id_hash(&read.read_id))
            .collect();
        hashes.sort_unstable();
        hashes
    }
}
