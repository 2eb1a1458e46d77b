// Shared by the reader targets: read every record of `data` as `name` and decode it.
use newsetl::stages::ingest::formats::{FieldMap, InputFormat};
use newsetl::stages::ingest::{decode_record, read_stream, InputFile, InputSettings, Tally};

pub fn read_all(name: &str, format: InputFormat, data: &[u8]) {
    let settings = InputSettings {
        path: name.into(),
        extensions: vec![],
        format,
        fields: FieldMap::default(),
        max_document_bytes: 1 << 16,
        html: Default::default(),
    };
    let file = InputFile {
        path: name.into(),
        relative: name.into(),
    };
    let raw = Box::new(std::io::Cursor::new(data.to_vec()));
    if let Ok(records) = read_stream(&file, raw, &settings, &Tally::default()) {
        for record in records.flatten() {
            if let Ok(doc) = decode_record(record, &settings.html) {
                assert!(!doc.text.trim().is_empty());
            }
        }
    }
}
