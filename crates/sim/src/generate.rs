//! The generator's main loop: plan each day's trips, drive them, and hand the reads to a
//! sink in time order, a window at a time, so that memory stays bounded.
//!
//! ```text
//! day d: plan (networks, then background) -> sort by start
//!   for each local hour h: drive the trips starting before h+1 -> buffer
//!                          sort buffer, emit reads older than h+1 - margin -> sink
//! ```

use crate::cameras::{
    CameraLayout, SKEW_MAX_US, SimCamera, deploy_mobile_units, inject_faults, place_cameras,
};
use crate::gangs::{
    Gang, GangDay, Registry, build_gangs, default_n_gangs, plan_gang_day, update_rentals,
};
use crate::misread::Misreader;
use crate::network::RoadNetwork;
use crate::traffic::{
    Availability, Calendar, DAY_US, DayCtx, HOUR_US, Population, ReadEstimate, build_population,
    plan_background_day,
};
use crate::trip::{DUP_DISTINCT_ID, ExpandCtx, ReadModel, SimRead, TripPlan, UNTAGGED, expand};
use crate::vehicle::{PlateBuf, PlateIssuer};
use crate::{Error, Progress, ScenarioConfig};
use chrono::Datelike;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Reads are emitted only once no later trip can produce an earlier timestamp: clock skew
/// moves reads back by at most [`SKEW_MAX_US`].
const EMIT_MARGIN_US: i64 = 2 * SKEW_MAX_US;

/// Local time is Central European Time (UTC+1) throughout the scenario.
pub(crate) const LOCAL_OFFSET_US: i64 = HOUR_US;

/// Independent random streams, so that changing one part does not shift the others.
#[derive(Clone, Copy)]
enum Stream {
    Cameras = 1,
    Faults = 2,
    Mobile = 3,
    Population = 4,
    Gangs = 5,
    Plates = 6,
    Day = 100,
}

/// The camera-placement stream, so that the map shows the cameras of a scenario's seed.
pub(crate) fn stream_for_map(seed: u64) -> ChaCha8Rng {
    stream(seed, Stream::Cameras, 0)
}

fn stream(seed: u64, which: Stream, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream((which as u64) << 32 | index);
    rng
}

/// What does not change while the scenario runs.
#[derive(Debug)]
pub(crate) struct World {
    pub(crate) config: ScenarioConfig,
    pub(crate) network: RoadNetwork,
    pub(crate) layout: CameraLayout,
    pub(crate) population: Population,
    pub(crate) model: ReadModel,
    pub(crate) calendar: Calendar,
    /// UTC microseconds of the local midnight that starts day 0.
    pub(crate) midnight0_us: i64,
    pub(crate) n_gangs: u32,
}

/// What changes: the networks' rentals and everything tagged for the truth file.
#[derive(Debug)]
pub(crate) struct State {
    /// Issues every new plate, so that no two vehicles share one by chance.
    pub(crate) plates: PlateIssuer,
    pub(crate) gangs: Vec<Gang>,
    pub(crate) registry: Registry,
    /// Every hire van a network rented, with the day: (gang, hire van, day).
    pub(crate) rentals: Vec<(u16, usize, u32)>,
    pub(crate) tagged: Vec<TaggedRead>,
    pub(crate) platoons: Vec<(i64, u16, u16, Vec<PlateRef2>)>,
    pub(crate) n_platoons: u64,
    pub(crate) n_reads: u64,
    pub(crate) n_misreads: u64,
    pub(crate) n_duplicates: u64,
    pub(crate) n_trips: u64,
    /// When each vehicle that drives on many days is next free to set off.
    pub(crate) free: Availability,
}

/// A plate and country index, before formatting.
pub(crate) type PlateRef2 = (PlateBuf, u8);

/// A read of a tagged trip, kept for the truth file.
#[derive(Clone, Debug)]
pub(crate) struct TaggedRead {
    pub(crate) tag: u32,
    pub(crate) read_id: String,
    pub(crate) camera: u16,
    pub(crate) deployment: u16,
    pub(crate) ts_us: i64,
    pub(crate) misread: bool,
}

