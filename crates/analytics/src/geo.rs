//! Distances on the globe and the road-distance approximation.

/// Mean Earth radius in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle (haversine) distance in metres between two WGS 84 points in degrees.
pub fn great_circle_m(lat_a: f64, lon_a: f64, lat_b: f64, lon_b: f64) -> f64 {
    let (phi_a, phi_b) = (lat_a.to_radians(), lat_b.to_radians());
    let d_phi = phi_b - phi_a;
    let d_lambda = (lon_b - lon_a).to_radians();
    let h =
        (d_phi / 2.0).sin().powi(2) + phi_a.cos() * phi_b.cos() * (d_lambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// A point, in degrees.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) struct Point {
    pub(crate) lat: f64,
    pub(crate) lon: f64,
}

impl Point {
    pub(crate) fn distance_m(self, other: Point) -> f64 {
        great_circle_m(self.lat, self.lon, other.lat, other.lon)
    }

    /// The initial bearing from this point to `other`, in degrees clockwise from north
    /// (fine at corridor scale).
    pub(crate) fn bearing_deg(self, other: Point) -> f64 {
        let north = other.lat - self.lat;
        let east = (other.lon - self.lon) * self.lat.to_radians().cos();
        east.atan2(north).to_degrees().rem_euclid(360.0)
    }
}

/// The angle between two bearings or headings, in degrees (0 to 180).
pub(crate) fn angle_between_deg(a: f64, b: f64) -> f64 {
    let d = (a - b).rem_euclid(360.0);
    d.min(360.0 - d)
}

/// The mean of points (fine at corridor scale, far from the poles and the antimeridian)
/// and the root-mean-square distance of the points from it, in metres.
pub(crate) fn centroid(points: &[Point]) -> (Point, f64) {
    assert!(!points.is_empty(), "centroid of no points");
    let n = points.len() as f64;
    let lat = points.iter().map(|p| p.lat).sum::<f64>() / n;
    let lon = points.iter().map(|p| p.lon).sum::<f64>() / n;
    let centre = Point { lat, lon };
    let rms = (points
        .iter()
        .map(|p| p.distance_m(centre).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    (centre, rms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calais_to_dover_is_about_42_km() {
        let d = great_circle_m(50.9513, 1.8587, 51.1279, 1.3134);
        assert!((40_000.0..44_000.0).contains(&d), "{d}");
    }

    #[test]
    fn centroid_of_two_points_is_between_them() {
        let (c, rms) = centroid(&[
            Point {
                lat: 50.0,
                lon: 2.0,
            },
            Point {
                lat: 50.0,
                lon: 2.02,
            },
        ]);
        assert!((c.lon - 2.01).abs() < 1e-9);
        assert!((700.0..730.0).contains(&rms), "{rms}");
    }
}
