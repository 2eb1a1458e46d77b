#![no_main]
//! Fuzzes the trec reader (also behind gzip/zstd, which the first bytes select).
use libfuzzer_sys::fuzz_target;
use newsetl::stages::ingest::formats::InputFormat;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::read_all("input.sgml", InputFormat::Trec, data);
});
