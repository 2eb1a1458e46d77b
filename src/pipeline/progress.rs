//! The progress bar of a run.

use super::config::Settings;
use crate::stages::ingest;

/// A progress bar on stderr, drawn only when stderr is a terminal (so cron mail and log
/// collectors stay clean) and the run is not quiet.
pub struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    /// A bar over the input's bytes, or nothing when none should be drawn.
    pub fn new(settings: &Settings) -> Self {
        use std::io::IsTerminal;
        if settings.quiet || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let (_, total_bytes) = ingest::measure(&settings.input);
        let bar = indicatif::ProgressBar::new(total_bytes);
        let style = indicatif::ProgressStyle::with_template(
            "{bar:30} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        bar.set_style(style);
        Progress(Some(bar))
    }

    /// Shows how far the run is.
    pub fn update(&self, bytes: u64, documents: u64, rejects: usize) {
        if let Some(bar) = &self.0 {
            bar.set_position(bytes);
            bar.set_message(format!("{documents} documents, {rejects} rejects"));
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
