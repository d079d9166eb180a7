//! Trips and their reads: a planned trip is driven along its fastest path, and every camera
//! it passes may read it (or miss it, misread it, or send the read twice).

use crate::cameras::CameraLayout;
use crate::network::RoadNetwork;
use crate::vehicle::{PlateBuf, VehicleAttrs, VehicleClass};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// No truth tag: a background trip.
pub(crate) const UNTAGGED: u32 = u32::MAX;
/// No mobile deployment: a fixed camera.
pub(crate) const FIXED_SITE: u16 = u16::MAX;
/// Set in [`SimRead::k`] on a duplicate that got a read id of its own.
pub(crate) const DUP_DISTINCT_ID: u16 = 1 << 15;

/// One planned trip of one vehicle.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TripPlan {
    pub(crate) start_us: i64,
    pub(crate) from: u16,
    pub(crate) to: u16,
    pub(crate) attrs: VehicleAttrs,
    /// The speed the driver would like on an open road, km/h.
    pub(crate) cruise_kmh: f32,
    /// The share of the speed limit the driver keeps to, at most 1.
    pub(crate) pace: f32,
    pub(crate) tag: u32,
    pub(crate) seed: u64,
}

/// A read before it is written: compact and free of allocations.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SimRead {
    pub(crate) ts_us: i64,
    pub(crate) day: u32,
    pub(crate) trip: u32,
    /// Index of the read within its trip; [`DUP_DISTINCT_ID`] marks a re-sent copy with its own id.
    pub(crate) k: u16,
    pub(crate) camera: u16,
    /// Index into the layout's deployments for mobile reads, else [`FIXED_SITE`].
    pub(crate) deployment: u16,
    pub(crate) plate: PlateBuf,
    pub(crate) country: u8,
    pub(crate) colour: u8,
    pub(crate) model: u16,
    pub(crate) class: VehicleClass,
    /// Confidence in hundredths.
    pub(crate) confidence: u8,
    pub(crate) misread: bool,
    pub(crate) tag: u32,
}

impl SimRead {
    /// The order reads are written in: time, then camera, then identity.
    pub(crate) fn sort_key(&self) -> (i64, u16, u32, u32, u16) {
        (self.ts_us, self.camera, self.day, self.trip, self.k)
    }
}

/// The knobs of read generation that do not depend on the trip.
#[derive(Clone, Debug)]
pub(crate) struct ReadModel {
    pub(crate) misread_rate: f64,
    pub(crate) duplicate_rate: f64,
    /// Microseconds to add to UTC to get local (Central European) time.
    pub(crate) local_offset_us: i64,
    pub(crate) misreader: crate::misread::Misreader,
}

/// Where a trip's reads go.
pub(crate) struct ExpandCtx<'a> {
    pub(crate) network: &'a RoadNetwork,
    pub(crate) layout: &'a CameraLayout,
    pub(crate) model: &'a ReadModel,
}

/// The time a trip arrives at its destination, microseconds (no reads needed).
pub(crate) fn arrival_us(network: &RoadNetwork, plan: &TripPlan) -> i64 {
    let mut t_us = plan.start_us as f64;
    for edge_idx in network.path(plan.from, plan.to) {
        let edge = &network.edges[edge_idx as usize];
        t_us += edge_secs(edge, plan) * 1e6;
    }
    t_us as i64
}

fn speed_mps(edge: &crate::network::DirEdge, plan: &TripPlan) -> f64 {
    let kmh = f64::min(
        f64::from(plan.cruise_kmh),
        edge.limit_for(plan.attrs.class) * f64::from(plan.pace),
    );
    kmh / 3.6
}

fn edge_secs(edge: &crate::network::DirEdge, plan: &TripPlan) -> f64 {
    edge.crossing_secs()
        .unwrap_or_else(|| edge.length_m / speed_mps(edge, plan))
}

