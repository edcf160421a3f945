//! `baraza-bench`: runs one scenario end to end (starting the servers it measures) and prints a
//! table of medians and the command that reproduces it.

use anyhow::Context;
use baraza_bench::scenarios::audience::{self, AudienceParams};
use baraza_bench::scenarios::fanout::{self, FanoutParams};
use baraza_bench::scenarios::held::{self, HeldParams};
use baraza_bench::scenarios::record::{self, RecordParams};
use baraza_bench::scenarios::storm::{self, StormParams};
use baraza_bench::scenarios::workspace::{self, WorkspaceParams};
use baraza_bench::systems::{Setup, System};
use baraza_bench::{floor, limits, procs};
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Benchmarks of Baraza, measured against the tools people use instead.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Args, Clone)]
struct Common {
    /// The `baraza` binary (default: target/release/baraza, built if missing).
    #[arg(long)]
    baraza: Option<PathBuf>,
    /// Another `baraza` build, measured as system `baraza-b` (before/after comparisons).
    #[arg(long)]
    baraza_b: Option<PathBuf>,
    /// The Node.js peers.
    #[arg(long, default_value = "bench/peers")]
    peers: PathBuf,
    /// Where raw results go.
    #[arg(long, default_value = "bench/results")]
    out: PathBuf,
    /// Repetitions (tables show medians).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Connections opened at the same time.
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
    /// Client source addresses 127.0.0.2 … (each has about 28,000 ephemeral ports).
    #[arg(long, default_value_t = 4)]
    sources: usize,
}

impl Common {
    fn setup(&self) -> anyhow::Result<Setup> {
        let baraza = procs::baraza_binary(self.baraza.as_deref())?;
        Ok(Setup {
            baraza,
            baraza_b: self.baraza_b.clone(),
            peers: self.peers.clone(),
            baraza_flags: [
                "--rate",
                "1000000",
                "--burst",
                "1000000",
                "--presence-grace",
                "10m",
                "--heartbeat",
                "60s",
            ]
            .map(String::from)
            .to_vec(),
        })
    }
}

#[derive(Args)]
struct FanoutArgs {
    #[command(flatten)]
    common: Common,
    /// Systems to measure, in order.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "baraza,node-ws,socketio,floor"
    )]
    systems: Vec<System>,
    /// Receiving members.
    #[arg(long, short = 'n', default_value_t = 1000)]
    members: usize,
    /// Statements per second in the fixed-rate phase.
    #[arg(long, default_value_t = 100)]
    rate: u32,
    /// Seconds of the fixed-rate phase.
    #[arg(long, default_value_t = 5)]
    rate_secs: u32,
    /// Statements in the saturation phase.
    #[arg(long, default_value_t = 300)]
    saturation: u64,
    /// Statements in flight during saturation.
    #[arg(long, default_value_t = 16)]
    window: u64,
    /// Statement length in characters.
    #[arg(long, default_value_t = 64)]
    text_len: usize,
    /// Join members the naive way: all stay connected while the others join, so each join's
    /// `member_joined` reaches every member already there (N²/2 frames). By default members are
    /// enrolled first (join once and drop; the presence grace keeps them present).
    #[arg(long)]
    naive_join: bool,
}

