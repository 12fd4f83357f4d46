//! `console config`: each setting in effect and where it came from, as `git config
//! --show-origin` tells it.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use super::{Columns, write_rows};
use crate::cli::Format;
use crate::config::{Config, Origin};
use crate::i18n::Lang;

pub fn run(
    config: &Config,
    db: Option<&Path>,
    lang: Option<Lang>,
    format: Format,
    out: &mut dyn Write,
) -> Result<()> {
    let lines: Vec<Line> = config
        .effective(db, lang)?
        .into_iter()
        .map(|setting| {
            let (origin, variable, file, line) = match setting.origin {
                Origin::Flag => ("flag", None, None, None),
                Origin::Env(variable) => ("env", Some(variable), None, None),
                Origin::File { file, line } => {
                    ("file", None, Some(file.display().to_string()), Some(line))
                }
                Origin::Locale(variable) => ("locale", Some(variable), None, None),
                Origin::Default => ("default", None, None, None),
            };
            Line {
                setting: setting.key,
                value: (!setting.values.is_empty()).then(|| setting.values.join(", ")),
                origin,
                variable,
                file,
                line,
            }
        })
        .collect();
    write_rows(out, format, &COLUMNS, &lines, |line| {
        vec![
            line.setting.to_string(),
            line.value.clone().unwrap_or_default(),
            line.where_from(),
        ]
    })
}

const COLUMNS: Columns = Columns {
    table: |t| vec![(t.col_setting, 0), (t.col_value, 0), (t.col_origin, 0)],
    fields: &["setting", "value", "origin", "variable", "file", "line"],
};

#[derive(Serialize)]
struct Line {
    setting: &'static str,
    /// As the command line takes it; `exec-role`'s commands joined with ", "; none
    /// when not set (`exec`).
    value: Option<String>,
    /// flag, env, file, locale or default.
    origin: &'static str,
    /// The environment variable of `env` and `locale`.
    variable: Option<&'static str>,
    file: Option<String>,
    line: Option<usize>,
}

impl Line {
    /// `file /etc/konekte/konekte.toml:3`, `env CONSOLE_DB`, `default`.
    fn where_from(&self) -> String {
        match (&self.variable, &self.file, self.line) {
            (Some(variable), _, _) => format!("{} {variable}", self.origin),
            (None, Some(file), Some(line)) => format!("{} {file}:{line}", self.origin),
            _ => self.origin.to_string(),
        }
    }
}
