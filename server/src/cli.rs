//! The `baraza` command line: `serve` (the default), `token`, `verify`, `export`, `archive`,
//! `openapi` and `mail-in`.
//!
//! Lives in the library so that the end-to-end tests can build the very same command as a
//! binary of their own (`tests/support/baraza_node.rs`).

use crate::auth::{self, AuthError, Authenticator, KeySource, TokenRequest};
use crate::edge::{EdgeConfig, fd_limit};
use crate::http::WebConfig;
use crate::http::origin::AllowedOrigins;
use crate::http::rest_limit::{FormRate, RestRate};
use crate::hub::HubConfig;
use crate::node::{Node, NodeConfig, StartError};
use crate::store::{RedisStore, StoreError, audit_store, embedded};
use baraza_proto::identity::{Constituency, Role};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The node could not start.
    #[error(transparent)]
    Start(#[from] StartError),
    /// The record failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Keys or tokens failed.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// Reading a file, writing output or handling signals failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
    /// An argument is not usable.
    #[error("{0}")]
    Usage(String),
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> CliError {
    let what = what.into();
    move |source| CliError::Io { what, source }
}

/// Baraza: moderated roundtables and regional e-consultations.
#[derive(Parser)]
#[command(version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run a node (the default).
    Serve(Box<ServeArgs>),
    /// Mint a signed token for local use.
    Token(TokenArgs),
    /// Check every room's hash chain in a data directory.
    Verify(VerifyArgs),
    /// Write a room's record as a document (html, md, json, csv, akn, docx), offline from a data
    /// directory.
    Export(ExportArgs),
    /// Archive a room for good and write its bundle (record, exports, manifest), offline on
    /// the data directory of a stopped node. A running node archives from the web client.
    Archive(ArchiveArgs),
    /// Carry every room of a stopped node's data directory over to the canonical form with text
    /// commitments (so its statements can be redacted): each room's events are sealed again,
    /// their old hashes kept beside them, and a `record_migrated` event names the old head.
    Migrate(MigrateArgs),
    /// Print the OpenAPI 3.1 document of the HTTP API (the one `GET /api/openapi.json` serves).
    Openapi,
    /// Hand one e-mail (RFC 5322) read on standard input to the running node's LMTP listener
    /// (for a mail server's `pipe` transport). Exit codes follow sysexits: 0 taken, 67 no such
    /// address, 65 refused, 75 try again later.
    MailIn(MailInArgs),
}

#[derive(Args)]
struct MailInArgs {
    /// The node's LMTP listener (its --mail-listen).
    #[arg(long, env = "BARAZA_MAIL_LISTEN", default_value = "127.0.0.1:2525")]
    lmtp: String,
    /// The envelope sender (Postfix: ${sender}); empty for a bounce.
    #[arg(long, env = "SENDER", default_value = "")]
    sender: String,
    /// The envelope recipient, `reply+…@domain` (Postfix: ${recipient}).
    #[arg(long, env = "RECIPIENT")]
    recipient: String,
}

#[derive(Args, Clone)]
struct KeyArgs {
    /// Data directory (record, generated signing key).
    #[arg(long, env = "BARAZA_DATA", default_value = "./baraza-data")]
    data: PathBuf,
    /// Verify tokens with this PEM public key of an outside identity provider instead of the
    /// server's own secret (which may also be given as BARAZA_JWT_SECRET).
    #[arg(long, env = "BARAZA_JWT_PUBLIC_KEY")]
    jwt_public_key: Option<PathBuf>,
    /// Algorithm of --jwt-public-key.
    #[arg(long, env = "BARAZA_JWT_ALG", value_enum, default_value = "rs256")]
    jwt_alg: PublicKeyAlg,
    /// Expected issuer (`iss`).
    #[arg(long, env = "BARAZA_JWT_ISSUER", default_value = "baraza")]
    jwt_issuer: String,
    /// Expected audience (`aud`).
    #[arg(long, env = "BARAZA_JWT_AUDIENCE", default_value = "baraza")]
    jwt_audience: String,
}

#[derive(Clone, Copy, ValueEnum)]
enum PublicKeyAlg {
    Rs256,
    Eddsa,
}

