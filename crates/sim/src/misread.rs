//! OCR misreads drawn from the domain's confusion model.

use crate::vehicle::PlateBuf;
use corridor_domain::confusion::ConfusionModel;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Draws a misread of a plate, given that the camera got it wrong.
///
/// The simulator decides first whether a read is wrong (at the configured rate), then draws
/// what the camera read from the confusion model conditioned on "not the true text": the
/// model is scaled up so that a draw is usually wrong, and draws equal to the truth are
/// rejected. The scaling keeps the model's relative rates (which characters are confused
/// with which, how often one is dropped or doubled).
#[derive(Clone, Debug)]
pub(crate) struct Misreader {
    model: ConfusionModel,
}

impl Misreader {
    pub(crate) fn new() -> Misreader {
        let standard = ConfusionModel::standard();
        let error_typical = 1.0 - standard.correct_read_probability("AB12CDE");
        // Aim for about one draw in three being wrong; fall back to smaller scales if the
        // model refuses (it does when a character would be wrong half the time).
        let mut scale = (0.3 / error_typical.max(1e-6)).max(1.0);
        loop {
            if let Ok(model) = ConfusionModel::with_error_scale(scale) {
                return Misreader { model };
            }
            scale *= 0.7;
            assert!(scale >= 1.0, "the standard confusion model must be valid");
        }
    }

    /// A text different from `truth`, as the camera read it.
    pub(crate) fn misread(&self, truth: &PlateBuf, rng: &mut ChaCha8Rng) -> PlateBuf {
        for _ in 0..64 {
            let text = self
                .model
                .sample_misread(truth.as_str(), &mut || rng.random::<f64>());
            if text != truth.as_str() && !text.is_empty() && text.len() <= 12 {
                return PlateBuf::from_bytes(text.as_bytes());
            }
        }
        // The model almost never reads a plate right 64 times in a row at this scale; when it
        // does, fall back to the commonest confusion, which every plate font shares.
        let mut plate = *truth;
        let bytes = plate.as_bytes_mut();
        let position = rng.random_range(0..bytes.len());
        bytes[position] = match bytes[position] {
            b'0' => b'O',
            b'O' => b'0',
            b'1' => b'I',
            b'8' => b'B',
            b'B' => b'8',
            b'5' => b'S',
            b'S' => b'5',
            other if other.is_ascii_digit() => b'8',
            _ => b'0',
        };
        plate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn misreads_differ_from_the_truth_and_are_usually_close() {
        let misreader = Misreader::new();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let truth = PlateBuf::from_bytes(b"AB12CDE");
        let model = ConfusionModel::standard();
        let mut likely = 0;
        for _ in 0..500 {
            let read = misreader.misread(&truth, &mut rng);
            assert_ne!(read, truth);
            if model.likelihood(read.as_str(), truth.as_str()) > 1e-6 {
                likely += 1;
            }
        }
        assert!(
            likely > 450,
            "{likely} of 500 misreads are plausible under the model"
        );
    }
}