/// Builds the corridor, cameras, faults, population and networks for a configuration.
pub(crate) fn build(config: &ScenarioConfig) -> (World, State) {
    let seed = config.seed;
    let mut network = RoadNetwork::build();
    let mut cameras: Vec<SimCamera> =
        place_cameras(&mut network, &mut stream(seed, Stream::Cameras, 0));
    let start = config
        .start
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc();
    let midnight0_us = start.timestamp_micros() - LOCAL_OFFSET_US;
    inject_faults(
        &mut cameras,
        midnight0_us,
        config.days,
        config.skewed_camera_share,
        config.outage_rate,
        &mut stream(seed, Stream::Faults, 0),
    );
    let parts = deploy_mobile_units(
        &network,
        &cameras,
        midnight0_us,
        config.days,
        &mut stream(seed, Stream::Mobile, 0),
    );
    let layout = CameraLayout {
        cameras,
        deployments: parts.deployments,
        deployment_ranges: parts.ranges,
    };
    let calendar = Calendar {
        weekdays: (0..config.days)
            .map(|d| {
                (config.start + chrono::Days::new(u64::from(d)))
                    .weekday()
                    .num_days_from_monday() as usize
            })
            .collect(),
    };
    let estimate = ReadEstimate::new(&network);
    let mut plates = PlateIssuer::new(&mut stream(seed, Stream::Plates, 0));
    let mut population = build_population(
        &network,
        &estimate,
        &calendar,
        // The network's reads and duplicates come on top of the background.
        config.n_reads as f64 * 0.95,
        &mut stream(seed, Stream::Population, 0),
        &mut plates,
    );
    let n_gangs = config
        .n_networks
        .unwrap_or_else(|| default_n_gangs(config.n_reads));
    let mut registry = Registry::default();
    let gangs = build_gangs(
        &network,
        n_gangs,
        &mut population.delivery_vans,
        &mut registry,
        &mut stream(seed, Stream::Gangs, 0),
        &mut plates,
    );
    let model = ReadModel {
        misread_rate: config.misread_rate,
        duplicate_rate: config.duplicate_rate,
        local_offset_us: LOCAL_OFFSET_US,
        misreader: Misreader::new(),
    };
    let world = World {
        config: config.clone(),
        network,
        layout,
        population,
        model,
        calendar,
        midnight0_us,
        n_gangs,
    };
    let state = State {
        plates,
        gangs,
        registry,
        rentals: Vec::new(),
        tagged: Vec::new(),
        platoons: Vec::new(),
        n_platoons: 0,
        n_reads: 0,
        n_misreads: 0,
        n_duplicates: 0,
        n_trips: 0,
        free: Availability::new(&world.population),
    };
    (world, state)
}

/// Where emitted reads go: a file writer or an in-memory list.
pub(crate) trait ReadSink {
    fn write(&mut self, world: &World, reads: &[SimRead]) -> Result<(), Error>;
}

/// Runs the whole scenario, day by day, into `sink`.
pub(crate) fn run(
    world: &World,
    state: &mut State,
    sink: &mut dyn ReadSink,
    progress: &dyn Fn(Progress),
) -> Result<(), Error> {
    let ctx = ExpandCtx {
        network: &world.network,
        layout: &world.layout,
        model: &world.model,
    };
    let mut buffer: Vec<SimRead> = Vec::new();
    let mut read_id = String::new();
    for day in 0..world.config.days {
        let midnight_us = world.midnight0_us + i64::from(day) * DAY_US;
        let plans = plan_day(world, state, day, midnight_us);
        state.n_trips += plans.len() as u64;
        let mut next_plan = 0;
        for hour in 1..=24 {
            let window_end = midnight_us + hour * HOUR_US;
            let last_window = hour == 24;
            while next_plan < plans.len() && (plans[next_plan].start_us < window_end || last_window)
            {
                expand(&ctx, day, next_plan as u32, &plans[next_plan], &mut buffer);
                next_plan += 1;
            }
            let emit_before = if last_window && day + 1 == world.config.days {
                i64::MAX
            } else {
                window_end - EMIT_MARGIN_US
            };
            emit(world, state, sink, &mut buffer, emit_before, &mut read_id)?;
        }
        progress(Progress {
            day: day + 1,
            days: world.config.days,
            n_reads: state.n_reads,
            n_reads_target: world.config.n_reads,
        });
    }
    assert!(
        buffer.is_empty(),
        "every read is emitted by the end of the last day"
    );
    Ok(())
}

