//! Swarm testing: each seed draws its own configuration (database and OS
//! block sizes, log groups and members, control-file copies, ARCHIVELOG,
//! torn-block protection, which devices return garbage on power loss, the
//! fates of unsynced writes) and its own operation and fault weights, some
//! switched off entirely. Different seeds so explore different corners.

use engine::params::{DbParams, Release};
use serde::Serialize;

use crate::disk::FateWeights;
use crate::rng::Prng;

/// How often each operation is chosen (ratios; 0 switches it off).
#[derive(Debug, Clone, Serialize)]
pub struct OpWeights {
    pub dml: u64,
    pub commit: u64,
    pub rollback: u64,
    pub checkpoint: u64,
    pub switch_logfile: u64,
    pub dbwr: u64,
    pub archive: u64,
    pub shutdown_clean: u64,
    pub shutdown_abort: u64,
    pub power_loss: u64,
    pub crash_point: u64,
    pub lose_log_member: u64,
    pub lose_controlfile: u64,
}

/// One run's configuration, drawn from its seed.
#[derive(Debug, Clone, Serialize)]
pub struct RunConfig {
    pub db_block_size: usize,
    pub os_block_size: usize,
    pub log_groups: usize,
    pub log_members: usize,
    pub control_files: usize,
    pub archivelog: bool,
    pub torn_block_protection: bool,
    /// Devices whose in-flight OS blocks may come back as garbage.
    pub garbage_devices: Vec<String>,
    pub fates: (u64, u64, u64),
    pub cache_buffers: usize,
    pub log_blocks: u32,
    pub log_buffer_bytes: usize,
    pub keys: u64,
    pub sessions: u32,
    pub steps: usize,
    /// The largest "crash after N io" a crash point arms.
    pub crash_point_ios: u64,
    /// Chance (per 1000) that a recovery attempt has a crash point armed.
    pub crash_in_recovery_per_mille: u64,
    pub weights: OpWeights,
    /// USERS datafiles (files 3…).
    pub users_datafiles: usize,
    /// The release the instance behaves as (`set release`). Random seeds
    /// never draw it: every seed runs as 9i, so its configuration and
    /// trace stay what they were.
    pub release: Release,
}

/// Where user-managed and RMAN disk backups go (its own device).
pub const BACKUP_DEST: &str = "/u03/backup/";
/// Where image copies go (its own device).
pub const COPIES_DEST: &str = "/u04/copies/";

/// The devices added for backups (issue 10). A seed draws nothing for them
/// (they never return garbage in a random run), so every seed's
/// configuration stays what it was before they existed.
pub const BACKUP_DEVICES: [&str; 2] = ["backup", "copies"];

/// The simulated devices: one for the datafiles, one per log member letter,
/// one per control-file copy, one for the archive destination, one for
/// backups and one for image copies.
pub fn devices(p: &DbParams) -> Vec<(String, String)> {
    let mut d = vec![
        ("data".to_string(), "/u01/oradata/SIM/".to_string()),
        ("arch".to_string(), p.log_archive_dest.clone()),
        ("backup".to_string(), BACKUP_DEST.to_string()),
        ("copies".to_string(), COPIES_DEST.to_string()),
    ];
    for (i, c) in p.control_files.iter().enumerate() {
        d.push((format!("ctl{}", i + 1), c.clone()));
    }
    for g in &p.log_groups {
        for (m, path) in g.iter().enumerate() {
            d.push((format!("log_{}", (b'a' + m as u8) as char), path.clone()));
        }
    }
    d
}

impl RunConfig {
    pub fn from_seed(seed: u64) -> RunConfig {
        let mut r = Prng::new(seed, "config");
        let db_block_size = *r.pick(&[2048usize, 4096, 8192, 16384]);
        let os_block_size = if db_block_size >= 4096 && r.chance(1, 4) {
            4096
        } else {
            512
        };
        let mut w = OpWeights {
            dml: r.range(30, 60),
            commit: r.range(10, 25),
            rollback: r.range(1, 6),
            checkpoint: r.range(1, 6),
            switch_logfile: r.range(1, 6),
            dbwr: r.range(1, 10),
            archive: r.range(1, 8),
            shutdown_clean: r.range(0, 2),
            shutdown_abort: r.range(0, 2),
            power_loss: r.range(1, 4),
            crash_point: r.range(1, 6),
            lose_log_member: r.range(0, 2),
            lose_controlfile: r.range(0, 2),
        };
        // Swarm: switch some operations off for this seed.
        for weight in [
            &mut w.rollback,
            &mut w.checkpoint,
            &mut w.dbwr,
            &mut w.archive,
            &mut w.shutdown_clean,
            &mut w.lose_log_member,
            &mut w.lose_controlfile,
        ] {
            if r.chance(1, 4) {
                *weight = 0;
            }
        }
        let garbage = r.chance(1, 4);
        let mut cfg = RunConfig {
            db_block_size,
            os_block_size,
            log_groups: r.range(2, 4) as usize,
            log_members: r.range(1, 3) as usize,
            control_files: r.range(1, 3) as usize,
            archivelog: r.chance(3, 4),
            torn_block_protection: r.chance(1, 2),
            garbage_devices: Vec::new(),
            fates: (
                r.range(1, 8),
                r.range(1, 8),
                if garbage { r.range(1, 3) } else { 0 },
            ),
            cache_buffers: r.range(6, 48) as usize,
            log_blocks: r.range(24, 96) as u32,
            log_buffer_bytes: r.range(1024, 8192) as usize,
            keys: r.range(16, 160),
            sessions: r.range(1, 4) as u32,
            steps: r.range(120, 250) as usize,
            crash_point_ios: r.range(4, 60),
            crash_in_recovery_per_mille: r.range(0, 400),
            weights: w,
            users_datafiles: 2,
            release: Release::R9i,
        };
        cfg.fit_log_size();
        if garbage {
            for name in cfg.device_names() {
                if BACKUP_DEVICES.contains(&name.as_str()) {
                    continue;
                }
                if r.chance(1, 2) {
                    cfg.garbage_devices.push(name);
                }
            }
        }
        cfg
    }

