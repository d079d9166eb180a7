//! What raises an alert and what must not: exact, probable, country, expiry, patterns,
//! networks, geofences and convoys, each checked through a real webhook receiver.

use crate::receiver::Receiver;
use crate::support::{SEC, T0, entry, open_engine, read, webhook};
use corridor_alerts::{
    GeoPoint, MatchKind, NetworkWatchSpec, TimeWindow, Trigger, Zone, ZoneShape,
};
use corridor_domain::{Country, PlateKey, PlateText};

#[tokio::test]
async fn exact_hit_is_delivered_with_entry_details() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = open_engine(dir.path());
    let receiver = Receiver::start(0).await;
    let _worker = webhook(&engine, &receiver);
    let created = engine
        .hotlist()
        .create(entry("AB12CDE", "GB"), "alice", T0)
        .expect("create");
    let alerts = engine
        .check_reads_durable(
            &[read("r1", "ab12 cde", Some("GB"), "cam-a", T0 + SEC)],
            T0 + SEC,
        )
        .expect("check");
    assert_eq!(alerts.len(), 1);
    let delivered = receiver.wait_accepted(1).await;
    let body = &delivered[0].body;
    assert_eq!(body["match"], "exact");
    assert_eq!(body["read_id"], "r1");
    assert_eq!(body["trigger"]["type"], "sighting");
    assert_eq!(body["watch"]["entry_id"], created.entry_id.0);
    assert_eq!(body["watch"]["reason"], "smuggling");
    assert_eq!(body["watch"]["handling"], "observe; do not stop");
    assert_eq!(receiver.n_bad_signature(), 0);
}

#[tokio::test]
async fn misread_is_probable_never_exact_and_other_country_is_no_hit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = open_engine(dir.path());
    let receiver = Receiver::start(0).await;
    let _worker = webhook(&engine, &receiver);
    engine
        .hotlist()
        .create(entry("AB12CDE", "GB"), "alice", T0)
        .expect("create");
    // Same characters from France: another vehicle, no hit.
    let french = engine
        .check_reads_durable(
            &[read("r-fr", "AB12CDE", Some("FR"), "cam-a", T0 + SEC)],
            T0 + SEC,
        )
        .expect("check");
    assert!(french.is_empty(), "{french:?}");
    // `8` read for `B`: a likely misread of the watched plate.
    let misread = engine
        .check_reads_durable(
            &[read("r-8", "A812CDE", Some("GB"), "cam-a", T0 + 2 * SEC)],
            T0 + 2 * SEC,
        )
        .expect("check");
    assert_eq!(misread.len(), 1);
    let MatchKind::Probable { probability } = misread[0].match_kind else {
        panic!(
            "a misread must be probable, not {:?}",
            misread[0].match_kind
        );
    };
    assert!(probability > 0.05 && probability < 1.0, "{probability}");
    let delivered = receiver.wait_accepted(1).await;
    assert_eq!(delivered.len(), 1, "the French read was never sent");
    assert_eq!(delivered[0].body["read_id"], "r-8");
    assert_eq!(delivered[0].body["match"], "probable");
    let sent = delivered[0].body["probability"]
        .as_f64()
        .expect("probability is a number");
    assert!((sent - probability).abs() < 1e-9, "{sent} vs {probability}");
    assert_eq!(delivered[0].body["watch"]["watched_plate"], "AB12CDE");
}

