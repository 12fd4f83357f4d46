//! The whole station on a temporary database, without a terminal: keys and clock ticks
//! in, the screens and the rows of the database out. The clock is the test's.

use std::sync::atomic::AtomicI64;
use std::time::Duration as StdDuration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tempfile::TempDir;

use super::*;
use crate::auth::hash_password;
use crate::db::{Patience, Target};
use crate::i18n::{EN, HT};
use crate::model::{NewUser, Role};
use std::sync::mpsc;
use std::thread;

/// 2026-11-24 09:15:02 UTC.
const T0: Millis = 1_795_511_702_000;
const SECOND: Millis = 1_000;

struct Rig {
    /// Shared by the terminals of one office (`Rig::beside`).
    _dir: Arc<TempDir>,
    _postgres: Arc<Option<crate::db::testing::PgDatabase>>,
    target: Target,
    clock: Arc<AtomicI64>,
    station: Station,
    inbox: Receiver<Event>,
}

fn settings() -> Settings {
    Settings {
        idle_timeout: Some(15 * 60 * SECOND),
        heartbeat: 5 * SECOND,
        policy: LockPolicy::default(),
        quit_allowed: true,
    }
}

fn terminal() -> Mode {
    Mode::Terminal {
        once: false,
        programs: Default::default(),
    }
}

fn monitor() -> Mode {
    Mode::Monitor {
        banner: None,
        sign_in: None,
        confirm_quit: None,
        witness: None,
    }
}

impl Rig {
    /// An office of three (clerk, and two admins: boss and deputy), and a station on it.
    fn new(mode: Mode, settings: Settings, texts: &'static Texts, patience: Patience) -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let (target, postgres) = crate::db::testing::shared(dir.path());
        let person = |username: &str, role| NewUser {
            username: username.into(),
            full_name: String::new(),
            role,
            password_hash: hash_password(&format!("{username}-password")).unwrap(),
            must_change_password: false,
        };
        let db = Db::open(&target).unwrap();
        db.create_users(
            &[
                person("clerk", Role::Archives),
                person("boss", Role::Admin),
                person("deputy", Role::Admin),
            ],
            false,
            0,
        )
        .unwrap();
        let clock = Arc::new(AtomicI64::new(T0));
        let (station, inbox) = start_station(&target, &clock, mode, settings, texts, patience);
        Rig {
            _dir: Arc::new(dir),
            _postgres: Arc::new(postgres),
            target,
            clock,
            station,
            inbox,
        }
    }

    /// Another terminal of the same office, on the same database and clock.
    fn beside(&self, settings: Settings, patience: Patience) -> Rig {
        let (station, inbox) = start_station(
            &self.target,
            &self.clock,
            terminal(),
            settings,
            &EN,
            patience,
        );
        Rig {
            _dir: Arc::clone(&self._dir),
            _postgres: Arc::clone(&self._postgres),
            target: self.target.clone(),
            clock: Arc::clone(&self.clock),
            station,
            inbox,
        }
    }

    fn terminal() -> Rig {
        Rig::new(terminal(), settings(), &EN, Patience::default())
    }

    fn press(&mut self, code: KeyCode) {
        let key = KeyEvent::new(code, KeyModifiers::NONE);
        self.station.tick();
        self.station.on_event(Event::Input(Input::Key(key)));
    }

    fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(match c {
                '\t' => KeyCode::Tab,
                '\r' => KeyCode::Enter,
                c => KeyCode::Char(c),
            });
        }
    }

    /// Waits until every job sent has been answered, and hands the answers over.
    fn settle(&mut self) {
        while self.station.busy() {
            match self.inbox.recv_timeout(StdDuration::from_secs(20)) {
                Ok(event) => self.station.on_event(event),
                Err(e) => panic!("the worker did not answer: {e}"),
            }
        }
    }

    fn advance(&mut self, millis: Millis) {
        self.clock.fetch_add(millis, Ordering::Relaxed);
        self.station.tick();
    }

    fn now(&self) -> Millis {
        self.clock.load(Ordering::Relaxed)
    }

    fn log_in(&mut self, username: &str) {
        self.type_text(&format!("{username}\t{username}-password\r"));
        self.settle();
        assert!(
            matches!(
                self.station.screen(),
                Screen::Session(_) | Screen::Monitor(..)
            ),
            "{username} did not get a session:\n{}",
            self.screen_text(80, 24)
        );
    }

    fn screen_text(&self, width: u16, height: u16) -> String {
        let backend = ratatui::backend::TestBackend::new(width, height);
        let mut terminal = Terminal::new(backend).unwrap();
        terminal.draw(|frame| self.station.draw(frame)).unwrap();
        terminal.backend().to_string()
    }

    fn other_connection(&self) -> Db {
        Db::open(&self.target).unwrap()
    }

    /// (login, logout, reason) of the latest session.
    fn latest(&self) -> (Millis, Option<Millis>, Option<String>) {
        let latest = self
            .other_connection()
            .sessions_in(&crate::db::Range::default(), Some(1))
            .unwrap()
            .remove(0);
        (
            latest.login_time,
            latest.logout_time,
            latest.end_reason.map(|r| r.as_str().to_string()),
        )
    }

    /// Holds the database's write lock, as a backup or a long import does.
    fn hold_the_lock(&self) -> crate::db::testing::HeldLock {
        crate::db::testing::hold_write_lock(&self.target)
    }

    fn login_notice(&self) -> Option<Said> {
        match self.station.screen() {
            Screen::Login(state) => match &state.status {
                login::Status::Notice(said) => Some(said.clone()),
                _ => None,
            },
            _ => None,
        }
    }
}

/// A station at the front desk on `target`, reading the time from `clock`.
fn start_station(
    target: &Target,
    clock: &Arc<AtomicI64>,
    mode: Mode,
    settings: Settings,
    texts: &'static Texts,
    patience: Patience,
) -> (Station, Receiver<Event>) {
    let mut db = Db::open(target).unwrap();
    db.set_patience(patience).unwrap();
    let read = Arc::clone(clock);
    let place = Place {
        origin: Origin {
            host: "frontdesk".into(),
            tty: Some("/dev/pts/7".into()),
            pid: std::process::id(),
            ..Origin::default()
        },
        // Another machine's sweep: no process of the test is judged by its pid.
        this_host: ThisHost {
            host: "elsewhere".into(),
            machine_id: None,
            boot_id: None,
            booted_at: None,
            pid_ns: None,
        },
        tz: Zone::UTC,
        theme: Theme { color: false },
        texts,
    };
    let (events, inbox) = mpsc::channel();
    let mut station = Station::new(
        db,
        settings,
        mode,
        place,
        Arc::new(move || read.load(Ordering::Relaxed)),
        events,
    );
    station.resized(120, 40);
    (station, inbox)
}

fn quick() -> Patience {
    Patience {
        busy_timeout: StdDuration::from_millis(20),
        attempts: 2,
    }
}

#[test]
fn a_login_and_a_logout_are_written_at_the_times_they_happened() {
    let mut rig = Rig::terminal();
    rig.log_in("clerk");
    assert_eq!(rig.latest(), (T0, None, None));
    rig.advance(65 * SECOND);
    rig.press(KeyCode::Char('l'));
    rig.settle();
    assert_eq!(
        rig.latest(),
        (T0, Some(T0 + 65 * SECOND), Some("logout".into()))
    );
    assert_eq!(
        rig.login_notice(),
        Some(Said::LoggedOut {
            lasted: 65 * SECOND
        })
    );
}

#[test]
fn every_screen_speaks_the_language_the_terminal_was_given() {
    let mut rig = Rig::new(terminal(), settings(), &HT, Patience::default());
    assert!(rig.screen_text(80, 24).contains("Non itilizatè"));
    rig.log_in("clerk");
    let session = rig.screen_text(80, 24);
    assert!(session.contains("L dekonekte"), "{session}");
    rig.press(KeyCode::Char('l'));
    rig.settle();
    let login = rig.screen_text(80, 24);
    assert!(login.contains("Ou dekonekte"), "{login}");
}

#[test]
fn a_logout_the_database_refuses_is_retried_until_it_is_written() {
    let mut rig = Rig::new(terminal(), settings(), &EN, quick());
    rig.log_in("clerk");
    rig.advance(30 * SECOND);
    let pressed = rig.now();
    let lock = rig.hold_the_lock();
    rig.press(KeyCode::Char('l'));
    rig.settle();
    assert!(
        rig.screen_text(80, 24).contains("retrying the logout"),
        "{}",
        rig.screen_text(80, 24)
    );
    assert_eq!(rig.latest().1, None);
    lock.release();
    rig.advance(RETRY_END);
    rig.settle();
    assert_eq!(rig.latest(), (T0, Some(pressed), Some("logout".into())));
    assert!(matches!(rig.station.screen(), Screen::Login(_)));
}

