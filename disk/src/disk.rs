//! The simulated disk: files of bytes with the durability contract of a real
//! disk (S-DISK-1..3), and the faults a real disk can produce (S-DISK-2, 4).
//!
//! # Model
//!
//! A file is an inode holding a sequence of OS blocks (512 or 4096 bytes,
//! fixed per disk: the unit a power loss cannot tear). Every inode keeps two
//! images, each a length and bytes:
//!
//! - `current`: what reads see, the durable image plus every pending write
//!   and length change, like an OS page cache;
//! - `durable`: what is on the medium, what a power loss that drops every
//!   pending change would leave.
//!
//! Images are vectors of reference-counted 4 KiB pages ([`PAGE_SIZE`]) plus a
//! length. A write copies a page only if it is shared (`Arc::make_mut`), so
//! `Disk::clone` is a snapshot that costs pointers, not bytes. No byte past an
//! image's length is non-zero, so a file extended later reads zeros there.
//!
//! Invariant: an inode without a pending length change has the same length
//! in both images, and they differ only in OS blocks with a pending write.
//!
//! Writes: `write_at` changes `current` at once and appends one pending write
//! per OS block it touches to a single global list, in issue order. A write
//! that covers part of an OS block carries the whole block as the page cache
//! has it then (the bytes around the write included), so bytes outside a
//! write never change ("powersafe overwrite"). `write` is `write_at` for
//! whole, aligned OS blocks (the engine's contract; misalignment panics).
//! `sync(path)` (`fsync`; `sync_data` is the same) makes that file's pending
//! writes and length changes durable and takes them off the lists.
//!
//! # File lengths
//!
//! A file's length is volatile too, as it is in a kernel: `set_len` and a
//! write that ends past the end append a *pending length change* (the new
//! length) to a global list, in issue order with the writes (a write's length
//! change comes after its OS blocks). At a power loss each one is *kept*
//! (`k`) or *lost* (`l`), independently, and the changes and writes are
//! replayed onto the durable image in issue order: a kept change sets the
//! length (a shorter one cuts the bytes past it, a longer one reads zeros
//! past the old end), a lost one does nothing. Whatever lies past the final
//! durable length is gone, so the data of an extension whose length change
//! was lost is gone even if its OS blocks landed. The Linux cases it follows:
//!
//! - `ftruncate`/`set_len` to a larger size is a metadata change in the
//!   file system's journal (ext4, XFS): it is durable once the transaction
//!   commits, at an `fsync` of the file or at a commit timer (ext4: 5 s), and
//!   lost if the power fails first. The OS blocks written into the new space
//!   meanwhile may have been written back already: they come back cut off.
//!   (redb's `grow()` bug, fixed in redb 4.2.0, is this case.)
//! - An appending write updates the in-memory size at once; the on-disk size
//!   follows when the journal commits the size update. Under ext4
//!   `data=ordered` that update follows the data's writeback, so a file can
//!   come back shorter than the data that landed (kept blocks, lost length).
//!   XFS and ext4 `data=writeback` can commit the size before the data: the
//!   file comes back full length with zeros where blocks were lost (kept
//!   length, dropped blocks; the "zero-length or NUL-filled file after a
//!   crash" reports). The disk allows both.
//! - `ftruncate` to a smaller size that was not committed leaves the old
//!   length and the old bytes after a power loss.
//! - `fsync` and `fdatasync` both make the size durable: `fdatasync` skips
//!   only metadata that reading the data back does not need (`fdatasync(2)`:
//!   "a change to the file size ... would require a metadata flush").
//!
//! Lengths are independent of each other and of the writes, a superset of
//! what one ordered journal allows (there, a later kept size change of a file
//! implies its earlier ones): an engine that is correct here is correct on
//! those file systems.
//!
//! # Names
//!
//! `create`, `delete` and `rename` change the current name → inode map at
//! once and append an op to a single global list of unsynced namespace ops.
//! `sync_dir(dir)` makes *every* earlier namespace op durable, whatever its
//! directory: the disk models one file-system journal, as on ext4 or XFS,
//! where an fsync of a directory commits the whole running transaction.
//! Directories themselves are implicit: any `dir` may be synced.
//!
//! Devices: a path belongs to the device whose prefix is the longest one that
//! matches it (a prefix may be a whole file path); paths matching none belong
//! to the device `root`. Devices are a property of paths, not of inodes, so a
//! rename across devices moves the file (a real OS would say EXDEV; the engine
//! renames within a directory).
//!
//! # Fault injection
//!
//! Power loss (S-DISK-2, S-DISK-3), at an armed I/O count, on a `crash`
//! directive, or whenever the simulator calls [`Disk::power_loss`]:
//!
//! - Every pending OS-block write is resolved, in issue order, to one
//!   [`Fate`]: *applied* (its bytes reached the medium: the OS wrote the page
//!   back in the background before the power went), *dropped* (it was still
//!   in the page cache), or *garbage* (the sector was being written when the
//!   power failed and holds random bytes). Fates are drawn per OS block with
//!   [`FateWeights`], so a database block spanning several OS blocks comes back
//!   *torn* when its OS blocks get different fates: disks promise atomic
//!   sectors, never atomic multi-sector writes, and the write-back order of a
//!   page cache is arbitrary. Garbage is drawn only for devices added with
//!   `garbage_on_power_loss` (FoundationDB's and SQLite's crash models allow
//!   it for drives without power-loss protection); elsewhere an OS block
//!   holds its old or its new bytes, never a mix (S-DISK-1). Later writes to
//!   an OS block are resolved after earlier ones, so "applied, then dropped"
//!   leaves the first write's bytes.
//! - Every pending length change is kept or lost ([`SizeFate`]), drawn with
//!   the ratio `applied : dropped` of the fate weights from a stream of its
//!   own (see [`Disk::power_loss`]), and replayed as above.
//! - A prefix of the unsynced namespace ops survives, of length uniform in
//!   `0..=n`: a journaling file system commits metadata in order and loses an
//!   uncommitted tail. An inode that no surviving name references is freed,
//!   so a file whose create did not survive is gone, even if its data was
//!   synced.
//! - Then every `current` image becomes the `durable` one and power returns.
//!   The explicit form ([`Disk::power_loss_resolved`], [`Fates`]) takes the
//!   same decisions as letters: `a`/`d`/`g` per write, `k`/`l` per length
//!   change, in issue order ([`PowerLossReport::fates_string`]).
//!
//! While the power is off, every call fails with `PowerLost` (`exists` and
//! `list` still answer from the current names).
//! [`Disk::arm_crash`]`(k)` makes the k-th counted I/O from now fail with
//! `PowerLost` *without taking effect* and turns the power off; counted I/Os
//! are `write`/`write_at` (even of 0 bytes), `set_len`, `sync`, `sync_data`,
//! `sync_dir`, `create`, `delete` and `rename`, including calls that fail for
//! another reason (the call reached the disk). Reads and `size` are not
//! counted.
//!
//! Faults without a power loss (S-DISK-4):
//!
//! - [`Disk::lose_file`]: a file vanishes now and durably (an operator's `rm`,
//!   or fsck moving it to lost+found); its pending writes are forgotten.
//! - [`Disk::corrupt_os_block`]: bit rot or a latent sector error; a durable
//!   OS block becomes deterministic garbage. Reads see it unless a pending
//!   write to that block sits in the page cache, which will overwrite the
//!   rotten sector when it reaches the medium.
//! - [`Disk::lose_device`]: a disk dies; every file named on it vanishes and
//!   I/O to its paths fails with `DeviceError` (create too) until
//!   [`Disk::replace_device`] puts a new empty disk in its place.
//!
//! Not modelled (the engine cannot observe them, or they are out of scope):
//! read errors other than the above, misdirected or lost writes while the
//! power is on (a synced write stays durable), a full disk, and per-directory
//! journals. The last one makes the disk *stronger* than POSIX: an engine
//! that syncs one directory but forgets another is not caught here.
//!
//! # Determinism
//!
//! All randomness comes from the caller's [`Prng`]; garbage bytes of
//! [`Disk::power_loss_with`] and [`Disk::corrupt_os_block`] come from a Prng
//! seeded by the write's index or the caller's seed. Maps are `BTreeMap`s and
//! lists are in issue order, so a run is a pure function of its seed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Bound;
use std::sync::{Arc, LazyLock};

use crate::error::{IoError, IoErrorKind, IoResult};
use crate::prng::Prng;
use crate::profile::Profile;

/// The storage page: the unit of copy-on-write. OS blocks (512 or 4096) divide it.
pub const PAGE_SIZE: usize = 4096;

/// The largest file the disk accepts: an offset past it is an engine bug.
pub const FILE_SIZE_MAX: u64 = 1 << 32;

const PAGE_SIZE_U64: u64 = PAGE_SIZE as u64;

type Page = Arc<[u8; PAGE_SIZE]>;

/// One shared page of zeros: gaps in sparse files point at it.
static PAGE_ZERO: LazyLock<Page> = LazyLock::new(|| Arc::new([0u8; PAGE_SIZE]));

/// What a power loss did to one pending OS-block write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Fate {
    /// The new bytes reached the medium.
    Applied,
    /// The write was lost; the OS block keeps its old bytes.
    Dropped,
    /// The OS block holds random bytes (garbage-on-power-loss devices only).
    Garbage,
}

impl Fate {
    /// `'a'`, `'d'` or `'g'`: the letter used in reports and replay files.
    pub fn letter(self) -> char {
        match self {
            Fate::Applied => 'a',
            Fate::Dropped => 'd',
            Fate::Garbage => 'g',
        }
    }

    /// The inverse of [`Fate::letter`].
    pub fn from_letter(c: char) -> Option<Fate> {
        match c {
            'a' => Some(Fate::Applied),
            'd' => Some(Fate::Dropped),
            'g' => Some(Fate::Garbage),
            _ => None,
        }
    }
}

/// What a power loss did to one pending change of a file's length (a
/// `set_len`, or a write past the end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum SizeFate {
    /// The new length reached the medium (the journal committed it).
    Kept,
    /// The length stays what it was before this change.
    Lost,
}

impl SizeFate {
    /// `'k'` or `'l'`: the letter used in reports and replay files.
    pub fn letter(self) -> char {
        match self {
            SizeFate::Kept => 'k',
            SizeFate::Lost => 'l',
        }
    }

    /// The inverse of [`SizeFate::letter`].
    pub fn from_letter(c: char) -> Option<SizeFate> {
        match c {
            'k' => Some(SizeFate::Kept),
            'l' => Some(SizeFate::Lost),
            _ => None,
        }
    }
}

/// Which call a counted I/O was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoKind {
    /// `write` or `write_at`.
    Write,
    SetLen,
    /// `sync` or `sync_data`.
    Sync,
    SyncDir,
    Create,
    Delete,
    Rename,
}

/// One counted I/O in the log ([`Disk::record_io`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IoRecord {
    /// Its count ([`Disk::io_count`] once it began): what [`Disk::arm_crash`] counts.
    pub index: u64,
    pub kind: IoKind,
    pub path: String,
}

/// One pending OS-block write and what the power loss did to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedWrite {
    /// The file's name when the write was issued.
    pub path: String,
    /// The OS block index within the file.
    pub os_block: u64,
    pub fate: Fate,
}

/// One pending length change and what the power loss did to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedSize {
    /// The file's name when the change was made.
    pub path: String,
    /// The length before the change and the length it set.
    pub len_from: u64,
    pub len_to: u64,
    pub fate: SizeFate,
    /// How many of the report's `writes` were issued before this change.
    pub after_writes: usize,
}

/// Everything a power loss decided.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PowerLossReport {
    /// Every pending OS-block write, in the order the writes were issued.
    pub writes: Vec<ResolvedWrite>,
    /// Every pending length change, in the order they were made.
    pub sizes: Vec<ResolvedSize>,
    /// Unsynced create/delete/rename ops at the instant of the power loss.
    pub namespace_ops_pending: usize,
    /// How many of them (a prefix, in issue order) survived.
    pub namespace_ops_kept: usize,
}

impl PowerLossReport {
    /// The fates as letters in issue order, e.g. `"aadg"`, or `"aak"` when a
    /// length change followed two writes: each write's `a`/`d`/`g` and each
    /// length change's `k`/`l` where it happened. [`Fates::parse`] reads it back.
    pub fn fates_string(&self) -> String {
        let mut letters = String::with_capacity(self.writes.len() + self.sizes.len());
        let mut sizes = self.sizes.iter().peekable();
        for (index, write) in self.writes.iter().enumerate() {
            while let Some(size) = sizes.next_if(|s| s.after_writes <= index) {
                letters.push(size.fate.letter());
            }
            letters.push(write.fate.letter());
        }
        letters.extend(sizes.map(|s| s.fate.letter()));
        letters
    }

    /// The explicit fates that replay this power loss exactly.
    pub fn fates(&self) -> Fates {
        Fates {
            writes: self.writes.iter().map(|w| w.fate).collect(),
            sizes: self.sizes.iter().map(|s| s.fate).collect(),
            namespace_kept: self.namespace_ops_kept,
        }
    }
}

/// An explicit resolution of a power loss: the fate of each pending write and
/// length change, in issue order, and how many unsynced namespace ops survive.
/// Missing entries are `Applied` and `Kept`; extra ones are ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fates {
    pub writes: Vec<Fate>,
    pub sizes: Vec<SizeFate>,
    /// Clamped to how many there are: `usize::MAX` keeps them all.
    pub namespace_kept: usize,
}

impl Fates {
    /// Reads a [`PowerLossReport::fates_string`]: `a`, `d` and `g` are the
    /// writes' fates in order, `k` and `l` the length changes' (so a string
    /// of writes only, as printed before lengths were volatile, keeps every
    /// length change). Upper case is accepted. Returns the first other
    /// character and its index.
    pub fn parse(letters: &str, namespace_kept: usize) -> Result<Fates, (usize, char)> {
        let mut fates = Fates {
            namespace_kept,
            ..Fates::default()
        };
        for (index, c) in letters.chars().enumerate() {
            let c = c.to_ascii_lowercase();
            if let Some(fate) = Fate::from_letter(c) {
                fates.writes.push(fate);
            } else if let Some(fate) = SizeFate::from_letter(c) {
                fates.sizes.push(fate);
            } else {
                return Err((index, c));
            }
        }
        Ok(fates)
    }
}

