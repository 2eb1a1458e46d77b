//! The five stages, one module each. A stage is a plain function (or a small struct built once
//! from the settings) that takes one typed record and returns the next; see [`crate::model`].

pub mod aggregate;
pub mod clean;
pub mod entities;
pub mod ingest;
pub mod tokenize;
