//! LISTEN for the triggers' NOTIFY, for a live monitor.

use std::time::{Duration, Instant};

use anyhow::Result;

use super::client::{Lost, PgClient};
use super::target::PgTarget;

/// What the triggers of users and sessions NOTIFY (`schema.postgres.sql`).
pub const CHANGES_CHANNEL: &str = "konekte_changes";

/// How long a LISTEN connection may hear nothing before it asks the server whether it
/// is still there: a notification that cannot come looks like quiet.
const LISTEN_PING: Duration = Duration::from_secs(5);

/// A connection that LISTENs for the triggers' NOTIFY; made again after a drop (the
/// server restarted, the network cut, the backend killed), which counts as a change:
/// whatever happened meanwhile was not heard.
pub struct PgWatch {
    client: Option<PgClient>,
    target: PgTarget,
    quiet: Instant,
}

impl PgWatch {
    pub fn new(target: &PgTarget) -> Result<PgWatch> {
        Ok(PgWatch {
            client: Some(listening(target)?),
            target: target.clone(),
            quiet: Instant::now(),
        })
    }

    pub fn wait(&mut self, patience: Duration) -> Result<bool> {
        let Some(client) = &self.client else {
            self.client = Some(listening(&self.target)?);
            self.quiet = Instant::now();
            return Ok(true);
        };
        let heard = match client.notification(patience) {
            Ok(Some(_)) => {
                // One reload for a burst: what came with it is heard already.
                while client.pending_notification().is_some() {}
                Ok(true)
            }
            Ok(None) if self.quiet.elapsed() >= LISTEN_PING => {
                self.quiet = Instant::now();
                client.batch_execute("").map(|()| false)
            }
            other => other.map(|_| false),
        };
        if heard.as_ref().is_ok_and(|heard| *heard) {
            self.quiet = Instant::now();
        }
        match heard {
            Ok(heard) if !client.is_closed() => Ok(heard),
            Ok(_) => {
                self.client = None;
                Err(Lost::Closed.into())
            }
            Err(err) => {
                self.client = None;
                Err(err)
            }
        }
    }
}

fn listening(target: &PgTarget) -> Result<PgClient> {
    let client = target.connect()?;
    client.batch_execute(&format!("LISTEN {CHANGES_CHANNEL}"))?;
    Ok(client)
}
