//! `console pam`: the PC's own logins, told by pam_exec from a PAM session stack
//! (`session optional pam_exec.so /usr/bin/console pam`). At `open_session` a session
//! of `PAM_USER` (an account of that name in any case, or the name alone) is opened,
//! held by the process that called pam_exec; at `close_session` that process's session
//! ends as a logout. Passwords stay the system's business: nothing is authenticated.
//!
//! An OS login never waits for konekte nor fails because of it: the work has 2 s, and
//! whatever goes wrong goes to the system log; the command always exits 0.

use std::sync::mpsc;
use std::time::Duration;

use anyhow::Result;

use crate::db::{Db, Target};
use crate::model::{Origin, SystemLogin};

/// How long an OS login may wait for konekte.
const AT_MOST: Duration = Duration::from_secs(2);

/// What PAM asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Open,
    Close,
}

/// Records PAM's stage on `target`, the database of --db, CONSOLE_DB or the files (or
/// why there is none, said in the system log).
pub fn run(target: Result<Target>) {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let stage = match var("PAM_TYPE").as_deref() {
        Some("open_session") => Stage::Open,
        Some("close_session") => Stage::Close,
        // auth, account, password: konekte has nothing to say there.
        _ => return,
    };
    let Some(name) = var("PAM_USER") else {
        return complain("no PAM_USER: nothing recorded");
    };
    let login = SystemLogin {
        service: var("PAM_SERVICE").unwrap_or_else(|| "pam".into()),
        name,
    };
    let origin = Origin::of_a_system_login(var("PAM_TTY"), var("PAM_RHOST"));
    // Said in the system log if it fails: "login of hantz123: …".
    let subject = format!("{} of {}", what(stage), login.name);
    let (done, outcome) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(target.and_then(|target| record(&target, stage, &login, &origin)));
    });
    match outcome.recv_timeout(AT_MOST) {
        Ok(Ok(())) => {}
        Ok(Err(err)) => complain(&format!("{subject}: {err:#}")),
        Err(_) => complain(&format!(
            "{subject}: the database did not answer within 2 s"
        )),
    }
}

fn what(stage: Stage) -> &'static str {
    match stage {
        Stage::Open => "login",
        Stage::Close => "logout",
    }
}

fn record(target: &Target, stage: Stage, login: &SystemLogin, origin: &Origin) -> Result<()> {
    let db = Db::open_existing(target)?;
    let now = db.now();
    match stage {
        Stage::Open => {
            let user_id = db.user(&login.name)?.map(|user| user.id);
            db.open_system_session(user_id, login, origin, now)?;
        }
        Stage::Close => {
            db.end_system_session(login, origin, now)?;
        }
    }
    Ok(())
}

/// To the system log (authpriv, where PAM's own messages go), and to stderr for
/// pam_exec's `log=` option; the text from outside escaped.
fn complain(what: &str) {
    let line = format!("console pam: {}", crate::printable::escaped(what));
    crate::system_log::send(libc::LOG_AUTHPRIV, libc::LOG_ERR, &line);
    eprintln!("{line}");
}
