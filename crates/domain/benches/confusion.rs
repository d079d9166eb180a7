//! Criterion benchmarks of the misread model and the grammars: `cargo bench -p corridor-domain`.

use corridor_domain::confusion::ConfusionModel;
use corridor_domain::{Country, PlatePattern, PlateText, grammar};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn confusion(c: &mut Criterion) {
    let model = ConfusionModel::standard();
    let read = PlateText::parse("A812CDE").expect("constant plate");
    c.bench_function("alternatives/7 chars/n_max 64/no country", |b| {
        b.iter(|| model.alternatives(black_box(&read), 64))
    });
    for code in ["GB", "NL", "DE"] {
        let country = Some(Country::from_static(code));
        c.bench_function(&format!("alternatives/7 chars/n_max 64/{code}"), |b| {
            b.iter(|| model.alternatives_in(black_box(&read), country, 64))
        });
    }
    c.bench_function("likelihood/7 chars/one substitution", |b| {
        b.iter(|| model.likelihood(black_box("A812CDE"), black_box("AB12CDE")))
    });
    c.bench_function("likelihood/7 chars/one drop", |b| {
        b.iter(|| model.likelihood(black_box("AB2CDE"), black_box("AB12CDE")))
    });
}

fn grammars(c: &mut Criterion) {
    let plate = PlateText::parse("AB123CD").expect("constant plate");
    c.bench_function("guess_country/7 chars", |b| {
        b.iter(|| grammar::guess_country(black_box(&plate)))
    });
    let gb = Country::from_static("GB");
    c.bench_function("validate/GB/7 chars", |b| {
        b.iter(|| grammar::validate(gb, black_box(&plate)))
    });
    let pattern = PlatePattern::parse("*12?CD*").expect("constant pattern");
    c.bench_function("pattern/matches", |b| {
        b.iter(|| pattern.matches(black_box("AB123CD")))
    });
}

criterion_group!(benches, confusion, grammars);
criterion_main!(benches);
