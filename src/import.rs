//! Turning input (a CSV file, a role and a count) into validated accounts to create:
//! every problem found at once, each with its line, and passwords hashed on every core.

use std::collections::HashMap;

use anyhow::Result;
use rayon::prelude::*;

use crate::auth::{self, Hasher};
use crate::error::Error;
use crate::model::{NewUser, Role};
use crate::tr;

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
const FULL_NAME_MAX: usize = 100;
const COLUMNS: [&str; 4] = ["username", "full_name", "role", "password"];
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// An account asked for, validated, not yet hashed. `password` is `None` when one is to
/// be generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The line of the input file it came from, for messages.
    pub line: Option<u64>,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub password: Option<String>,
}

/// Why `name` cannot be a username, if it cannot: 3 to 32 ASCII letters, digits, `_ . -`.
pub fn username_problem(name: &str) -> Option<String> {
    let length = name.chars().count();
    if name.is_empty() {
        Some(tr!(empty_username))
    } else if !(USERNAME_MIN..=USERNAME_MAX).contains(&length) {
        Some(tr!(
            username_length,
            name = name,
            count = length,
            min = USERNAME_MIN,
            max = USERNAME_MAX
        ))
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
    {
        Some(tr!(username_characters, name = name))
    } else {
        None
    }
}

/// What a CSV of accounts holds: the rows that can be accounts, and every problem of the
/// others, each with its line.
#[derive(Debug, Default)]
pub struct Parsed {
    pub candidates: Vec<Candidate>,
    /// (line, what is wrong), in the order of the file.
    pub problems: Vec<(u64, String)>,
}

impl Parsed {
    /// The problems as `SOURCE:LINE: what is wrong`, in the order of the lines.
    pub fn into_error(mut problems: Vec<(u64, String)>, source: &str) -> Error {
        problems.sort_by_key(|(line, _)| *line);
        Error::BadInput(
            problems
                .into_iter()
                .map(|(line, message)| format!("{source}:{line}: {message}"))
                .collect(),
        )
    }
}

/// Reads a CSV of accounts (header `username,full_name,role,password` in any order,
/// UTF-8, optional BOM). Returns every candidate, or every problem, each as
/// `SOURCE:LINE: what is wrong`.
pub fn parse_csv(bytes: &[u8], source: &str) -> Result<Vec<Candidate>, Error> {
    let parsed = parse_csv_rows(bytes, source)?;
    if parsed.problems.is_empty() {
        Ok(parsed.candidates)
    } else {
        Err(Parsed::into_error(parsed.problems, source))
    }
}

/// Reads every row of a CSV of accounts: the good ones and the problems of the others.
/// Only a file with no usable header is an error at once.
pub fn parse_csv_rows(bytes: &[u8], source: &str) -> Result<Parsed, Error> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.byte_records();
    let problem = |line: u64, message: String| format!("{source}:{line}: {message}");
    // The csv crate's own line numbers fall one short per CRLF line (files saved by
    // Excel): a record's line is counted from its first byte instead.
    let newlines: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter_map(|(at, byte)| (*byte == b'\n').then_some(at))
        .collect();
    let line_at = |position: Option<&csv::Position>| {
        position.map_or(0, |p| {
            // A position may point at the end of the line before (the \n of a \r\n).
            let from = usize::try_from(p.byte()).unwrap_or(usize::MAX);
            let first = bytes
                .get(from..)
                .and_then(|rest| rest.iter().position(|b| !matches!(b, b'\r' | b'\n')))
                .map_or(from, |skipped| from + skipped);
            1 + newlines.partition_point(|&newline| newline < first) as u64
        })
    };

    let columns = match records.next() {
        None => return Err(Error::bad_input(tr!(empty_file, file = source))),
        Some(Err(e)) => return Err(Error::bad_input(problem(1, e.to_string()))),
        Some(Ok(header)) => column_order(&header).map_err(|m| Error::bad_input(problem(1, m)))?,
    };

    let mut parsed = Parsed::default();
    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = line_at(e.position());
                parsed.problems.push((line, e.to_string()));
                continue;
            }
        };
        let line = line_at(record.position());
        match candidate_from(&record, &columns, line) {
            Err(messages) => parsed
                .problems
                .extend(messages.into_iter().map(|m| (line, m))),
            Ok(candidate) => {
                let key = candidate.username.to_ascii_lowercase();
                if let Some(first) = first_line_of.get(&key) {
                    parsed.problems.push((
                        line,
                        tr!(duplicate_in_file, name = candidate.username, line = first),
                    ));
                } else {
                    first_line_of.insert(key, line);
                    parsed.candidates.push(candidate);
                }
            }
        }
    }
    Ok(parsed)
}

