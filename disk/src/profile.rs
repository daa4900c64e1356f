//! Device profiles: what a medium and its file system promise.
//!
//! An engine relies on a few promises of the storage under it, and its
//! documentation usually says which: redb's design notes assume single bytes
//! are written atomically, an `fsync` makes writes durable, and "powersafe
//! overwrite" (bytes outside a write never change); it never syncs a
//! directory. A [`Profile`] names such a set of promises, so a test runs the
//! engine against exactly what it relies on, and then against less, and a
//! report says which profile found what.
//!
//! | profile | sector | garbage on power loss | names need a directory sync | lengths need a sync |
//! |---|---|---|---|---|
//! | `posix` | 512 | no | yes | yes |
//! | `ext4` | 4096 | no | no (an `fsync` commits the journal) | yes |
//! | `ssd-no-plp` | 4096 | yes | no | yes |
//! | `redb` | 512 | no | no | yes |
//! | `lengths-durable` | 512 | no | no | no |
//!
//! - *sector*: the unit a power loss cannot tear ([`Disk::os_block_size`]).
//!   The smaller it is, the more ways a multi-sector write can tear (redb's
//!   "single bytes atomic" is weaker still; 512 is the finest the disk has).
//! - *garbage on power loss*: a sector being written when the power failed
//!   may hold random bytes (drives without power-loss protection). No garbage
//!   is "powersafe overwrite".
//! - *names need a directory sync*: a create, remove or rename is durable
//!   only after a directory sync (POSIX). Otherwise an `fsync` of any file
//!   also makes every earlier name change durable, as on ext4 and XFS, whose
//!   `fsync` commits the whole running journal transaction.
//! - *lengths need a sync*: a length change is pending until the file's
//!   sync (see "File lengths" in [`crate::disk`]). `lengths-durable` is the
//!   naive disk that makes `set_len` durable at once: redb 4.1.0's growth bug
//!   passes on it, so it shows what the volatile length finds.
//!
//! [`Disk::new`] keeps redosim's own model: POSIX names, lengths that need a
//! sync, and garbage decided per device ([`Disk::add_device`]).

use crate::disk::Disk;

/// A named set of promises of the medium (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// How reports name it.
    pub name: String,
    /// The unit of atomic writes: 512 or 4096 bytes.
    pub sector_size: usize,
    /// Whether a sector being written at a power loss may hold garbage.
    pub garbage_on_power_loss: bool,
    /// Whether creates, removes and renames need a directory sync (else an
    /// `fsync` of any file makes them durable).
    pub names_need_dir_sync: bool,
    /// Whether a length change needs the file's sync (else it is durable at once).
    pub lengths_need_sync: bool,
}

impl Profile {
    /// The letter of POSIX on a plain disk: 512-byte sectors, no garbage,
    /// names durable only after a directory sync, lengths after a sync.
    pub fn posix() -> Profile {
        Profile {
            name: "posix".to_string(),
            sector_size: 512,
            garbage_on_power_loss: false,
            names_need_dir_sync: true,
            lengths_need_sync: true,
        }
    }

    /// ext4 (one journal) on a 4 KiB-sector disk: an `fsync` commits every
    /// earlier name change too.
    pub fn ext4() -> Profile {
        Profile {
            name: "ext4".to_string(),
            sector_size: 4096,
            names_need_dir_sync: false,
            ..Profile::posix()
        }
    }

    /// ext4 on a drive without power-loss protection: a sector in flight
    /// may come back as garbage.
    pub fn ssd_no_plp() -> Profile {
        Profile {
            name: "ssd-no-plp".to_string(),
            garbage_on_power_loss: true,
            ..Profile::ext4()
        }
    }

    /// What redb documents it relies on: atomic bytes (the disk's finest
    /// sector, 512), durable `fsync`, powersafe overwrite (no garbage), and no
    /// directory sync (it never does one).
    pub fn redb() -> Profile {
        Profile {
            name: "redb".to_string(),
            names_need_dir_sync: false,
            ..Profile::posix()
        }
    }

    /// [`Profile::redb`] on a naive disk whose length changes are durable at
    /// once: what a simulator without volatile lengths sees.
    pub fn lengths_durable() -> Profile {
        Profile {
            name: "lengths-durable".to_string(),
            lengths_need_sync: false,
            ..Profile::redb()
        }
    }

