//! One seed: the workload, a power loss at a seeded I/O point, the disk
//! resolved by its fates, reopen, and the check against the model.
//!
//! 1. A fresh disk with the chosen [`Profile`]; redb creates its database
//!    on the file `/db/redb.db` (redb syncs it; nobody syncs the directory,
//!    as redb never does). Setup is not crashed.
//! 2. A dry run of the workload counts its I/Os (writes, length changes and
//!    syncs reaching the disk). From the seed's stream `"crash"`: half the
//!    seeds lose the power at one of those I/Os, uniformly; the other half at
//!    one of the syncs, uniformly (the power fails while an `fsync` is in
//!    flight: everything since the last one is pending, the richest crash
//!    image, and where redb's own crash test aims too).
//! 3. The workload runs again with the crash armed: each commit that returns
//!    `Ok` is acknowledged; the commit the power loss interrupts is in
//!    flight. redb is dropped (its errors and panics with the power off are
//!    no finding: nothing can be written then).
//! 4. The power loss is resolved: the fate of each pending write and length
//!    change drawn from the stream `"power"`, or given explicitly.
//! 5. redb reopens the file (a panic is caught and is a finding; so is an
//!    error) and table `t` is read back. It must equal the model after the
//!    last acknowledged commit, or after the in-flight one (a commit whose
//!    data and header landed before the power went is durable though never
//!    acknowledged): every acknowledged commit present with its exact
//!    values, nothing unacknowledged.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use redosim_disk::{Fates, IoKind, PowerLossReport, Prng, Profile, SharedDisk};

use crate::engine::Engine;
use crate::workload::{self, State, Txn, describe_value};

/// The database file.
pub const DB_PATH: &str = "/db/redb.db";

/// What to run: a seed, and optionally a part of its workload, a crash point
/// and fates (a replay or a shrink step).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub seed: u64,
    pub profile: Profile,
    /// Indices into the seed's transactions to keep (all when `None`).
    pub txns: Option<Vec<usize>>,
    /// The counted I/O the power fails at, from 1 (drawn when `None`).
    pub crash_at: Option<u64>,
    /// The power loss's fates (drawn when `None`).
    pub fates: Option<Fates>,
}

impl Case {
    pub fn new(seed: u64, profile: Profile) -> Case {
        Case {
            seed,
            profile,
            txns: None,
            crash_at: None,
            fates: None,
        }
    }

    /// The transactions this case runs.
    pub fn workload(&self) -> Vec<Txn> {
        let all = workload::generate(self.seed);
        match &self.txns {
            None => all,
            Some(keep) => all
                .into_iter()
                .filter(|t| keep.contains(&t.index))
                .collect(),
        }
    }
}

/// Why a seed failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// Reopening after the power loss panicked.
    PanicAtOpen(String),
    /// Reopening after the power loss returned an error.
    OpenFailed(String),
    /// Reading table `t` back panicked or failed.
    ReadFailed(String),
    /// Table `t` is neither the acknowledged state nor the in-flight one.
    WrongState(String),
    /// redb failed or panicked while the power was still on.
    Workload(String),
}

impl Finding {
    /// The kind, for "the same failure" while shrinking.
    pub fn kind(&self) -> &'static str {
        match self {
            Finding::PanicAtOpen(_) => "reopen panicked",
            Finding::OpenFailed(_) => "reopen failed",
            Finding::ReadFailed(_) => "read back failed",
            Finding::WrongState(_) => "wrong data after recovery",
            Finding::Workload(_) => "failure without a fault",
        }
    }

    /// Whether `other` is the same failure: the same kind and, for a panic,
    /// the same message.
    pub fn same_as(&self, other: &Finding) -> bool {
        match (self, other) {
            (Finding::PanicAtOpen(a), Finding::PanicAtOpen(b)) => a == b,
            _ => self.kind() == other.kind(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let detail = match self {
            Finding::PanicAtOpen(s)
            | Finding::OpenFailed(s)
            | Finding::ReadFailed(s)
            | Finding::WrongState(s)
            | Finding::Workload(s) => s,
        };
        write!(f, "{}: {detail}", self.kind())
    }
}

/// Everything one run of a case decided and found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The transactions that ran (or would have).
    pub txns: usize,
    /// Counted I/Os of the whole workload without a crash.
    pub io_total: u64,
    /// The I/O the power failed at, from 1.
    pub crash_at: u64,
    /// The counted I/O at which each transaction began (for locating the crash).
    pub txn_starts: Vec<u64>,
    /// Which call the crash stopped (from the dry run; `None` past its end).
    pub crash_kind: Option<IoKind>,
    /// Commits acknowledged before the crash.
    pub acknowledged: usize,
    /// Whether a commit was in flight at the crash.
    pub in_flight: bool,
    pub report: PowerLossReport,
    pub finding: Option<Finding>,
}

