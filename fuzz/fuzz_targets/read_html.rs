#![no_main]
//! Fuzzes the web-page reader: charset detection and article extraction (also behind gzip/zstd).
use libfuzzer_sys::fuzz_target;
use newsetl::stages::ingest::formats::InputFormat;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::read_all("input.html", InputFormat::Html, data);
});
