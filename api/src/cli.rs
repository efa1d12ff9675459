//! The `gsi-api` command line.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "gsi-api", version, about = "GSI Hub: the provider self-service system's API server")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations and serve the API (the default). Configuration comes from GSI_* variables.
    Serve {
        /// Seed demo organisations and profiles when missing, and print a token for each demo role.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document to stdout.
    Openapi,
    /// Print a development JWT signed with GSI_JWT_SECRET.
    Token {
        /// agency_admin, agency_user, provider_operator, gix_officer or assessor.
        #[arg(long)]
        role: String,
        /// Organisation id; defaults to the central agency (GIX) for gix_officer.
        #[arg(long)]
        org: Option<String>,
        /// Subject (user id); defaults to `cli-<role>`.
        #[arg(long)]
        sub: Option<String>,
        /// Lifetime such as 30m, 1h, 7d.
        #[arg(long, default_value = "1h")]
        ttl: String,
    },
}

/// Parses `90s`, `30m`, `1h`, `7d`.
pub fn parse_ttl(raw: &str) -> Result<chrono::Duration, String> {
    let raw = raw.trim();
    let split = raw.len().saturating_sub(1);
    let (number, unit) = raw.split_at(split);
    let n: i64 = number
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("--ttl `{raw}`: expected a positive number with s, m, h or d, e.g. 1h"))?;
    let seconds = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("--ttl `{raw}`: the unit must be s, m, h or d")),
    };
    if seconds > 366 * 86_400 {
        return Err(format!("--ttl `{raw}`: at most 366 days"));
    }
    Ok(chrono::Duration::seconds(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_units() {
        assert_eq!(parse_ttl("90s").unwrap().num_seconds(), 90);
        assert_eq!(parse_ttl("1h").unwrap().num_seconds(), 3600);
        assert_eq!(parse_ttl("7d").unwrap().num_seconds(), 604_800);
        for bad in ["", "h", "0h", "-1h", "5w", "1000d"] {
            assert!(parse_ttl(bad).is_err(), "{bad}");
        }
    }
}