    /// SCENARIO.md's defaults for a scenario (before its `set` lines):
    /// ARCHIVELOG on, 3 groups of 2 members, 2 control files, 8 KiB blocks
    /// on 512-byte OS blocks, 2 USERS datafiles, no torn-block protection,
    /// no garbage devices. Nothing random is armed: a scenario says itself
    /// where the power fails.
    pub fn scenario_default() -> RunConfig {
        let mut cfg = RunConfig {
            db_block_size: 8192,
            os_block_size: 512,
            log_groups: 3,
            log_members: 2,
            control_files: 2,
            archivelog: true,
            torn_block_protection: false,
            garbage_devices: Vec::new(),
            fates: (1, 1, 0),
            cache_buffers: 32,
            log_blocks: 64,
            log_buffer_bytes: 4096,
            keys: 100,
            sessions: 1,
            steps: 0,
            crash_point_ios: 1,
            crash_in_recovery_per_mille: 0,
            weights: OpWeights {
                dml: 0,
                commit: 0,
                rollback: 0,
                checkpoint: 0,
                switch_logfile: 0,
                dbwr: 0,
                archive: 0,
                shutdown_clean: 0,
                shutdown_abort: 0,
                power_loss: 0,
                crash_point: 0,
                lose_log_member: 0,
                lose_controlfile: 0,
            },
            users_datafiles: 2,
            release: Release::R9i,
        };
        cfg.fit_log_size();
        cfg
    }

    /// The names of this configuration's simulated devices, sorted.
    pub fn device_names(&self) -> std::collections::BTreeSet<String> {
        devices(&self.params(None))
            .into_iter()
            .map(|d| d.0)
            .collect()
    }

    /// A log must hold the largest record: three full block images.
    pub fn fit_log_size(&mut self) {
        let payload = (self.os_block_size - engine::redo::REDO_BLOCK_HEADER) as u32;
        self.log_blocks = self
            .log_blocks
            .max((4 * self.db_block_size as u32).div_ceil(payload) + 4);
    }

    /// The parameter file for this configuration.
    pub fn params(&self, plant: Option<engine::Plant>) -> DbParams {
        let mut p = DbParams::sim_default(
            self.db_block_size,
            self.log_groups,
            self.log_members,
            self.control_files,
            self.users_datafiles,
        );
        p.archivelog = self.archivelog;
        p.torn_block_protection = self.torn_block_protection;
        p.cache_buffers = self.cache_buffers;
        p.log_blocks = self.log_blocks;
        p.log_buffer_bytes = self.log_buffer_bytes;
        p.plant = plant;
        p.release = self.release;
        p
    }

    pub fn fate_weights(&self) -> FateWeights {
        FateWeights {
            applied: self.fates.0,
            dropped: self.fates.1,
            garbage: self.fates.2,
        }
    }

    /// One line for summaries.
    pub fn describe(&self) -> String {
        format!(
            "db_block_size={} os_block_size={} log_groups={} log_members={} control_files={} archivelog={} torn_block_protection={} garbage_devices=[{}] cache={} log_blocks={} keys={} sessions={}",
            self.db_block_size,
            self.os_block_size,
            self.log_groups,
            self.log_members,
            self.control_files,
            if self.archivelog { "on" } else { "off" },
            if self.torn_block_protection {
                "on"
            } else {
                "off"
            },
            self.garbage_devices.join(","),
            self.cache_buffers,
            self.log_blocks,
            self.keys,
            self.sessions,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configurations_are_deterministic_and_varied() {
        let a = RunConfig::from_seed(5).describe();
        assert_eq!(a, RunConfig::from_seed(5).describe());
        let all: std::collections::BTreeSet<String> = (0..50)
            .map(|s| RunConfig::from_seed(s).describe())
            .collect();
        assert!(all.len() > 45);
        for s in 0..200 {
            let c = RunConfig::from_seed(s);
            assert!(c.os_block_size <= c.db_block_size);
            assert!(
                (2..=4).contains(&c.log_groups)
                    && (1..=3).contains(&c.log_members)
                    && (1..=3).contains(&c.control_files)
            );
        }
    }

    /// Backups and image copies live on devices of their own; a seed never
    /// makes them garbage devices (so adding them changed no seed).
    #[test]
    fn backups_have_devices_of_their_own() {
        let c = RunConfig::scenario_default();
        let names = c.device_names();
        assert!(names.contains("backup") && names.contains("copies"));
        let mut disk = crate::disk::Disk::new(512);
        for (name, prefix) in devices(&c.params(None)) {
            disk.add_device(&name, &prefix, false);
        }
        assert_eq!(disk.device_of("/u03/backup/users01.dbf"), "backup");
        assert_eq!(disk.device_of("/u04/copies/users01.dbf"), "copies");
        assert_eq!(disk.device_of("/u02/arch/arch_1_1_1.arc"), "arch");
        for s in 0..300 {
            let c = RunConfig::from_seed(s);
            assert!(
                !c.garbage_devices
                    .iter()
                    .any(|d| BACKUP_DEVICES.contains(&d.as_str())),
                "seed {s}: {:?}",
                c.garbage_devices
            );
        }
    }
}
