//! The one integration-test crate: it runs the real `newsetl` binary on small inputs in
//! temporary directories. Each module covers one part of the contract.

mod cli;
mod common;
mod crash;
mod determinism;
mod diff;
mod first_hour;
mod gazetteer;
mod generic;
mod golden;
mod incremental;
mod rejects;
mod seeds;
mod senses;
mod shards;
mod surnames;
mod web;
