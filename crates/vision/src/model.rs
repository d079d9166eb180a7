//! The two embedded ONNX models, loaded and optimised once with tract.

use crate::VisionError;
use crate::ctc::{N_CLASSES, N_STEPS};
use crate::detect::{CORNER_CHANNELS, HEATMAP_SIDE};
use crate::preprocess::{CROP_HEIGHT, CROP_WIDTH, DETECTOR_SIDE};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tract_onnx::prelude::*;

/// The plate detector (docs/vision.md): `image [1,1,512,512]` -> `heatmap`, `corners`.
static DETECTOR_ONNX: &[u8] = include_bytes!("../models/plate-detector.onnx");
/// The plate reader (docs/vision.md): `crop [1,1,32,128]` -> `logprobs [1,32,37]`.
static READER_ONNX: &[u8] = include_bytes!("../models/plate-reader.onnx");

/// `sha256sum` of the placeholder models (random weights, the right I/O) that stand in
/// until trained models are committed; see [`models_are_placeholders`].
static PLACEHOLDER_SHA256: &str = include_str!("../models/placeholder.sha256");

const DETECTOR_NAME: &str = "plate-detector";
const READER_NAME: &str = "plate-reader";

/// Whether the embedded models are the placeholders listed in `models/placeholder.sha256`
/// (random weights: they run, but read nothing meaningful).
///
/// Golden tests that need trained models skip themselves, saying so, while this is true.
pub fn models_are_placeholders() -> bool {
    [DETECTOR_ONNX, READER_ONNX].iter().any(|onnx| {
        let sha256 = hex::encode(Sha256::digest(onnx));
        PLACEHOLDER_SHA256
            .lines()
            .any(|line| line.split_whitespace().next() == Some(sha256.as_str()))
    })
}

/// An optimised, runnable model; running it takes `&self`, so one serves many threads.
pub(crate) struct Model {
    name: &'static str,
    plan: Arc<TypedRunnableModel>,
    input_shape: [usize; 4],
}

impl std::fmt::Debug for Model {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Model")
            .field("name", &self.name)
            .field("input_shape", &self.input_shape)
            .finish_non_exhaustive()
    }
}

impl Model {
    pub(crate) fn detector() -> Result<Model, VisionError> {
        Model::load(
            DETECTOR_NAME,
            DETECTOR_ONNX,
            [1, 1, DETECTOR_SIDE, DETECTOR_SIDE],
            &[
                &[1, 1, HEATMAP_SIDE, HEATMAP_SIDE],
                &[1, CORNER_CHANNELS, HEATMAP_SIDE, HEATMAP_SIDE],
            ],
        )
    }

    pub(crate) fn reader() -> Result<Model, VisionError> {
        Model::load(
            READER_NAME,
            READER_ONNX,
            [1, 1, CROP_HEIGHT, CROP_WIDTH],
            &[&[1, N_STEPS, N_CLASSES]],
        )
    }

    /// Loads, types and optimises a model, and checks its output shapes.
    fn load(
        name: &'static str,
        onnx: &[u8],
        input_shape: [usize; 4],
        output_shapes: &[&[usize]],
    ) -> Result<Model, VisionError> {
        let fail = |error: TractError| VisionError::Model {
            model: name,
            reason: format!("{error:#}"),
        };
        let plan = tract_onnx::onnx()
            .model_for_read(&mut &onnx[..])
            .and_then(|model| model.with_input_fact(0, f32::fact(input_shape).into()))
            .and_then(|model| model.into_optimized())
            .and_then(|model| model.into_runnable())
            .map_err(fail)?;
        let model = Model {
            name,
            plan,
            input_shape,
        };
        model.check_outputs(output_shapes)?;
        Ok(model)
    }

    /// Runs the model on a zero input and compares the output shapes with the contract.
    fn check_outputs(&self, output_shapes: &[&[usize]]) -> Result<(), VisionError> {
        let n_values = self.input_shape.iter().product();
        let outputs = self.run(vec![0.0; n_values])?;
        let shapes: Vec<&[usize]> = outputs.iter().map(|output| output.shape()).collect();
        if shapes != output_shapes {
            return Err(VisionError::Model {
                model: self.name,
                reason: format!(
                    "outputs have shapes {shapes:?}; the contract is {output_shapes:?}"
                ),
            });
        }
        Ok(())
    }

    /// Runs the model on one input of `input_shape`, row-major.
    pub(crate) fn run(&self, input: Vec<f32>) -> Result<TVec<TValue>, VisionError> {
        let fail = |error: TractError| VisionError::Model {
            model: self.name,
            reason: format!("{error:#}"),
        };
        let tensor = tract_ndarray::Array4::from_shape_vec(self.input_shape, input)
            .map_err(|error| fail(error.into()))?
            .into_tensor();
        self.plan.run(tvec!(tensor.into())).map_err(fail)
    }

    /// An output's values, row-major.
    pub(crate) fn values<'a>(&self, output: &'a TValue) -> Result<&'a [f32], VisionError> {
        let values = output
            .try_as_plain_ram()
            .and_then(|view| view.as_slice::<f32>());
        values.map_err(|error| VisionError::Model {
            model: self.name,
            reason: format!("{error:#}"),
        })
    }
}