/// Ratios for drawing the fate of a pending OS-block write at power loss.
/// `garbage` counts only on garbage-on-power-loss devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FateWeights {
    pub applied: u64,
    pub dropped: u64,
    pub garbage: u64,
}

impl Default for FateWeights {
    fn default() -> Self {
        FateWeights {
            applied: 1,
            dropped: 1,
            garbage: 0,
        }
    }
}

/// Counters of successful I/O (write and sync calls, bytes written) and power losses.
/// `syncs` counts both `sync` and `sync_dir`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiskStats {
    pub writes: u64,
    pub syncs: u64,
    pub bytes_written: u64,
    pub power_losses: u64,
}

/// A file's name, data and length as a handle sees them: which inode, and in
/// which power cycle it was opened (a handle dies with the power).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Handle {
    pub(crate) ino: u64,
    pub(crate) boot: u64,
}

/// The bytes of a file: shared pages plus a length in bytes.
#[derive(Clone, Default)]
struct Image {
    pages: Vec<Page>,
    len: u64,
}

impl fmt::Debug for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Image")
            .field("len", &self.len)
            .field("pages", &self.pages.len())
            .finish()
    }
}

impl Image {
    /// Copies the bytes at `offset` into `buf`, zero-filling past the end.
    /// Returns how many bytes lay inside the image.
    fn read(&self, offset: u64, buf: &mut [u8]) -> usize {
        let inside = self.len.saturating_sub(offset).min(buf.len() as u64) as usize;
        let mut done = 0;
        while done < inside {
            let position = offset + done as u64;
            let page_index = (position / PAGE_SIZE_U64) as usize;
            let in_page = (position % PAGE_SIZE_U64) as usize;
            let n = (PAGE_SIZE - in_page).min(inside - done);
            match self.pages.get(page_index) {
                Some(page) => buf[done..done + n].copy_from_slice(&page[in_page..in_page + n]),
                None => buf[done..done + n].fill(0),
            }
            done += n;
        }
        buf[inside..].fill(0);
        inside
    }

    /// Overwrites bytes at `offset`, copying shared pages; the length does not
    /// change (bytes put past it break the zero tail until [`Image::set_len`]).
    fn put(&mut self, offset: u64, data: &[u8]) {
        let end = offset + data.len() as u64;
        assert!(end <= FILE_SIZE_MAX, "write past FILE_SIZE_MAX: end {end}");
        self.grow_pages(end.div_ceil(PAGE_SIZE_U64) as usize);
        let mut done = 0;
        while done < data.len() {
            let position = offset + done as u64;
            let page_index = (position / PAGE_SIZE_U64) as usize;
            let in_page = (position % PAGE_SIZE_U64) as usize;
            let n = (PAGE_SIZE - in_page).min(data.len() - done);
            let page = Arc::make_mut(&mut self.pages[page_index]);
            page[in_page..in_page + n].copy_from_slice(&data[done..done + n]);
            done += n;
        }
    }

    /// Sets the length. Every byte past the new length reads as zero, now and
    /// after a later extension (the zero tail: no page holds a non-zero byte
    /// past `len`).
    fn set_len(&mut self, len: u64) {
        assert!(len <= FILE_SIZE_MAX, "length past FILE_SIZE_MAX: {len}");
        self.len = len;
        let pages_used = len.div_ceil(PAGE_SIZE_U64) as usize;
        self.pages.truncate(pages_used);
        let in_page = (len % PAGE_SIZE_U64) as usize;
        if in_page > 0
            && self.pages.len() == pages_used
            && let Some(last) = self.pages.last_mut()
            && last[in_page..].iter().any(|&b| b != 0)
        {
            Arc::make_mut(last)[in_page..].fill(0);
        }
    }

    fn grow_pages(&mut self, count: usize) {
        if self.pages.len() < count {
            self.pages.resize(count, PAGE_ZERO.clone());
        }
    }

    /// Shares `other`'s page `index` (used by sync: O(dirty pages), not O(file)).
    fn share_page(&mut self, other: &Image, index: usize) {
        self.grow_pages(index + 1);
        self.pages[index] = other.pages.get(index).unwrap_or(&PAGE_ZERO).clone();
    }
}

/// A file's data, independent of its names.
#[derive(Debug, Clone)]
struct Inode {
    /// Its latest name, shared by its pending writes for reporting.
    path: Arc<str>,
    current: Image,
    durable: Image,
    /// How many entries of the pending list are this inode's.
    pending_blocks: usize,
    /// How many entries of the pending length changes are this inode's.
    pending_sizes: usize,
}

/// One unsynced OS-block write.
#[derive(Clone)]
struct PendingWrite {
    /// Issue order among writes and length changes.
    seq: u64,
    ino: u64,
    path: Arc<str>,
    os_block: u64,
    /// The whole `write` call's bytes, shared by its OS blocks.
    data: Arc<[u8]>,
    data_start: usize,
    /// Whether the device of `path` is garbage-on-power-loss.
    garbage_allowed: bool,
}

impl fmt::Debug for PendingWrite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingWrite")
            .field("ino", &self.ino)
            .field("path", &self.path)
            .field("os_block", &self.os_block)
            .field("garbage_allowed", &self.garbage_allowed)
            .finish()
    }
}

/// One unsynced change of a file's length.
#[derive(Debug, Clone)]
struct PendingSize {
    /// Issue order among writes and length changes.
    seq: u64,
    ino: u64,
    path: Arc<str>,
    len_from: u64,
    len_to: u64,
}

/// One unsynced change of the namespace.
#[derive(Debug, Clone)]
enum NamespaceOp {
    Create { path: String, ino: u64 },
    Delete { path: String },
    Rename { from: String, to: String },
}

#[derive(Debug, Clone)]
struct Device {
    name: String,
    path_prefix: String,
    garbage_on_power_loss: bool,
    lost: bool,
}

/// The simulated disk. `Clone` is a snapshot: unchanged pages are shared.
#[derive(Debug, Clone)]
pub struct Disk {
    os_block_size: usize,
    /// `devices[0]` is `root`, the fallback for paths matching no prefix.
    devices: Vec<Device>,
    /// Current names: what `exists`, `list` and I/O calls see.
    names: BTreeMap<String, u64>,
    /// Names as of the last synced namespace op.
    names_durable: BTreeMap<String, u64>,
    /// Unsynced namespace ops, in issue order.
    namespace_ops: Vec<NamespaceOp>,
    inodes: BTreeMap<u64, Inode>,
    inode_next: u64,
    /// Unsynced OS-block writes of every file, in issue order.
    pending: Vec<PendingWrite>,
    /// Unsynced length changes of every file, in issue order.
    pending_sizes: Vec<PendingSize>,
    /// The next issue number of a write or length change.
    seq_next: u64,
    /// Power cycles so far: a handle opened in an earlier one is dead.
    boot: u64,
    fate_weights: FateWeights,
    /// The promises of the medium (`Disk::new`: redosim's own).
    profile: Profile,
    /// Every counted I/O, when recording ([`Disk::record_io`]).
    io_log: Option<Vec<IoRecord>>,
    io_count: u64,
    crash_countdown: Option<u64>,
    /// The path of the I/O an armed crash point failed, until taken.
    struck: Option<String>,
    powered_off: bool,
    stats: DiskStats,
}

impl Disk {
    /// An empty disk with one device, `root`. Panics unless `os_block_size`
    /// is 512 or 4096.
    pub fn new(os_block_size: usize) -> Disk {
        assert!(
            os_block_size == 512 || os_block_size == 4096,
            "OS block size must be 512 or 4096, not {os_block_size}"
        );
        Disk {
            os_block_size,
            devices: vec![Device {
                name: "root".to_string(),
                path_prefix: String::new(),
                garbage_on_power_loss: false,
                lost: false,
            }],
            names: BTreeMap::new(),
            names_durable: BTreeMap::new(),
            namespace_ops: Vec::new(),
            inodes: BTreeMap::new(),
            inode_next: 1,
            pending: Vec::new(),
            pending_sizes: Vec::new(),
            seq_next: 0,
            boot: 0,
            fate_weights: FateWeights::default(),
            profile: Profile {
                name: "redosim".to_string(),
                sector_size: os_block_size,
                garbage_on_power_loss: false,
                names_need_dir_sync: true,
                lengths_need_sync: true,
            },
            io_log: None,
            io_count: 0,
            crash_countdown: None,
            struck: None,
            powered_off: false,
            stats: DiskStats::default(),
        }
    }

    /// An empty disk with the promises of `profile`: its sector size, and
    /// for the device `root` (every path, unless devices are added) its
    /// garbage, drawn then as often as each other fate (weights 1:1:1); see
    /// [`crate::profile`].
    pub fn with_profile(profile: Profile) -> Disk {
        let mut disk = Disk::new(profile.sector_size);
        disk.devices[0].garbage_on_power_loss = profile.garbage_on_power_loss;
        if profile.garbage_on_power_loss {
            disk.fate_weights.garbage = 1;
        }
        disk.profile = profile;
        disk
    }

    /// The promises this disk keeps.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Adds a device holding every path that starts with `path_prefix` (the
    /// longest matching prefix wins). Adding an existing name updates it.
    pub fn add_device(&mut self, name: &str, path_prefix: &str, garbage_on_power_loss: bool) {
        if let Some(device) = self.devices.iter_mut().find(|d| d.name == name) {
            device.path_prefix = path_prefix.to_string();
            device.garbage_on_power_loss = garbage_on_power_loss;
            return;
        }
        self.devices.push(Device {
            name: name.to_string(),
            path_prefix: path_prefix.to_string(),
            garbage_on_power_loss,
            lost: false,
        });
    }

    /// The name of the device holding `path`.
    pub fn device_of(&self, path: &str) -> String {
        self.devices[device_index(&self.devices, path)].name.clone()
    }

    pub fn set_fate_weights(&mut self, w: FateWeights) {
        self.fate_weights = w;
    }

    /// Counted I/Os so far (write, sync, sync_dir, create, delete, rename):
    /// every such call made while the power was on, including one that failed
    /// (`NotFound`, `DeviceError`) and the one an armed crash stopped.
    pub fn io_count(&self) -> u64 {
        self.io_count
    }

    /// Starts (or stops, dropping it) a log of every counted I/O from now:
    /// which call, on which path, at which count. For choosing crash points
    /// (a dry run records where the syncs are) and for reports.
    pub fn record_io(&mut self, on: bool) {
        self.io_log = on.then(Vec::new);
    }

    /// The counted I/Os since [`Disk::record_io`]`(true)` (empty if not recording).
    pub fn io_log(&self) -> &[IoRecord] {
        self.io_log.as_deref().unwrap_or_default()
    }

    /// The `after_ios`-th counted I/O from now fails with `PowerLost` without
    /// taking effect, and the power is off from then on.
    pub fn arm_crash(&mut self, after_ios: u64) {
        assert!(after_ios >= 1, "arm_crash(0): the count starts at 1");
        self.crash_countdown = Some(after_ios);
    }

    pub fn disarm_crash(&mut self) {
        self.crash_countdown = None;
    }

    /// How many counted I/Os remain until the armed crash, the failing one included.
    pub fn crash_armed(&self) -> Option<u64> {
        self.crash_countdown
    }

    /// The power goes off now; every I/O fails until [`Disk::power_loss`].
    pub fn cut_power(&mut self) {
        self.powered_off = true;
    }

    pub fn is_powered_off(&self) -> bool {
        self.powered_off
    }

    /// Unsynced OS-block writes of every file.
    pub fn pending_write_count(&self) -> usize {
        self.pending.len()
    }

    /// Unsynced length changes of every file.
    pub fn pending_size_count(&self) -> usize {
        self.pending_sizes.len()
    }

    /// Loses the power: draws each pending write's fate with the fate weights,
    /// how many unsynced namespace ops survive and a garbage seed from
    /// `prng`; then each pending length change's fate from the stream
    /// `"disk.size"` of that seed (so `prng` advances the same whether or not
    /// lengths are pending). Then power comes back on and any armed crash is
    /// disarmed.
    pub fn power_loss(&mut self, prng: &mut Prng) -> PowerLossReport {
        let (fates, sizes, namespace_kept, garbage_seed) = self.draw_fates(prng);
        self.resolve_power_loss(&fates, &sizes, namespace_kept, garbage_seed)
    }

    /// The draws of [`Disk::power_loss`]: each pending write's fate, how many
    /// namespace ops survive, the garbage seed, each pending length change's
    /// fate. Reads only the pending lists.
    fn draw_fates(&self, prng: &mut Prng) -> (Vec<Fate>, Vec<SizeFate>, usize, u64) {
        let w = self.fate_weights;
        let fates: Vec<Fate> = self
            .pending
            .iter()
            .map(|write| {
                if write.garbage_allowed {
                    FATES[prng.weighted(&[w.applied, w.dropped, w.garbage])]
                } else {
                    FATES[prng.weighted(&[w.applied, w.dropped])]
                }
            })
            .collect();
        let namespace_kept = prng.below(self.namespace_ops.len() as u64 + 1) as usize;
        let garbage_seed = prng.next_u64();
        // Length fates come from a stream of their own, keyed by a draw made
        // anyway, so a disk without pending length changes draws exactly as
        // before they existed.
        let mut size_prng = Prng::new(garbage_seed, "disk.size");
        let sizes: Vec<SizeFate> = self
            .pending_sizes
            .iter()
            .map(|_| SIZE_FATES[size_prng.weighted(&[w.applied, w.dropped])])
            .collect();
        (fates, sizes, namespace_kept, garbage_seed)
    }