#[tokio::test]
async fn expired_entries_stop_alerting_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = open_engine(dir.path());
    let receiver = Receiver::start(0).await;
    let _worker = webhook(&engine, &receiver);
    let mut dated = entry("EX01AAA", "GB");
    dated.expires_at = Some(T0 + 10 * SEC);
    engine.hotlist().create(dated, "alice", T0).expect("create");
    let expired_later = engine
        .hotlist()
        .create(entry("EX02BBB", "GB"), "alice", T0)
        .expect("create");
    engine
        .hotlist()
        .create(entry("OK01CCC", "any"), "alice", T0)
        .expect("create");

    let before = engine
        .check_reads_durable(
            &[read("r0", "EX01AAA", Some("GB"), "cam-a", T0 + SEC)],
            T0 + SEC,
        )
        .expect("check");
    assert_eq!(before.len(), 1, "live before its expiry");
    let after = engine
        .check_reads_durable(
            &[read("r1", "EX01AAA", Some("GB"), "cam-a", T0 + 11 * SEC)],
            T0 + 11 * SEC,
        )
        .expect("check");
    assert!(after.is_empty(), "{after:?}");
    engine
        .hotlist()
        .expire(expired_later.entry_id, "bob", T0 + 12 * SEC)
        .expect("expire");
    let expired = engine
        .check_reads_durable(
            &[read("r2", "EX02BBB", Some("GB"), "cam-a", T0 + 13 * SEC)],
            T0 + 13 * SEC,
        )
        .expect("check");
    assert!(expired.is_empty(), "{expired:?}");
    // Delivery is in log order: once the last live hit arrives, nothing expired was sent.
    engine
        .check_reads_durable(
            &[read("r3", "OK01CCC", Some("BE"), "cam-a", T0 + 14 * SEC)],
            T0 + 14 * SEC,
        )
        .expect("check");
    let delivered = receiver.wait_accepted(2).await;
    let read_ids: Vec<_> = delivered
        .iter()
        .map(|d| d.body["read_id"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(read_ids, vec!["r0", "r3"]);
}

#[test]
fn patterns_networks_and_unknown_countries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = open_engine(dir.path());
    engine
        .hotlist()
        .create(entry("AB12?C?", "FR"), "alice", T0)
        .expect("create");
    engine
        .hotlist()
        .create(entry("ZZ99ZZZ", "GB"), "alice", T0)
        .expect("create");
    let member = PlateKey {
        text: PlateText::parse("NW100AA").expect("plate"),
        country: Some(Country::from_static("PL")),
    };
    engine
        .hotlist()
        .set_network_watch(
            NetworkWatchSpec {
                watch_id: "net-7".to_owned(),
                name: "coastal vans".to_owned(),
                agency: "NCA".to_owned(),
                plates: vec![member],
                expires_at: None,
            },
            "analyst",
            T0,
        )
        .expect("watch");
    let check = |plate: &str, country: Option<&str>| -> Vec<String> {
        let read = read("r", plate, country, "cam-a", T0 + SEC);
        let hits = engine.matcher().match_read(&read, T0 + SEC);
        hits.iter()
            .map(|hit| match hit.kind {
                MatchKind::Probable { .. } => "probable".to_owned(),
                other => format!("{other:?}"),
            })
            .collect()
    };
    assert_eq!(check("AB12XCY", Some("FR")), vec!["Pattern"]);
    assert_eq!(check("AB12XDY", Some("FR")), Vec::<String>::new());
    assert_eq!(check("AB12XCY", Some("BE")), Vec::<String>::new());
    assert_eq!(check("ZZ99ZZZ", None), vec!["CountryUnknown"]);
    assert_eq!(check("NW100AA", Some("PL")), vec!["Exact"]);
    assert_eq!(check("NW10OAA", Some("PL")), vec!["probable"]);
    assert_eq!(check("NW100AA", Some("DE")), Vec::<String>::new());
}