    /// Every named profile, in the order of the module's table.
    pub fn all() -> Vec<Profile> {
        vec![
            Profile::posix(),
            Profile::ext4(),
            Profile::ssd_no_plp(),
            Profile::redb(),
            Profile::lengths_durable(),
        ]
    }

    /// The named profile, if there is one.
    pub fn by_name(name: &str) -> Option<Profile> {
        Profile::all().into_iter().find(|p| p.name == name)
    }

    /// The promises as one line, for reports: `redb (512-byte sectors, no
    /// garbage, names durable at an fsync, lengths need a sync)`.
    pub fn describe(&self) -> String {
        format!(
            "{} ({}-byte sectors, {}, {}, {})",
            self.name,
            self.sector_size,
            if self.garbage_on_power_loss {
                "garbage on power loss"
            } else {
                "no garbage"
            },
            if self.names_need_dir_sync {
                "names need a directory sync"
            } else {
                "names durable at an fsync"
            },
            if self.lengths_need_sync {
                "lengths need a sync"
            } else {
                "lengths durable at once"
            },
        )
    }

    /// An empty disk with these promises.
    pub fn disk(&self) -> Disk {
        Disk::with_profile(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Fate, FateWeights, Fates};

    const F: &str = "/db/file";

    /// A file created and written, its data synced but not its directory.
    fn created_and_synced(profile: Profile) -> Disk {
        let mut disk = profile.disk();
        disk.create(F).unwrap();
        disk.write_at(F, 0, b"data").unwrap();
        disk.sync(F).unwrap();
        disk
    }

    #[test]
    fn names_need_a_directory_sync_only_where_the_profile_says() {
        let mut posix = created_and_synced(Profile::posix());
        posix.power_loss_resolved(&Fates::default());
        assert!(!posix.exists(F), "posix: the create was never made durable");
        for profile in [Profile::ext4(), Profile::redb()] {
            let name = profile.name.clone();
            let mut disk = created_and_synced(profile);
            disk.power_loss_resolved(&Fates::default());
            assert!(disk.exists(F), "{name}: the fsync committed the create");
            assert_eq!(disk.size(F).unwrap(), 4);
        }
        // Only ops before the fsync: a later rename is still volatile.
        let mut ext4 = created_and_synced(Profile::ext4());
        ext4.rename(F, "/db/other").unwrap();
        ext4.power_loss_resolved(&Fates::default());
        assert_eq!(ext4.file_names(), vec![F.to_string()]);
    }

    #[test]
    fn lengths_durable_at_once_only_on_the_naive_profile() {
        for (profile, len_after) in [(Profile::redb(), 4), (Profile::lengths_durable(), 8192)] {
            let mut disk = created_and_synced(profile);
            disk.set_len(F, 8192).unwrap();
            let pending = disk.pending_size_count();
            let report = disk.power_loss_resolved(&Fates::parse("l", 0).unwrap());
            assert_eq!(disk.size(F).unwrap(), len_after, "{}", disk.profile().name);
            assert_eq!(report.sizes.len(), pending);
        }
    }

    #[test]
    fn sector_size_and_garbage_come_from_the_profile() {
        let mut ssd = Profile::ssd_no_plp().disk();
        assert_eq!(ssd.os_block_size(), 4096);
        ssd.set_fate_weights(FateWeights {
            applied: 0,
            dropped: 0,
            garbage: 1,
        });
        ssd.create(F).unwrap();
        ssd.write(F, 0, &[1u8; 8192]).unwrap();
        let report = ssd.power_loss_seeded(1);
        assert!(report.writes.iter().all(|w| w.fate == Fate::Garbage));
        let mut redb = Profile::redb().disk();
        assert_eq!(redb.os_block_size(), 512);
        redb.create(F).unwrap();
        redb.write(F, 0, &[1u8; 512]).unwrap();
        let report = redb.power_loss_resolved(&Fates::parse("g", 0).unwrap());
        assert_eq!(report.writes[0].fate, Fate::Dropped, "powersafe overwrite");
    }

    #[test]
    fn profiles_are_named_and_described() {
        let names: Vec<String> = Profile::all().into_iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            ["posix", "ext4", "ssd-no-plp", "redb", "lengths-durable"]
        );
        assert_eq!(Profile::by_name("ext4"), Some(Profile::ext4()));
        assert_eq!(Profile::by_name("zfs"), None);
        assert_eq!(
            Profile::redb().describe(),
            "redb (512-byte sectors, no garbage, names durable at an fsync, lengths need a sync)"
        );
        assert_eq!(Disk::new(4096).profile().name, "redosim");
    }
}