#[derive(Args, Clone)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "BARAZA_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    #[command(flatten)]
    keys: KeyArgs,
    /// Run on Redis (record, fan-out, presence) so that several nodes share rooms, e.g.
    /// `redis://127.0.0.1:6379/0`. Without it the embedded engine keeps the record in --data.
    #[arg(long, env = "BARAZA_REDIS_URL")]
    redis: Option<String>,
    /// This node's name; must differ between nodes sharing a Redis (default: `node-1`, or with
    /// --redis a random name).
    #[arg(long, env = "BARAZA_NODE")]
    node: Option<String>,
    /// How long a member whose connection dropped stays present (e.g. 30s, 2m).
    #[arg(long, env = "BARAZA_PRESENCE_GRACE", default_value = "30s", value_parser = parse_duration)]
    presence_grace: Duration,
    /// With --redis: how often this node refreshes its heartbeat in Redis.
    #[arg(long, env = "BARAZA_NODE_HEARTBEAT", default_value = "1s", value_parser = parse_duration)]
    node_heartbeat: Duration,
    /// With --redis: a node whose heartbeat was not seen for this long, by a node connected to
    /// Redis without a break all that time, is taken for dead. At least twice --node-heartbeat.
    #[arg(long, env = "BARAZA_NODE_TTL", default_value = "3s", value_parser = parse_duration)]
    node_ttl: Duration,
    /// WebSocket ping interval; three silent intervals close a connection.
    #[arg(long, env = "BARAZA_HEARTBEAT", default_value = "20s", value_parser = parse_duration)]
    heartbeat: Duration,
    /// Messages per second a connection may send on average.
    #[arg(long, env = "BARAZA_RATE", default_value_t = 20)]
    rate: u32,
    /// Messages a connection may send in a burst.
    #[arg(long, env = "BARAZA_BURST", default_value_t = 40)]
    burst: u32,
    /// Frames queued for a connection before it is closed as a slow consumer (4008).
    #[arg(long, env = "BARAZA_SEND_QUEUE", default_value_t = 4096)]
    send_queue: usize,
    /// How long a new connection has to send `auth`.
    #[arg(long, env = "BARAZA_AUTH_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    auth_timeout: Duration,
    #[command(flatten)]
    edge: EdgeArgs,
    /// Print ready sign-in links of the web client for each role (secretariat, moderator,
    /// participant, observer), valid for 12 hours. For local use: anyone who sees the output
    /// can sign in. Needs the server's own secret (not --jwt-public-key).
    #[arg(long, env = "BARAZA_PRINT_LINKS")]
    print_links: bool,
    #[command(flatten)]
    registry: RegistryArgs,
}

/// The registry: where sign-in links point and how invitations are mailed.
#[derive(Args, Clone)]
struct RegistryArgs {
    /// The address people open (`https://baraza.example.org`): the base of sign-in links.
    /// Default: the node's own address.
    #[arg(long, env = "BARAZA_PUBLIC_URL")]
    public_url: Option<String>,
    /// SMTP relay that invitations are handed to, `host:port` (plain SMTP: a local MTA or a
    /// relay on a private network). Without it, invitations are not mailed; their links are
    /// shown to whoever issued them.
    #[arg(long, env = "BARAZA_SMTP_RELAY")]
    smtp_relay: Option<String>,
    /// The sender of invitation e-mails.
    #[arg(
        long,
        env = "BARAZA_SMTP_FROM",
        default_value = "Baraza <noreply@localhost>"
    )]
    smtp_from: String,
    /// How long a sign-in link works (e.g. 168h, 48h).
    #[arg(long, env = "BARAZA_INVITATION_TTL", default_value = "168h", value_parser = parse_duration)]
    invitation_ttl: Duration,
    /// Listen for inbound mail over LMTP on this address (e.g. 127.0.0.1:2525), for a mail
    /// server's transport or `baraza mail-in`. Taking part by e-mail is on when this or
    /// --smtp-relay is given.
    #[arg(long, env = "BARAZA_MAIL_LISTEN")]
    mail_listen: Option<SocketAddr>,
    /// The domain of reply addresses (`reply+<token>@DOMAIN`); it must deliver to this node.
    /// Default: the domain of --smtp-from.
    #[arg(long, env = "BARAZA_MAIL_DOMAIN")]
    mail_domain: Option<String>,
    /// Largest inbound mail taken (larger ones are answered and refused).
    #[arg(long, env = "BARAZA_MAIL_MAX_SIZE", default_value = "10MiB", value_parser = parse_bytes)]
    mail_max_size: u64,
    /// Largest attachment taken.
    #[arg(long, env = "BARAZA_MAIL_MAX_ATTACHMENT", default_value = "5MiB", value_parser = parse_bytes)]
    mail_max_attachment: u64,
    /// How long a reply address works (e.g. 2160h = 90 days).
    #[arg(long, env = "BARAZA_MAIL_REPLY_TTL", default_value = "2160h", value_parser = parse_duration)]
    mail_reply_ttl: Duration,
    /// How often the node runs the digests due (daily or weekly per person) by its clock.
    #[arg(long, env = "BARAZA_MAIL_DIGEST_EVERY", default_value = "1h", value_parser = parse_duration)]
    mail_digest_every: Duration,
}

impl RegistryArgs {
    fn mail(&self) -> Result<Option<crate::registry::mail::MailConfig>, CliError> {
        let Some(relay) = &self.smtp_relay else {
            return Ok(None);
        };
        let (host, port) = relay
            .rsplit_once(':')
            .and_then(|(host, port)| Some((host, port.parse::<u16>().ok()?)))
            .ok_or_else(|| CliError::Usage(format!("--smtp-relay {relay:?} is not host:port")))?;
        Ok(Some(crate::registry::mail::MailConfig {
            host: host.trim_matches(['[', ']']).to_owned(),
            port,
            from: self.smtp_from.clone(),
        }))
    }

