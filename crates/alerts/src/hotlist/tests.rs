//! Tests of the durable hotlist: versions, expiry, deletion, CSV import, reopening.

use super::Hotlist;
use super::entry::{ChangeKind, CountrySpec, EntryFields, PlateSpec, ReasonCategory, Sharing};
use crate::AlertError;
use corridor_domain::Country;

const NOW: i64 = 1_800_000_000_000_000;

fn fields(plate: &str, country: &str) -> EntryFields {
    EntryFields {
        plate: PlateSpec::parse(plate).expect("plate"),
        country: CountrySpec::parse(country).expect("country"),
        reason: ReasonCategory::Smuggling,
        handling: "observe, do not stop".to_owned(),
        agency: "NCA".to_owned(),
        expires_at: None,
        sharing: Sharing::International,
    }
}

#[test]
fn updates_keep_history_and_survive_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hotlist = Hotlist::open(dir.path()).expect("open");
    let created = hotlist
        .create(fields("AB12CDE", "GB"), "alice", NOW)
        .expect("create");
    let mut changed = fields("AB12CDE", "FR");
    changed.handling = "stop and search".to_owned();
    hotlist
        .update(created.entry_id, changed, "bob", NOW + 1)
        .expect("update");
    hotlist
        .expire(created.entry_id, "carol", NOW + 2)
        .expect("expire");
    let other = hotlist
        .create(fields("XY99?Z?", "any"), "alice", NOW)
        .expect("create");
    hotlist
        .delete(other.entry_id, "alice", NOW + 3)
        .expect("delete");
    drop(hotlist);

    let hotlist = Hotlist::open(dir.path()).expect("reopen");
    let history = hotlist.history(created.entry_id);
    let changes: Vec<_> = history
        .iter()
        .map(|v| (v.version, v.change, v.changed_by.as_str()))
        .collect();
    assert_eq!(
        changes,
        vec![
            (1, ChangeKind::Created, "alice"),
            (2, ChangeKind::Updated, "bob"),
            (3, ChangeKind::Expired, "carol")
        ]
    );
    assert_eq!(
        history[0].fields.country,
        CountrySpec::Only(Country::from_static("GB"))
    );
    assert_eq!(history[1].fields.handling, "stop and search");
    assert_eq!(history[2].fields.expires_at, Some(NOW + 2));
    assert_eq!(hotlist.get(other.entry_id), None);
    assert_eq!(hotlist.history(other.entry_id).len(), 2);
    assert_eq!(hotlist.list(None, 10).len(), 1);
    let next = hotlist
        .create(fields("CD34EFG", "GB"), "alice", NOW)
        .expect("create");
    assert!(
        next.entry_id > other.entry_id,
        "ids are never reused after reopening"
    );
}

#[test]
fn changing_a_deleted_entry_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hotlist = Hotlist::open(dir.path()).expect("open");
    let created = hotlist
        .create(fields("AB12CDE", "GB"), "alice", NOW)
        .expect("create");
    hotlist
        .delete(created.entry_id, "alice", NOW)
        .expect("delete");
    let err = hotlist
        .expire(created.entry_id, "alice", NOW)
        .expect_err("deleted");
    assert!(
        matches!(err, AlertError::UnknownEntry(id) if id == created.entry_id.0),
        "{err}"
    );
}

#[test]
fn csv_import_reads_every_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hotlist = Hotlist::open(dir.path()).expect("open");
    let csv = "plate,country,reason,handling,agency,expires_at,sharing\n\
               AB12 CDE,gb,stolen,stop,NCA,2027-01-31T00:00:00Z,national\n\
               AB12?C?,any,smuggling,,DGPN,,international\n";
    let imported = hotlist
        .import_csv(csv.as_bytes(), "import", NOW)
        .expect("import");
    assert_eq!(imported.len(), 2);
    assert_eq!(imported[0].fields.plate.as_str(), "AB12CDE");
    assert_eq!(imported[0].fields.expires_at, Some(1_801_353_600_000_000));
    assert_eq!(imported[0].fields.sharing, Sharing::National);
    assert!(matches!(imported[1].fields.plate, PlateSpec::Pattern(_)));
    assert_eq!(imported[1].fields.country, CountrySpec::Any);
}

#[track_caller]
fn check_csv_error(csv: &str, expected: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let hotlist = Hotlist::open(dir.path()).expect("open");
    let err = hotlist
        .import_csv(csv.as_bytes(), "import", NOW)
        .expect_err("bad csv");
    assert_eq!(err.to_string(), expected);
    assert!(hotlist.is_empty(), "a failed import writes nothing");
}

#[test]
fn csv_errors_name_line_and_field() {
    let header = "plate,country,reason,handling,agency,expires_at,sharing\n";
    check_csv_error(
        &format!("{header}AB12CDE,GB,stolen,,NCA,,agency\nAB12CDE,,stolen,,NCA,,agency\n"),
        "csv line 3: field `country`: country ``: expected a two-letter ISO 3166-1 code, or `any`",
    );
    check_csv_error(
        &format!("{header}AB12CDE,GB,parking,,NCA,,agency\n"),
        "csv line 2: field `reason`: `parking` is not one of stolen, wanted, smuggling, missing, intelligence, other",
    );
    check_csv_error(
        &format!("{header}AB12CDE,GB,stolen,,NCA,tomorrow,agency\n"),
        "csv line 2: field `expires_at`: `tomorrow` is not an RFC 3339 time such as 2027-01-31T00:00:00Z",
    );
    check_csv_error(
        &format!("{header}AB12CDE,GB,stolen,,,,agency\n"),
        "csv line 2: field `agency`: empty",
    );
    check_csv_error(
        "plate,country,reason,agency,expires_at,sharing\n",
        "csv: header lacks column `handling` (expected plate,country,reason,handling,agency,expires_at,sharing)",
    );
}

fn spec(plates: Vec<corridor_domain::PlateKey>) -> super::NetworkWatchSpec {
    super::NetworkWatchSpec {
        watch_id: "net-1".to_owned(),
        name: "coastal vans".to_owned(),
        agency: "NCA".to_owned(),
        plates,
        expires_at: None,
    }
}

#[test]
fn network_watch_versions_replace_members() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hotlist = Hotlist::open(dir.path()).expect("open");
    let key = |text: &str| corridor_domain::PlateKey {
        text: corridor_domain::PlateText::parse(text).expect("plate"),
        country: Some(Country::from_static("FR")),
    };
    hotlist
        .set_network_watch(spec(vec![key("AA111AA"), key("BB222BB")]), "analyst", NOW)
        .expect("set");
    hotlist
        .set_network_watch(spec(vec![key("BB222BB")]), "analyst", NOW)
        .expect("set");
    drop(hotlist);
    let hotlist = Hotlist::open(dir.path()).expect("reopen");
    let index = hotlist.index();
    assert!(index.network_members("AA111AA").is_empty());
    assert_eq!(index.network_members("BB222BB").len(), 1);
    assert_eq!(index.network_members("BB222BB")[0].watch.version, 2);
}