#[test]
fn a_hangup_while_a_logout_waits_for_the_lock_keeps_the_logout() {
    let patience = Patience {
        busy_timeout: StdDuration::from_secs(5),
        attempts: 3,
    };
    let mut rig = Rig::new(terminal(), settings(), &EN, patience);
    rig.log_in("clerk");
    rig.advance(10 * SECOND);
    let pressed = rig.now();
    let lock = rig.hold_the_lock();
    rig.press(KeyCode::Char('l'));
    // The terminal closes while the logout waits; the lock is let go a little later.
    let release = thread::spawn(move || {
        thread::sleep(StdDuration::from_millis(300));
        lock.release();
    });
    rig.advance(SECOND);
    let Rig { station, inbox, .. } = &mut rig;
    station.hang_up(inbox);
    release.join().unwrap();
    assert!(rig.station.finished());
    assert_eq!(rig.latest(), (T0, Some(pressed), Some("logout".into())));
}

#[test]
fn a_hangup_closes_an_open_session_before_the_station_ends() {
    let mut rig = Rig::terminal();
    rig.log_in("clerk");
    rig.advance(7 * SECOND);
    let Rig { station, inbox, .. } = &mut rig;
    station.hang_up(inbox);
    assert!(rig.station.finished());
    assert_eq!(
        rig.latest(),
        (T0, Some(T0 + 7 * SECOND), Some("hangup".into()))
    );
}

#[test]
fn the_screen_keeps_ticking_and_says_so_while_the_database_is_held() {
    let patience = Patience {
        busy_timeout: StdDuration::from_secs(3),
        attempts: 1,
    };
    let mut rig = Rig::new(terminal(), settings(), &EN, patience);
    rig.log_in("clerk");
    let lock = rig.hold_the_lock();
    // The heartbeat goes out and waits for the lock; the loop does not.
    rig.advance(5 * SECOND);
    assert!(rig.station.busy());
    rig.advance(2 * SECOND);
    let screen = rig.screen_text(80, 24);
    assert!(screen.contains("Waiting for the database"), "{screen}");
    assert!(
        screen.contains("0:00:07"),
        "the duration ticks on:\n{screen}"
    );
    lock.release();
    rig.settle();
    rig.advance(100);
    assert!(!rig.screen_text(80, 24).contains("Waiting for the database"));
}

#[test]
fn an_admins_end_is_noticed_at_the_next_heartbeat() {
    let mut rig = Rig::terminal();
    rig.log_in("clerk");
    let (login, ..) = rig.latest();
    let id = rig
        .other_connection()
        .open_sessions()
        .unwrap()
        .into_iter()
        .find(|s| s.login_time == login)
        .unwrap()
        .id;
    rig.other_connection()
        .close_session(id, EndReason::Forced, T0 + SECOND, None, None)
        .unwrap();
    rig.advance(5 * SECOND);
    rig.settle();
    assert_eq!(rig.login_notice(), Some(Said::EndedByAdmin));
}

#[test]
fn the_heartbeat_tells_when_a_key_was_last_pressed() {
    let mut rig = Rig::terminal();
    rig.log_in("clerk");
    let db = rig.other_connection();
    let last_key = || db.open_sessions().unwrap()[0].last_key;
    assert_eq!(last_key(), Some(T0), "the login is the first key");
    rig.advance(2 * SECOND);
    rig.press(KeyCode::Char('x'));
    let pressed = rig.now();
    rig.advance(3 * SECOND);
    rig.settle();
    assert_eq!(last_key(), Some(pressed));
    rig.advance(5 * SECOND);
    rig.settle();
    assert_eq!(last_key(), Some(pressed), "no key since");
}

#[test]
fn the_monitor_shows_a_login_made_elsewhere_once_told_of_a_change() {
    let mut rig = Rig::new(monitor(), settings(), &EN, Patience::default());
    rig.log_in("boss");
    rig.settle();
    let Screen::Monitor(_, state) = rig.station.screen() else {
        panic!("no monitor")
    };
    assert_eq!(state.snapshot.counts.online_users, 1);
    let other = rig.other_connection();
    let clerk = other.user("clerk").unwrap().unwrap();
    other
        .open_session(clerk.id, &Origin::default(), 5_000, T0 + SECOND)
        .unwrap();
    rig.station.on_event(Event::Changed);
    rig.settle();
    let Screen::Monitor(_, state) = rig.station.screen() else {
        panic!("no monitor")
    };
    assert_eq!(state.snapshot.counts.online_users, 2);
    assert!(rig.screen_text(120, 40).contains("clerk"));
}