    /// The report of a power loss with these fates (the disk is unchanged).
    fn report_of(
        &self,
        fates: &[Fate],
        sizes: &[SizeFate],
        namespace_kept: usize,
    ) -> PowerLossReport {
        let mut writes = Vec::with_capacity(self.pending.len());
        let mut resolved_sizes = Vec::with_capacity(self.pending_sizes.len());
        let mut next_size = self.pending_sizes.iter().zip(sizes).peekable();
        let resolved = |size: &PendingSize, fate: SizeFate, after_writes: usize| ResolvedSize {
            path: size.path.to_string(),
            len_from: size.len_from,
            len_to: size.len_to,
            fate,
            after_writes,
        };
        for (index, (write, &fate)) in self.pending.iter().zip(fates).enumerate() {
            while let Some((size, &fate)) = next_size.next_if(|(s, _)| s.seq < write.seq) {
                resolved_sizes.push(resolved(size, fate, index));
            }
            writes.push(ResolvedWrite {
                path: write.path.to_string(),
                os_block: write.os_block,
                fate,
            });
        }
        for (size, &fate) in next_size {
            resolved_sizes.push(resolved(size, fate, writes.len()));
        }
        let namespace_ops_pending = self.namespace_ops.len();
        PowerLossReport {
            writes,
            sizes: resolved_sizes,
            namespace_ops_pending,
            namespace_ops_kept: namespace_kept.min(namespace_ops_pending),
        }
    }

    /// [`Disk::power_loss`] with the stream `"power_loss"` of `seed`.
    pub fn power_loss_seeded(&mut self, seed: u64) -> PowerLossReport {
        self.power_loss(&mut Prng::new(seed, "power_loss"))
    }

    /// What [`Disk::power_loss`] with `prng` would decide, without losing the
    /// power (the disk is unchanged; `prng` advances).
    pub fn draw_power_loss(&self, prng: &mut Prng) -> PowerLossReport {
        // Draws from the pending lists alone, in the order `power_loss` does:
        // no snapshot of the files.
        let (fates, sizes, namespace_kept, _) = self.draw_fates(prng);
        self.report_of(&fates, &sizes, namespace_kept)
    }

    /// Loses the power with explicit fates, in issue order (missing entries
    /// are `Applied`, extra ones ignored, `Garbage` on a device that is not
    /// garbage-on-power-loss becomes `Dropped`), keeping the first
    /// `namespace_kept` unsynced namespace ops (clamped to how many there are).
    /// Every pending length change is kept.
    pub fn power_loss_with(&mut self, fates: &[Fate], namespace_kept: usize) -> PowerLossReport {
        self.power_loss_resolved(&Fates {
            writes: fates.to_vec(),
            sizes: Vec::new(),
            namespace_kept,
        })
    }

    /// Loses the power with explicit fates for writes and length changes
    /// (see [`Fates`]; `Garbage` on a device that is not
    /// garbage-on-power-loss becomes `Dropped`).
    pub fn power_loss_resolved(&mut self, resolution: &Fates) -> PowerLossReport {
        let fates = &resolution.writes;
        let sizes: Vec<SizeFate> = (0..self.pending_sizes.len())
            .map(|index| {
                resolution
                    .sizes
                    .get(index)
                    .copied()
                    .unwrap_or(SizeFate::Kept)
            })
            .collect();
        let fates: Vec<Fate> = self
            .pending
            .iter()
            .enumerate()
            .map(|(index, write)| match fates.get(index) {
                None => Fate::Applied,
                Some(Fate::Garbage) if !write.garbage_allowed => Fate::Dropped,
                Some(&fate) => fate,
            })
            .collect();
        self.resolve_power_loss(&fates, &sizes, resolution.namespace_kept, 0)
    }

    pub fn stats(&self) -> DiskStats {
        self.stats.clone()
    }

    /// The file vanishes now and durably, whichever name (current, else
    /// durable) `path` is; its pending writes are forgotten. False if no such name.
    pub fn lose_file(&mut self, path: &str) -> bool {
        match self
            .names
            .get(path)
            .or_else(|| self.names_durable.get(path))
        {
            Some(&ino) => {
                self.lose_inode(ino);
                true
            }
            None => false,
        }
    }

    /// Bit rot: OS block `os_block` of the durable image becomes garbage drawn
    /// from `pattern_seed`, and so does the current image unless a pending
    /// write covers that block. False if the file has no such durable block.
    pub fn corrupt_os_block(&mut self, path: &str, os_block: u64, pattern_seed: u64) -> bool {
        let Some(&ino) = self
            .names
            .get(path)
            .or_else(|| self.names_durable.get(path))
        else {
            return false;
        };
        let bs = self.os_block_size;
        let offset = os_block.saturating_mul(bs as u64);
        let inode = self.inodes.get_mut(&ino).expect("a named inode is alive");
        if offset.saturating_add(bs as u64) > inode.durable.len {
            return false;
        }
        let mut garbage = vec![0u8; bs];
        fill_garbage(&mut garbage, pattern_seed, "disk.bit_rot");
        inode.durable.put(offset, &garbage);
        let cached = self
            .pending
            .iter()
            .any(|w| w.ino == ino && w.os_block == os_block);
        if !cached && offset + bs as u64 <= inode.current.len {
            inode.current.put(offset, &garbage);
        }
        true
    }

    /// The device dies: every file named on it (now or durably) vanishes, and
    /// I/O to its paths fails with `DeviceError` until [`Disk::replace_device`].
    /// Returns the lost names, sorted. Panics on an unknown device.
    pub fn lose_device(&mut self, name: &str) -> Vec<String> {
        let index = self.device_position(name);
        let devices = &self.devices;
        let on_device: BTreeMap<String, u64> = self
            .names
            .iter()
            .chain(self.names_durable.iter())
            .filter(|(path, _)| device_index(devices, path) == index)
            .map(|(path, &ino)| (path.clone(), ino))
            .collect();
        let inos: BTreeSet<u64> = on_device.values().copied().collect();
        for ino in inos {
            self.lose_inode(ino);
        }
        self.devices[index].lost = true;
        on_device.into_keys().collect()
    }

    /// A new empty disk in the device's place (its files, if any, vanish).
    pub fn replace_device(&mut self, name: &str) {
        let index = self.device_position(name);
        if !self.devices[index].lost {
            self.lose_device(name);
        }
        self.devices[index].lost = false;
    }

    /// What a power loss that drops every pending write would leave: `None`
    /// if the name is not durable, else the bytes inside the file.
    pub fn read_durable(&self, path: &str, offset: u64, buf: &mut [u8]) -> Option<usize> {
        let ino = self.names_durable.get(path)?;
        let inode = self.inodes.get(ino)?;
        Some(inode.durable.read(offset, buf))
    }

    /// The path of the I/O the last armed crash point failed (it was in
    /// flight when the power went), once.
    pub fn take_struck(&mut self) -> Option<String> {
        self.struck.take()
    }

    /// The length a power loss now would leave (0 if the name would not
    /// survive).
    pub fn durable_len(&self, path: &str) -> u64 {
        self.names_durable
            .get(path)
            .and_then(|ino| self.inodes.get(ino))
            .map_or(0, |inode| inode.durable.len)
    }

    /// All current names, sorted.
    pub fn file_names(&self) -> Vec<String> {
        self.names.keys().cloned().collect()
    }

    // ---- internals ----

    fn device_position(&self, name: &str) -> usize {
        self.devices
            .iter()
            .position(|d| d.name == name)
            .unwrap_or_else(|| panic!("unknown device '{name}'"))
    }

    /// The gate of every counted I/O: power, then the armed crash.
    fn begin_io(&mut self, kind: IoKind, path: &str) -> IoResult<()> {
        if self.powered_off {
            return Err(IoError::new(IoErrorKind::PowerLost, path));
        }
        self.io_count += 1;
        if let Some(log) = &mut self.io_log {
            log.push(IoRecord {
                index: self.io_count,
                kind,
                path: path.to_string(),
            });
        }
        if let Some(remaining) = self.crash_countdown {
            if remaining == 1 {
                self.crash_countdown = None;
                self.struck = Some(path.to_string());
                self.powered_off = true;
                return Err(IoError::new(IoErrorKind::PowerLost, path));
            }
            self.crash_countdown = Some(remaining - 1);
        }
        Ok(())
    }

    /// The gate of reads: power only.
    fn check_power(&self, path: &str) -> IoResult<()> {
        if self.powered_off {
            return Err(IoError::new(IoErrorKind::PowerLost, path));
        }
        Ok(())
    }

    /// The device holding `path`, unless it is lost.
    fn check_device(&self, path: &str) -> IoResult<&Device> {
        let device = &self.devices[device_index(&self.devices, path)];
        if device.lost {
            return Err(IoError::new(IoErrorKind::DeviceError, path));
        }
        Ok(device)
    }

    fn ino_of(&self, path: &str) -> IoResult<u64> {
        self.names
            .get(path)
            .copied()
            .ok_or_else(|| IoError::new(IoErrorKind::NotFound, path))
    }

    /// `fsync` of one inode: its pending writes and length changes, and,
    /// where names need no directory sync, every namespace op.
    fn fsync_inode(&mut self, ino: u64) {
        self.sync_inode(ino);
        if !self.profile.names_need_dir_sync {
            self.commit_namespace_ops(self.namespace_ops.len());
        }
        self.stats.syncs += 1;
    }

    /// Makes one inode's pending writes and length changes durable.
    fn sync_inode(&mut self, ino: u64) {
        let inode = self.inodes.get_mut(&ino).expect("a named inode is alive");
        if inode.pending_sizes > 0 {
            // A length change may have cut pages anywhere: the durable image
            // becomes the current one (pointers, not bytes).
            self.pending.retain(|w| w.ino != ino);
            self.pending_sizes.retain(|s| s.ino != ino);
            inode.durable = inode.current.clone();
            inode.pending_blocks = 0;
            inode.pending_sizes = 0;
            return;
        }
        if inode.pending_blocks > 0 {
            let blocks_per_page = (PAGE_SIZE / self.os_block_size) as u64;
            self.pending.retain(|w| {
                if w.ino != ino {
                    return true;
                }
                let page_index = (w.os_block / blocks_per_page) as usize;
                inode.durable.share_page(&inode.current, page_index);
                false
            });
            inode.pending_blocks = 0;
        }
        inode.durable.len = inode.current.len;
    }

    /// Removes an inode, every name of it and its pending writes. Unsynced
    /// namespace ops may still mention it; replay skips them.
    fn lose_inode(&mut self, ino: u64) {
        self.inodes.remove(&ino);
        self.names.retain(|_, i| *i != ino);
        self.names_durable.retain(|_, i| *i != ino);
        self.pending.retain(|w| w.ino != ino);
        self.pending_sizes.retain(|s| s.ino != ino);
    }

    /// Makes the first `kept` unsynced namespace ops durable and forgets the
    /// rest; the current names become the durable ones (they differ only at
    /// the paths the ops name), and inodes no name references any more are
    /// freed with their pending writes (writes to a deleted file never reach
    /// the medium). Touches only the names and inodes the ops mention, not
    /// every file: a name is unique to its inode, in `names` and in
    /// `names_durable`, and the two differ only at the paths of pending ops,
    /// so an inode named elsewhere is named by no op path.
    fn commit_namespace_ops(&mut self, kept: usize) {
        let ops = std::mem::take(&mut self.namespace_ops);
        let mut op_paths: BTreeSet<&str> = BTreeSet::new();
        let mut candidates: BTreeSet<u64> = BTreeSet::new();
        for op in &ops {
            let paths: [Option<&String>; 2] = match op {
                NamespaceOp::Create { path, ino } => {
                    candidates.insert(*ino);
                    [Some(path), None]
                }
                NamespaceOp::Delete { path } => [Some(path), None],
                NamespaceOp::Rename { from, to } => [Some(from), Some(to)],
            };
            for path in paths.into_iter().flatten() {
                op_paths.insert(path);
                candidates.extend(self.names.get(path.as_str()).copied());
                candidates.extend(self.names_durable.get(path.as_str()).copied());
            }
        }
        for op in &ops[..kept] {
            let inserted = match op {
                NamespaceOp::Create { path, ino } => {
                    self.names_durable.insert(path.clone(), *ino);
                    Some(path)
                }
                NamespaceOp::Delete { path } => {
                    self.names_durable.remove(path);
                    None
                }
                NamespaceOp::Rename { from, to } => {
                    // The rename replaced `to` even if `from`'s inode was lost since.
                    let ino = self.names_durable.remove(from);
                    self.names_durable.remove(to);
                    ino.map(|ino| {
                        self.names_durable.insert(to.clone(), ino);
                        to
                    })
                }
            };
            // A name of a lost inode or on a lost device does not come back
            // (every other durable name is of a live inode on a live device).
            if let Some(path) = inserted {
                let ino = self.names_durable[path.as_str()];
                if !self.inodes.contains_key(&ino)
                    || self.devices[device_index(&self.devices, path)].lost
                {
                    self.names_durable.remove(path.as_str());
                }
            }
        }
        let mut live = BTreeSet::new();
        for &path in &op_paths {
            match self.names_durable.get(path) {
                Some(&ino) => {
                    live.insert(ino);
                    self.names.insert(path.to_string(), ino);
                    let inode = self.inodes.get_mut(&ino).expect("a named inode is alive");
                    if *inode.path != *path {
                        inode.path = Arc::from(path);
                    }
                }
                None => {
                    self.names.remove(path);
                }
            }
        }
        let freed: BTreeSet<u64> = candidates
            .into_iter()
            .filter(|ino| !live.contains(ino) && self.inodes.remove(ino).is_some())
            .collect();
        if !freed.is_empty() {
            self.pending.retain(|w| !freed.contains(&w.ino));
            self.pending_sizes.retain(|s| !freed.contains(&s.ino));
        }
    }