impl Outcome {
    /// Where the crash landed: `a sync, transaction 7 of 9, its I/O 3`.
    pub fn crash_place(&self) -> String {
        let kind = match self.crash_kind {
            Some(IoKind::Write) => "a write, ",
            Some(IoKind::SetLen) => "a set_len, ",
            Some(IoKind::Sync) => "a sync, ",
            Some(_) => "a namespace call, ",
            None => "",
        };
        match self.txn_starts.iter().rposition(|&s| s < self.crash_at) {
            Some(txn) => format!(
                "{kind}transaction {} of {}, its I/O {}",
                txn + 1,
                self.txns,
                self.crash_at - self.txn_starts[txn]
            ),
            None => format!("{kind}before the workload"),
        }
    }

    /// A hash of what the run decided and found (equal for equal runs).
    pub fn trace_hash(&self) -> u64 {
        let text = format!(
            "{} {} {} {} {} {:?}",
            self.io_total,
            self.crash_at,
            self.acknowledged,
            self.in_flight,
            self.report.fates_string(),
            self.finding
        );
        redosim_disk::prng::fnv1a(text.as_bytes(), redosim_disk::prng::FNV_OFFSET)
    }
}

/// Runs a case on release `E`.
pub fn run<E: Engine>(case: &Case) -> Outcome {
    quiet_panics();
    let txns = case.workload();
    let Dry {
        acknowledged: dry_acknowledged,
        txn_starts,
        failure: dry_failure,
        io_total,
        io_kinds,
    } = dry_run::<E>(case, &txns);
    if let Some(failure) = dry_failure {
        return Outcome {
            txns: txns.len(),
            io_total,
            crash_at: 0,
            txn_starts,
            crash_kind: None,
            acknowledged: dry_acknowledged,
            in_flight: false,
            report: PowerLossReport::default(),
            finding: Some(Finding::Workload(failure)),
        };
    }
    let crash_at = case.crash_at.unwrap_or_else(|| {
        let mut prng = Prng::new(case.seed, "crash");
        let syncs: Vec<u64> = (1..=io_total)
            .filter(|&i| io_kinds[i as usize - 1] == IoKind::Sync)
            .collect();
        if prng.chance(1, 2) && !syncs.is_empty() {
            *prng.pick(&syncs)
        } else {
            1 + prng.below(io_total.max(1))
        }
    });
    let crash_kind = crash_at
        .checked_sub(1)
        .and_then(|i| io_kinds.get(i as usize))
        .copied();

    let disk = setup::<E>(&case.profile);
    disk.lock().arm_crash(crash_at);
    let (acknowledged, _, failure) = workload::<E>(&disk, &txns);
    let powered_off = disk.lock().is_powered_off();
    if !powered_off {
        if let Some(failure) = failure {
            return Outcome {
                txns: txns.len(),
                io_total,
                crash_at,
                txn_starts,
                crash_kind,
                acknowledged,
                in_flight: false,
                report: PowerLossReport::default(),
                finding: Some(Finding::Workload(failure)),
            };
        }
        // The crash point lies past the workload: the power fails at its end.
        disk.lock().cut_power();
    }
    let in_flight = acknowledged < txns.len();
    let report = {
        let mut disk = disk.lock();
        match &case.fates {
            Some(fates) => disk.power_loss_resolved(fates),
            None => disk.power_loss(&mut Prng::new(case.seed, "power")),
        }
    };
    let finding = check::<E>(&disk, &txns, acknowledged, in_flight);
    Outcome {
        txns: txns.len(),
        io_total,
        crash_at,
        txn_starts,
        crash_kind,
        acknowledged,
        in_flight,
        report,
        finding,
    }
}

/// The workload run to its end without a crash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dry {
    pub acknowledged: usize,
    /// The counted I/O (from 0) at which each transaction began.
    pub txn_starts: Vec<u64>,
    /// An error or panic with the power on.
    pub failure: Option<String>,
    /// Counted I/Os of the whole workload.
    pub io_total: u64,
    /// Which call each of them was, in order.
    pub io_kinds: Vec<IoKind>,
}

/// Runs the case's transactions `txns` on a fresh disk without a crash.
pub fn dry_run<E: Engine>(case: &Case, txns: &[Txn]) -> Dry {
    quiet_panics();
    let disk = setup::<E>(&case.profile);
    let start = disk.lock().io_count();
    disk.lock().record_io(true);
    let (acknowledged, starts, failure) = workload::<E>(&disk, txns);
    let disk = disk.lock();
    Dry {
        acknowledged,
        txn_starts: starts.iter().map(|s| s - start).collect(),
        failure,
        io_total: disk.io_count() - start,
        io_kinds: disk.io_log().iter().map(|r| r.kind).collect(),
    }
}

/// A disk with the database created on it.
fn setup<E: Engine>(profile: &Profile) -> SharedDisk {
    let disk = SharedDisk::new(profile.disk());
    let file = disk.create_new(DB_PATH).expect("a new disk creates a file");
    let db = E::open(file).expect("redb creates a database on an empty file");
    drop(db);
    disk
}