/// Where each of the four columns is in the header.
fn column_order(header: &csv::ByteRecord) -> Result<[usize; 4], String> {
    let expected = |detail: String| tr!(bad_header, detail = detail);
    let names: Vec<String> = header
        .iter()
        .map(|field| String::from_utf8_lossy(field).trim().to_lowercase())
        .collect();
    // A spreadsheet saved "as CSV" in French often separates fields with ';'.
    let separator_hint = |message: String| {
        if names.len() == 1 && names[0].contains(';') {
            format!("{message}; {}", tr!(semicolon_hint))
        } else {
            message
        }
    };
    let mut order = [0; 4];
    for (slot, column) in order.iter_mut().zip(COLUMNS) {
        let mut found = names.iter().enumerate().filter(|(_, name)| *name == column);
        *slot = match (found.next(), found.next()) {
            (Some((index, _)), None) => index,
            _ => {
                return Err(separator_hint(expected(tr!(
                    header_column,
                    column = column
                ))));
            }
        };
    }
    if names.len() != COLUMNS.len() {
        return Err(expected(tr!(header_count, count = names.len())));
    }
    Ok(order)
}

/// One data row as a candidate, or every problem of that row.
fn candidate_from(
    record: &csv::ByteRecord,
    columns: &[usize; 4],
    line: u64,
) -> Result<Candidate, Vec<String>> {
    if record.len() != COLUMNS.len() {
        return Err(vec![tr!(
            wrong_columns,
            count = record.len(),
            expected = COLUMNS.len()
        )]);
    }
    let mut fields = Vec::with_capacity(4);
    for &index in columns {
        let raw = record.get(index).unwrap_or_default();
        match std::str::from_utf8(raw) {
            Ok(text) => fields.push(text),
            Err(_) => return Err(vec![tr!(not_utf8, column = index + 1)]),
        }
    }
    let [username, full_name, role, password] = [fields[0], fields[1], fields[2], fields[3]];

    let mut problems = Vec::new();
    let username = username.trim();
    problems.extend(username_problem(username));
    let full_name = full_name.trim();
    problems.extend(full_name_problem(full_name));
    let role = role
        .parse::<Role>()
        .map_err(|e| problems.push(e.to_string()));
    let password = (!password.is_empty()).then(|| password.to_string());
    problems.extend(
        password
            .as_deref()
            .and_then(auth::password_problem)
            .map(|p| p.to_string()),
    );

    match role {
        Ok(role) if problems.is_empty() => Ok(Candidate {
            line: Some(line),
            username: username.to_string(),
            full_name: full_name.to_string(),
            role,
            password,
        }),
        _ => Err(problems),
    }
}

fn full_name_problem(full_name: &str) -> Option<String> {
    if full_name.chars().count() > FULL_NAME_MAX {
        Some(tr!(full_name_long, max = FULL_NAME_MAX))
    } else if full_name.chars().any(crate::printable::is_unsafe) {
        Some(tr!(full_name_control))
    } else {
        None
    }
}

/// `count` new names `PREFIX001`, `PREFIX002`…, numbering on from the highest number that
/// `existing` already uses after that prefix (`directeur002` exists: `directeur003` next).
pub fn numbered_names(prefix: &str, existing: &[String], count: u32) -> Result<Vec<String>, Error> {
    let highest = existing
        .iter()
        .filter_map(|name| number_after(prefix, name))
        .max()
        .unwrap_or(0);
    let names: Vec<String> = (1..=u64::from(count))
        .map(|offset| format!("{prefix}{:03}", highest + offset))
        .collect();
    let problems: Vec<String> = names
        .iter()
        .filter_map(|n| username_problem(n))
        .take(1)
        .collect();
    if problems.is_empty() {
        Ok(names)
    } else {
        Err(Error::BadInput(problems))
    }
}

/// `Some(7)` for `directeur007` after the prefix `directeur`, in any case.
fn number_after(prefix: &str, name: &str) -> Option<u64> {
    let head = name.get(..prefix.len())?;
    let digits = &name[prefix.len()..];
    let numeric = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    (head.eq_ignore_ascii_case(prefix) && numeric).then(|| digits.parse().ok())?
}

/// Hashes every password on every core, each thread reusing one argon2 memory block;
/// `progress` is called once per hash done.
pub fn hash_all(passwords: &[&str], progress: impl Fn() + Sync) -> Result<Vec<String>> {
    passwords
        .par_iter()
        .map_init(Hasher::default, |hasher, password| {
            let hash = hasher.hash(password);
            progress();
            hash
        })
        .collect()
}

