//! The `newsetl` command line. Only argument parsing, logging set-up and exit codes live here;
//! the work is in the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use newsetl::diff::DiffOptions;
use newsetl::pipeline::config::{Format, Overrides, Settings, Shard};
use newsetl::pipeline::{self};
use newsetl::stages::ingest::formats::InputFormat;
use newsetl::Error;

/// Turn news articles into tables of the figures, places and policy terms they mention.
///
/// Exit codes: 0 success, 1 the run failed, 2 usage or configuration error, 3 records were
/// rejected under --strict.
#[derive(Debug, Parser)]
#[command(name = "newsetl", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Only warnings and errors on stderr.
    #[arg(short, long, global = true)]
    quiet: bool,
    /// More detail on stderr (-v: debug, -vv: trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Colours in the log: `auto` uses them only when stderr is a terminal and NO_COLOR is
    /// not set.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

/// When to colour the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

impl Color {
    /// Whether to write ANSI colours to stderr: `always`, or `auto` on a terminal without
    /// `NO_COLOR` (<https://no-color.org>: any non-empty value).
    fn enabled(self) -> bool {
        use std::io::IsTerminal;
        match self {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                !no_color && std::io::stderr().is_terminal()
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a pipeline over the input and write the tables.
    Run {
        /// Pipeline file.
        #[arg(default_value = "pipelines/default.toml")]
        pipeline: PathBuf,
        /// Input file or directory (overrides the pipeline file).
        #[arg(long)]
        input: Option<PathBuf>,
        /// Output directory (overrides the pipeline file).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Worker threads (default: one per core).
        #[arg(long)]
        threads: Option<usize>,
        /// Table formats to write (overrides the pipeline file).
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// Input format (overrides the pipeline file; default: detect per file).
        #[arg(long, value_enum)]
        input_format: Option<InputFormat>,
        /// Exit with code 3 when any record was rejected (the tables are still written).
        #[arg(long)]
        strict: bool,
        /// Reuse the results of unchanged documents from the cache beside the output
        /// (`.NAME.cache`), and update it.
        #[arg(long)]
        incremental: bool,
        /// Process only shard K of N (0 <= K < N) of the documents, by a stable hash of
        /// doc_id; combine shard outputs with `newsetl merge`.
        #[arg(long, value_name = "K/N")]
        shard: Option<Shard>,
        /// Do not write report.html.
        #[arg(long)]
        no_report: bool,
    },
    /// Combine the outputs of `run --shard K/N` into the output of one run over everything.
    Merge {
        /// Shard output directories (every shard of one split, in any order).
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Where to write the merged tables.
        #[arg(long)]
        output: PathBuf,
        /// Table formats to write.
        #[arg(long, value_enum, default_value_t = Format::Both)]
        format: Format,
    },
    /// Write OUTPUT_DIR/report.html: a self-contained page of the run's results.
    Report {
        /// An output directory of `newsetl run`.
        output: PathBuf,
    },
    /// Score an output's `mentions` against gold mentions (JSON lines: doc_id, kind, surface,
    /// start, end), for figures and places (and organisations when the gold has them), as the
    /// development set's score.py does; or, with --senses, the senses of term mentions
    /// against gold sense labels; or, with --places, the places that mentions of ambiguous
    /// place names were resolved to.
    Eval {
        /// The gold mentions; repeat for several files (`--gold gold.jsonl --gold
        /// gold_organizations.jsonl`).
        #[arg(long, required_unless_present_any = ["senses", "places"], conflicts_with_all = ["senses", "places"])]
        gold: Vec<PathBuf>,
        /// Gold sense labels (JSON lines: doc_id, term, surface, start, sense).
        #[arg(long, conflicts_with = "places")]
        senses: Option<PathBuf>,
        /// Labelled place mentions (JSON lines: doc_id, start, end, surface, geonames_id,
        /// country_code), as in the geo development set; with --errors N > 0 every wrong one.
        #[arg(long)]
        places: Option<PathBuf>,
        /// An output directory of `newsetl run`.
        output: PathBuf,
        /// Show the N most frequent false positives and misses per kind (with --senses: the
        /// confusion table when N > 0).
        #[arg(long, default_value_t = 0)]
        errors: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Compare two output directories table by table.
    ///
    /// Exit codes: 0 equal, 1 different, 2 error (a missing directory, a table with another
    /// schema).
    Diff {
        /// The reference output.
        old: PathBuf,
        /// The output to check.
        new: PathBuf,
        /// Only these tables (comma-separated).
        #[arg(long, value_delimiter = ',')]
        tables: Vec<String>,
        /// Columns to leave out of the comparison (comma-separated).
        #[arg(long, value_delimiter = ',')]
        ignore_columns: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// Differences shown per table.
        #[arg(long, default_value_t = 10)]
        max_examples: usize,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DiffFormat {
    Text,
    Json,
}

/// mimalloc: about a tenth of a run is small allocations (HTML trees, tokens, table rows).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    let quiet = cli.quiet;
    let log_format = cli.log_format;
    let result = match cli.command {
        Command::Run {
            pipeline,
            input,
            output,
            threads,
            format,
            input_format,
            strict,
            incremental,
            shard,
            no_report,
        } => run(
            pipeline,
            Overrides {
                input,
                output,
                format,
                input_format,
                threads,
                strict,
                incremental,
                quiet,
                shard,
                report: !no_report,
            },
        )
        .map(|()| Outcome::Success),
        Command::Merge {
            shards,
            output,
            format,
        } => newsetl::merge::merge(&shards, &output, format).map(|summary| {
            tracing::info!(
                documents = summary.documents,
                shards = summary.shards,
                output = %output.display(),
                "merged"
            );
            Outcome::Success
        }),
        Command::Eval {
            gold,
            senses,
            places,
            output,
            errors,
            json,
        } => eval(gold, (senses, places), &output, errors, json),
        Command::Report { output } => {
            newsetl::report::write_report(&output).map(|()| Outcome::Success)
        }
        Command::Diff {
            old,
            new,
            tables,
            ignore_columns,
            format,
            max_examples,
        } => diff(
            &old,
            &new,
            &DiffOptions {
                tables,
                ignore_columns,
                max_examples,
            },
            format,
        ),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Different) => ExitCode::from(1),
        Err(e) => {
            // Said once: as a line a person reads, or as a record in a JSON log.
            match log_format {
                LogFormat::Text => eprintln!("newsetl: error: {e}"),
                LogFormat::Json => tracing::error!(exit_code = e.exit_code(), "{e}"),
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn run(pipeline_path: PathBuf, overrides: Overrides) -> Result<(), Error> {
    if let Some(input) = &overrides.input {
        if input.as_os_str() != "-" && !input.exists() {
            return Err(Error::Usage(format!(
                "input path {} does not exist",
                input.display()
            )));
        }
    }
    let settings = Settings::load(&pipeline_path, overrides)?;
    let summary = pipeline::run(&settings)?;
    if settings.strict && summary.rejects > 0 {
        return Err(Error::Strict(summary.rejects));
    }
    if settings.strict && summary.nothing_read {
        return Err(Error::NothingRead);
    }
    Ok(())
}

/// `newsetl eval`: mentions against gold mentions, term senses against gold senses, or
/// resolved places against labelled places.
fn eval(
    gold: Vec<PathBuf>,
    (senses, places): (Option<PathBuf>, Option<PathBuf>),
    output: &std::path::Path,
    errors: usize,
    json: bool,
) -> Result<Outcome, Error> {
    let print = |value: serde_json::Result<String>, text: String| {
        if json {
            println!("{}", value.unwrap_or_default());
        } else {
            print!("{text}");
        }
    };
    if let Some(places) = places {
        let report = newsetl::eval::places::evaluate_places(&places, output)?;
        let text = newsetl::eval::places::render_places(&report, errors > 0);
        print(serde_json::to_string_pretty(&report), text);
    } else if let Some(senses) = senses {
        let report = newsetl::eval::senses::evaluate_senses(&senses, output)?;
        let text = newsetl::eval::senses::render_senses(&report, errors > 0);
        print(serde_json::to_string_pretty(&report), text);
    } else {
        let scores = newsetl::eval::evaluate(&gold, output, errors)?;
        let text = newsetl::eval::render(&scores, errors);
        print(serde_json::to_string_pretty(&scores), text);
    }
    Ok(Outcome::Success)
}

/// How a command that did not fail ended.
enum Outcome {
    Success,
    /// `diff` found differences (exit code 1).
    Different,
}

fn diff(
    old: &std::path::Path,
    new: &std::path::Path,
    options: &DiffOptions,
    format: DiffFormat,
) -> Result<Outcome, Error> {
    let diffs = newsetl::diff::diff_dirs(old, new, options)?;
    let equal = diffs.iter().all(|d| d.is_equal());
    match format {
        DiffFormat::Text => print!("{}", newsetl::diff::render_text(&diffs)),
        DiffFormat::Json => {
            let json = serde_json::json!({ "equal": equal, "tables": diffs });
            println!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
        }
    }
    Ok(if equal {
        Outcome::Success
    } else {
        Outcome::Different
    })
}

fn init_logging(cli: &Cli) {
    use tracing_subscriber::EnvFilter;
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "warn",
        (false, 0) => "info",
        (false, 1) => "debug",
        (false, _) => "trace",
    };
    let filter = EnvFilter::try_from_env("NEWSETL_LOG").unwrap_or_else(|_| EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(cli.color.enabled())
        .with_target(false);
    match cli.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
