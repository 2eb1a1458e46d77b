#![no_main]
//! Fuzzes the WARC reader: record framing, HTTP headers, chunked and compressed payloads, recovery from damage.
use libfuzzer_sys::fuzz_target;
use newsetl::stages::ingest::formats::InputFormat;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::read_all("input.warc", InputFormat::Warc, data);
});