/// The accounts to write: each candidate with the hash of its password (`passwords[i]`
/// for `candidates[i]`: given, or generated when the candidate had none, which the user
/// must then change at first login). Hashed on every core.
pub fn hashed(
    candidates: &[Candidate],
    passwords: &[String],
    progress: impl Fn() + Sync,
) -> Result<Vec<NewUser>> {
    let hashes = hash_all(
        &passwords.iter().map(String::as_str).collect::<Vec<_>>(),
        progress,
    )?;
    Ok(candidates
        .iter()
        .zip(hashes)
        .map(|(c, password_hash)| NewUser {
            username: c.username.clone(),
            full_name: c.full_name.clone(),
            role: c.role,
            password_hash,
            must_change_password: c.password.is_none(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(csv: &str) -> Vec<String> {
        match parse_csv(csv.as_bytes(), "u.csv") {
            Err(Error::BadInput(problems)) => problems,
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn a_good_file_gives_its_candidates() {
        let csv = "\u{feff}username,full_name,role,password\n\
                   Hantz123, Hantz Pierre ,Secrétaire,longenough\n\
                   archives001,,ARCHIVES,\n";
        let got = parse_csv(csv.as_bytes(), "u.csv").unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].username, "Hantz123");
        assert_eq!(got[0].full_name, "Hantz Pierre");
        assert_eq!(got[0].role, Role::Secretaire);
        assert_eq!(got[0].password.as_deref(), Some("longenough"));
        assert_eq!(got[0].line, Some(2));
        assert_eq!(got[1].password, None);
    }

    #[test]
    fn columns_may_come_in_any_order() {
        let csv = "role,password,username,full_name\nadmin,,boss1,The Boss\n";
        let got = parse_csv(csv.as_bytes(), "u.csv").unwrap();
        assert_eq!(
            (got[0].username.as_str(), got[0].role),
            ("boss1", Role::Admin)
        );
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let csv = "username,full_name,role,password\n\
                   good1,,admin,\n\
                   good2,,admin,\n\
                   bad_role,,boss,\n\
                   good3,,admin,\n\
                   good4,,admin,\n\
                   good5,,admin,\n\
                   good6,,admin,\n\
                   ,,admin,\n";
        let found = problems(csv);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].starts_with("u.csv:4: unknown role \"boss\""),
            "{found:?}"
        );
        assert_eq!(found[1], "u.csv:9: empty username");
    }

    #[test]
    fn duplicates_column_counts_and_encoding_are_caught() {
        let mut csv = b"username,full_name,role,password\n\
                        alice,,admin,\n\
                        ALICE,,admin,\n\
                        bob,,admin\n\
                        carol,,admin,,extra\n"
            .to_vec();
        csv.extend_from_slice(b"dan\xff,,admin,\n");
        let found = match parse_csv(&csv, "u.csv") {
            Err(Error::BadInput(p)) => p,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            found,
            [
                "u.csv:3: username \"ALICE\" is on line 2 already",
                "u.csv:4: 3 columns, expected 4",
                "u.csv:5: 5 columns, expected 4",
                "u.csv:6: column 1 is not valid UTF-8",
            ]
        );
    }

    #[test]
    fn bad_names_and_passwords_are_explained() {
        let csv =
            "username,full_name,role,password\nab,,admin,\nmé,,admin,\nok_name,,admin,short\n";
        let found = problems(csv);
        assert!(found[0].starts_with("u.csv:2: username \"ab\" has 2 characters"));
        assert!(found[1].starts_with("u.csv:3: username \"mé\""));
        assert!(found[2].starts_with("u.csv:4: password too short"));
    }

    #[test]
    fn a_file_separated_by_semicolons_gets_a_hint() {
        let found = problems("username;full_name;role;password\nann;;archives;\n");
        assert_eq!(found.len(), 1);
        assert!(found[0].starts_with("u.csv:1: "), "{found:?}");
        assert!(found[0].contains("';'"), "{found:?}");
    }

    #[test]
    fn a_bad_header_is_one_problem_on_line_one() {
        let found = problems("name,role\nx,admin\n");
        assert_eq!(found.len(), 1);
        assert!(
            found[0].starts_with("u.csv:1: the header must be"),
            "{found:?}"
        );
        assert!(problems("")[0].contains("empty file"));
    }

    #[test]
    fn numbering_goes_on_from_the_highest() {
        let existing: Vec<String> = [
            "directeur001",
            "Directeur002",
            "directeur_test",
            "Wilbert001",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            numbered_names("directeur", &existing, 2).unwrap(),
            ["directeur003", "directeur004"]
        );
        assert_eq!(numbered_names("archives", &[], 1).unwrap(), ["archives001"]);
        let long = "x".repeat(30);
        assert!(numbered_names(&long, &[], 1).is_err());
    }

    #[test]
    fn hashing_in_bulk_gives_one_verifiable_hash_each() {
        let done = std::sync::atomic::AtomicUsize::new(0);
        let hashes = hash_all(&["first-pass", "second-pass"], || {
            done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        })
        .unwrap();
        assert_eq!(done.into_inner(), 2);
        assert!(auth::verify_password("first-pass", &hashes[0]));
        assert!(auth::verify_password("second-pass", &hashes[1]));
    }
}
