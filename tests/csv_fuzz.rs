//! Arbitrary bytes fed to `add-users --file` never panic and never half-import.

use konekte::cli::AddUsersArgs;
use konekte::commands::add_users;
use proptest::prelude::*;

fn import(bytes: &[u8]) -> (anyhow::Result<()>, i64, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("input.csv");
    std::fs::write(&file, bytes).unwrap();
    let db = dir.path().join("k.db");
    let args = AddUsersArgs {
        file: Some(file),
        role: None,
        count: None,
        prefix: None,
        interactive: false,
        dry_run: false,
        skip_existing: false,
        temporary: false,
        no_header: false,
    };
    let mut out = Vec::new();
    let result = add_users::run(&args, &konekte::db::Target::Sqlite(db.clone()), &mut out);
    let users = if db.exists() {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .unwrap()
    } else {
        0
    };
    (result, users, out)
}

/// Data rows made of a few plausible and implausible pieces, so that some rows pass
/// validation and some do not.
fn rows() -> impl Strategy<Value = Vec<u8>> {
    let field = prop_oneof![
        Just(b"admin".to_vec()),
        Just(b"archives".to_vec()),
        Just(b"user_01".to_vec()),
        Just(b"long-enough-pass".to_vec()),
        Just(Vec::new()),
        Just(b"\"quoted,comma\"".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..6),
    ];
    let row = proptest::collection::vec(field, 0..6).prop_map(|fields| fields.join(&b','));
    proptest::collection::vec(row, 0..5).prop_map(|rows| rows.join(&b'\n'))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_bytes_are_refused_without_writing(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let (result, users, out) = import(&bytes);
        // Without the header, no input is acceptable.
        prop_assert!(result.is_err());
        prop_assert_eq!(users, 0);
        prop_assert!(out.is_empty());
    }

    #[test]
    fn an_import_is_all_or_nothing(body in rows()) {
        let mut bytes = b"username,full_name,role,password\n".to_vec();
        bytes.extend_from_slice(&body);
        let (result, users, out) = import(&bytes);
        match result {
            Err(_) => {
                prop_assert_eq!(users, 0);
                prop_assert!(out.is_empty());
            }
            Ok(()) => {
                // One CSV line per user created, after the header.
                let printed = String::from_utf8(out).unwrap().lines().count() as i64 - 1;
                prop_assert_eq!(printed, users);
            }
        }
    }
}