#[test]
fn the_days_timeline_follows_the_logins_made_elsewhere() {
    let mut rig = Rig::new(monitor(), settings(), &EN, Patience::default());
    rig.log_in("boss");
    rig.settle();
    rig.press(KeyCode::Char('t'));
    rig.settle();
    let people = |rig: &Rig| match rig.station.screen() {
        Screen::Monitor(_, state) => state.snapshot.timeline.as_ref().map(|t| {
            t.people
                .iter()
                .map(|p| p.username.clone())
                .collect::<Vec<_>>()
        }),
        _ => None,
    };
    assert_eq!(people(&rig), Some(vec!["boss".to_string()]));
    let other = rig.other_connection();
    let clerk = other.user("clerk").unwrap().unwrap();
    other
        .open_session(clerk.id, &Origin::default(), 5_000, rig.now())
        .unwrap();
    rig.station.on_event(Event::Changed);
    rig.settle();
    assert_eq!(
        people(&rig),
        Some(vec!["boss".to_string(), "clerk".to_string()])
    );
    assert!(rig.screen_text(120, 40).contains("Today"));
}

#[test]
fn the_monitor_knows_the_admins_own_session() {
    let mut rig = Rig::new(monitor(), settings(), &EN, Patience::default());
    rig.log_in("boss");
    rig.settle();
    let Screen::Monitor(session, state) = rig.station.screen() else {
        panic!("no monitor")
    };
    assert_eq!(state.own_session, Some(session.session_id));
}

#[test]
fn the_monitor_counts_down_before_an_idle_logout() {
    let mut quick_idle = settings();
    quick_idle.idle_timeout = Some(2 * 60 * SECOND);
    let mut rig = Rig::new(monitor(), quick_idle, &EN, Patience::default());
    rig.log_in("boss");
    rig.settle();
    rig.advance(61 * SECOND);
    let screen = rig.screen_text(80, 24);
    assert!(screen.contains("logging out in 59 s"), "{screen}");
    rig.advance(60 * SECOND);
    rig.settle();
    assert_eq!(rig.latest().2.as_deref(), Some("idle"));
}

#[test]
fn a_monitor_without_an_idle_timeout_stays_open() {
    let mut wall = settings();
    wall.idle_timeout = None;
    let mut rig = Rig::new(monitor(), wall, &EN, Patience::default());
    rig.log_in("boss");
    rig.settle();
    rig.advance(24 * 3600 * SECOND);
    rig.settle();
    assert!(matches!(rig.station.screen(), Screen::Monitor(..)));
    assert_eq!(rig.latest().1, None);
}

#[test]
fn an_admin_demoted_meanwhile_can_end_no_session() {
    let mut rig = Rig::new(monitor(), settings(), &EN, Patience::default());
    rig.log_in("boss");
    rig.settle();
    let other = rig.other_connection();
    let clerk = other.user("clerk").unwrap().unwrap();
    let session = other
        .open_session(clerk.id, &Origin::default(), 5_000, T0)
        .unwrap();
    other.set_role("boss", Role::Directeur).unwrap();
    rig.station
        .on_monitor_effect(Some(monitor::Effect::EndSession {
            session_id: session.id,
        }));
    rig.settle();
    assert_eq!(
        other.session(session.id).unwrap().unwrap().logout_time,
        None
    );
    let Screen::Monitor(_, state) = rig.station.screen() else {
        panic!("no monitor")
    };
    assert!(
        state
            .message
            .as_deref()
            .is_some_and(|m| m.contains("no longer")),
        "{:?}",
        state.message
    );
}

