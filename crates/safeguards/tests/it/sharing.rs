//! Partners see only what their agreement allows, and never another partner's view.

use crate::fixtures::{DAY, NOW, principal, read};
use corridor_domain::{Camera, CameraKind, Country, PlateRead};
use corridor_safeguards::purpose::BBox;
use corridor_safeguards::sharing::{
    ReadField, ShareContext, ShareScope, SharingAgreement, TimeWindow, filter_reads,
    load_agreements,
};
use corridor_safeguards::{Principal, Role, SafeguardsError};
use std::collections::{BTreeSet, HashMap, HashSet};

fn camera(camera_id: &str, lat: f64, lon: f64, country: &str) -> (String, Camera) {
    let camera = Camera {
        camera_id: camera_id.to_owned(),
        name: camera_id.to_owned(),
        lat,
        lon,
        heading_deg: None,
        country: Some(Country::parse(country).unwrap()),
        operator: "ops".to_owned(),
        kind: CameraKind::Fixed,
        infrared: true,
    };
    (camera_id.to_owned(), camera)
}

fn cameras() -> HashMap<String, Camera> {
    HashMap::from([
        camera("FR-A16-0042", 50.74, 1.61, "FR"), // Boulogne
        camera("BE-E40-0007", 51.18, 3.09, "BE"), // Jabbeke
        camera("NL-A16-0001", 51.59, 4.73, "NL"), // Breda
    ])
}

/// The Dutch partner: reads near the Belgian-Dutch border, plate, time and camera only, last 28 days.
fn nl_agreement() -> SharingAgreement {
    SharingAgreement {
        id: "nl-kmar".to_owned(),
        partner_agency: "KMar".to_owned(),
        fields: BTreeSet::from([ReadField::Plate, ReadField::Ts, ReadField::CameraId]),
        regions: vec![BBox {
            lat_min: 51.0,
            lon_min: 2.5,
            lat_max: 52.0,
            lon_max: 5.5,
        }],
        camera_ids: BTreeSet::new(),
        all_regions: false,
        window: TimeWindow {
            from: None,
            to: None,
            max_age_days: Some(28),
        },
        scope: ShareScope::Reads,
    }
}

/// The Belgian partner: hits on its hotlist only, at one French camera, every field but the vehicle.
fn be_agreement() -> SharingAgreement {
    SharingAgreement {
        id: "be-fedpol".to_owned(),
        partner_agency: "Federale Politie".to_owned(),
        fields: BTreeSet::from([
            ReadField::ReadId,
            ReadField::Plate,
            ReadField::Country,
            ReadField::Ts,
            ReadField::CameraId,
        ]),
        regions: Vec::new(),
        camera_ids: BTreeSet::from(["FR-A16-0042".to_owned()]),
        all_regions: false,
        window: TimeWindow::default(),
        scope: ShareScope::HitsOnly,
    }
}

fn reads() -> Vec<PlateRead> {
    vec![
        read("r-fr-1", "AB12CDE", "GB", "FR-A16-0042", NOW - DAY),
        read("r-fr-2", "GH123JK", "FR", "FR-A16-0042", NOW - DAY),
        read("r-be-1", "1ABC234", "BE", "BE-E40-0007", NOW - 2 * DAY),
        read("r-nl-1", "12ABC3", "NL", "NL-A16-0001", NOW - 3 * DAY),
        read("r-nl-old", "99XYZ9", "NL", "NL-A16-0001", NOW - 40 * DAY),
        // A mobile camera read with its own position, inside the Dutch box.
        PlateRead {
            lat: Some(51.5),
            lon: Some(4.0),
            ..read("r-mob-1", "XX11YYY", "GB", "GB-MOB-0003", NOW - DAY)
        },
        // A read from an unknown camera without position: nobody's region can claim it.
        read("r-lost", "LL11OST", "GB", "UNKNOWN", NOW - DAY),
    ]
}

fn partner(user: &str, agency: &str, agreement: &str) -> Principal {
    Principal::new(user, Role::Partner, agency).with_agreement(agreement)
}

