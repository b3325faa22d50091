//! Where the ledger lives in PostgreSQL: a connection URL, less the options
//! that are gpu-ledger's own, and the schema that holds the ledger.
//!
//! `postgres://user[:password]@host[:port][,host2[:port2]...]/db?...`: any URL
//! the `tokio-postgres` client accepts, plus `schema=NAME` (default
//! [`DEFAULT_SCHEMA`]), which is taken out before the URL reaches the client.
//! Several hosts with `target_session_attrs=read-write` make a failover
//! list: the client connects to whichever of them takes writes.

use std::time::Duration;

/// The schema of the ledger's tables when the URL names none.
pub const DEFAULT_SCHEMA: &str = "gpu_ledger";

/// How long to wait for one host to answer a connection, unless the URL says
/// (`connect_timeout=SECS`): a dead host must not hold up trying the next.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long sent data may stay unacknowledged before the connection counts
/// as lost, unless the URL says (`tcp_user_timeout`): a primary that vanished
/// from the network is noticed in seconds, not after TCP's many minutes.
const TCP_USER_TIMEOUT: Duration = Duration::from_secs(15);

/// A connection URL that is not one gpu-ledger can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LocationError(pub String);

/// A parsed `--store postgres://...`.
#[derive(Clone)]
pub struct PgLocation {
    /// The URL as the client gets it (without `schema=`).
    pub connection: String,
    pub schema: String,
    pub config: tokio_postgres::Config,
}

impl std::fmt::Debug for PgLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Whether `url` names a PostgreSQL store.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

impl PgLocation {
    pub fn parse(url: &str) -> Result<Self, LocationError> {
        if !is_postgres_url(url) {
            return Err(LocationError(format!(
                "{:?} is not a PostgreSQL URL (postgres://user@host:5432/db)",
                redact(url)
            )));
        }
        let (base, query) = match url.split_once('?') {
            Some((b, q)) => (b, q),
            None => (url, ""),
        };
        let mut schema = DEFAULT_SCHEMA.to_string();
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("schema", name)) => schema = name.to_string(),
                _ => kept.push(pair),
            }
        }
        check_schema(&schema)?;
        let connection = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let mut config: tokio_postgres::Config = connection.parse().map_err(|e| {
            LocationError(format!(
                "{}: not a connection URL the PostgreSQL client accepts: {e}",
                redact(url)
            ))
        })?;
        let given = |key: &str| kept.iter().any(|p| p.split('=').next() == Some(key));
        if !given("connect_timeout") {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if !given("tcp_user_timeout") {
            config.tcp_user_timeout(TCP_USER_TIMEOUT);
        }
        if !given("application_name") {
            config.application_name("gpu-ledger");
        }
        if config.get_ssl_mode() == tokio_postgres::config::SslMode::Require {
            return Err(LocationError(format!(
                "{}: sslmode=require is not supported by this build (it speaks plain TCP); \
                 reach the database over a trusted network or a local TLS tunnel",
                redact(url)
            )));
        }
        Ok(Self {
            connection,
            schema,
            config,
        })
    }

    /// The URL without its password, for messages and logs.
    pub fn describe(&self) -> String {
        let url = redact(&self.connection);
        if self.schema == DEFAULT_SCHEMA {
            url
        } else {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}schema={}", self.schema)
        }
    }

    /// The channel NOTIFY wakes followers on: one per schema.
    pub fn channel(&self) -> String {
        format!("gpu_ledger_{}", self.schema)
    }
}

/// A schema name is interpolated into SQL, so it is held to plain
/// lowercase identifiers (which need no quoting rules beyond double quotes).
fn check_schema(name: &str) -> Result<(), LocationError> {
    let ok = !name.is_empty()
        && name.len() <= 48
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !name.starts_with("pg_");
    if ok {
        Ok(())
    } else {
        Err(LocationError(format!(
            "schema={name:?}: a schema name is 1 to 48 lowercase letters, digits and \
             underscores, starting with a letter or underscore, not pg_..."
        )))
    }
}

/// `url` without the password of its user part or a `password=` option.
fn redact(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((user, hosts)) => {
            let user = user.split(':').next().unwrap_or("");
            format!("{user}@{hosts}")
        }
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let kept: Vec<&str> = query
                .split('&')
                .filter(|p| !p.starts_with("password="))
                .collect();
            if kept.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{}", kept.join("&"))
            }
        }
        None => tail.to_string(),
    };
    if scheme.is_empty() {
        format!("{authority}{tail}")
    } else {
        format!("{scheme}://{authority}{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_option_is_ours_and_taken_out() {
        let l = PgLocation::parse(
            "postgres://ledger@db1:5432/gpu?schema=round_2026&target_session_attrs=read-write",
        )
        .unwrap();
        assert_eq!(l.schema, "round_2026");
        assert_eq!(
            l.connection,
            "postgres://ledger@db1:5432/gpu?target_session_attrs=read-write"
        );
        assert_eq!(l.channel(), "gpu_ledger_round_2026");
        let l = PgLocation::parse("postgresql://ledger@db1/gpu").unwrap();
        assert_eq!(l.schema, DEFAULT_SCHEMA);
        assert_eq!(l.config.get_connect_timeout(), Some(&CONNECT_TIMEOUT));
    }

    #[test]
    fn several_hosts_reach_the_client_as_a_failover_list() {
        let l = PgLocation::parse(
            "postgres://ledger@127.0.0.1:5433,127.0.0.1:5434/gpu?target_session_attrs=read-write",
        )
        .unwrap();
        assert_eq!(l.config.get_hosts().len(), 2);
        assert_eq!(l.config.get_ports(), &[5433, 5434]);
        assert_eq!(
            l.config.get_target_session_attrs(),
            tokio_postgres::config::TargetSessionAttrs::ReadWrite
        );
    }

    #[test]
    fn messages_never_show_the_password() {
        let l = PgLocation::parse("postgres://ledger:s3cret@db1,db2/gpu?password=other&schema=s")
            .unwrap();
        let d = l.describe();
        assert!(!d.contains("s3cret") && !d.contains("other"), "{d}");
        assert_eq!(d, "postgres://ledger@db1,db2/gpu?schema=s");
        assert!(!format!("{l:?}").contains("s3cret"));
    }

    #[test]
    fn bad_urls_and_schema_names_are_refused_with_the_reason() {
        for bad in ["Round", "1st", "a-b", "pg_catalog", "x;drop", ""] {
            let e = PgLocation::parse(&format!("postgres://u@h/db?schema={bad}")).unwrap_err();
            assert!(e.0.contains("schema name"), "{bad}: {e}");
        }
        let e = PgLocation::parse("postgres://u@h/db?no_such_option=1").unwrap_err();
        assert!(e.0.contains("not a connection URL"), "{e}");
        assert!(PgLocation::parse("esdb://h:2113").is_err());
        let e = PgLocation::parse("postgres://u:pw@h/db?sslmode=require").unwrap_err();
        assert!(e.0.contains("sslmode") && !e.0.contains("pw@"), "{e}");
    }
}