pub(crate) fn plan_day(
    world: &World,
    state: &mut State,
    day: u32,
    midnight_us: i64,
) -> Vec<TripPlan> {
    let mut rng = stream(world.config.seed, Stream::Day, u64::from(day));
    let mut plans = Vec::new();
    let n_hire = world.population.hire_vans.len();
    let mut hire_busy = vec![false; n_hire];
    update_rentals(&mut state.gangs, day, n_hire, &mut hire_busy, &mut rng);
    for (gang_idx, gang) in state.gangs.iter().enumerate() {
        if let Some((van, _)) = gang.rental {
            state.rentals.push((gang_idx as u16, van, day));
        }
    }
    let gang_ctx = GangDay {
        network: &world.network,
        midnight_us,
        hire_vans: &world.population.hire_vans,
        delivery_vans: &world.population.delivery_vans,
    };
    for (gang_idx, gang) in state.gangs.iter_mut().enumerate() {
        plan_gang_day(
            &gang_ctx,
            gang_idx as u16,
            gang,
            &mut state.registry,
            &mut rng,
            &mut plans,
        );
    }
    let day_ctx = DayCtx {
        network: &world.network,
        population: &world.population,
        midnight_us,
        weekday: world.calendar.weekdays[day as usize],
        hire_busy: &hire_busy,
    };
    let patterns = plan_background_day(
        &day_ctx,
        &mut rng,
        (&mut state.plates, &mut state.free),
        &mut plans,
    );
    for members in &patterns.platoons {
        state.n_platoons += 1;
        if state.platoons.len() < crate::truth::PLATOONS_LISTED_MAX {
            let first = &plans[members[0]];
            let plates = members
                .iter()
                .map(|m| (plans[*m].attrs.plate, plans[*m].attrs.country))
                .collect();
            state
                .platoons
                .push((first.start_us, first.from, first.to, plates));
        }
    }
    // Trips are numbered in start order; the order is total, so the numbering is stable.
    plans.sort_by_key(|plan| (plan.start_us, plan.seed));
    plans
}

/// Sorts the buffer and hands every read older than `emit_before` to the sink.
fn emit(
    world: &World,
    state: &mut State,
    sink: &mut dyn ReadSink,
    buffer: &mut Vec<SimRead>,
    emit_before: i64,
    read_id: &mut String,
) -> Result<(), Error> {
    buffer.sort_unstable_by_key(SimRead::sort_key);
    let n_ready = buffer.partition_point(|r| r.ts_us < emit_before);
    if n_ready == 0 {
        return Ok(());
    }
    let ready = &buffer[..n_ready];
    for read in ready {
        state.n_misreads += u64::from(read.misread);
        if read.tag != UNTAGGED {
            format_read_id(read, read_id);
            state.tagged.push(TaggedRead {
                tag: read.tag,
                read_id: read_id.clone(),
                camera: read.camera,
                deployment: read.deployment,
                ts_us: read.ts_us,
                misread: read.misread,
            });
        }
    }
    state.n_duplicates += count_duplicates(ready);
    state.n_reads += n_ready as u64;
    sink.write(world, ready)?;
    buffer.drain(..n_ready);
    Ok(())
}

/// Duplicates: re-sent copies, whether under the same id or a new one.
fn count_duplicates(reads: &[SimRead]) -> u64 {
    let distinct = reads.iter().filter(|r| r.k & DUP_DISTINCT_ID != 0).count();
    let same_id = reads
        .windows(2)
        .filter(|w| w[0].sort_key() == w[1].sort_key())
        .count();
    (distinct + same_id) as u64
}

/// Writes the read id of a read: `{day}-{trip}-{k}`, with an `r` suffix for a re-sent copy
/// that was given a new id.
pub(crate) fn format_read_id(read: &SimRead, out: &mut String) {
    use std::fmt::Write;
    out.clear();
    let k = read.k & !DUP_DISTINCT_ID;
    write!(out, "{}-{}-{}", read.day, read.trip, k).expect("writing to a String cannot fail");
    if read.k & DUP_DISTINCT_ID != 0 {
        out.push('r');
    }
}
