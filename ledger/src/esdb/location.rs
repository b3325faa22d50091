//! Where an EventStoreDB ledger lives: a connection string the `eventstore`
//! crate accepts, plus the name of the one stream that holds the ledger.
//!
//! The stream is chosen with a `stream=NAME` parameter in the connection
//! string (`esdb://host:2113?tls=false&stream=ledger-2026`), so that one
//! `--store` value says everything. The parameter is taken out before the
//! string reaches the crate, which would only warn about it.
//!
//! Two more parameters bound how long anything may take (the crate's own
//! default is no deadline at all for reads):
//!
//! - `defaultDeadline=MS` (the crate's own parameter, also read here): the
//!   most one call to the server may take, default 10 s;
//! - `retryBudget=MS` (ours, taken out): how long one operation of the
//!   ledger (an append with its check of what landed, a read) goes on trying
//!   through transient failures before it reports them, default 30 s: long
//!   enough for a leader election (a few seconds) plus the client's
//!   rediscovery of the new leader (up to `maxDiscoverAttempts` gossip rounds).

use std::time::Duration;

/// The stream of the ledger when the connection string names none.
pub const DEFAULT_STREAM: &str = "gpu-ledger";

/// One call's deadline when the connection string sets none.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(10);

/// One operation's time for retries when the connection string sets none.
pub const DEFAULT_RETRY_BUDGET: Duration = Duration::from_secs(30);

/// A parsed `esdb://` store location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EsdbLocation {
    /// The connection string for the crate (without `stream=`).
    pub connection: String,
    /// The stream holding the ledger.
    pub stream: String,
    /// The most one call to the server may take.
    pub deadline: Duration,
    /// How long one operation may go on retrying.
    pub retry_budget: Duration,
}

/// Why a store location is not an EventStoreDB one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LocationError(pub String);

impl EsdbLocation {
    /// Parses `esdb://...` or `esdb+discover://...`, taking out `stream=`.
    pub fn parse(url: &str) -> Result<Self, LocationError> {
        if !(url.starts_with("esdb://") || url.starts_with("esdb+discover://")) {
            return Err(LocationError(format!(
                "{url:?} is not an EventStoreDB connection string (esdb://host:2113?tls=false)"
            )));
        }
        let (base, query) = match url.split_once('?') {
            Some((base, query)) => (base, query),
            None => (url, ""),
        };
        let mut stream = None;
        let mut deadline = DEFAULT_DEADLINE;
        let mut retry_budget = DEFAULT_RETRY_BUDGET;
        let mut kept = Vec::new();
        for param in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = param.split_once('=').unwrap_or((param, ""));
            if key.eq_ignore_ascii_case("stream") {
                if stream.is_some() {
                    return Err(LocationError(
                        "the connection string names the stream twice".into(),
                    ));
                }
                stream = Some(check_stream_name(value)?);
            } else if key.eq_ignore_ascii_case("retryBudget") {
                retry_budget = millis(key, value)?;
            } else {
                if key.eq_ignore_ascii_case("defaultDeadline") {
                    deadline = millis(key, value)?;
                }
                kept.push(param);
            }
        }
        let connection = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        Ok(Self {
            connection,
            stream: stream.unwrap_or_else(|| DEFAULT_STREAM.to_string()),
            deadline,
            retry_budget,
        })
    }

    /// The location for messages and `describe()`: the connection string
    /// with the stream named and any password left out.
    pub fn describe(&self) -> String {
        let shown = without_password(&self.connection);
        let sep = if shown.contains('?') { '&' } else { '?' };
        format!("{shown}{sep}stream={}", self.stream)
    }
}

/// A positive number of milliseconds: the ledger never waits without end,
/// so the crate's `-1` ("no deadline") is refused too.
fn millis(key: &str, value: &str) -> Result<Duration, LocationError> {
    match value.parse::<u64>() {
        Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
        _ => Err(LocationError(format!(
            "{key}={value:?}: give a positive number of milliseconds"
        ))),
    }
}