#[tokio::test]
async fn geofence_alerts_on_entering_the_coast_at_night_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = open_engine(dir.path());
    let receiver = Receiver::start(0).await;
    let _worker = webhook(&engine, &receiver);
    engine
        .hotlist()
        .create(entry("GF11AAA", "GB"), "alice", T0)
        .expect("create");
    engine
        .set_zones(vec![Zone {
            zone_id: "coast".to_owned(),
            name: "coastal strip".to_owned(),
            shape: ZoneShape::Circle {
                center: GeoPoint {
                    lat: 50.95,
                    lon: 1.85,
                },
                radius_m: 10_000.0,
            },
            window: Some(TimeWindow {
                start_minute: 22 * 60,
                end_minute: 5 * 60,
                utc_offset_minutes: 60,
            }),
        }])
        .expect("zones");
    let hour = 3600 * SEC;
    // T0 is midnight UTC (01:00 local): night. Noon UTC is day.
    let day = engine
        .check_reads_durable(
            &[read(
                "d1",
                "GF11AAA",
                Some("GB"),
                "cam-coast",
                T0 + 12 * hour,
            )],
            T0,
        )
        .expect("check");
    let inland = engine
        .check_reads_durable(
            &[read(
                "n0",
                "GF11AAA",
                Some("GB"),
                "cam-inland",
                T0 + 24 * hour,
            )],
            T0,
        )
        .expect("check");
    let coast = engine
        .check_reads_durable(
            &[read(
                "n1",
                "GF11AAA",
                Some("GB"),
                "cam-coast",
                T0 + 24 * hour + SEC,
            )],
            T0,
        )
        .expect("check");
    let again = engine
        .check_reads_durable(
            &[read(
                "n2",
                "GF11AAA",
                Some("GB"),
                "cam-coast",
                T0 + 24 * hour + 60 * SEC,
            )],
            T0,
        )
        .expect("check");
    let triggers = |alerts: &[std::sync::Arc<corridor_alerts::Alert>]| -> Vec<String> {
        alerts
            .iter()
            .map(|a| match &a.trigger {
                Trigger::Geofence { zone_id, .. } => format!("geofence:{zone_id}"),
                other => format!("{other:?}"),
            })
            .collect()
    };
    assert_eq!(triggers(&day), vec!["Sighting"]);
    assert_eq!(triggers(&inland), vec!["Sighting"]);
    assert_eq!(triggers(&coast), vec!["Sighting", "geofence:coast"]);
    assert_eq!(
        triggers(&again),
        vec!["Sighting"],
        "still inside: not entering again"
    );
    let delivered = receiver.wait_accepted(5).await;
    let geofence: Vec<_> = delivered
        .iter()
        .filter(|d| d.body["trigger"]["type"] == "geofence")
        .collect();
    assert_eq!(geofence.len(), 1);
    assert_eq!(geofence[0].body["read_id"], "n1");
    assert_eq!(geofence[0].body["trigger"]["zone_name"], "coastal strip");
}

#[tokio::test]
async fn convoy_with_unknown_vehicle_at_two_cameras_raises_one_pattern_alert() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = open_engine(dir.path());
    let receiver = Receiver::start(0).await;
    let _worker = webhook(&engine, &receiver);
    engine
        .hotlist()
        .create(entry("CV11WAT", "GB"), "alice", T0)
        .expect("create");
    let reads = [
        read("w-a", "CV11WAT", Some("GB"), "cam-a", T0),
        read("u-a", "UN22KWN", Some("FR"), "cam-a", T0 + 8 * SEC),
        // A vehicle seen with the watched one at only one camera is no convoy.
        read("x-a", "XX33ONE", Some("FR"), "cam-a", T0 + 12 * SEC),
        // Too far apart at camera b to count.
        read("x-b", "XX33ONE", Some("FR"), "cam-b", T0 + 900 * SEC),
        read("u-b", "UN22KWN", Some("FR"), "cam-b", T0 + 1200 * SEC),
        read("w-b", "CV11WAT", Some("GB"), "cam-b", T0 + 1210 * SEC),
    ];
    let mut convoy = Vec::new();
    for plate_read in &reads {
        let alerts = engine
            .check_reads_durable(std::slice::from_ref(plate_read), T0)
            .expect("check");
        convoy.extend(
            alerts
                .into_iter()
                .filter(|a| matches!(a.trigger, Trigger::Convoy { .. })),
        );
    }
    assert_eq!(convoy.len(), 1, "{convoy:?}");
    match &convoy[0].trigger {
        Trigger::Convoy {
            companion_plate,
            cameras,
            ..
        } => {
            assert_eq!(companion_plate, "UN22KWN");
            assert_eq!(cameras, &vec!["cam-a".to_owned(), "cam-b".to_owned()]);
        }
        other => panic!("not a convoy: {other:?}"),
    }
    assert_eq!(
        convoy[0].read_id, "w-b",
        "the alert reports the watched vehicle's read"
    );
    let delivered = receiver.wait_accepted(3).await;
    assert_eq!(
        delivered
            .iter()
            .filter(|d| d.body["trigger"]["type"] == "convoy")
            .count(),
        1
    );
}