/// Runs the transactions until one fails: how many were acknowledged, the
/// I/O count at each one's start, and the failure, if any.
fn workload<E: Engine>(disk: &SharedDisk, txns: &[Txn]) -> (usize, Vec<u64>, Option<String>) {
    let mut acknowledged = 0;
    let mut starts = Vec::with_capacity(txns.len());
    let result = catch(|| {
        let file = disk.open(DB_PATH).map_err(|e| e.to_string())?;
        let db = E::open(file)?;
        for txn in txns {
            starts.push(disk.lock().io_count());
            E::commit(&db, txn)?;
            acknowledged += 1;
        }
        Ok(())
    });
    let failure = match result {
        Ok(Ok(())) => None,
        Ok(Err(error)) => Some(error),
        Err(panic) => Some(format!("panicked: {panic}")),
    };
    (acknowledged, starts, failure)
}

/// Reopens after the power loss and compares table `t` with the model.
fn check<E: Engine>(
    disk: &SharedDisk,
    txns: &[Txn],
    acknowledged: usize,
    in_flight: bool,
) -> Option<Finding> {
    // `Database::create` creates a missing file, as it would after a power
    // loss that took the file's name with it.
    let vanished = !disk.exists(DB_PATH);
    let file = match disk.open_or_create(DB_PATH) {
        Ok(file) => file,
        Err(error) => return Some(Finding::OpenFailed(error.to_string())),
    };
    let db = match catch(|| E::open(file)) {
        Ok(Ok(db)) => db,
        Ok(Err(error)) => return Some(Finding::OpenFailed(error)),
        Err(panic) => return Some(Finding::PanicAtOpen(panic)),
    };
    let state = match catch(|| E::read_all(&db)) {
        Ok(Ok(state)) => state,
        Ok(Err(error)) => return Some(Finding::ReadFailed(error)),
        Err(panic) => return Some(Finding::ReadFailed(format!("panicked: {panic}"))),
    };
    let mut expected = State::new();
    for txn in &txns[..acknowledged] {
        txn.apply(&mut expected);
    }
    if state == expected {
        return None;
    }
    let mut with_in_flight = expected.clone();
    if in_flight {
        txns[acknowledged].apply(&mut with_in_flight);
        if state == with_in_flight {
            return None;
        }
    }
    let mut detail = difference(&expected, &state, acknowledged);
    if vanished {
        detail = format!(
            "{DB_PATH} is gone after the power loss (its create was never made durable: \
             redb does not sync the directory), so redb created an empty database; {detail}"
        );
    }
    Some(Finding::WrongState(detail))
}

/// The first key where `found` differs from `expected`, in words.
fn difference(expected: &State, found: &State, acknowledged: usize) -> String {
    let keys: std::collections::BTreeSet<&u64> = expected.keys().chain(found.keys()).collect();
    for key in keys {
        let (want, got) = (expected.get(key), found.get(key));
        if want == got {
            continue;
        }
        let show = |v: Option<&Vec<u8>>| v.map_or("absent".to_string(), |v| describe_value(v));
        return format!(
            "after {acknowledged} acknowledged commits, key {key} should be {} but is {}",
            show(want),
            show(got)
        );
    }
    unreachable!("the states differ")
}

thread_local! {
    /// Whether a `catch` is running on this thread.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// The last caught panic's message and place, recorded by the quiet hook.
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Replaces the panic hook (once) by one that, inside [`catch`], records the
/// message and its place instead of printing (a caught panic is a finding,
/// reported once); any other panic prints as usual.
pub fn quiet_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !CATCHING.with(Cell::get) {
                return previous(info);
            }
            let message = match info.payload().downcast_ref::<&str>() {
                Some(s) => s.to_string(),
                None => match info.payload().downcast_ref::<String>() {
                    Some(s) => s.clone(),
                    None => "a panic without a message".to_string(),
                },
            };
            let place = info
                .location()
                .map(|l| format!(" at {}:{}", short_path(l.file()), l.line()))
                .unwrap_or_default();
            // The first panic is the finding; one raised while unwinding from
            // it (in a destructor) is not recorded over it.
            PANIC.with(|p| {
                p.borrow_mut().get_or_insert(format!("{message}{place}"));
            });
        }));
    });
}

/// The part of a source path from `src/`, so reports do not depend on where
/// the registry or the repository lives.
fn short_path(file: &str) -> &str {
    file.find("src/").map_or(file, |i| &file[i..])
}

/// Runs `f`, turning a panic into its recorded message.
fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    PANIC.with(|p| p.borrow_mut().take());
    let outer = CATCHING.with(|c| c.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(outer));
    let message = PANIC.with(|p| p.borrow_mut().take());
    result.map_err(|_| message.unwrap_or_else(|| "a panic".to_string()))
}