/// Drives `plan` along its path and appends its reads to `out`.
pub(crate) fn expand(
    ctx: &ExpandCtx<'_>,
    day: u32,
    trip: u32,
    plan: &TripPlan,
    out: &mut Vec<SimRead>,
) {
    let mut rng = ChaCha8Rng::seed_from_u64(plan.seed);
    let mut t_us = plan.start_us as f64;
    let mut k: u16 = 0;
    for edge_idx in ctx.network.path(plan.from, plan.to) {
        let edge = &ctx.network.edges[edge_idx as usize];
        if let Some(secs) = edge.crossing_secs() {
            t_us += secs * 1e6;
            continue;
        }
        let us_per_m = 1e6 / speed_mps(edge, plan);
        for &(offset_m, camera) in &edge.cameras {
            let pass_us = (t_us + offset_m * us_per_m) as i64;
            read_at(
                ctx,
                &mut rng,
                plan,
                (day, trip, &mut k),
                camera,
                FIXED_SITE,
                pass_us,
                out,
            );
        }
        for (deployment_idx, deployment) in ctx.layout.deployments_on(edge_idx).iter().enumerate() {
            let pass_us = (t_us + deployment.offset_m * us_per_m) as i64;
            if (deployment.start_us..deployment.end_us).contains(&pass_us) {
                let base = ctx.layout.deployment_ranges[edge_idx as usize].0 as usize;
                let global = (base + deployment_idx) as u16;
                read_at(
                    ctx,
                    &mut rng,
                    plan,
                    (day, trip, &mut k),
                    deployment.camera,
                    global,
                    pass_us,
                    out,
                );
            }
        }
        t_us += edge.length_m * us_per_m;
    }
}

/// One camera sees (or misses) the vehicle passing at `pass_us`.
#[allow(clippy::too_many_arguments)]
fn read_at(
    ctx: &ExpandCtx<'_>,
    rng: &mut ChaCha8Rng,
    plan: &TripPlan,
    (day, trip, k): (u32, u32, &mut u16),
    camera: u16,
    deployment: u16,
    pass_us: i64,
    out: &mut Vec<SimRead>,
) {
    let sim_camera = &ctx.layout.cameras[camera as usize];
    // Draw every random number first, so that a read's fate does not shift the stream.
    let u_detect: f64 = rng.random();
    let u_misread: f64 = rng.random();
    let u_duplicate: f64 = rng.random();
    let confidence_draw: u8 = rng.random_range(0..15);
    if sim_camera
        .outages
        .iter()
        .any(|(start, end)| (*start..*end).contains(&pass_us))
    {
        return;
    }
    let local_hour =
        ((pass_us + ctx.model.local_offset_us).rem_euclid(86_400_000_000) / 3_600_000_000) as u8;
    let night = !(7..19).contains(&local_hour);
    let p_detect = match (night, sim_camera.camera.infrared) {
        (false, _) => 0.96,
        (true, true) => 0.93,
        (true, false) => 0.55,
    };
    if u_detect >= p_detect {
        return;
    }
    // Cameras stamp milliseconds.
    let ts_us = (pass_us + sim_camera.skew_us) / 1000 * 1000;
    let mut plate = plan.attrs.plate;
    let mut misread = false;
    let mut confidence = 85 + confidence_draw;
    if u_misread < ctx.model.misread_rate {
        plate = ctx.model.misreader.misread(&plate, rng);
        misread = true;
        confidence = 55 + confidence_draw * 2;
    }
    let read = SimRead {
        ts_us,
        day,
        trip,
        k: *k,
        camera,
        deployment,
        plate,
        country: plan.attrs.country,
        colour: plan.attrs.colour,
        model: plan.attrs.model,
        class: plan.attrs.class,
        confidence,
        misread,
        tag: plan.tag,
    };
    *k += 1;
    out.push(read);
    if u_duplicate < ctx.model.duplicate_rate {
        // A camera re-sends after a reconnect: the same read, sometimes under a new id,
        // sometimes stamped a second or two later.
        let mut copy = read;
        if rng.random_bool(0.5) {
            copy.k |= DUP_DISTINCT_ID;
            copy.ts_us += rng.random_range(0..3) * 1_000_000;
        }
        out.push(copy);
    }
}
