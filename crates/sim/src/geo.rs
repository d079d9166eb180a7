//! Spherical geometry on WGS 84 coordinates: distances, bearings and interpolation.

/// Mean Earth radius in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance between two points, in metres.
pub fn haversine_m(lat_a: f64, lon_a: f64, lat_b: f64, lon_b: f64) -> f64 {
    let (phi_a, phi_b) = (lat_a.to_radians(), lat_b.to_radians());
    let d_phi = phi_b - phi_a;
    let d_lambda = (lon_b - lon_a).to_radians();
    let h =
        (d_phi / 2.0).sin().powi(2) + phi_a.cos() * phi_b.cos() * (d_lambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// Initial bearing from a to b in degrees clockwise from north, in `0..360`.
pub fn bearing_deg(lat_a: f64, lon_a: f64, lat_b: f64, lon_b: f64) -> f64 {
    let (phi_a, phi_b) = (lat_a.to_radians(), lat_b.to_radians());
    let d_lambda = (lon_b - lon_a).to_radians();
    let y = d_lambda.sin() * phi_b.cos();
    let x = phi_a.cos() * phi_b.sin() - phi_a.sin() * phi_b.cos() * d_lambda.cos();
    (y.atan2(x).to_degrees() + 360.0) % 360.0
}

/// The point at `fraction` (0..=1) of the way from a to b; linear in degrees, which is
/// accurate to metres over the few tens of kilometres between road nodes.
pub(crate) fn lerp(lat_a: f64, lon_a: f64, lat_b: f64, lon_b: f64, fraction: f64) -> (f64, f64) {
    (
        lat_a + (lat_b - lat_a) * fraction,
        lon_a + (lon_b - lon_a) * fraction,
    )
}

/// Moves a point by `east_m` and `north_m` metres.
pub(crate) fn offset_m(lat: f64, lon: f64, east_m: f64, north_m: f64) -> (f64, f64) {
    let d_lat = north_m / EARTH_RADIUS_M;
    let d_lon = east_m / (EARTH_RADIUS_M * lat.to_radians().cos());
    (lat + d_lat.to_degrees(), lon + d_lon.to_degrees())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calais_to_dover_is_about_forty_kilometres() {
        let distance_m = haversine_m(50.9513, 1.8587, 51.1270, 1.3310);
        assert!((40_000.0..43_000.0).contains(&distance_m), "{distance_m}");
    }

    #[test]
    fn bearing_points_the_right_way() {
        let east = bearing_deg(50.0, 1.0, 50.0, 2.0);
        let north = bearing_deg(50.0, 1.0, 51.0, 1.0);
        assert!((east - 90.0).abs() < 1.0, "{east}");
        assert!(!(0.5..=359.5).contains(&north), "{north}");
    }

    #[test]
    fn offset_moves_by_the_asked_distance() {
        let (lat, lon) = offset_m(50.0, 2.0, 300.0, 400.0);
        let distance_m = haversine_m(50.0, 2.0, lat, lon);
        assert!((distance_m - 500.0).abs() < 1.0, "{distance_m}");
    }
}
