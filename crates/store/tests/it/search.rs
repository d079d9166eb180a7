//! Plate search: exact, wildcard and fuzzy on small data.

use crate::{DAY0, HOUR, open, read};
use corridor_domain::Country;
use corridor_store::search::{SearchMode, SearchQuery, search};

fn plates(hits: &[corridor_store::search::SearchHit]) -> Vec<String> {
    hits.iter()
        .map(|hit| match hit.plate.country {
            Some(country) => format!("{}/{country}", hit.plate.text),
            None => hit.plate.text.to_string(),
        })
        .collect()
}

fn store_with_reads() -> (tempfile::TempDir, corridor_store::Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let mut reads = Vec::new();
    for n in 0..3 {
        reads.push(read(
            &format!("a{n}"),
            "AB12CDE",
            Some("GB"),
            DAY0 + n * HOUR,
        ));
    }
    reads.push(read("b0", "AB12CDE", Some("FR"), DAY0));
    reads.push(read("c0", "A812CDE", Some("GB"), DAY0 + 5 * HOUR));
    reads.push(read("d0", "AB12CD", Some("GB"), DAY0 + 6 * HOUR));
    reads.push(read("e0", "XY34CDE", None, DAY0));
    store.append_durable(&reads[..4]).unwrap();
    store.flush().unwrap();
    store.append_durable(&reads[4..]).unwrap();
    (dir, store)
}

#[test]
fn exact_search_groups_by_country() {
    let (_dir, store) = store_with_reads();
    let hits = search(&store, &SearchQuery::new("ab 12 cde", SearchMode::Exact)).unwrap();
    assert_eq!(plates(&hits), ["AB12CDE/GB", "AB12CDE/FR"]);
    assert_eq!(hits[0].reads.len(), 3);
    let gb_only = SearchQuery {
        country: Some(Country::parse("GB").unwrap()),
        ..SearchQuery::new("AB12CDE", SearchMode::Exact)
    };
    assert_eq!(plates(&search(&store, &gb_only).unwrap()), ["AB12CDE/GB"]);
}

#[test]
fn wildcard_search_matches_whole_plates() {
    let (_dir, store) = store_with_reads();
    let hits = search(&store, &SearchQuery::new("*CDE", SearchMode::Wildcard)).unwrap();
    assert_eq!(
        plates(&hits),
        ["AB12CDE/GB", "A812CDE/GB", "AB12CDE/FR", "XY34CDE"]
    );
    let hits = search(&store, &SearchQuery::new("AB12?D?", SearchMode::Wildcard)).unwrap();
    assert_eq!(plates(&hits), ["AB12CDE/GB", "AB12CDE/FR"]);
    assert!(search(&store, &SearchQuery::new("**", SearchMode::Wildcard)).is_err());
}

#[test]
fn fuzzy_search_finds_misreads_ranked_by_likelihood() {
    let (_dir, store) = store_with_reads();
    let hits = search(&store, &SearchQuery::new("AB12CDE", SearchMode::Fuzzy)).unwrap();
    let found = plates(&hits);
    assert_eq!(
        &found[..2],
        ["AB12CDE/GB", "AB12CDE/FR"],
        "the text itself ranks first: {found:?}"
    );
    assert!(
        found.contains(&"A812CDE/GB".to_owned()),
        "B read as 8: {found:?}"
    );
    assert!(!found.contains(&"XY34CDE".to_owned()));
    assert!(
        hits.windows(2)
            .all(|pair| pair[0].likelihood >= pair[1].likelihood)
    );
    assert!(hits[0].likelihood > hits[2].likelihood);
    // A misread search text still finds the stored plate.
    let hits = search(&store, &SearchQuery::new("A8I2CDE", SearchMode::Fuzzy)).unwrap();
    assert!(
        plates(&hits).contains(&"AB12CDE/GB".to_owned()),
        "{:?}",
        plates(&hits)
    );
}