    fn email(&self) -> Result<Option<crate::mail::MailConfig>, CliError> {
        let relay = self.mail()?;
        if relay.is_none() && self.mail_listen.is_none() {
            return Ok(None);
        }
        if self.mail_digest_every.is_zero() {
            return Err(CliError::Usage(
                "--mail-digest-every must be longer than 0".into(),
            ));
        }
        Ok(Some(crate::mail::MailConfig {
            relay: relay.map(|r| (r.host, r.port)),
            from: self.smtp_from.clone(),
            domain: self.mail_domain.clone(),
            listen: self.mail_listen,
            limits: crate::mail::inbound::InboundLimits {
                max_message: self.mail_max_size as usize,
                max_attachment: self.mail_max_attachment as usize,
            },
            token_ttl: self.mail_reply_ttl,
            digest_every: self.mail_digest_every,
            ..crate::mail::MailConfig::default()
        }))
    }
}

/// Limits of the network edge: what one client without a token can hold or ask for.
#[derive(Args, Clone)]
struct EdgeArgs {
    /// Open connections served at once (HTTP and WebSocket). Default: the open-file limit
    /// (raised to its hard limit at start) less 64 and the health reserve, at most 100,000.
    #[arg(long, env = "BARAZA_MAX_CONNECTIONS")]
    max_connections: Option<usize>,
    /// Open connections from one address (an IPv4 address or an IPv6 /64). Default: a quarter
    /// of --max-connections, at least 8.
    #[arg(long, env = "BARAZA_MAX_CONNECTIONS_PER_ADDRESS")]
    max_connections_per_address: Option<usize>,
    /// Networks the per-address cap does not apply to, comma-separated CIDRs (a TLS proxy
    /// carries many people on one address), or `none`.
    #[arg(
        long,
        env = "BARAZA_PER_ADDRESS_EXEMPT",
        value_delimiter = ',',
        default_value = "127.0.0.0/8,::1/128"
    )]
    per_address_exempt: Vec<String>,
    /// Connections over a limit that are still accepted to answer /healthz and /metrics (others
    /// get 503 with Retry-After); beyond them a connection is closed at accept.
    #[arg(long, env = "BARAZA_HEALTH_RESERVE", default_value_t = fd_limit::DEFAULT_HEALTH_RESERVE)]
    health_reserve: usize,
    /// Time a connection has to send a request's headers, after opening or after the previous
    /// response (so also the keep-alive idle time).
    #[arg(long, env = "BARAZA_HEADER_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    header_timeout: Duration,
    /// An HTTP connection on which no byte moves for this long is closed (a stalled body, a
    /// response nobody reads). WebSockets have --heartbeat instead.
    #[arg(long, env = "BARAZA_IDLE_TIMEOUT", default_value = "60s", value_parser = parse_duration)]
    idle_timeout: Duration,
    /// Origins (scheme://host[:port]) besides the node's own whose pages may open a WebSocket;
    /// repeat or separate with commas; `*` allows any. Requests without Origin are allowed.
    #[arg(
        long = "allowed-origin",
        env = "BARAZA_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    allowed_origins: Vec<String>,
    /// REST requests per second a caller (a token's user, else an address) may make on average.
    #[arg(long, env = "BARAZA_API_RATE", default_value_t = RestRate::default().per_second)]
    api_rate: u32,
    /// REST requests a caller may make in a burst.
    #[arg(long, env = "BARAZA_API_BURST", default_value_t = RestRate::default().burst)]
    api_burst: u32,
    /// Public-form submissions (organisations applying) per hour a source address may make on
    /// average, on top of the REST limit.
    #[arg(long, env = "BARAZA_FORM_RATE", default_value_t = FormRate::default().per_hour)]
    form_rate_per_hour: u32,
    /// Public-form submissions a source address may make in a burst.
    #[arg(long, env = "BARAZA_FORM_BURST", default_value_t = FormRate::default().burst)]
    form_burst: u32,
    /// Serve the web client as before issue 14, to measure against: no compression, no
    /// content-hash prefix, no module preloads. Only for benchmarks (`bench/browser/slow3g.mjs`).
    #[arg(long, env = "BARAZA_PLAIN_ASSETS", hide = true)]
    plain_assets: bool,
    /// Below this much free space for --data the node reports `degraded` (e.g. 256MiB, 2GiB;
    /// embedded engine only).
    #[arg(long, env = "BARAZA_MIN_FREE_DISK", default_value = "256MiB", value_parser = parse_bytes)]
    min_free_disk: u64,
}