/// Stream names are kept to characters that need no escaping in a URL and
/// cannot start a system stream (`$...`).
fn check_stream_name(name: &str) -> Result<String, LocationError> {
    let ok = !name.is_empty()
        && name.len() <= 200
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    if !ok {
        return Err(LocationError(format!(
            "stream name {name:?}: use 1 to 200 letters, digits, '-', '_', '.' or ':'"
        )));
    }
    Ok(name.to_string())
}

/// `esdb://admin:changeit@host` -> `esdb://admin@host`: messages and logs
/// must never carry the password.
fn without_password(connection: &str) -> String {
    let Some((scheme, rest)) = connection.split_once("://") else {
        return connection.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{hosts}{tail}")
        }
        None => connection.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_stream_is_gpu_ledger() {
        let l = EsdbLocation::parse("esdb://localhost:2113?tls=false").unwrap();
        assert_eq!(l.connection, "esdb://localhost:2113?tls=false");
        assert_eq!(l.stream, DEFAULT_STREAM);
        assert_eq!(
            l.describe(),
            "esdb://localhost:2113?tls=false&stream=gpu-ledger"
        );
    }

    #[test]
    fn the_stream_parameter_is_taken_out_wherever_it_stands() {
        for url in [
            "esdb://h:2113?stream=ledger-2026&tls=false",
            "esdb://h:2113?tls=false&Stream=ledger-2026",
        ] {
            let l = EsdbLocation::parse(url).unwrap();
            assert_eq!(l.connection, "esdb://h:2113?tls=false", "{url}");
            assert_eq!(l.stream, "ledger-2026");
        }
        let only = EsdbLocation::parse("esdb://h?stream=s1").unwrap();
        assert_eq!(only.connection, "esdb://h");
        assert_eq!(only.describe(), "esdb://h?stream=s1");
    }

    #[test]
    fn deadline_and_budget_have_defaults_and_can_be_set() {
        let l = EsdbLocation::parse("esdb://h:2113?tls=false").unwrap();
        assert_eq!(l.deadline, DEFAULT_DEADLINE);
        assert_eq!(l.retry_budget, DEFAULT_RETRY_BUDGET);
        let l =
            EsdbLocation::parse("esdb://h:2113?defaultDeadline=2500&retryBudget=90000&tls=false")
                .unwrap();
        assert_eq!(l.deadline, Duration::from_millis(2500));
        assert_eq!(l.retry_budget, Duration::from_secs(90));
        // The crate reads defaultDeadline too; retryBudget is ours alone.
        assert_eq!(l.connection, "esdb://h:2113?defaultDeadline=2500&tls=false");
        for bad in [
            "defaultDeadline=-1",
            "defaultDeadline=0",
            "retryBudget=soon",
        ] {
            assert!(
                EsdbLocation::parse(&format!("esdb://h?{bad}")).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn cluster_strings_pass_through() {
        let url = "esdb://n1:2113,n2:2113,n3:2113?tls=true&nodePreference=leader";
        let l = EsdbLocation::parse(url).unwrap();
        assert_eq!(l.connection, url);
        let discover = EsdbLocation::parse("esdb+discover://cluster.example:2113").unwrap();
        assert_eq!(discover.connection, "esdb+discover://cluster.example:2113");
    }

    #[test]
    fn refuses_other_schemes_and_bad_stream_names() {
        assert!(EsdbLocation::parse("file:/var/lib/gpu-ledger").is_err());
        assert!(EsdbLocation::parse("http://h:2113").is_err());
        for bad in ["", "$all", "a b", "a/b", "é"] {
            let url = format!("esdb://h?stream={bad}");
            assert!(EsdbLocation::parse(&url).is_err(), "{bad:?}");
        }
        assert!(EsdbLocation::parse("esdb://h?stream=a&stream=b").is_err());
    }

    #[test]
    fn describe_never_shows_a_password() {
        let l = EsdbLocation::parse("esdb://admin:changeit@n1:2113,n2:2113?tls=true").unwrap();
        let shown = l.describe();
        assert!(!shown.contains("changeit"), "{shown}");
        assert_eq!(
            shown,
            "esdb://admin@n1:2113,n2:2113?tls=true&stream=gpu-ledger"
        );
        // The crate still gets the credentials.
        assert!(l.connection.contains("admin:changeit@"));
    }
}
