//! Number-plate reading: image bytes in, plate text, confidence, country and car colour out.
//!
//! Two small neural networks, embedded in the binary as ONNX files and run with tract
//! (pure Rust, CPU): a detector that finds each plate's four corners and a CTC reader that
//! reads the characters of one plate crop. docs/vision.md is the model contract.
//!
//! ```text
//! JPEG / PNG bytes --decode_image--> RGB --grey--> letterbox 512x512 --detector-->
//!   heatmap + corners --peaks, NMS--> plate quads (original pixels)
//!   for each quad: widened box --grey crop 128x32, contrast stretch--> reader -->
//!     logprobs --CTC prefix beam search--> top-5 strings (and, for squat plates, the top
//!     and bottom halves read separately and joined: the more confident layout wins)
//!   + grammar::guess_country(text) + body colour around the plate + PNG crop
//! ```
//!
//! ```no_run
//! use corridor_vision::PlateReader;
//! let reader = PlateReader::new()?; // once: loads and optimises the models
//! let bytes = std::fs::read("car.jpg")?;
//! for plate in reader.read_image(&bytes)? {
//!     println!("{} ({:.2}) {}", plate.text, plate.confidence, plate.layout.as_str());
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Inputs from outside (camera uploads) go through [`decode_image`], which returns an
//! error for anything that is not a well-formed JPEG or PNG within [`IMAGE_SIDE_MAX`]: it
//! never panics (a fuzz target checks it). The module [`split`] holds the train/validation
//! split of labelled images that the `plate-bench` binary and the training scripts share.

mod colour;
mod ctc;
mod decode;
mod detect;
mod error;
mod geometry;
mod model;
mod preprocess;
mod reader;
pub mod split;

pub use colour::{ColourEstimate, VehicleColour};
pub use ctc::{ALTERNATIVES_MAX, Alternative};
pub use decode::{IMAGE_SIDE_MAX, decode_image};
pub use detect::{IOU_MAX, PLATES_MAX, SCORE_MIN};
pub use error::VisionError;
pub use geometry::{PixelBox, Point};
pub use image::RgbImage;
pub use model::models_are_placeholders;
pub use reader::{Layout, PlateFinding, PlateReader};