impl EdgeArgs {
    /// The edge configuration: flags where given, defaults from the open-file limit otherwise.
    fn edge_config(&self) -> Result<EdgeConfig, CliError> {
        let mut config = EdgeConfig::from_nofile_limit();
        let limits = &mut config.limits;
        limits.health_reserve = self.health_reserve;
        if let Some(max) = self.max_connections {
            limits.max_connections = max;
            limits.max_per_source = fd_limit::default_max_per_source(max);
        }
        if let Some(max) = self.max_connections_per_address {
            limits.max_per_source = max;
        }
        limits.exempt = self
            .per_address_exempt
            .iter()
            .map(|text| text.trim())
            .filter(|text| !text.is_empty() && *text != "none")
            .map(|text| {
                text.parse::<ipnet::IpNet>()
                    .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        CliError::Usage(format!(
                            "--per-address-exempt: {text:?} is not a network like 10.0.0.0/8"
                        ))
                    })
            })
            .collect::<Result<_, _>>()?;
        if self.header_timeout.is_zero() || self.idle_timeout.is_zero() {
            return Err(CliError::Usage(
                "--header-timeout and --idle-timeout must be longer than 0".into(),
            ));
        }
        config.timeouts.header = self.header_timeout;
        config.timeouts.idle = self.idle_timeout;
        Ok(config)
    }

    fn web_config(&self) -> Result<WebConfig, CliError> {
        Ok(WebConfig {
            allowed_origins: AllowedOrigins::parse(&self.allowed_origins)
                .map_err(|e| CliError::Usage(format!("--allowed-origin: {e}")))?,
            rest_rate: RestRate {
                per_second: self.api_rate,
                burst: self.api_burst,
            },
            form_rate: FormRate {
                per_hour: self.form_rate_per_hour,
                burst: self.form_burst,
            },
            plain_assets: self.plain_assets,
        })
    }
}

#[derive(Args)]
struct TokenArgs {
    /// Stable user id.
    #[arg(long)]
    sub: String,
    /// Display name.
    #[arg(long)]
    name: String,
    /// Role.
    #[arg(long, value_parser = parse_role)]
    role: Role,
    /// Organisation.
    #[arg(long)]
    org: Option<String>,
    /// Constituency (women, children_youth, indigenous_peoples, ngos, local_authorities,
    /// workers_trade_unions, business_industry, scientific_technological, farmers,
    /// member_states, parliamentarians, un_system, media, other).
    #[arg(long, value_parser = parse_constituency)]
    constituency: Option<Constituency>,
    /// Country, ISO 3166-1 alpha-2 (KE, BR, FR …).
    #[arg(long)]
    country: Option<String>,
    /// Lifetime (e.g. 30m, 12h, 7d).
    #[arg(long, default_value = "12h")]
    ttl: String,
    #[command(flatten)]
    keys: KeyArgs,
}

#[derive(Args)]
struct VerifyArgs {
    /// Data directory to check.
    #[arg(long, env = "BARAZA_DATA", default_value = "./baraza-data")]
    data: PathBuf,
    /// Check the record in this Redis instead (`redis://…`).
    #[arg(long, env = "BARAZA_REDIS_URL")]
    redis: Option<String>,
    /// Check an archive bundle instead (offline: its signature, its files, its record's
    /// chain, its manifest).
    #[arg(long, conflicts_with = "redis")]
    bundle: Option<PathBuf>,
    /// With --bundle: the Ed25519 public key (hex, as `GET /.well-known/baraza-archive-key`
    /// publishes it) the bundle must be signed with.
    #[arg(long, requires = "bundle")]
    key: Option<String>,
}

#[derive(Args)]
struct MigrateArgs {
    /// Data directory of the stopped node (embedded engine).
    #[arg(long, env = "BARAZA_DATA", default_value = "./baraza-data")]
    data: PathBuf,
}