    fn resolve_power_loss(
        &mut self,
        fates: &[Fate],
        sizes: &[SizeFate],
        namespace_kept: usize,
        garbage_seed: u64,
    ) -> PowerLossReport {
        assert_eq!(fates.len(), self.pending.len());
        assert_eq!(sizes.len(), self.pending_sizes.len());
        let report = self.report_of(fates, sizes, namespace_kept);
        let bs = self.os_block_size;
        let pending = std::mem::take(&mut self.pending);
        let pending_sizes = std::mem::take(&mut self.pending_sizes);
        // The inodes whose current image may differ from the durable one.
        let mut unsynced: BTreeSet<u64> = pending_sizes.iter().map(|s| s.ino).collect();
        let mut touched = BTreeSet::new();
        let mut next_size = pending_sizes.iter().zip(sizes).peekable();
        let mut garbage = vec![0u8; bs];
        for (index, (write, &fate)) in pending.iter().zip(fates).enumerate() {
            while let Some((size, &fate)) = next_size.next_if(|(s, _)| s.seq < write.seq) {
                self.resolve_size(size, fate);
            }
            unsynced.insert(write.ino);
            let inode = self
                .inodes
                .get_mut(&write.ino)
                .expect("a pending write's inode is alive");
            let offset = write.os_block * bs as u64;
            match fate {
                Fate::Applied => inode
                    .durable
                    .put(offset, &write.data[write.data_start..write.data_start + bs]),
                Fate::Dropped => {}
                Fate::Garbage => {
                    assert!(write.garbage_allowed);
                    let seed = garbage_seed.wrapping_add(index as u64);
                    fill_garbage(&mut garbage, seed, "disk.garbage");
                    inode.durable.put(offset, &garbage);
                }
            }
            if fate != Fate::Dropped {
                touched.insert(write.ino);
            }
        }
        for (size, &fate) in next_size {
            self.resolve_size(size, fate);
        }
        // What landed past the durable length (an extension whose length
        // change was lost, the tail of a partial last OS block) is gone.
        for ino in touched {
            let durable = &mut self.inodes.get_mut(&ino).expect("alive").durable;
            durable.set_len(durable.len);
        }
        // The names, their inodes' latest names and the freed inodes: only
        // where the namespace ops point.
        self.commit_namespace_ops(report.namespace_ops_kept);
        // Every other inode's current image already equals its durable one.
        for ino in unsynced {
            if let Some(inode) = self.inodes.get_mut(&ino) {
                inode.current = inode.durable.clone();
                inode.pending_blocks = 0;
                inode.pending_sizes = 0;
            }
        }
        self.powered_off = false;
        self.crash_countdown = None;
        self.stats.power_losses += 1;
        self.boot += 1;
        report
    }

    /// Applies one pending length change to the durable image if it was kept.
    fn resolve_size(&mut self, size: &PendingSize, fate: SizeFate) {
        if fate == SizeFate::Kept {
            let inode = self
                .inodes
                .get_mut(&size.ino)
                .expect("a pending length's inode is alive");
            inode.durable.set_len(size.len_to);
        }
    }

    /// Checks the model's invariants (tests call it after every step).
    #[cfg(test)]
    fn check_invariants(&self) {
        let bs = self.os_block_size;
        let mut pending_per_inode: BTreeMap<u64, BTreeSet<u64>> = BTreeMap::new();
        for w in &self.pending {
            assert!(
                self.inodes.contains_key(&w.ino),
                "pending write of a freed inode"
            );
            pending_per_inode
                .entry(w.ino)
                .or_default()
                .insert(w.os_block);
        }
        for ino in self.names.values().chain(self.names_durable.values()) {
            assert!(self.inodes.contains_key(ino), "name of a freed inode");
        }
        let mut seqs: Vec<u64> = self.pending.iter().map(|w| w.seq).collect();
        assert!(seqs.is_sorted(), "writes in issue order");
        seqs = self.pending_sizes.iter().map(|s| s.seq).collect();
        assert!(seqs.is_sorted(), "length changes in issue order");
        for (ino, inode) in &self.inodes {
            for image in [&inode.current, &inode.durable] {
                let mut past_len = vec![0xffu8; PAGE_SIZE];
                assert_eq!(image.read(image.len, &mut past_len), 0);
                let first = ((image.len / PAGE_SIZE_U64) as usize).min(image.pages.len());
                let tail = &image.pages[first..];
                assert!(
                    tail.iter()
                        .flat_map(|p| p.iter())
                        .skip((image.len % PAGE_SIZE_U64) as usize)
                        .all(|&b| b == 0),
                    "inode {ino}: a non-zero byte past the length"
                );
            }
            let blocks = pending_per_inode.remove(ino).unwrap_or_default();
            let count = self.pending.iter().filter(|w| w.ino == *ino).count();
            assert_eq!(inode.pending_blocks, count);
            let sizes: Vec<&PendingSize> = self
                .pending_sizes
                .iter()
                .filter(|s| s.ino == *ino)
                .collect();
            assert_eq!(inode.pending_sizes, sizes.len());
            if let Some(last) = sizes.last() {
                assert_eq!(
                    last.len_to, inode.current.len,
                    "the last length change is current"
                );
                // A length change may have cut or zeroed any block.
                continue;
            }
            assert_eq!(inode.current.len, inode.durable.len);
            let mut current = vec![0u8; bs];
            let mut durable = vec![0u8; bs];
            for os_block in 0..inode.current.len.div_ceil(bs as u64) {
                if blocks.contains(&os_block) {
                    continue;
                }
                inode.current.read(os_block * bs as u64, &mut current);
                inode.durable.read(os_block * bs as u64, &mut durable);
                assert_eq!(
                    current, durable,
                    "inode {ino} block {os_block} differs unsynced"
                );
            }
        }
        if self.namespace_ops.is_empty() {
            assert_eq!(self.names, self.names_durable);
        }
        // What lets the namespace passes touch only the paths of the ops.
        let mut op_paths: BTreeSet<&str> = BTreeSet::new();
        let mut live: BTreeSet<u64> = self
            .names
            .values()
            .chain(self.names_durable.values())
            .copied()
            .collect();
        for op in &self.namespace_ops {
            match op {
                NamespaceOp::Create { path, ino } => {
                    op_paths.insert(path);
                    live.insert(*ino);
                }
                NamespaceOp::Delete { path } => {
                    op_paths.insert(path);
                }
                NamespaceOp::Rename { from, to } => {
                    op_paths.insert(from);
                    op_paths.insert(to);
                }
            }
        }
        for ino in self.inodes.keys() {
            assert!(live.contains(ino), "inode {ino} is referenced by nothing");
        }
        for map in [&self.names, &self.names_durable] {
            let inos: BTreeSet<u64> = map.values().copied().collect();
            assert_eq!(inos.len(), map.len(), "an inode with two names");
        }
        let paths: BTreeSet<&String> = self.names.keys().chain(self.names_durable.keys()).collect();
        for path in paths {
            if !op_paths.contains(path.as_str()) {
                assert_eq!(
                    self.names.get(path),
                    self.names_durable.get(path),
                    "'{path}' differs durably though no op names it"
                );
            }
        }
        for (path, ino) in &self.names {
            assert_eq!(*self.inodes[ino].path, **path, "inode {ino}'s latest name");
        }
    }
}

const FATES: [Fate; 3] = [Fate::Applied, Fate::Dropped, Fate::Garbage];
const SIZE_FATES: [SizeFate; 2] = [SizeFate::Kept, SizeFate::Lost];

/// The device holding `path`: the longest matching prefix, else `root` (index 0).
fn device_index(devices: &[Device], path: &str) -> usize {
    let mut best = 0;
    let mut best_len = None;
    for (index, device) in devices.iter().enumerate() {
        let len = device.path_prefix.len();
        if path.starts_with(device.path_prefix.as_str()) && best_len.is_none_or(|b| len > b) {
            best = index;
            best_len = Some(len);
        }
    }
    best
}

