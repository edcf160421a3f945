//! Printing tables of medians and writing the raw results as JSON.

use crate::error::{BenchError, Result};
use crate::machine;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// The command line that reproduces this run.
pub fn command_line() -> String {
    let mut args = std::env::args();
    let _program = args.next();
    let rest: Vec<String> = args.collect();
    format!("cargo run --release -p baraza-bench -- {}", rest.join(" "))
}

/// The median of `values` (NaN-free), or 0 when empty.
pub fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// Reads a number at a `/`-separated `path` of `value` (0 when absent).
pub fn number(value: &Value, path: &str) -> f64 {
    value.pointer(path).and_then(Value::as_f64).unwrap_or(0.0)
}

/// The median over `runs` of the number at `path`.
pub fn median_of(runs: &[&Value], path: &str) -> f64 {
    median(runs.iter().map(|r| number(r, path)).collect())
}

/// Formats a figure: integers without decimals, small numbers with some.
pub fn fmt(x: f64) -> String {
    if x.abs() >= 1000.0 || x.fract() == 0.0 {
        format!("{:.0}", x)
    } else if x.abs() >= 10.0 {
        format!("{:.1}", x)
    } else {
        format!("{:.2}", x)
    }
}

/// Prints a Markdown table.
pub fn print_table(header: &[&str], rows: &[Vec<String>]) {
    println!("| {} |", header.join(" | "));
    println!("|{}", "---|".repeat(header.len()));
    for row in rows {
        println!("| {} |", row.join(" | "));
    }
}

/// Writes the raw results of `scenario` to `dir/<scenario>-<unix seconds>.json` and prints the
/// path and the reproducing command.
pub fn save(
    dir: &Path,
    scenario: &str,
    parameters: Value,
    runs: Vec<Value>,
    medians: Value,
) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(BenchError::io(format!("creating {}", dir.display())))?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let path = dir.join(format!("{scenario}-{stamp}.json"));
    let command = command_line();
    let document = json!({
        "scenario": scenario,
        "command": command,
        "parameters": parameters,
        "machine": machine::describe(),
        "medians": medians,
        "runs": runs,
    });
    let text = serde_json::to_string_pretty(&document).expect("JSON");
    std::fs::write(&path, text).map_err(BenchError::io(format!("writing {}", path.display())))?;
    println!("\nraw results: {}", path.display());
    println!("reproduce with: {command}");
    Ok(path)
}