#[derive(Args)]
struct ArchiveArgs {
    /// Data directory of the stopped node (embedded engine).
    #[arg(long, env = "BARAZA_DATA", default_value = "./baraza-data")]
    data: PathBuf,
    /// The room.
    #[arg(long)]
    room: String,
    /// Where to write the bundle (default: `{room}-bundle.tar`).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Args)]
struct ExportArgs {
    /// Data directory holding the record (read-only; the server may be running).
    #[arg(long, env = "BARAZA_DATA", default_value = "./baraza-data")]
    data: PathBuf,
    /// The room.
    #[arg(long)]
    room: String,
    /// html, md, json, csv, akn (Akoma Ntoso 3.0) or docx (Word).
    #[arg(long, default_value = "html")]
    format: String,
    /// Language of the headings: ar, en, es, fr, ru or zh (default: the room's main language).
    #[arg(long)]
    lang: Option<String>,
    /// Whose export: `public` (what participants may read: only published statements) or
    /// `full` (the moderators': held, rejected and hidden statements included, marked).
    #[arg(long, default_value = "public", value_parser = ["public", "full"])]
    audience: String,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => serve(cli.serve),
        Some(Cmd::Serve(args)) => serve(*args),
        Some(Cmd::Token(args)) => token(args),
        Some(Cmd::Verify(args)) => verify(args),
        Some(Cmd::Export(args)) => export(args),
        Some(Cmd::Archive(args)) => archive(args),
        Some(Cmd::Migrate(args)) => migrate(args),
        Some(Cmd::Openapi) => openapi(),
        Some(Cmd::MailIn(args)) => mail_in(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("baraza: {error}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: ServeArgs) -> Result<ExitCode, CliError> {
    tracing_subscriber::fmt()
        .with_env_filter(
            // BARAZA_LOG (or RUST_LOG); the audit trail (target baraza::audit) is off unless
            // named, e.g. BARAZA_LOG=info,baraza::audit=info.
            tracing_subscriber::EnvFilter::try_from_env("BARAZA_LOG")
                .or_else(|_| tracing_subscriber::EnvFilter::try_from_default_env())
                .unwrap_or_else(|_| "info,baraza_server=info,baraza::audit=off".into()),
        )
        .with_writer(std::io::stderr)
        // Colours only for a terminal: a log file or collector gets plain lines.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    if args.node_heartbeat.is_zero() || args.node_ttl < args.node_heartbeat * 2 {
        return Err(CliError::Usage(format!(
            "--node-ttl ({:?}) must be at least twice --node-heartbeat ({:?}), which must not be 0",
            args.node_ttl, args.node_heartbeat
        )));
    }
    let keys = key_source(&args.keys)?;
    let links = if args.print_links && matches!(keys, KeySource::Secret(_)) {
        Some(Authenticator::new(
            keys.clone(),
            &args.keys.jwt_issuer,
            &args.keys.jwt_audience,
        )?)
    } else {
        if args.print_links {
            eprintln!("baraza: --print-links needs the server's own secret; no links printed");
        }
        None
    };
    let mut hub = HubConfig {
        node: args
            .node
            .clone()
            .unwrap_or_else(|| default_node_name(args.redis.is_some())),
        presence_grace: args.presence_grace,
        heartbeat: args.heartbeat,
        ..HubConfig::default()
    };
    hub.limits.messages_per_second = args.rate;
    hub.limits.burst = args.burst;
    hub.limits.send_queue = args.send_queue;
    hub.auth_timeout = args.auth_timeout;
    let config = NodeConfig {
        bind: args.bind,
        data: args.keys.data.clone(),
        redis: args.redis.clone(),
        keys,
        issuer: args.keys.jwt_issuer.clone(),
        audience: args.keys.jwt_audience.clone(),
        liveness: crate::presence::Liveness {
            beat_every: args.node_heartbeat,
            ttl: args.node_ttl,
        },
        hub,
        edge: args.edge.edge_config()?,
        web: args.edge.web_config()?,
        min_free_disk: args.edge.min_free_disk,
        shutdown_grace: Duration::from_secs(5),
        registry: crate::registry::RegistryConfig {
            public_url: args.registry.public_url.clone(),
            invitation_ttl: args.registry.invitation_ttl,
            ..Default::default()
        },
        mail: args.registry.mail()?,
        email: args.registry.email()?,
    };
    let runtime = tokio::runtime::Runtime::new().map_err(io("starting the runtime"))?;
    runtime.block_on(async {
        let node = Node::start(config).await?;
        let addr = node.addr();
        let data = args.keys.data.display();
        let mut out = std::io::stdout().lock();
        let stdout = io("writing to standard output");
        let engine = node.hub().engine();
        writeln!(
            out,
            "Baraza is listening on http://{addr} (engine: {engine}, data: {data})\n\
             Open http://{addr}/ in a browser. Get a token to sign in with, for example:\n  \
             cargo run -- token --data {data} --role moderator --sub mod-1 --name \"Ana Moderator\"\n  \
             cargo run -- token --data {data} --role participant --sub p-1 --name Amina \\\n    \
             --org \"Kenya Land Alliance\" --constituency farmers --country KE"
        )
        .map_err(stdout)?;
        if let Some(lmtp) = node.mail_addr() {
            writeln!(out, "Inbound mail (LMTP) is taken on {lmtp}").map_err(stdout_error())?;
        }
        if let Some(authenticator) = &links {
            write_sign_in_links(&mut out, authenticator, addr)?;
        }
        out.flush().map_err(io("writing to standard output"))?;
        drop(out);
        wait_for_signal().await?;
        tracing::info!("shutting down: closing connections (1012) and flushing the record");
        node.shutdown().await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// The people of the sign-in links `--print-links` prints, one per role.
fn link_people() -> [TokenRequest; 4] {
    let person = |sub: &str, name: &str, role| TokenRequest {
        sub: sub.into(),
        name: name.into(),
        role,
        org: None,
        constituency: None,
        country: None,
        ttl_secs: 12 * 3600,
    };
    [
        person("sec-1", "Secretariat", Role::Secretariat),
        person("mod-1", "Ana Moderator", Role::Moderator),
        TokenRequest {
            org: Some("Kenya Land Alliance".into()),
            constituency: Some(Constituency::Farmers),
            country: Some("KE".into()),
            ..person("p-1", "Amina", Role::Participant)
        },
        person("obs-1", "Observer", Role::Observer),
    ]
}

/// Writes one web-client sign-in link (`http://ADDR/#token=…`) per role. The token sits in the
/// URL fragment, which browsers never send to the server; the client removes it at once.
fn write_sign_in_links(
    out: &mut impl Write,
    authenticator: &Authenticator,
    addr: SocketAddr,
) -> Result<(), CliError> {
    let now = jsonwebtoken::get_current_timestamp();
    writeln!(
        out,
        "Sign-in links for local use (valid 12 h; anyone with a link can sign in):"
    )
    .map_err(io("writing to standard output"))?;
    for request in link_people() {
        let token = authenticator.mint(&request, now)?;
        let role = serde_json::to_value(request.role)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        writeln!(out, "  {role:<12} http://{addr}/#token={token}")
            .map_err(io("writing to standard output"))?;
    }
    Ok(())
}

async fn wait_for_signal() -> Result<(), CliError> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(io("installing the SIGTERM handler"))?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.map_err(io("waiting for SIGINT"))?,
        _ = terminate.recv() => {}
    }
    Ok(())
}

fn token(args: TokenArgs) -> Result<ExitCode, CliError> {
    let keys = key_source(&args.keys)?;
    let authenticator = Authenticator::new(keys, &args.keys.jwt_issuer, &args.keys.jwt_audience)?;
    let request = TokenRequest {
        sub: args.sub,
        name: args.name,
        role: args.role,
        org: args.org,
        constituency: args.constituency,
        country: args.country.map(|c| c.to_ascii_uppercase()),
        ttl_secs: auth::parse_ttl(&args.ttl).map_err(CliError::Usage)?,
    };
    let now = jsonwebtoken::get_current_timestamp();
    let token = authenticator.mint(&request, now)?;
    // Check what was minted, so a bad country or name fails here and not at sign-in.
    authenticator.verify(&token)?;
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}

fn openapi() -> Result<ExitCode, CliError> {
    let text = serde_json::to_string_pretty(crate::http::openapi::document())
        .map_err(std::io::Error::other)
        .map_err(io("writing the document"))?;
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}

fn verify(args: VerifyArgs) -> Result<ExitCode, CliError> {
    if let Some(path) = &args.bundle {
        return verify_bundle(path, args.key.as_deref());
    }
    let report = match &args.redis {
        None => embedded::audit(&args.data)?,
        Some(url) => {
            let runtime = tokio::runtime::Runtime::new().map_err(io("starting the runtime"))?;
            runtime.block_on(async {
                let store = RedisStore::connect(url).await?;
                audit_store(&store).await
            })?
        }
    };
    let mut broken = 0;
    for room in &report.rooms {
        match &room.broken {
            None => {
                let mut notes = Vec::new();
                if room.withdrawn > 0 {
                    notes.push(format!("{} texts redacted", room.withdrawn));
                }
                if let Some(m) = &room.migration {
                    notes.push(format!(
                        "carried over from form v1 at seq {}, old head {}{}",
                        m.at,
                        m.old_head_hash,
                        if m.recomputed {
                            ", every old hash recomputed"
                        } else {
                            ", old hashes of redacted texts taken as stored"
                        }
                    ));
                }
                let notes = if notes.is_empty() {
                    String::new()
                } else {
                    format!("; {}", notes.join("; "))
                };
                println!("ok      {} ({} events{notes})", room.room, room.intact)
            }
            Some(failure) => {
                broken += 1;
                println!(
                    "BROKEN  {} at seq {}: {} ({} events intact before it)",
                    room.room, failure.seq, failure.problem, room.intact
                );
            }
        }
    }
    if broken > 0 {
        println!(
            "{broken} of {} rooms have a broken chain",
            report.rooms.len()
        );
        return Ok(ExitCode::from(2));
    }
    println!("all {} rooms intact", report.rooms.len());
    Ok(ExitCode::SUCCESS)
}

fn migrate(args: MigrateArgs) -> Result<ExitCode, CliError> {
    use crate::store::embedded::RoomMigration;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let report = embedded::migrate(&args.data, now)?;
    let mut skipped = 0;
    for room in &report {
        match room {
            RoomMigration::Migrated {
                room,
                old_head,
                new_head,
            } => println!(
                "migrated {room}: old head seq {} {} -> new head seq {} {}",
                old_head.0, old_head.1, new_head.0, new_head.1
            ),
            RoomMigration::Current(room) => println!("current  {room}"),
            RoomMigration::Skipped(room, why) => {
                skipped += 1;
                println!("skipped  {room}: {why}");
            }
        }
    }
    println!(
        "{} rooms: {} migrated, {skipped} skipped",
        report.len(),
        report
            .iter()
            .filter(|r| matches!(r, RoomMigration::Migrated { .. }))
            .count()
    );
    Ok(ExitCode::SUCCESS)
}

fn export(args: ExportArgs) -> Result<ExitCode, CliError> {
    use crate::domain::visibility::ReaderKind;
    let usage = |e: crate::export::ExportError| CliError::Usage(e.to_string());
    let format = crate::export::Format::parse(&args.format).map_err(usage)?;
    let room = baraza_proto::ids::RoomId::new(args.room.clone())
        .map_err(|e| CliError::Usage(format!("--room: {e}")))?;
    let events = embedded::read_room(&args.data, &room)?;
    if events.is_empty() {
        return Err(CliError::Usage(format!(
            "no room {room} in {}",
            args.data.display()
        )));
    }
    let lang = crate::export::choose_lang(args.lang.as_deref(), &events).map_err(usage)?;
    // The operator chooses the audience; what each audience may read is the domain's rule.
    let reader = if args.audience == "full" {
        ReaderKind::Moderating
    } else {
        ReaderKind::Member
    };
    let document = crate::export::render(&events, reader, format, lang).map_err(usage)?;
    match &args.out {
        Some(path) => std::fs::write(path, &document.body)
            .map_err(io(format!("writing {}", path.display())))?,
        None => std::io::stdout()
            .write_all(&document.body)
            .map_err(io("writing to standard output"))?,
    }
    Ok(ExitCode::SUCCESS)
}

fn verify_bundle(path: &std::path::Path, key: Option<&str>) -> Result<ExitCode, CliError> {
    let bytes = std::fs::read(path).map_err(io(format!("reading {}", path.display())))?;
    match crate::archive::verify(&bytes) {
        Ok(verified)
            if key.is_some_and(|k| !k.trim().eq_ignore_ascii_case(&verified.manifest.signer)) =>
        {
            println!(
                "BROKEN  {}: signed by key {}, not by the expected key {}",
                path.display(),
                verified.manifest.signer,
                key.unwrap_or_default().trim()
            );
            Ok(ExitCode::from(2))
        }
        Ok(verified) => {
            let m = &verified.manifest;
            println!(
                "ok      bundle of room {}: {} files, record of {} events, head {}, archived {}, signed by key {}",
                m.room,
                verified.files,
                m.head.seq,
                m.head.hash,
                crate::export::text::date_time(m.archived_at),
                m.signer
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(problem) => {
            println!("BROKEN  {}: {problem}", path.display());
            Ok(ExitCode::from(2))
        }
    }
}

fn archive(args: ArchiveArgs) -> Result<ExitCode, CliError> {
    use crate::domain::{Actor, Command, decide};
    use crate::record::{GENESIS, RecordedEvent};
    use crate::store::RecordStore;
    let room = baraza_proto::ids::RoomId::new(args.room.clone())
        .map_err(|e| CliError::Usage(format!("--room: {e}")))?;
    let runtime = tokio::runtime::Runtime::new().map_err(io("starting the runtime"))?;
    let events = runtime.block_on(async {
        // Opening takes the data directory's lock: a running node keeps the CLI out.
        let store = embedded::EmbeddedStore::open(&args.data)?;
        let mut events = crate::export::load(&store, &room).await?;
        if events.is_empty() {
            return Err(CliError::Usage(format!(
                "no room {room} in {}",
                args.data.display()
            )));
        }
        let state = crate::export::project::fold(&events);
        if !state.archived() {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
            let bodies = decide(&state, &Actor::System, &Command::Archive, now)
                .map_err(|e| CliError::Usage(e.to_string()))?;
            let mut prev = events.last().map_or(GENESIS, |e| e.hash);
            let mut sealed = Vec::new();
            for (i, body) in bodies.into_iter().enumerate() {
                let envelope = baraza_proto::event::EventEnvelope {
                    room: room.clone(),
                    seq: state.seq() + 1 + i as u64,
                    ts: now,
                    actor: None,
                    key: None,
                    body,
                };
                let event = RecordedEvent::seal(envelope, prev);
                prev = event.hash;
                sealed.push(event);
            }
            store.append(&room, state.seq(), &sealed).await?;
            events.extend(sealed);
        }
        store.close().await?;
        Ok::<_, CliError>(events)
    })?;
    let key = crate::archive::key::load_or_create(&args.data)?;
    let bundle =
        crate::archive::write(&events, &key).map_err(|e| CliError::Usage(e.to_string()))?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("{room}-bundle.tar")));
    std::fs::write(&out, &bundle).map_err(io(format!("writing {}", out.display())))?;
    let head = events.last().map(|e| (e.seq(), hex::encode(e.hash)));
    if let Some((seq, hash)) = head {
        println!(
            "archived {room}: record of {seq} events, head {hash}; bundle written to {}",
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn stdout_error() -> impl FnOnce(std::io::Error) -> CliError {
    io("writing to standard output")
}

/// Exit codes of `mail-in` (sysexits.h), which a mail server's pipe transport understands.
const EX_DATAERR: u8 = 65;
const EX_NOUSER: u8 = 67;
const EX_TEMPFAIL: u8 = 75;
/// How long `mail-in` waits for the node's answer before asking the mail server to retry.
const MAIL_IN_DEADLINE: Duration = Duration::from_secs(120);

fn mail_in(args: MailInArgs) -> Result<ExitCode, CliError> {
    use std::io::Read;
    let mut message = Vec::new();
    std::io::stdin()
        .read_to_end(&mut message)
        .map_err(io("reading the message from standard input"))?;
    let runtime = tokio::runtime::Runtime::new().map_err(io("starting the runtime"))?;
    let answer = runtime.block_on(async {
        tokio::time::timeout(
            MAIL_IN_DEADLINE,
            crate::mail::lmtp::deliver_to(&args.lmtp, &args.sender, &args.recipient, &message),
        )
        .await
    });
    let Ok(answer) = answer else {
        eprintln!("baraza mail-in: the node did not answer within {MAIL_IN_DEADLINE:?}");
        return Ok(ExitCode::from(EX_TEMPFAIL));
    };
    match answer {
        Ok(reply) => {
            eprintln!("baraza mail-in: {} {}", reply.code, reply.text);
            Ok(match reply.code / 100 {
                2 => ExitCode::SUCCESS,
                4 => ExitCode::from(EX_TEMPFAIL),
                _ if reply.text.starts_with("5.1.1") => ExitCode::from(EX_NOUSER),
                _ => ExitCode::from(EX_DATAERR),
            })
        }
        Err(error) => {
            eprintln!("baraza mail-in: {error}");
            Ok(ExitCode::from(EX_TEMPFAIL))
        }
    }
}

fn key_source(args: &KeyArgs) -> Result<KeySource, CliError> {
    if let Some(path) = &args.jwt_public_key {
        let pem = std::fs::read(path).map_err(io(format!("reading {}", path.display())))?;
        let algorithm = match args.jwt_alg {
            PublicKeyAlg::Rs256 => jsonwebtoken::Algorithm::RS256,
            PublicKeyAlg::Eddsa => jsonwebtoken::Algorithm::EdDSA,
        };
        return Ok(KeySource::PublicKey { algorithm, pem });
    }
    let from_env = std::env::var("BARAZA_JWT_SECRET")
        .ok()
        .filter(|s| !s.is_empty());
    Ok(KeySource::Secret(auth::load_or_create_secret(
        &args.data,
        from_env.as_deref(),
    )?))
}

/// `node-1` for a single node; a random name when nodes share a Redis.
fn default_node_name(shared: bool) -> String {
    if shared {
        let suffix: u32 = rand::random();
        format!("node-{suffix:08x}")
    } else {
        "node-1".into()
    }
}

fn parse_role(text: &str) -> Result<Role, String> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| "expected secretariat, moderator, participant or observer".to_owned())
}

fn parse_constituency(text: &str) -> Result<Constituency, String> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| format!("unknown constituency {text:?}"))
}

/// Parses `500ms`, `30s`, `2m`, `1h` or a bare number of seconds; `0` is allowed.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 500ms, 30s or 2m"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(number)),
        "" | "s" => Ok(Duration::from_secs(number)),
        "m" => Ok(Duration::from_secs(number * 60)),
        "h" => Ok(Duration::from_secs(number * 3600)),
        _ => Err(format!("unknown unit {unit:?}; use ms, s, m or h")),
    }
}