#[test]
fn a_lock_held_for_a_minute_loses_no_session_and_keeps_a_logout_pressed_meanwhile() {
    // The lock outlasts every write's patience, as a long backup does: heartbeats,
    // sweeps and the logout all fail while it is held.
    let mut clerk = Rig::new(terminal(), settings(), &EN, quick());
    let mut boss = clerk.beside(settings(), quick());
    let mut deputy = clerk.beside(settings(), quick());
    for (rig, name) in [
        (&mut clerk, "clerk"),
        (&mut boss, "boss"),
        (&mut deputy, "deputy"),
    ] {
        rig.log_in(name);
    }
    let clock = Arc::clone(&clerk.clock);
    // The sweepers tick first: each would close the others' silent sessions.
    let second_by_second = |seconds: i64, office: &mut [&mut Rig]| {
        for _ in 0..seconds {
            clock.fetch_add(SECOND, Ordering::Relaxed);
            for rig in office.iter_mut() {
                rig.station.tick();
                rig.settle();
            }
        }
    };
    let lock = clerk.hold_the_lock();
    second_by_second(30, &mut [&mut boss, &mut deputy, &mut clerk]);
    let pressed = clerk.now();
    clerk.press(KeyCode::Char('l'));
    clerk.settle();
    second_by_second(30, &mut [&mut boss, &mut deputy, &mut clerk]);
    assert_eq!(
        clerk.latest().1,
        None,
        "nothing is written while the lock is held"
    );
    lock.release();
    // Watched after every terminal's turn: a session taken for lost, even if its next
    // heartbeat opened it again, would show here.
    let watcher = clerk.other_connection();
    let lost_now = || {
        watcher
            .sessions_in(&crate::db::Range::default(), None)
            .unwrap()
            .iter()
            .filter(|s| s.end_reason == Some(EndReason::Lost))
            .count()
    };
    for second in 0..30 {
        clock.fetch_add(SECOND, Ordering::Relaxed);
        for rig in [&mut boss, &mut deputy, &mut clerk] {
            rig.station.tick();
            rig.settle();
            assert_eq!(lost_now(), 0, "taken for lost after {second} s");
        }
        if second == 0 {
            assert_eq!(
                clerk.login_notice(),
                Some(Said::LoggedOut {
                    lasted: pressed - T0
                }),
                "the screen says what the row says"
            );
        }
    }

    let sessions = clerk
        .other_connection()
        .sessions_in(&crate::db::Range::default(), None)
        .unwrap();
    let ends: Vec<_> = sessions
        .iter()
        .map(|s| (s.login_time, s.logout_time, s.end_reason))
        .collect();
    assert_eq!(
        ends,
        [
            (T0, None, None),
            (T0, None, None),
            (T0, Some(pressed), Some(EndReason::Logout)),
        ],
        "newest first: deputy, boss, clerk"
    );
    assert!(matches!(boss.station.screen(), Screen::Session(_)));
}

#[test]
fn a_disabled_admin_loses_the_monitor_at_the_next_heartbeat() {
    let mut rig = Rig::new(monitor(), settings(), &EN, Patience::default());
    rig.log_in("boss");
    rig.settle();
    let other = rig.other_connection();
    assert_eq!(other.set_disabled("boss", true, "root").unwrap(), 1);
    let (_, logout, reason) = rig.latest();
    assert_eq!(
        (logout.is_some(), reason.as_deref()),
        (true, Some("forced"))
    );
    let note = other
        .sessions_in(&crate::db::Range::default(), Some(1))
        .unwrap()
        .remove(0);
    assert_eq!(note.end_note.as_deref(), Some("account disabled"));
    rig.advance(settings().heartbeat);
    rig.settle();
    assert!(matches!(rig.station.screen(), Screen::Login(_)));
    assert_eq!(rig.login_notice(), Some(Said::EndedByAdmin));
}

#[test]
fn a_terminal_whose_database_file_is_replaced_says_so_and_lets_no_one_log_in() {
    let mut rig = Rig::terminal();
    let Target::Sqlite(path) = rig.target.clone() else {
        return; // a PostgreSQL database has no file to replace
    };
    rig.log_in("clerk");
    // A backup restored over the file: a new inode at the same path.
    let copy = path.with_extension("restored");
    std::fs::copy(&path, &copy).unwrap();
    std::fs::rename(&copy, &path).unwrap();
    rig.advance(settings().heartbeat);
    rig.settle();
    while rig.station.db_unusable.is_none() {
        match rig.inbox.recv_timeout(StdDuration::from_secs(20)) {
            Ok(event) => rig.station.on_event(event),
            Err(e) => panic!("the replacement was not noticed: {e}"),
        }
    }
    let screen = rig.screen_text(120, 40);
    assert!(screen.contains("replaced or removed"), "{screen}");
    rig.press(KeyCode::Char('l'));
    rig.settle();
    rig.advance(100);
    let login = rig.screen_text(120, 40);
    assert!(login.contains("replaced or removed"), "{login}");
    rig.type_text("boss\tboss-password\r");
    assert!(
        !rig.station.busy(),
        "no login is sent to a file no one reads"
    );
    assert!(matches!(rig.station.screen(), Screen::Login(_)));
}