#[derive(Subcommand)]
enum Cmd {
    /// One speaker to N members of one room, against Baraza and the peers.
    Fanout(FanoutArgs),
    /// The fan-out scenario across three Baraza nodes sharing a Redis (members spread over the
    /// nodes; the speaker on the first).
    Multinode(FanoutArgs),
    /// Idle authenticated members held by one node, and its memory per connection.
    Held {
        #[command(flatten)]
        common: Common,
        /// Members to connect.
        #[arg(long, short = 'n', default_value_t = 2000)]
        members: usize,
        /// Members per room.
        #[arg(long, default_value_t = 100)]
        per_room: usize,
        /// Seconds to hold them before the final memory reading.
        #[arg(long, default_value_t = 5)]
        hold_secs: u64,
    },
    /// Acknowledged (durable) appends per second, embedded and Redis engines.
    Record {
        #[command(flatten)]
        common: Common,
        /// Engines.
        #[arg(
            long,
            value_enum,
            value_delimiter = ',',
            default_value = "baraza,baraza-redis"
        )]
        systems: Vec<System>,
        /// Rooms, one writer each.
        #[arg(long, default_value_t = 64)]
        rooms: usize,
        /// Commands each writer keeps in flight.
        #[arg(long, default_value_t = 32)]
        in_flight: usize,
        /// Seconds of writing.
        #[arg(long, default_value_t = 5)]
        secs: u64,
        /// Statement length.
        #[arg(long, default_value_t = 64)]
        text_len: usize,
    },
    /// N members drop at once and resume; time until all are current, lost and doubled events.
    Storm {
        #[command(flatten)]
        common: Common,
        /// Engine.
        #[arg(long, value_enum, default_value = "baraza")]
        system: System,
        /// Members.
        #[arg(long, short = 'n', default_value_t = 1000)]
        members: usize,
        /// Statements per second the speaker posts throughout. Every member receives each one,
        /// so the room offers rate × members deliveries per second: keep that within what
        /// the fan-out scenario measured for this machine, or no resume can ever catch up.
        #[arg(long, default_value_t = 5)]
        rate: u32,
    },
    /// N members join one room one after another and stay connected (no enrolment): as
    /// observers (the audience, recorded in digests) or as participants (announced one by one).
    Audience {
        #[command(flatten)]
        common: Common,
        /// Engine.
        #[arg(long, value_enum, default_value = "baraza")]
        system: System,
        /// Members.
        #[arg(long, short = 'n', default_value_t = 10_000)]
        members: usize,
        /// Their role: `observer` (audience) or `participant`.
        #[arg(long, default_value = "observer")]
        role: String,
    },
    /// Refetch storms (issue 14): N browser-like members in a roundtable while a chair runs
    /// the list; view fetches per event and delivery latency, `baraza` against `baraza-b`.
    Workspace {
        #[command(flatten)]
        common: Common,
        /// Systems: `baraza` (this build, the current client's rule) and `baraza-b` (the
        /// `--baraza-b` build, the client rule before issue 14).
        #[arg(long, value_enum, value_delimiter = ',', default_value = "baraza")]
        systems: Vec<System>,
        /// Browser-like members.
        #[arg(long, short = 'n', default_value_t = 1000)]
        members: usize,
        /// Turns (four events each).
        #[arg(long, default_value_t = 5)]
        turns: usize,
        /// Pause between commands, ms (a chair's pace).
        #[arg(long, default_value_t = 300)]
        pace_ms: u64,
    },
    /// The floor probe server (started by the fan-out scenario).
    FloorServer {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:0")]
        bind: SocketAddr,
    },
}

fn fanout_params(args: &FanoutArgs) -> FanoutParams {
    FanoutParams {
        systems: args.systems.clone(),
        members: args.members,
        rate: args.rate,
        rate_secs: args.rate_secs,
        saturation: args.saturation,
        window: args.window,
        text_len: args.text_len,
        runs: args.common.runs,
        concurrency: args.common.concurrency,
        sources: args.common.sources,
        enroll: !args.naive_join,
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let nofile = limits::raise_nofile(1 << 20)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    runtime.block_on(async move {
        match cli.command {
            Cmd::FloorServer { bind } => floor::serve(bind).await?,
            Cmd::Fanout(args) => {
                eprintln!("open-file limit: {nofile}");
                let setup = args.common.setup()?;
                fanout::run(&setup, &fanout_params(&args), &args.common.out, "fanout").await?;
            }
            Cmd::Held {
                common,
                members,
                per_room,
                hold_secs,
            } => {
                let params = HeldParams {
                    members,
                    per_room,
                    hold_secs,
                    runs: common.runs,
                    concurrency: common.concurrency,
                    sources: common.sources,
                };
                held::run(&common.setup()?, &params, &common.out).await?;
            }
            Cmd::Record {
                common,
                systems,
                rooms,
                in_flight,
                secs,
                text_len,
            } => {
                let params = RecordParams {
                    systems,
                    rooms,
                    in_flight,
                    secs,
                    text_len,
                    runs: common.runs,
                };
                record::run(&common.setup()?, &params, &common.out).await?;
            }
            Cmd::Audience {
                common,
                system,
                members,
                role,
            } => {
                eprintln!("open-file limit: {nofile}");
                let params = AudienceParams {
                    system,
                    members,
                    role,
                    runs: common.runs,
                    concurrency: common.concurrency,
                    sources: common.sources,
                };
                audience::run(&common.setup()?, &params, &common.out).await?;
            }
            Cmd::Storm {
                common,
                system,
                members,
                rate,
            } => {
                let params = StormParams {
                    system,
                    members,
                    rate,
                    runs: common.runs,
                    concurrency: common.concurrency,
                    sources: common.sources,
                };
                storm::run(&common.setup()?, &params, &common.out).await?;
            }
            Cmd::Workspace {
                common,
                systems,
                members,
                turns,
                pace_ms,
            } => {
                let params = WorkspaceParams {
                    systems,
                    members,
                    turns,
                    pace_ms,
                    runs: common.runs,
                    concurrency: common.concurrency,
                    sources: common.sources,
                };
                workspace::run(&common.setup()?, &params, &common.out).await?;
            }
            Cmd::Multinode(mut args) => {
                if args.systems
                    == [
                        System::Baraza,
                        System::NodeWs,
                        System::Socketio,
                        System::Floor,
                    ]
                {
                    args.systems = vec![System::Baraza3, System::BarazaRedis, System::Baraza];
                }
                let setup = args.common.setup()?;
                fanout::run(&setup, &fanout_params(&args), &args.common.out, "multinode").await?;
            }
        }
        anyhow::Ok(())
    })
}