/// Parses `1048576`, `512KiB`, `256MiB`, `2GiB` (also `KB`, `MB`, `GB` as powers of 1000).
fn parse_bytes(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size like 256MiB or 2GiB"))?;
    let factor: u64 = match unit.trim() {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "TiB" => 1 << 40,
        "KB" => 1_000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        "TB" => 1_000_000_000_000,
        other => {
            return Err(format!(
                "unknown unit {other:?}; use B, KiB, MiB, GiB or TiB"
            ));
        }
    };
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("{text:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_and_decimal_units() {
        assert_eq!(parse_bytes("256MiB"), Ok(256 << 20));
        assert_eq!(parse_bytes("2GiB"), Ok(2 << 30));
        assert_eq!(parse_bytes("1000"), Ok(1000));
        assert_eq!(parse_bytes("5 MB"), Ok(5_000_000));
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("1PiB").is_err());
        assert!(parse_bytes("99999999999TiB").is_err());
    }

    #[test]
    fn sign_in_links_carry_a_valid_token_for_each_role_in_the_fragment() {
        let authenticator = Authenticator::new(
            KeySource::Secret(b"a-test-secret-of-thirty-two-bytes-or-more".to_vec()),
            "baraza",
            "baraza",
        )
        .expect("authenticator");
        let mut out = Vec::new();
        let addr: SocketAddr = "127.0.0.1:8080".parse().expect("address");
        write_sign_in_links(&mut out, &authenticator, addr).expect("links");
        let text = String::from_utf8(out).expect("utf-8");
        let links: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(links.len(), 4, "{text}");
        let mut roles = Vec::new();
        for line in links {
            let (label, url) = line.trim().split_once(' ').expect("role and link");
            let token = url
                .trim()
                .strip_prefix("http://127.0.0.1:8080/#token=")
                .expect("a link with the token in the fragment");
            let verified = authenticator.verify(token).expect("a valid token");
            let role = serde_json::to_value(verified.profile.role).expect("role");
            assert_eq!(role.as_str(), Some(label));
            roles.push(label.to_owned());
        }
        assert_eq!(
            roles,
            ["secretariat", "moderator", "participant", "observer"]
        );
    }
}