#[test]
fn a_terminal_on_a_damaged_file_says_so_and_lets_no_one_log_in() {
    let rig = Rig::terminal();
    let Target::Sqlite(path) = rig.target.clone() else {
        return; // PostgreSQL checks its own pages
    };
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
        let page_size: i64 = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        let root: i64 = conn
            .query_row(
                "SELECT rootpage FROM sqlite_schema WHERE name = 'users_role'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        use std::io::{Seek, SeekFrom, Write};
        let mut file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        let offset = u64::try_from((root - 1) * page_size).unwrap();
        file.seek(SeekFrom::Start(offset)).unwrap();
        // The index's root page claims to be a table's interior page.
        file.write_all(&[0x05]).unwrap();
    }
    let mut terminal = rig.beside(settings(), Patience::default());
    while terminal.station.db_unusable.is_none() {
        match terminal.inbox.recv_timeout(StdDuration::from_secs(20)) {
            Ok(event) => terminal.station.on_event(event),
            Err(e) => panic!("the damage was not noticed: {e}"),
        }
    }
    terminal.type_text("clerk\tclerk-password\r");
    terminal.settle();
    assert!(matches!(terminal.station.screen(), Screen::Login(_)));
    let sessions = terminal
        .other_connection()
        .sessions_in(&crate::db::Range::default(), None)
        .unwrap();
    assert!(sessions.is_empty(), "no login is sent to a damaged file");
    let screen = terminal.screen_text(80, 24);
    assert!(screen.contains("database is damaged"), "{screen}");
}

#[test]
fn an_open_monitor_keeps_checkpoints_of_the_journal_in_its_witness() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state/witness");
    let mode = Mode::Monitor {
        banner: None,
        sign_in: None,
        confirm_quit: None,
        witness: Some(file.clone()),
    };
    let mut rig = Rig::new(mode, settings(), &EN, Patience::default());
    rig.log_in("boss");
    rig.advance(SECOND);
    rig.settle();
    let checkpoints = || {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        crate::journal::witness::checkpoints_in(&text)
    };
    assert_eq!(checkpoints().len(), 1, "one as the monitor opens");
    let (head, hash) = rig.other_connection().journal_head().unwrap();
    let (_, first) = &checkpoints()[0];
    assert_eq!((first.entry, &first.hash), (head, &hash));
    rig.advance(CHECKPOINT_EVERY / 2);
    rig.settle();
    assert_eq!(checkpoints().len(), 1, "not before its time");
    rig.advance(CHECKPOINT_EVERY / 2);
    rig.settle();
    assert_eq!(checkpoints().len(), 2, "then every few minutes");
    let verdict = rig.other_connection().verify(checkpoints()).unwrap();
    assert_eq!((verdict.witnessed, verdict.findings.len()), (2, 0));
}

#[test]
fn an_admin_corrects_a_session_from_the_monitor_and_the_journal_names_them() {
    let mut rig = Rig::new(monitor(), settings(), &EN, Patience::default());
    let other = rig.other_connection();
    let clerk = other.user("clerk").unwrap().unwrap();
    let session = other
        .open_session(clerk.id, &Origin::default(), 5_000, T0 - 2 * 3_600_000)
        .unwrap();
    other
        .close_session(session.id, EndReason::Idle, T0 - 3_600_000, None, None)
        .unwrap();
    rig.log_in("boss");
    rig.settle();
    let correction = crate::db::Correction::End {
        session: session.id,
        at: T0 - 90 * 60_000,
    };
    rig.station
        .on_monitor_effect(Some(monitor::Effect::Correct {
            correction,
            note: "left at 90 minutes to".into(),
            user_id: clerk.id,
            offset: 0,
            rows: 10,
        }));
    rig.settle();
    let corrected = other.session(session.id).unwrap().unwrap();
    assert_eq!(corrected.logout_time, Some(T0 - 90 * 60_000));
    let Screen::Monitor(_, state) = rig.station.screen() else {
        panic!("no monitor")
    };
    assert_eq!(
        state.message.as_deref(),
        Some(format!("session {} corrected", session.id).as_str())
    );
    let actions = other.admin_actions(None, None).unwrap();
    let action = actions.last().unwrap();
    assert_eq!(action.action, "correct");
    assert_eq!(action.actor.admin.as_deref(), Some("boss"));
    assert!(matches!(state.overlay, monitor::Overlay::History(_)));
}
