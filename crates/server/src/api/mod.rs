//! The API's own types: what clients send and what they get back, converted by hand from
//! and to the domain's types (domain types never derive `Serialize`).

pub(crate) mod cameras;
pub(crate) mod hotlist;
pub(crate) mod images_out;
pub(crate) mod reads_in;
pub(crate) mod reads_out;
pub(crate) mod validate;
