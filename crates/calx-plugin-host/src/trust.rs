//! Whether a plugin file could have been written by someone other than the user running Calx.
//!
//! Loading a library runs its code with the user's rights, so a plugin that another user can
//! replace is a risk even when the flowsheet names it by absolute path. The caller reads the
//! owner and mode bits of the file and of the directory holding it (this crate does no file
//! I/O); [`trust_warnings`] says what is wrong with them:
//!
//! - the file or its directory is writable by every user (mode `o+w`; a sticky directory
//!   such as `/tmp` counts too: another user may have created the file there first);
//! - the file is owned neither by the user running Calx (the effective user id) nor by root.
//!   Root-owned files are accepted: root can change the running process anyway, and
//!   system-wide installations are root's.
//!
//! These are warnings, not refusals: the user listed the file. On platforms without Unix
//! owners and modes there is nothing to check and [`trust_warnings`] is not offered.

/// The owner and permission bits of a file or directory, as `stat` reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ownership {
    /// Owner's user id.
    pub uid: u32,
    /// Mode bits (`st_mode`; only the permission bits are read).
    pub mode: u32,
}

/// Why a plugin file could be someone else's code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TrustWarning {
    /// Every user may write the file.
    #[error("the file is writable by every user (mode {mode:o}): anyone could replace this plugin")]
    WorldWritableFile {
        /// Its permission bits.
        mode: u32,
    },
    /// Every user may write the directory holding the file.
    #[error(
        "its directory is writable by every user (mode {mode:o}): anyone could have put or replaced a library there"
    )]
    WorldWritableDirectory {
        /// The directory's permission bits.
        mode: u32,
    },
    /// The file belongs to another user.
    #[error("the file is owned by user id {owner}, not by you (user id {me}) or root")]
    ForeignOwner {
        /// The file's owner.
        owner: u32,
        /// The effective user id of this process.
        me: u32,
    },
}

const WORLD_WRITABLE: u32 = 0o002;

/// What is wrong with a plugin file's ownership and permissions, judged for user `me`.
pub fn assess(file: Ownership, directory: Ownership, me: u32) -> Vec<TrustWarning> {
    let mut out = Vec::new();
    if file.mode & WORLD_WRITABLE != 0 {
        out.push(TrustWarning::WorldWritableFile { mode: file.mode & 0o7777 });
    }
    if directory.mode & WORLD_WRITABLE != 0 {
        out.push(TrustWarning::WorldWritableDirectory { mode: directory.mode & 0o7777 });
    }
    if file.uid != me && file.uid != 0 {
        out.push(TrustWarning::ForeignOwner { owner: file.uid, me });
    }
    out
}

/// The effective user id of this process.
#[cfg(unix)]
pub fn current_user() -> u32 {
    // SAFETY: geteuid takes no arguments, touches no memory of ours and cannot fail (POSIX).
    unsafe { libc::geteuid() }
}

/// What is wrong with a plugin file's ownership and permissions, for the user running Calx.
#[cfg(unix)]
pub fn trust_warnings(file: Ownership, directory: Ownership) -> Vec<TrustWarning> {
    assess(file, directory, current_user())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: u32 = 1000;

    #[test]
    fn own_file_in_a_private_directory_is_fine() {
        let f = Ownership { uid: ME, mode: 0o100755 };
        let d = Ownership { uid: ME, mode: 0o40755 };
        assert_eq!(assess(f, d, ME), vec![]);
        // Root's files are trusted too.
        assert_eq!(assess(Ownership { uid: 0, ..f }, d, ME), vec![]);
    }

    #[test]
    fn world_writable_file_and_directory_and_a_foreign_owner_are_each_named() {
        let f = Ownership { uid: 1001, mode: 0o100777 };
        let d = Ownership { uid: 0, mode: 0o41777 };
        let w = assess(f, d, ME);
        assert_eq!(
            w,
            vec![
                TrustWarning::WorldWritableFile { mode: 0o777 },
                TrustWarning::WorldWritableDirectory { mode: 0o1777 },
                TrustWarning::ForeignOwner { owner: 1001, me: ME },
            ]
        );
        assert!(w[1].to_string().contains("mode 1777"), "{}", w[1]);
        assert!(w[2].to_string().contains("user id 1001"), "{}", w[2]);
    }
}
