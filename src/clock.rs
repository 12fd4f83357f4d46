//! Time as stored (UTC milliseconds) and as shown (RFC 3339 for scripts, local for people).

use chrono::{DateTime, Local, SecondsFormat, TimeZone, Utc};

use crate::model::Millis;

pub fn now_ms() -> Millis {
    Utc::now().timestamp_millis()
}

/// `2026-11-24T09:15:02Z`: what CSV and JSON carry.
pub fn rfc3339(at: Millis) -> String {
    DateTime::from_timestamp_millis(at)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// `2026-11-24 10:15` in the machine's time zone: what tables show.
pub fn local(at: Millis) -> String {
    Local
        .timestamp_millis_opt(at)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// For `#[serde(serialize_with)]`: a time as RFC 3339 UTC, or null.
pub fn serialize_rfc3339<S: serde::Serializer>(
    at: &Option<Millis>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => serializer.serialize_str(&rfc3339(*at)),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_get_utc_with_a_z() {
        assert_eq!(rfc3339(1_795_511_702_000), "2026-11-24T09:15:02Z");
        assert_eq!(rfc3339(1_795_511_702_999), "2026-11-24T09:15:02Z");
    }
}