/// Fills `buf` (a multiple of 8 bytes) with bytes from a Prng seeded by `seed`.
fn fill_garbage(buf: &mut [u8], seed: u64, stream: &str) {
    let mut prng = Prng::new(seed, stream);
    for chunk in buf.chunks_mut(8) {
        let bytes = prng.next_u64().to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
}

/// The file calls, by path: what the engine's `Storage` trait asks of a disk,
/// and the `std::fs`-like calls (`write_at`, `set_len`, `sync_data`) on top.
impl Disk {
    /// The OS block size in bytes: the unit of atomic writes.
    pub fn os_block_size(&self) -> usize {
        self.os_block_size
    }

    /// Creates an empty file; fails with `AlreadyExists` if the name exists.
    /// The name is volatile until [`Disk::sync_dir`].
    pub fn create(&mut self, path: &str) -> IoResult<()> {
        self.begin_io(IoKind::Create, path)?;
        self.check_device(path)?;
        if self.names.contains_key(path) {
            return Err(IoError::new(IoErrorKind::AlreadyExists, path));
        }
        let ino = self.inode_next;
        self.inode_next += 1;
        let inode = Inode {
            path: Arc::from(path),
            current: Image::default(),
            durable: Image::default(),
            pending_blocks: 0,
            pending_sizes: 0,
        };
        self.inodes.insert(ino, inode);
        self.names.insert(path.to_string(), ino);
        let path = path.to_string();
        self.namespace_ops.push(NamespaceOp::Create { path, ino });
        Ok(())
    }

    /// Whether the name exists now. Does not count as I/O.
    pub fn exists(&self, path: &str) -> bool {
        self.names.contains_key(path)
    }

    /// Reads `buf.len()` bytes at `offset`, as the page cache has them; bytes
    /// past the end read as zero. Returns how many bytes lay inside the file.
    pub fn read(&mut self, path: &str, offset: u64, buf: &mut [u8]) -> IoResult<usize> {
        self.check_power(path)?;
        self.check_device(path)?;
        let ino = self.ino_of(path)?;
        Ok(self.inodes[&ino].current.read(offset, buf))
    }

    /// Writes whole OS blocks at an OS-block aligned offset (a misaligned
    /// call panics: the engine's contract). Use [`Disk::write_at`] for any
    /// offset and length.
    pub fn write(&mut self, path: &str, offset: u64, data: &[u8]) -> IoResult<()> {
        let bs = self.os_block_size;
        assert!(
            offset.is_multiple_of(bs as u64) && data.len().is_multiple_of(bs),
            "write to '{path}' at offset {offset} of {} bytes is not OS-block aligned ({bs})",
            data.len()
        );
        self.write_at(path, offset, data)
    }

    /// Writes `data` at `offset`, any offset and length. The OS blocks it
    /// touches become pending writes holding the page cache's bytes around
    /// it; a write past the end is also a pending length change.
    pub fn write_at(&mut self, path: &str, offset: u64, data: &[u8]) -> IoResult<()> {
        self.begin_io(IoKind::Write, path)?;
        let garbage_allowed = self.check_device(path)?.garbage_on_power_loss;
        let ino = self.ino_of(path)?;
        self.write_inode(ino, offset, data, garbage_allowed);
        Ok(())
    }

    /// Sets the file's length: a shorter file loses its tail, a longer one
    /// reads zeros there. The change is pending until the file is synced.
    pub fn set_len(&mut self, path: &str, len: u64) -> IoResult<()> {
        self.begin_io(IoKind::SetLen, path)?;
        self.check_device(path)?;
        let ino = self.ino_of(path)?;
        self.set_len_inode(ino, len);
        Ok(())
    }

    /// Makes every earlier write and length change of this file durable
    /// (`fsync`).
    pub fn sync(&mut self, path: &str) -> IoResult<()> {
        self.begin_io(IoKind::Sync, path)?;
        self.check_device(path)?;
        let ino = self.ino_of(path)?;
        self.fsync_inode(ino);
        Ok(())
    }

    /// `fdatasync`: the same as [`Disk::sync`] here. Linux's `fdatasync`
    /// skips only metadata that reading the data back does not need (times);
    /// a length change is needed, so it is flushed too, and the disk keeps
    /// no other metadata.
    pub fn sync_data(&mut self, path: &str) -> IoResult<()> {
        self.sync(path)
    }

    /// Makes earlier create/delete/rename durable: every such op, whatever
    /// its directory (one journal).
    pub fn sync_dir(&mut self, dir: &str) -> IoResult<()> {
        self.begin_io(IoKind::SyncDir, dir)?;
        self.check_device(dir)?;
        self.commit_namespace_ops(self.namespace_ops.len());
        self.stats.syncs += 1;
        Ok(())
    }

    /// Removes a name (volatile until [`Disk::sync_dir`]).
    pub fn delete(&mut self, path: &str) -> IoResult<()> {
        self.begin_io(IoKind::Delete, path)?;
        self.check_device(path)?;
        self.ino_of(path)?;
        self.names.remove(path);
        let path = path.to_string();
        self.namespace_ops.push(NamespaceOp::Delete { path });
        Ok(())
    }

    /// Renames `from` to `to`, replacing `to` if it exists (volatile until
    /// [`Disk::sync_dir`]).
    pub fn rename(&mut self, from: &str, to: &str) -> IoResult<()> {
        self.begin_io(IoKind::Rename, from)?;
        self.check_device(from)?;
        self.check_device(to)?;
        let ino = self.ino_of(from)?;
        self.names.remove(from);
        self.names.insert(to.to_string(), ino);
        self.inodes
            .get_mut(&ino)
            .expect("a named inode is alive")
            .path = Arc::from(to);
        self.namespace_ops.push(NamespaceOp::Rename {
            from: from.to_string(),
            to: to.to_string(),
        });
        Ok(())
    }

    /// The size of the file in bytes, as the page cache has it.
    pub fn size(&mut self, path: &str) -> IoResult<u64> {
        self.check_power(path)?;
        self.check_device(path)?;
        let ino = self.ino_of(path)?;
        Ok(self.inodes[&ino].current.len)
    }

    /// Every existing name that starts with `prefix`, sorted.
    pub fn list(&self, prefix: &str) -> Vec<String> {
        self.names
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
            .take_while(|(name, _)| name.starts_with(prefix))
            .map(|(name, _)| name.clone())
            .collect()
    }
}

/// The file calls by handle (see [`crate::file`]): an inode and the power
/// cycle it was opened in, whatever its names are now.
impl Disk {
    /// A handle on the file named `path` (not counted as I/O).
    pub(crate) fn open_handle(&mut self, path: &str) -> IoResult<Handle> {
        self.check_power(path)?;
        self.check_device(path)?;
        let ino = self.ino_of(path)?;
        Ok(Handle {
            ino,
            boot: self.boot,
        })
    }

    /// The handle's inode and its latest name, if the handle is alive: a
    /// power loss since it was opened fails it with `PowerLost`, a freed
    /// inode with `NotFound`, a lost device with `DeviceError`.
    fn handle_inode(&self, handle: Handle, path: &str) -> IoResult<Arc<str>> {
        if handle.boot != self.boot {
            return Err(IoError::new(IoErrorKind::PowerLost, path));
        }
        let inode = self
            .inodes
            .get(&handle.ino)
            .ok_or_else(|| IoError::new(IoErrorKind::NotFound, path))?;
        let name = inode.path.clone();
        self.check_device(&name)?;
        Ok(name)
    }

    pub(crate) fn handle_read(
        &mut self,
        handle: Handle,
        path: &str,
        offset: u64,
        buf: &mut [u8],
    ) -> IoResult<usize> {
        self.check_power(path)?;
        self.handle_inode(handle, path)?;
        Ok(self.inodes[&handle.ino].current.read(offset, buf))
    }

    pub(crate) fn handle_len(&self, handle: Handle, path: &str) -> IoResult<u64> {
        self.check_power(path)?;
        self.handle_inode(handle, path)?;
        Ok(self.inodes[&handle.ino].current.len)
    }

    pub(crate) fn handle_write(
        &mut self,
        handle: Handle,
        path: &str,
        offset: u64,
        data: &[u8],
    ) -> IoResult<()> {
        self.begin_io(IoKind::Write, path)?;
        let name = self.handle_inode(handle, path)?;
        let garbage_allowed = self.check_device(&name)?.garbage_on_power_loss;
        self.write_inode(handle.ino, offset, data, garbage_allowed);
        Ok(())
    }

    pub(crate) fn handle_set_len(&mut self, handle: Handle, path: &str, len: u64) -> IoResult<()> {
        self.begin_io(IoKind::SetLen, path)?;
        self.handle_inode(handle, path)?;
        self.set_len_inode(handle.ino, len);
        Ok(())
    }

    pub(crate) fn handle_sync(&mut self, handle: Handle, path: &str) -> IoResult<()> {
        self.begin_io(IoKind::Sync, path)?;
        self.handle_inode(handle, path)?;
        self.fsync_inode(handle.ino);
        Ok(())
    }

    /// Writes `data` at `offset` of an inode: the OS blocks it touches, each
    /// filled around the data from the page cache, become pending writes; an
    /// end past the length becomes a pending length change after them.
    fn write_inode(&mut self, ino: u64, offset: u64, data: &[u8], garbage_allowed: bool) {
        self.stats.writes += 1;
        if data.is_empty() {
            return;
        }
        let bs = self.os_block_size;
        let bs_u64 = bs as u64;
        let end = offset + data.len() as u64;
        assert!(end <= FILE_SIZE_MAX, "write past FILE_SIZE_MAX: end {end}");
        let inode = self.inodes.get_mut(&ino).expect("a named inode is alive");
        let shared: Arc<[u8]> = if offset.is_multiple_of(bs_u64) && data.len().is_multiple_of(bs) {
            Arc::from(data)
        } else {
            let first = offset / bs_u64 * bs_u64;
            let mut sectors = vec![0u8; (end.div_ceil(bs_u64) * bs_u64 - first) as usize];
            inode.current.read(first, &mut sectors);
            let at = (offset - first) as usize;
            sectors[at..at + data.len()].copy_from_slice(data);
            Arc::from(sectors)
        };
        let os_block_first = offset / bs_u64;
        inode.current.put(os_block_first * bs_u64, &shared);
        let blocks = shared.len() / bs;
        inode.pending_blocks += blocks;
        let seq = self.seq_next;
        self.pending.extend((0..blocks).map(|i| PendingWrite {
            seq: seq + i as u64,
            ino,
            path: inode.path.clone(),
            os_block: os_block_first + i as u64,
            data: shared.clone(),
            data_start: i * bs,
            garbage_allowed,
        }));
        self.seq_next += blocks as u64;
        // The padding of a partial OS block past the end came from past the
        // length: zeros, so the zero tail holds.
        let len_from = inode.current.len;
        if end > len_from {
            inode.current.len = end;
            self.push_size(ino, len_from, end);
        }
        self.stats.bytes_written += data.len() as u64;
    }

    fn set_len_inode(&mut self, ino: u64, len: u64) {
        let inode = self.inodes.get_mut(&ino).expect("a named inode is alive");
        let len_from = inode.current.len;
        if len != len_from {
            inode.current.set_len(len);
            self.push_size(ino, len_from, len);
        }
    }

    fn push_size(&mut self, ino: u64, len_from: u64, len_to: u64) {
        let inode = self.inodes.get_mut(&ino).expect("a named inode is alive");
        if !self.profile.lengths_need_sync {
            inode.durable.set_len(len_to);
            return;
        }
        inode.pending_sizes += 1;
        self.pending_sizes.push(PendingSize {
            seq: self.seq_next,
            ino,
            path: inode.path.clone(),
            len_from,
            len_to,
        });
        self.seq_next += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = "/u01/oradata/SIM";
    const A: &str = "/u01/oradata/SIM/a.dbf";
    const B: &str = "/u01/oradata/SIM/b.dbf";

    fn filled(byte: u8, len: usize) -> Vec<u8> {
        vec![byte; len]
    }

    /// A 512-byte-block disk with `A` created and its name durable.
    fn disk_with_a() -> Disk {
        let mut disk = Disk::new(512);
        disk.create(A).unwrap();
        disk.sync_dir(DIR).unwrap();
        disk
    }

    fn read_all(disk: &mut Disk, path: &str) -> Vec<u8> {
        let size = disk.size(path).unwrap() as usize;
        let mut buf = vec![0u8; size];
        assert_eq!(disk.read(path, 0, &mut buf).unwrap(), size);
        buf
    }

    fn read_durable_all(disk: &Disk, path: &str, len: usize) -> Vec<u8> {
        let mut buf = vec![0u8; len];
        disk.read_durable(path, 0, &mut buf).unwrap();
        buf
    }

    fn kind<T: fmt::Debug>(result: IoResult<T>) -> IoErrorKind {
        result.unwrap_err().kind
    }

    #[test]
    fn write_read_round_trip_and_zero_fill() {
        let mut disk = disk_with_a();
        assert_eq!(disk.os_block_size(), 512);
        disk.write(A, 1024, &filled(7, 1024)).unwrap();
        assert_eq!(disk.size(A).unwrap(), 2048);
        let mut buf = vec![0xffu8; 4096];
        assert_eq!(disk.read(A, 0, &mut buf).unwrap(), 2048);
        assert!(
            buf[..1024].iter().all(|&b| b == 0),
            "the gap reads as zeros"
        );
        assert!(buf[1024..2048].iter().all(|&b| b == 7));
        assert!(
            buf[2048..].iter().all(|&b| b == 0),
            "past the end reads as zeros"
        );
        // Unaligned read across a page boundary.
        let mut small = [0xffu8; 10];
        assert_eq!(disk.read(A, 2043, &mut small).unwrap(), 5);
        assert_eq!(small, [7, 7, 7, 7, 7, 0, 0, 0, 0, 0]);
        // Reading entirely past the end.
        assert_eq!(disk.read(A, 1 << 20, &mut small).unwrap(), 0);
        assert_eq!(small, [0; 10]);
        // A write spanning two 4 KiB pages.
        let data: Vec<u8> = (0..8192u32).map(|i| (i % 251) as u8).collect();
        disk.write(A, 3584, &data).unwrap();
        let mut back = vec![0u8; 8192];
        assert_eq!(disk.read(A, 3584, &mut back).unwrap(), 8192);
        assert_eq!(back, data);
        disk.check_invariants();
    }

    #[test]
    #[should_panic(expected = "not OS-block aligned")]
    fn misaligned_write_is_a_programmer_error() {
        let mut disk = disk_with_a();
        let _ = disk.write(A, 100, &filled(1, 512));
    }

    #[test]
    #[should_panic(expected = "512 or 4096")]
    fn os_block_size_must_be_512_or_4096() {
        let _ = Disk::new(1024);
    }

    #[test]
    fn unsynced_write_dropped_or_kept_by_explicit_fates() {
        let mut base = disk_with_a();
        base.write(A, 0, &filled(1, 512)).unwrap();
        base.sync(A).unwrap();
        base.write(A, 0, &filled(2, 512)).unwrap();
        assert_eq!(base.pending_write_count(), 1);

        let mut dropped = base.clone();
        let report = dropped.power_loss_with(&[Fate::Dropped], 0);
        assert_eq!(report.fates_string(), "d");
        assert_eq!(report.writes[0].path, A);
        assert_eq!(report.writes[0].os_block, 0);
        assert_eq!(read_all(&mut dropped, A), filled(1, 512));
        assert_eq!(dropped.pending_write_count(), 0);

        let mut kept = base.clone();
        assert_eq!(
            kept.power_loss_with(&[Fate::Applied], 0).fates_string(),
            "a"
        );
        assert_eq!(read_all(&mut kept, A), filled(2, 512));

        // Missing entries are Applied.
        let mut missing = base.clone();
        assert_eq!(missing.power_loss_with(&[], 0).fates_string(), "a");
        assert_eq!(read_all(&mut missing, A), filled(2, 512));
        kept.check_invariants();
        dropped.check_invariants();
    }

    fn fates(letters: &str) -> Fates {
        Fates::parse(letters, 0).unwrap()
    }

    #[test]
    fn an_extension_is_a_pending_length_change_after_its_blocks() {
        let mut base = disk_with_a();
        base.write(A, 0, &filled(1, 512)).unwrap();
        base.sync(A).unwrap();
        base.write(A, 512, &filled(2, 1024)).unwrap();
        assert_eq!(base.size(A).unwrap(), 1536);
        assert_eq!(
            (base.pending_write_count(), base.pending_size_count()),
            (2, 1)
        );
        base.check_invariants();

        // Both blocks landed but the length did not: the data past the old
        // length is gone (ext4 data=ordered: the size update rides in a
        // journal transaction that did not commit).
        let mut lost = base.clone();
        let report = lost.power_loss_resolved(&fates("aal"));
        assert_eq!(report.fates_string(), "aal");
        let size = &report.sizes[0];
        assert_eq!(
            (size.len_from, size.len_to, size.after_writes),
            (512, 1536, 2)
        );
        assert_eq!(read_all(&mut lost, A), filled(1, 512));
        lost.check_invariants();
        // Extend again: the bytes that landed past the length do not come back.
        lost.set_len(A, 1536).unwrap();
        assert_eq!(&read_all(&mut lost, A)[512..], &filled(0, 1024)[..]);

        // The length landed, one block did not: a hole of zeros (XFS and
        // ext4 data=writeback can show this).
        let mut hole = base.clone();
        hole.power_loss_resolved(&fates("dak"));
        let bytes = read_all(&mut hole, A);
        assert_eq!(bytes.len(), 1536);
        assert_eq!(&bytes[512..1024], &filled(0, 512)[..]);
        assert_eq!(&bytes[1024..], &filled(2, 512)[..]);
        hole.check_invariants();

        // A string of write fates only keeps every length change.
        let mut old_style = base.clone();
        old_style.power_loss_with(&[Fate::Dropped, Fate::Dropped], 0);
        assert_eq!(
            read_all(&mut old_style, A),
            [filled(1, 512), filled(0, 1024)].concat()
        );

        // A sync makes the length durable with the data.
        base.sync(A).unwrap();
        assert_eq!(base.pending_size_count(), 0);
        base.power_loss_resolved(&fates("ddl"));
        assert_eq!(
            read_all(&mut base, A),
            [filled(1, 512), filled(2, 1024)].concat()
        );
    }

    #[test]
    fn set_len_is_pending_until_sync_and_truncation_can_be_undone() {
        let mut base = disk_with_a();
        base.write(A, 0, &filled(1, 2048)).unwrap();
        base.sync(A).unwrap();

        // Growing: lost keeps the old length, kept reads zeros.
        let mut grow = base.clone();
        grow.set_len(A, 4096).unwrap();
        assert_eq!(grow.size(A).unwrap(), 4096);
        assert_eq!(grow.pending_write_count(), 0, "set_len writes no block");
        let mut lost = grow.clone();
        assert_eq!(lost.power_loss_resolved(&fates("l")).fates_string(), "l");
        assert_eq!(lost.size(A).unwrap(), 2048);
        let mut kept = grow.clone();
        kept.power_loss_resolved(&fates("k"));
        assert_eq!(
            read_all(&mut kept, A),
            [filled(1, 2048), filled(0, 2048)].concat()
        );
        grow.sync(A).unwrap();
        grow.power_loss_resolved(&fates("l"));
        assert_eq!(grow.size(A).unwrap(), 4096, "synced");

        // Shrinking: reads end at once; a lost truncation brings the tail back.
        let mut shrink = base.clone();
        shrink.set_len(A, 700).unwrap();
        assert_eq!(read_all(&mut shrink, A), filled(1, 700));
        shrink.check_invariants();
        let mut undone = shrink.clone();
        undone.power_loss_resolved(&fates("l"));
        assert_eq!(read_all(&mut undone, A), filled(1, 2048));
        let mut done = shrink.clone();
        done.power_loss_resolved(&fates("k"));
        assert_eq!(read_all(&mut done, A), filled(1, 700));
        done.check_invariants();

        // Truncate then extend: the cut bytes read as zeros, now and after
        // the sync, though they are still on the medium until then.
        shrink.set_len(A, 2048).unwrap();
        assert_eq!(&read_all(&mut shrink, A)[700..], &filled(0, 1348)[..]);
        let mut both_kept = shrink.clone();
        both_kept.power_loss_resolved(&fates("kk"));
        assert_eq!(&read_all(&mut both_kept, A)[700..], &filled(0, 1348)[..]);
        let mut only_second = shrink.clone();
        only_second.power_loss_resolved(&fates("lk"));
        assert_eq!(read_all(&mut only_second, A), filled(1, 2048));
        shrink.sync(A).unwrap();
        shrink.check_invariants();
        assert_eq!(
            &read_durable_all(&shrink, A, 2048)[700..],
            &filled(0, 1348)[..]
        );

        // A write issued before a kept truncation is cut by it.
        let mut cut = base.clone();
        cut.write(A, 1536, &filled(9, 512)).unwrap();
        cut.set_len(A, 1024).unwrap();
        let report = cut.power_loss_resolved(&fates("ak"));
        assert_eq!(report.fates_string(), "ak");
        assert_eq!(read_all(&mut cut, A), filled(1, 1024));
        // An unchanged length is no change.
        cut.set_len(A, 1024).unwrap();
        assert_eq!(cut.pending_size_count(), 0);
    }

    #[test]
    fn unaligned_write_at_keeps_the_bytes_around_it() {
        let mut disk = disk_with_a();
        disk.write(A, 0, &filled(1, 1024)).unwrap();
        disk.sync(A).unwrap();
        disk.write_at(A, 500, &filled(7, 30)).unwrap();
        assert_eq!(
            disk.pending_write_count(),
            2,
            "it touches OS blocks 0 and 1"
        );
        assert_eq!(disk.pending_size_count(), 0);
        let mut expected = filled(1, 1024);
        expected[500..530].fill(7);
        assert_eq!(read_all(&mut disk, A), expected);
        // One OS block landed, one did not: each holds all old or all new bytes,
        // and no byte outside the write changed ("powersafe overwrite").
        let mut half = disk.clone();
        half.power_loss_resolved(&fates("ad"));
        let mut torn = filled(1, 1024);
        torn[500..512].fill(7);
        assert_eq!(read_all(&mut half, A), torn);
        half.check_invariants();
        // Past the end, with a gap: zeros in between, one length change.
        disk.write_at(A, 1100, b"tail").unwrap();
        assert_eq!(disk.size(A).unwrap(), 1104);
        assert_eq!(disk.pending_size_count(), 1);
        let bytes = read_all(&mut disk, A);
        assert_eq!(
            (&bytes[1024..1100], &bytes[1100..]),
            (&filled(0, 76)[..], &b"tail"[..])
        );
        disk.check_invariants();
        let report = disk.clone().power_loss_resolved(&fates("aaal"));
        assert_eq!(report.fates_string(), "aaal");
        disk.power_loss_resolved(&fates("aaak"));
        assert_eq!(read_all(&mut disk, A), bytes);
        disk.check_invariants();
        // A write of nothing past the end changes nothing, but counts.
        let count = disk.io_count();
        disk.write_at(A, 5000, &[]).unwrap();
        assert_eq!((disk.size(A).unwrap(), disk.io_count()), (1104, count + 1));
    }

    #[test]
    fn fates_strings_interleave_lengths_and_parse_back() {
        let mut disk = disk_with_a();
        disk.write(A, 0, &filled(1, 1024)).unwrap(); // 2 blocks, then a length
        disk.set_len(A, 100).unwrap(); // a length
        disk.write(A, 0, &filled(2, 512)).unwrap(); // a block, then a length
        let report = disk.clone().power_loss_resolved(&fates("adKlAk"));
        assert_eq!(report.fates_string(), "adklak");
        let afters: Vec<usize> = report.sizes.iter().map(|s| s.after_writes).collect();
        assert_eq!(afters, vec![2, 2, 3]);
        assert_eq!(report.fates(), Fates::parse("adklak", 0).unwrap());
        let parsed = Fates::parse("kadlak", 3).unwrap();
        assert_eq!(
            parsed.writes,
            vec![Fate::Applied, Fate::Dropped, Fate::Applied]
        );
        assert_eq!(
            parsed.sizes,
            vec![SizeFate::Kept, SizeFate::Lost, SizeFate::Kept]
        );
        assert_eq!(parsed.namespace_kept, 3);
        assert_eq!(Fates::parse("adx", 0), Err((2, 'x')));
        for fate in SIZE_FATES {
            assert_eq!(SizeFate::from_letter(fate.letter()), Some(fate));
        }
        // Missing length fates are kept; a replay of the report is exact.
        let mut one = disk.clone();
        let mut two = disk.clone();
        let drawn = one.power_loss_seeded(3);
        assert_eq!(two.power_loss_resolved(&drawn.fates()), drawn);
        assert_eq!(read_all(&mut one, A), read_all(&mut two, A));
    }

    #[test]
    fn seeded_length_fates_leave_the_write_draws_alone() {
        let mut writes_only = disk_with_a();
        writes_only.create(B).unwrap();
        writes_only.write(B, 0, &filled(1, 512)).unwrap();
        writes_only.sync(B).unwrap();
        writes_only.write(A, 0, &filled(1, 512)).unwrap();
        writes_only.sync(A).unwrap();
        writes_only.write(A, 0, &filled(2, 512)).unwrap();
        writes_only.write(B, 0, &filled(2, 512)).unwrap();
        let mut with_sizes = writes_only.clone();
        with_sizes.set_len(B, 10_000).unwrap();
        let mut seen = BTreeSet::new();
        for seed in 0..32 {
            let plain = writes_only.clone().power_loss_seeded(seed);
            let sized = with_sizes.clone().power_loss_seeded(seed);
            assert_eq!(
                plain.writes, sized.writes,
                "seed {seed}: the same write fates"
            );
            assert_eq!(plain.namespace_ops_kept, sized.namespace_ops_kept);
            assert!(plain.sizes.is_empty());
            assert_eq!(sized.sizes.len(), 1, "B's set_len");
            assert_eq!(
                sized,
                with_sizes.clone().power_loss_seeded(seed),
                "deterministic"
            );
            seen.extend(sized.sizes.iter().map(|s| s.fate.letter()));
        }
        assert_eq!(seen.len(), 2, "both fates drawn");
    }

    #[test]
    fn sync_makes_writes_durable_across_any_power_loss() {
        for seed in 0..20 {
            let mut disk = disk_with_a();
            disk.add_device("flaky", "/u01", true);
            disk.set_fate_weights(FateWeights {
                applied: 1,
                dropped: 1,
                garbage: 1,
            });
            disk.write(A, 0, &filled(3, 8192)).unwrap();
            disk.sync(A).unwrap();
            assert_eq!(disk.pending_write_count(), 0);
            assert_eq!(read_durable_all(&disk, A, 8192), filled(3, 8192));
            disk.write(A, 8192, &filled(4, 512)).unwrap();
            let mut prng = Prng::new(seed, "test");
            let report = disk.power_loss(&mut prng);
            assert_eq!(report.writes.len(), 1, "only the unsynced write is pending");
            let bytes = read_all(&mut disk, A);
            let first_diff = bytes.iter().zip(filled(3, 8192)).position(|(a, b)| *a != b);
            assert_eq!(
                (bytes.len() >= 8192, first_diff),
                (true, None),
                "seed {seed} {report:?}"
            );
            disk.check_invariants();
        }
    }

    #[test]
    fn torn_database_block_mixes_new_and_old_os_blocks() {
        let mut disk = disk_with_a();
        disk.write(A, 0, &filled(0xaa, 8192)).unwrap();
        disk.sync(A).unwrap();
        disk.write(A, 0, &filled(0xbb, 8192)).unwrap();
        assert_eq!(
            disk.pending_write_count(),
            16,
            "8 KiB is 16 OS blocks of 512"
        );
        let fates: Vec<Fate> = "aadadddaaaddadda"
            .chars()
            .map(|c| Fate::from_letter(c).unwrap())
            .collect();
        let report = disk.power_loss_with(&fates, 0);
        assert_eq!(report.fates_string(), "aadadddaaaddadda");
        let os_blocks: Vec<u64> = report.writes.iter().map(|w| w.os_block).collect();
        assert_eq!(os_blocks, (0..16).collect::<Vec<u64>>());
        let bytes = read_all(&mut disk, A);
        for (i, fate) in fates.iter().enumerate() {
            let expected = if *fate == Fate::Applied { 0xbb } else { 0xaa };
            let sector = &bytes[i * 512..(i + 1) * 512];
            assert!(
                sector.iter().all(|&b| b == expected),
                "OS block {i}: whole old or whole new"
            );
        }
        disk.check_invariants();
    }

    #[test]
    fn garbage_only_on_a_garbage_device() {
        let mut disk = Disk::new(512);
        disk.add_device("cheap_ssd", "/u02", true);
        let g = "/u02/redo01.log";
        disk.create(A).unwrap();
        disk.create(g).unwrap();
        disk.sync_dir("/").unwrap();
        for path in [A, g] {
            disk.write(path, 0, &filled(1, 512)).unwrap();
            disk.sync(path).unwrap();
            disk.write(path, 0, &filled(2, 512)).unwrap();
        }
        let mut explicit = disk.clone();
        let report = explicit.power_loss_with(&[Fate::Garbage, Fate::Garbage], 0);
        assert_eq!(
            report.fates_string(),
            "dg",
            "garbage on a plain device becomes dropped"
        );
        assert_eq!(read_all(&mut explicit, A), filled(1, 512));
        let garbage = read_all(&mut explicit, g);
        assert_ne!(garbage, filled(1, 512));
        assert_ne!(garbage, filled(2, 512));
        // Deterministic: the same explicit power loss gives the same garbage.
        let mut again = disk.clone();
        again.power_loss_with(&[Fate::Garbage, Fate::Garbage], 0);
        assert_eq!(read_all(&mut again, g), garbage);

        // Drawn fates: with only garbage weight, the plain device still gets a/d only.
        disk.set_fate_weights(FateWeights {
            applied: 0,
            dropped: 1,
            garbage: 1000,
        });
        let mut seen_garbage = false;
        for seed in 0..10 {
            let mut d = disk.clone();
            let report = d.power_loss(&mut Prng::new(seed, "test"));
            assert_eq!(report.writes[0].fate, Fate::Dropped);
            seen_garbage |= report.writes[1].fate == Fate::Garbage;
        }
        assert!(seen_garbage);
    }

    #[test]
    fn later_write_to_the_same_os_block_resolves_after_the_earlier() {
        let mut base = disk_with_a();
        base.write(A, 0, &filled(1, 512)).unwrap();
        base.sync(A).unwrap();
        base.write(A, 0, &filled(2, 512)).unwrap();
        base.write(A, 0, &filled(3, 512)).unwrap();
        assert_eq!(
            read_all(&mut base, A),
            filled(3, 512),
            "reads see the latest"
        );
        let cases = [("aa", 3), ("ad", 2), ("da", 3), ("dd", 1)];
        for (fates, expected) in cases {
            let mut disk = base.clone();
            let fates: Vec<Fate> = fates
                .chars()
                .map(|c| Fate::from_letter(c).unwrap())
                .collect();
            disk.power_loss_with(&fates, 0);
            assert_eq!(
                read_all(&mut disk, A),
                filled(expected, 512),
                "fates {fates:?}"
            );
        }
    }

    #[test]
    fn create_without_sync_dir_can_vanish_even_with_synced_data() {
        let mut base = Disk::new(512);
        base.create(A).unwrap();
        base.write(A, 0, &filled(5, 512)).unwrap();
        base.sync(A).unwrap();
        assert!(
            base.read_durable(A, 0, &mut [0u8; 512]).is_none(),
            "the name is not durable"
        );

        let mut lost = base.clone();
        let report = lost.power_loss_with(&[], 0);
        assert_eq!(
            (report.namespace_ops_pending, report.namespace_ops_kept),
            (1, 0)
        );
        assert!(!lost.exists(A));
        assert_eq!(kind(lost.size(A)), IoErrorKind::NotFound);
        assert!(lost.inodes.is_empty(), "the unreferenced inode is freed");

        let mut kept = base.clone();
        kept.power_loss_with(&[], 1);
        assert_eq!(read_all(&mut kept, A), filled(5, 512));

        let mut synced = base.clone();
        synced.sync_dir(DIR).unwrap();
        synced.power_loss_with(&[], 0);
        assert_eq!(read_all(&mut synced, A), filled(5, 512));
        synced.check_invariants();
    }

    #[test]
    fn namespace_ops_survive_as_an_ordered_prefix() {
        let mut base = Disk::new(512);
        base.create(A).unwrap();
        base.create(B).unwrap();
        base.delete(A).unwrap();
        for kept in 0..=3 {
            let mut disk = base.clone();
            let report = disk.power_loss_with(&[], kept);
            assert_eq!(report.namespace_ops_kept, kept);
            let expected: Vec<&str> = match kept {
                0 => vec![],
                1 => vec![A],
                2 => vec![A, B],
                _ => vec![B],
            };
            assert_eq!(disk.file_names(), expected, "prefix {kept}");
            disk.check_invariants();
        }
        let mut clamped = base.clone();
        assert_eq!(clamped.power_loss_with(&[], 99).namespace_ops_kept, 3);
    }

    #[test]
    fn delete_is_volatile_until_sync_dir() {
        let mut base = disk_with_a();
        base.write(A, 0, &filled(9, 512)).unwrap();
        base.sync(A).unwrap();
        base.delete(A).unwrap();
        assert!(!base.exists(A));
        assert_eq!(kind(base.read(A, 0, &mut [0u8; 4])), IoErrorKind::NotFound);

        let mut undone = base.clone();
        undone.power_loss_with(&[], 0);
        assert_eq!(
            read_all(&mut undone, A),
            filled(9, 512),
            "the delete did not survive"
        );

        let mut done = base.clone();
        done.power_loss_with(&[], 1);
        assert!(!done.exists(A));

        base.sync_dir(DIR).unwrap();
        assert!(
            base.inodes.is_empty(),
            "a durably deleted file's inode is freed"
        );
        base.power_loss_with(&[], 0);
        assert!(!base.exists(A));
    }

    #[test]
    fn rename_is_volatile_until_sync_dir_and_replaces_the_target() {
        let tmp = "/u01/oradata/SIM/a.tmp";
        let mut base = disk_with_a();
        base.write(A, 0, &filled(1, 512)).unwrap();
        base.sync(A).unwrap();
        base.create(tmp).unwrap();
        base.write(tmp, 0, &filled(2, 512)).unwrap();
        base.sync(tmp).unwrap();
        base.sync_dir(DIR).unwrap();
        base.rename(tmp, A).unwrap();
        assert!(!base.exists(tmp));
        assert_eq!(
            read_all(&mut base, A),
            filled(2, 512),
            "rename replaced the target"
        );
        base.write(A, 512, &filled(3, 512)).unwrap();

        let mut undone = base.clone();
        let report = undone.power_loss_with(&[Fate::Applied], 0);
        assert_eq!(
            report.writes[0].path, A,
            "reported under its name at issue time"
        );
        assert_eq!(read_all(&mut undone, A), filled(1, 512));
        let mut tmp_bytes = read_all(&mut undone, tmp);
        assert_eq!(
            tmp_bytes.len(),
            1024,
            "the applied write landed on the renamed inode"
        );
        tmp_bytes.truncate(512);
        assert_eq!(tmp_bytes, filled(2, 512));
        undone.check_invariants();

        let mut done = base.clone();
        done.power_loss_resolved(&Fates::parse("dl", 1).unwrap());
        assert_eq!(done.file_names(), vec![A.to_string()]);
        assert_eq!(read_all(&mut done, A), filled(2, 512));
        done.check_invariants();
    }

    #[test]
    fn io_errors_not_found_and_already_exists() {
        let mut disk = disk_with_a();
        assert_eq!(kind(disk.create(A)), IoErrorKind::AlreadyExists);
        assert_eq!(kind(disk.write(B, 0, &[0u8; 512])), IoErrorKind::NotFound);
        assert_eq!(kind(disk.read(B, 0, &mut [0u8; 8])), IoErrorKind::NotFound);
        assert_eq!(kind(disk.sync(B)), IoErrorKind::NotFound);
        assert_eq!(kind(disk.size(B)), IoErrorKind::NotFound);
        assert_eq!(kind(disk.delete(B)), IoErrorKind::NotFound);
        let error = disk.rename(B, A).unwrap_err();
        assert_eq!(
            (error.kind, error.path.as_str()),
            (IoErrorKind::NotFound, B)
        );
        assert!(disk.exists(A));
        assert_eq!(disk.pending_write_count(), 0);
    }

    #[test]
    fn armed_crash_fails_the_kth_io_and_everything_after() {
        for k in 1..=5u64 {
            let mut disk = disk_with_a();
            disk.write(A, 0, &filled(1, 512)).unwrap();
            disk.sync(A).unwrap();
            let start = disk.io_count();
            disk.arm_crash(k);
            assert_eq!(disk.crash_armed(), Some(k));
            let mut results = Vec::new();
            for step in 0..5u8 {
                let result = disk.write(A, 512 * (u64::from(step) + 1), &filled(step + 10, 512));
                results.push(result);
            }
            for (i, result) in results.iter().enumerate() {
                if (i as u64) < k - 1 {
                    assert!(result.is_ok(), "k={k} I/O {i} happens");
                } else {
                    assert_eq!(result.as_ref().unwrap_err().kind, IoErrorKind::PowerLost);
                }
            }
            assert_eq!(
                disk.io_count() - start,
                k,
                "calls after the power went are not counted"
            );
            assert_eq!(
                disk.pending_write_count(),
                (k - 1) as usize,
                "a failed write leaves nothing"
            );
            assert!(disk.is_powered_off());
            assert_eq!(disk.crash_armed(), None);
            assert_eq!(kind(disk.read(A, 0, &mut [0u8; 4])), IoErrorKind::PowerLost);
            assert_eq!(kind(disk.size(A)), IoErrorKind::PowerLost);
            assert_eq!(kind(disk.sync(A)), IoErrorKind::PowerLost);
            assert!(disk.exists(A), "exists still answers");
            assert_eq!(disk.list("/u01"), vec![A.to_string()]);
            let report = disk.power_loss_with(&[], 0);
            assert_eq!(report.writes.len(), (k - 1) as usize);
            assert!(!disk.is_powered_off());
            assert_eq!(disk.size(A).unwrap(), 512 * k);
        }
    }

    #[test]
    fn the_io_log_records_every_counted_call_and_only_while_on() {
        let mut disk = disk_with_a();
        assert!(disk.io_log().is_empty());
        disk.record_io(true);
        disk.write(A, 0, &filled(1, 512)).unwrap();
        let _ = disk.read(A, 0, &mut [0u8; 4]);
        disk.set_len(A, 100).unwrap();
        let _ = disk.sync(B);
        disk.sync_dir(DIR).unwrap();
        disk.arm_crash(1);
        let _ = disk.rename(A, B);
        let kinds: Vec<(u64, IoKind, &str)> = disk
            .io_log()
            .iter()
            .map(|r| (r.index, r.kind, r.path.as_str()))
            .collect();
        let start = disk.io_count() - 5;
        assert_eq!(
            kinds,
            vec![
                (start + 1, IoKind::Write, A),
                (start + 2, IoKind::SetLen, A),
                (start + 3, IoKind::Sync, B),
                (start + 4, IoKind::SyncDir, DIR),
                (start + 5, IoKind::Rename, A),
            ],
            "reads are not counted; a failed call and the crashing one are"
        );
        disk.record_io(false);
        assert!(disk.io_log().is_empty());
    }

    #[test]
    fn armed_crash_on_namespace_ops_and_zero_byte_write() {
        let mut disk = disk_with_a();
        disk.arm_crash(2);
        disk.write(A, 0, &[]).unwrap();
        assert_eq!(disk.crash_armed(), Some(1), "a 0-byte write counts");
        assert_eq!(kind(disk.create(B)), IoErrorKind::PowerLost);
        assert!(!disk.exists(B), "the crashing create did not happen");
        disk.power_loss_with(&[], 0);
        disk.arm_crash(1);
        assert_eq!(kind(disk.rename(A, B)), IoErrorKind::PowerLost);
        assert!(disk.exists(A) && !disk.exists(B));
        let mut prng = Prng::new(1, "test");
        disk.arm_crash(3);
        disk.power_loss(&mut prng);
        assert_eq!(disk.crash_armed(), None, "power loss disarms");
        disk.arm_crash(1);
        disk.disarm_crash();
        disk.delete(A).unwrap();
    }

    #[test]
    fn cut_power_fails_every_call_until_power_loss() {
        let mut disk = disk_with_a();
        disk.write(A, 0, &filled(1, 512)).unwrap();
        let count = disk.io_count();
        disk.cut_power();
        assert!(disk.is_powered_off());
        assert_eq!(
            kind(disk.write(A, 0, &filled(2, 512))),
            IoErrorKind::PowerLost
        );
        assert_eq!(kind(disk.create(B)), IoErrorKind::PowerLost);
        assert_eq!(kind(disk.sync_dir(DIR)), IoErrorKind::PowerLost);
        assert_eq!(kind(disk.delete(A)), IoErrorKind::PowerLost);
        assert_eq!(kind(disk.rename(A, B)), IoErrorKind::PowerLost);
        assert_eq!(kind(disk.read(A, 0, &mut [0u8; 1])), IoErrorKind::PowerLost);
        assert_eq!(disk.io_count(), count);
        assert!(disk.exists(A));
        disk.power_loss_with(&[Fate::Applied], 0);
        assert_eq!(read_all(&mut disk, A), filled(1, 512));
        assert_eq!(disk.stats().power_losses, 1);
    }

    #[test]
    fn lose_file_is_immediate_and_durable() {
        let mut disk = disk_with_a();
        disk.create(B).unwrap();
        disk.write(A, 0, &filled(1, 512)).unwrap();
        disk.write(B, 0, &filled(2, 512)).unwrap();
        assert!(disk.lose_file(A));
        assert!(!disk.lose_file(A));
        assert!(!disk.exists(A));
        assert!(disk.read_durable(A, 0, &mut [0u8; 1]).is_none());
        assert_eq!(
            disk.pending_write_count(),
            1,
            "A's pending write is forgotten"
        );
        assert!(
            disk.lose_file(B),
            "a name that is not durable yet can be lost too"
        );
        disk.check_invariants();
        let report = disk.power_loss_with(&[], 5);
        assert_eq!(report.writes.len(), 0);
        assert!(disk.file_names().is_empty(), "neither comes back");
        disk.check_invariants();
    }

    #[test]
    fn lost_file_stays_lost_through_a_dropped_rename() {
        let x = "/u01/oradata/SIM/x.dbf";
        let mut disk = disk_with_a();
        disk.write(A, 0, &filled(1, 512)).unwrap();
        disk.sync(A).unwrap();
        disk.create(x).unwrap();
        disk.write(x, 0, &filled(2, 512)).unwrap();
        disk.sync(x).unwrap();
        disk.sync_dir(DIR).unwrap();
        disk.rename(x, A).unwrap();
        assert!(disk.lose_file(A), "loses x's inode, now named A");
        assert!(!disk.exists(x) && !disk.exists(A));
        disk.check_invariants();
        let mut keep_none = disk.clone();
        keep_none.power_loss_with(&[], 0);
        assert_eq!(
            keep_none.file_names(),
            vec![A.to_string()],
            "x's inode is gone"
        );
        assert_eq!(
            read_all(&mut keep_none, A),
            filled(1, 512),
            "the old A is back"
        );
        keep_none.check_invariants();
        disk.power_loss_with(&[], 1);
        assert!(
            disk.file_names().is_empty(),
            "the rename replaced the old A"
        );
        disk.check_invariants();
    }

    #[test]
    fn corrupt_os_block_changes_durable_and_current_deterministically() {
        let mut base = disk_with_a();
        base.write(A, 0, &filled(1, 2048)).unwrap();
        base.sync(A).unwrap();
        let mut one = base.clone();
        let mut two = base.clone();
        assert!(one.corrupt_os_block(A, 2, 42));
        assert!(two.corrupt_os_block(A, 2, 42));
        let bytes = read_all(&mut one, A);
        assert_eq!(bytes, read_all(&mut two, A), "same seed, same garbage");
        assert_eq!(read_durable_all(&one, A, 2048), bytes);
        assert_eq!(&bytes[..1024], &filled(1, 1024)[..]);
        assert_ne!(&bytes[1024..1536], &filled(1, 512)[..]);
        assert_eq!(&bytes[1536..], &filled(1, 512)[..]);
        let mut other = base.clone();
        other.corrupt_os_block(A, 2, 43);
        assert_ne!(
            read_all(&mut other, A),
            bytes,
            "another seed, other garbage"
        );
        assert!(!one.corrupt_os_block(A, 4, 1), "past the durable end");
        assert!(!one.corrupt_os_block(B, 0, 1), "no such file");
        one.power_loss_with(&[], 0);
        assert_eq!(read_all(&mut one, A), bytes, "the rot is durable");

        // A pending write to the rotten block is what reads see, and what sync keeps.
        let mut cached = base.clone();
        cached.write(A, 1024, &filled(7, 512)).unwrap();
        assert!(cached.corrupt_os_block(A, 2, 42));
        assert_eq!(&read_all(&mut cached, A)[1024..1536], &filled(7, 512)[..]);
        assert_eq!(
            &read_durable_all(&cached, A, 2048)[1024..1536],
            &bytes[1024..1536]
        );
        cached.check_invariants();
        let mut dropped = cached.clone();
        dropped.power_loss_with(&[Fate::Dropped], 0);
        assert_eq!(&read_all(&mut dropped, A)[1024..1536], &bytes[1024..1536]);
        cached.sync(A).unwrap();
        cached.power_loss_with(&[], 0);
        assert_eq!(&read_all(&mut cached, A)[1024..1536], &filled(7, 512)[..]);
    }

    #[test]
    fn lose_device_and_replace_device() {
        let ctl1 = "/u01/oradata/SIM/control01.ctl";
        let ctl2 = "/u02/oradata/SIM/control02.ctl";
        let mut disk = Disk::new(512);
        disk.add_device("disk1", "/u01", false);
        disk.add_device("ctl1", ctl1, false);
        for path in [A, ctl1, ctl2] {
            disk.create(path).unwrap();
            disk.write(path, 0, &filled(1, 512)).unwrap();
        }
        disk.sync_dir("/").unwrap();
        assert_eq!(disk.lose_device("ctl1"), vec![ctl1.to_string()]);
        assert_eq!(disk.file_names(), vec![A.to_string(), ctl2.to_string()]);
        assert_eq!(kind(disk.create(ctl1)), IoErrorKind::DeviceError);
        assert_eq!(
            kind(disk.read(ctl1, 0, &mut [0u8; 1])),
            IoErrorKind::DeviceError
        );
        assert_eq!(
            kind(disk.write(ctl1, 0, &[0u8; 512])),
            IoErrorKind::DeviceError
        );
        assert_eq!(kind(disk.rename(A, ctl1)), IoErrorKind::DeviceError);
        assert_eq!(disk.pending_write_count(), 2);
        disk.power_loss_with(&[], 0);
        assert!(
            !disk.exists(ctl1),
            "lost devices stay lost across power loss"
        );
        assert_eq!(kind(disk.create(ctl1)), IoErrorKind::DeviceError);
        disk.replace_device("ctl1");
        assert!(!disk.exists(ctl1), "a new disk is empty");
        disk.create(ctl1).unwrap();
        disk.write(ctl1, 0, &filled(2, 512)).unwrap();
        assert_eq!(read_all(&mut disk, ctl1), filled(2, 512));
        // Replacing a working device also empties it.
        disk.replace_device("disk1");
        assert_eq!(disk.file_names(), vec![ctl1.to_string(), ctl2.to_string()]);
        disk.check_invariants();
    }

    #[test]
    fn device_of_picks_the_longest_prefix() {
        let mut disk = Disk::new(4096);
        disk.add_device("u01", "/u01", false);
        disk.add_device("oradata", "/u01/oradata", true);
        disk.add_device("ctl1", "/u01/oradata/SIM/control01.ctl", false);
        assert_eq!(disk.device_of("/u01/oradata/SIM/control01.ctl"), "ctl1");
        assert_eq!(disk.device_of("/u01/oradata/SIM/system01.dbf"), "oradata");
        assert_eq!(disk.device_of("/u01/app/init.ora"), "u01");
        assert_eq!(disk.device_of("/u02/arch/1_1.arc"), "root");
        disk.add_device("oradata", "/u01/oradata/SIM/sys", false);
        assert_eq!(
            disk.device_of("/u01/oradata/SIM/redo01.log"),
            "u01",
            "updated prefix"
        );
    }

    #[test]
    fn clone_is_an_independent_snapshot_sharing_pages() {
        let mut original = disk_with_a();
        original.write(A, 0, &filled(1, 8192)).unwrap();
        original.sync(A).unwrap();
        let mut snapshot = original.clone();
        {
            let (o, s) = (&original.inodes[&1].current, &snapshot.inodes[&1].current);
            assert!(
                Arc::ptr_eq(&o.pages[0], &s.pages[0]),
                "pages are shared, not copied"
            );
        }
        snapshot.write(A, 0, &filled(2, 512)).unwrap();
        original.write(A, 4096, &filled(3, 512)).unwrap();
        original.create(B).unwrap();
        let o = read_all(&mut original, A);
        let s = read_all(&mut snapshot, A);
        assert_eq!((o[0], o[4096]), (1, 3));
        assert_eq!((s[0], s[4096]), (2, 1));
        assert!(!snapshot.exists(B));
        let (o, s) = (&original.inodes[&1].current, &snapshot.inodes[&1].current);
        assert!(!Arc::ptr_eq(&o.pages[0], &s.pages[0]));
        assert!(!Arc::ptr_eq(&o.pages[1], &s.pages[1]));
        snapshot.power_loss_with(&[Fate::Dropped], 0);
        assert_eq!(original.pending_write_count(), 1);
        assert_eq!(read_all(&mut snapshot, A), filled(1, 8192));
    }

    /// Random creates, deletes, renames, writes, length changes, syncs,
    /// lost files and power losses: the namespace passes that touch only the
    /// paths of the pending ops keep every invariant (no inode leaks, names
    /// differ durably only where an op points), and drawing a power loss
    /// without losing the power reports what losing it then does.
    #[test]
    fn random_namespace_churn_keeps_the_invariants() {
        const NAMES: [&str; 6] = ["/u01/a", "/u01/b", "/u01/c", "/u02/d", "/u02/e", "/u02/f"];
        for seed in 0..40 {
            let mut ops = Prng::new(seed, "churn");
            let mut disk = Disk::new(512);
            disk.add_device("u02", "/u02", true);
            disk.set_fate_weights(FateWeights {
                applied: 2,
                dropped: 2,
                garbage: 1,
            });
            for _ in 0..300 {
                let path = *ops.pick(&NAMES);
                let other = *ops.pick(&NAMES);
                let _ = match ops.below(10) {
                    0 => disk.create(path),
                    1 => disk.delete(path),
                    2 => disk.rename(path, other),
                    3 | 4 => disk.write_at(path, ops.below(3000), &filled(7, 700)),
                    5 => disk.set_len(path, ops.below(4000)),
                    6 => disk.sync(path),
                    7 => disk.sync_dir("/u01"),
                    8 => {
                        disk.lose_file(path);
                        Ok(())
                    }
                    _ => {
                        let seed = ops.next_u64();
                        let drawn = disk.draw_power_loss(&mut Prng::new(seed, "power_loss"));
                        assert_eq!(disk.power_loss_seeded(seed), drawn, "seed {seed}");
                        Ok(())
                    }
                };
                disk.check_invariants();
            }
        }
    }

    #[test]
    fn seeded_power_loss_is_deterministic() {
        let mut base = Disk::new(512);
        base.add_device("flaky", "/u02", true);
        base.set_fate_weights(FateWeights {
            applied: 2,
            dropped: 2,
            garbage: 1,
        });
        for path in [A, "/u02/redo01.log"] {
            base.create(path).unwrap();
            base.write(path, 0, &filled(1, 8192)).unwrap();
        }
        let run = |seed: u64| {
            let mut disk = base.clone();
            let report = disk.power_loss(&mut Prng::new(seed, "power_loss"));
            let bytes: Vec<Vec<u8>> = disk
                .file_names()
                .iter()
                .map(|p| read_all(&mut disk, p))
                .collect();
            disk.check_invariants();
            (report, bytes)
        };
        assert_eq!(run(7), run(7));
        let reports: BTreeSet<String> = (0..8).map(|s| run(s).0.fates_string()).collect();
        assert!(reports.len() > 1, "different seeds, different fates");
        let (report, _) = run(7);
        assert_eq!(report.writes.len(), 32);
        assert_eq!(report.namespace_ops_pending, 2);
    }

    #[test]
    fn fate_letters_round_trip() {
        for fate in FATES {
            assert_eq!(Fate::from_letter(fate.letter()), Some(fate));
        }
        assert_eq!(Fate::from_letter('x'), None);
        let report = PowerLossReport {
            writes: [Fate::Applied, Fate::Applied, Fate::Dropped, Fate::Garbage]
                .into_iter()
                .map(|fate| ResolvedWrite {
                    path: A.to_string(),
                    os_block: 0,
                    fate,
                })
                .collect(),
            ..PowerLossReport::default()
        };
        assert_eq!(report.fates_string(), "aadg");
        assert_eq!(
            FateWeights::default(),
            FateWeights {
                applied: 1,
                dropped: 1,
                garbage: 0
            }
        );
    }

    #[test]
    fn read_durable_differs_from_read_while_a_write_is_pending() {
        let mut disk = disk_with_a();
        disk.write(A, 0, &filled(1, 512)).unwrap();
        disk.sync(A).unwrap();
        disk.write(A, 0, &filled(2, 1024)).unwrap();
        let mut durable = vec![0xffu8; 1024];
        assert_eq!(disk.read_durable(A, 0, &mut durable), Some(512));
        assert_eq!(&durable[..512], &filled(1, 512)[..]);
        assert_eq!(&durable[512..], &filled(0, 512)[..]);
        assert_eq!(read_all(&mut disk, A), filled(2, 1024));
        disk.sync(A).unwrap();
        assert_eq!(disk.read_durable(A, 0, &mut durable), Some(1024));
        assert_eq!(durable, filled(2, 1024));
    }

    #[test]
    fn stats_list_and_file_names() {
        let mut disk = disk_with_a();
        disk.create(B).unwrap();
        disk.create("/u01/other/c.dbf").unwrap();
        disk.write(A, 0, &filled(1, 1024)).unwrap();
        disk.write(B, 0, &[]).unwrap();
        disk.sync(A).unwrap();
        let _ = disk.sync("/nope");
        disk.power_loss_with(&[], 3);
        let stats = disk.stats();
        assert_eq!(
            stats,
            DiskStats {
                writes: 2,
                syncs: 2,
                bytes_written: 1024,
                power_losses: 1
            }
        );
        assert_eq!(disk.io_count(), 8);
        assert_eq!(disk.list(DIR), vec![A.to_string(), B.to_string()]);
        assert_eq!(
            disk.list("/u01/other/"),
            vec!["/u01/other/c.dbf".to_string()]
        );
        assert!(disk.list("/x").is_empty());
        assert_eq!(disk.file_names().len(), 3);
    }

    #[test]
    fn four_kib_os_blocks() {
        let mut disk = Disk::new(4096);
        disk.create(A).unwrap();
        disk.sync_dir(DIR).unwrap();
        disk.write(A, 0, &filled(1, 8192)).unwrap();
        assert_eq!(disk.pending_write_count(), 2);
        let report = disk.power_loss_with(&[Fate::Dropped, Fate::Applied], 0);
        assert_eq!(report.writes[1].os_block, 1);
        let bytes = read_all(&mut disk, A);
        assert_eq!(&bytes[..4096], &filled(0, 4096)[..]);
        assert_eq!(&bytes[4096..], &filled(1, 4096)[..]);
    }

    /// A reference model of the data path: random aligned and unaligned
    /// writes, length changes, syncs and power losses over three files on two
    /// devices, checked byte for byte and length for length.
    #[test]
    fn random_workload_matches_a_reference_model() {
        const FILE_BLOCKS: u64 = 24;
        let paths = [A, B, "/u02/redo01.log"];
        for seed in 0..60 {
            let mut prng = Prng::new(seed, "model");
            let bs = 512usize;
            let mut disk = Disk::new(bs);
            disk.add_device("flaky", "/u02", true);
            for path in paths {
                disk.create(path).unwrap();
            }
            disk.sync_dir("/").unwrap();
            let mut durable: Vec<ModelImage> = vec![ModelImage::default(); 3];
            let mut current: Vec<Vec<u8>> = vec![Vec::new(); 3];
            let mut pending: Vec<ModelOp> = Vec::new();
            for step in 0..200u32 {
                let file = prng.below(3) as usize;
                match prng.below(14) {
                    0..=5 => {
                        let (offset, len) = if prng.chance(1, 2) {
                            let first = prng.below(FILE_BLOCKS);
                            (first * bs as u64, prng.range(1, 4) as usize * bs)
                        } else {
                            (
                                prng.below(FILE_BLOCKS * bs as u64),
                                prng.range(0, 1500) as usize,
                            )
                        };
                        let data: Vec<u8> = (0..len).map(|_| prng.below(255) as u8 + 1).collect();
                        disk.write_at(paths[file], offset, &data).unwrap();
                        model_write_at(
                            &mut current[file],
                            &mut pending,
                            file,
                            offset as usize,
                            &data,
                            bs,
                        );
                    }
                    6..=7 => {
                        let len = prng.below((FILE_BLOCKS + 2) * bs as u64) as usize;
                        disk.set_len(paths[file], len as u64).unwrap();
                        if len != current[file].len() {
                            current[file].resize(len, 0);
                            pending.push(ModelOp::Size { file, len });
                        }
                    }
                    8..=10 => {
                        disk.sync(paths[file]).unwrap();
                        durable[file] = ModelImage::of(&current[file]);
                        pending.retain(|op| op.file() != file);
                    }
                    _ => {
                        let mut letters = String::new();
                        for op in &pending {
                            let pick = prng.below(3) as usize;
                            letters.push(match op {
                                ModelOp::Write { .. } => ['a', 'd', 'g'][pick],
                                ModelOp::Size { .. } => ['k', 'l', 'k'][pick],
                            });
                        }
                        let report = disk.power_loss_resolved(&Fates::parse(&letters, 0).unwrap());
                        let expected: String = letters
                            .chars()
                            .zip(&pending)
                            .map(|(c, op)| match op {
                                ModelOp::Write { file, .. } if *file != 2 && c == 'g' => 'd',
                                _ => c,
                            })
                            .collect();
                        assert_eq!(report.fates_string(), expected, "seed {seed} step {step}");
                        let mut write_index = 0;
                        for (op, fate) in pending.iter().zip(expected.chars()) {
                            match (op, fate) {
                                (
                                    ModelOp::Write {
                                        file,
                                        os_block,
                                        bytes,
                                    },
                                    _,
                                ) => {
                                    let resolved = &report.writes[write_index];
                                    assert_eq!(
                                        (resolved.path.as_str(), resolved.os_block),
                                        (paths[*file], *os_block)
                                    );
                                    let at = *os_block as usize * bs;
                                    if fate == 'a' {
                                        durable[*file].put(at, bytes);
                                    } else if fate == 'g' {
                                        let mut garbage = vec![0u8; bs];
                                        fill_garbage(
                                            &mut garbage,
                                            write_index as u64,
                                            "disk.garbage",
                                        );
                                        durable[*file].put(at, &garbage);
                                    }
                                    write_index += 1;
                                }
                                (ModelOp::Size { file, len }, 'k') => durable[*file].set_len(*len),
                                (ModelOp::Size { .. }, _) => {}
                            }
                        }
                        pending.clear();
                        for (file, image) in durable.iter_mut().enumerate() {
                            image.set_len(image.len);
                            current[file] = image.bytes();
                        }
                    }
                }
                disk.check_invariants();
                let writes = pending
                    .iter()
                    .filter(|op| matches!(op, ModelOp::Write { .. }))
                    .count();
                assert_eq!(disk.pending_write_count(), writes);
                assert_eq!(disk.pending_size_count(), pending.len() - writes);
                for (file, path) in paths.iter().enumerate() {
                    let bytes = read_all(&mut disk, path);
                    assert!(
                        bytes == current[file],
                        "current: seed {seed} step {step} file {file}"
                    );
                    let d = read_durable_all(&disk, path, durable[file].len);
                    assert!(
                        d == durable[file].bytes(),
                        "durable: seed {seed} step {step} file {file}"
                    );
                }
            }
        }
    }

    /// A pending change in the reference model.
    enum ModelOp {
        Write {
            file: usize,
            os_block: u64,
            bytes: Vec<u8>,
        },
        Size {
            file: usize,
            len: usize,
        },
    }

    impl ModelOp {
        fn file(&self) -> usize {
            match self {
                ModelOp::Write { file, .. } | ModelOp::Size { file, .. } => *file,
            }
        }
    }

    /// The model's durable file: bytes that may run past the length (an OS
    /// block landed whose length change has not, yet), and the length.
    #[derive(Clone, Default)]
    struct ModelImage {
        data: Vec<u8>,
        len: usize,
    }

    impl ModelImage {
        fn of(bytes: &[u8]) -> ModelImage {
            ModelImage {
                data: bytes.to_vec(),
                len: bytes.len(),
            }
        }
        fn put(&mut self, at: usize, bytes: &[u8]) {
            if self.data.len() < at + bytes.len() {
                self.data.resize(at + bytes.len(), 0);
            }
            self.data[at..at + bytes.len()].copy_from_slice(bytes);
        }
        fn set_len(&mut self, len: usize) {
            if len < self.data.len() {
                self.data[len..].fill(0);
            }
            self.len = len;
        }
        fn bytes(&self) -> Vec<u8> {
            let mut bytes = self.data.clone();
            bytes.resize(self.len, 0);
            bytes
        }
    }

    /// The page cache's view of `write_at`: the OS blocks it touches, filled
    /// around the data from the current bytes, then a length change if the
    /// write ends past the end.
    fn model_write_at(
        current: &mut Vec<u8>,
        pending: &mut Vec<ModelOp>,
        file: usize,
        at: usize,
        data: &[u8],
        bs: usize,
    ) {
        if data.is_empty() {
            return;
        }
        let end = at + data.len();
        let mut padded = current.clone();
        padded.resize(end.div_ceil(bs) * bs, 0);
        padded[at..end].copy_from_slice(data);
        for os_block in at / bs..end.div_ceil(bs) {
            let bytes = padded[os_block * bs..(os_block + 1) * bs].to_vec();
            pending.push(ModelOp::Write {
                file,
                os_block: os_block as u64,
                bytes,
            });
        }
        if end > current.len() {
            current.resize(end, 0);
            pending.push(ModelOp::Size { file, len: end });
        }
        current[at..end].copy_from_slice(data);
    }
}