fn run(
    principal: &Principal,
    hits: &HashSet<String>,
) -> Result<Vec<corridor_safeguards::sharing::SharedRead>, SafeguardsError> {
    let agreements = vec![nl_agreement(), be_agreement()];
    let cameras = cameras();
    let context = ShareContext {
        agreements: &agreements,
        cameras: &cameras,
        hit_read_ids: hits,
        now: NOW,
    };
    filter_reads(principal, &reads(), &context)
}

#[test]
fn nl_partner_sees_only_its_region_window_and_fields() {
    let shared = run(&partner("kmar-1", "KMar", "nl-kmar"), &HashSet::new()).unwrap();
    let plates: Vec<&str> = shared
        .iter()
        .filter_map(|read| read.plate.as_deref())
        .collect();
    assert_eq!(
        plates,
        vec!["1ABC234", "12ABC3", "XX11YYY"],
        "Belgian and Dutch region, not older than 28 days"
    );
    for read in &shared {
        assert!(
            read.read_id.is_none()
                && read.country.is_none()
                && read.make.is_none()
                && read.lat.is_none(),
            "{read:?}"
        );
        assert!(read.ts.is_some() && read.camera_id.is_some());
    }
    let json = serde_json::to_string(&shared).unwrap();
    for hidden in ["read_id", "make", "colour", "confidence", "lat", "country"] {
        assert!(
            !json.contains(&format!("\"{hidden}\"")),
            "{hidden} leaked: {json}"
        );
    }
}

#[test]
fn be_partner_sees_only_hits_at_its_cameras() {
    let hits = HashSet::from(["r-fr-1".to_owned(), "r-nl-1".to_owned()]);
    let shared = run(&partner("fp-1", "Federale Politie", "be-fedpol"), &hits).unwrap();
    assert_eq!(
        shared.len(),
        1,
        "r-nl-1 is a hit but outside its cameras: {shared:?}"
    );
    assert_eq!(shared[0].read_id.as_deref(), Some("r-fr-1"));
    assert_eq!(shared[0].country.as_deref(), Some("GB"));
    assert!(shared[0].make.is_none());
}

#[test]
fn a_partner_never_uses_another_partners_agreement() {
    let err = run(&partner("kmar-1", "KMar", "be-fedpol"), &HashSet::new()).unwrap_err();
    assert!(
        err.to_string()
            .contains("binds `Federale Politie`, not `KMar`"),
        "{err}"
    );
    let err = run(&partner("kmar-1", "KMar", "fr-none"), &HashSet::new()).unwrap_err();
    assert!(err.to_string().contains("not in force"), "{err}");
    let err = run(
        &Principal::new("kmar-1", Role::Partner, "KMar"),
        &HashSet::new(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("has no sharing agreement"),
        "{err}"
    );
}

#[test]
fn two_partners_views_are_disjoint_where_agreements_are() {
    let hits: HashSet<String> = reads().iter().map(|read| read.read_id.clone()).collect();
    let nl = run(&partner("kmar-1", "KMar", "nl-kmar"), &hits).unwrap();
    let be = run(&partner("fp-1", "Federale Politie", "be-fedpol"), &hits).unwrap();
    let nl_plates: HashSet<_> = nl.iter().filter_map(|read| read.plate.clone()).collect();
    let be_plates: HashSet<_> = be.iter().filter_map(|read| read.plate.clone()).collect();
    assert!(
        nl_plates.is_disjoint(&be_plates),
        "{nl_plates:?} / {be_plates:?}"
    );
    assert!(!be_plates.contains("1ABC234"));
}

#[test]
fn internal_roles_see_every_field_and_every_read() {
    let shared = run(&principal("ana", Role::Analyst), &HashSet::new()).unwrap();
    assert_eq!(shared.len(), reads().len());
    assert_eq!(shared[0].make.as_deref(), Some("Ford"));
}

#[test]
fn agreements_file_rejects_silent_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agreements.json");
    let mut everywhere = nl_agreement();
    everywhere.regions.clear();
    std::fs::write(
        &path,
        serde_json::to_string(&vec![everywhere.clone()]).unwrap(),
    )
    .unwrap();
    let err = load_agreements(&path).unwrap_err();
    assert!(
        err.to_string().contains("names no region or camera"),
        "{err}"
    );
    everywhere.all_regions = true;
    std::fs::write(&path, serde_json::to_string(&vec![everywhere]).unwrap()).unwrap();
    assert_eq!(load_agreements(&path).unwrap().len(), 1);
}
