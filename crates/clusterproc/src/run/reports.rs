//! Run report files: the format a `--report` file's name chooses, checked before the run,
//! and the report written to each file whole when the run ends.

use std::path::{Path, PathBuf};

use run_report::RunReport;

use crate::failure::Failure;

pub(crate) enum ReportFormat {
    Html,
    Json,
}

pub(crate) fn report_format(path: &Path) -> Result<ReportFormat, Failure> {
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("html" | "htm") => Ok(ReportFormat::Html),
        Some("json") => Ok(ReportFormat::Json),
        _ => Err(Failure::Usage(anyhow::anyhow!(
            "--report {}: name the file .html or .json to choose the format",
            path.display()
        ))),
    }
}

/// Checks each `--report` file before anything runs: its format (by its name) and that it
/// can be written. An existing report is left as it is until the new one is complete.
pub(crate) fn check_reports(paths: &[PathBuf]) -> Result<(), Failure> {
    for path in paths {
        report_format(path)?;
        crate::atomic_file::check_writable(path)
            .map_err(|e| Failure::Usage(anyhow::anyhow!("cannot write the report {}: {e}", path.display())))?;
    }
    Ok(())
}

/// Writes `report` to each of `paths` (each whole or not at all), in the format its name
/// chooses, and says so on `stdout`.
pub(crate) fn write_reports(
    report: &RunReport,
    paths: &[PathBuf],
    stdout: &mut impl std::io::Write,
) -> Result<(), Failure> {
    for path in paths {
        let text = match report_format(path)? {
            ReportFormat::Html => report.render_html(),
            ReportFormat::Json => report.render_json(),
        };
        crate::atomic_file::write(path, text.as_bytes())
            .map_err(|error| Failure::output(format!("the report {}", path.display()), error))?;
        let _ = writeln!(stdout, "Report written to {}", path.display());
    }
    Ok(())
}
