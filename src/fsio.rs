//! The files duban reads because a person or a campaign named them: only regular files (a FIFO
//! or `/dev/zero` would hang it), never more than a limit, and — for paths a campaign names —
//! only inside the folders it may read, so that a campaign cannot make duban show
//! `/proc/self/environ` or `/etc/shadow`.

use std::io::Read;
use std::path::{Path, PathBuf};

/// One mebibyte.
pub const MIB: u64 = 1024 * 1024;

/// How large each kind of file may be: far beyond any real one, small enough to refuse a
/// runaway file at once.
pub mod limits {
    use super::MIB;

    /// A campaign file (the seeds are 10–30 KB).
    pub const CAMPAIGN: u64 = 16 * MIB;
    /// A contacts file (a national one with 35,715 villages is about 15 MB).
    pub const CONTACTS: u64 = 512 * MIB;
    /// A mail template.
    pub const TEMPLATE: u64 = MIB;
    /// `duban.toml`, a holiday file, a password file.
    pub const SETTINGS: u64 = 16 * MIB;
    /// A file submitted with a report.
    pub const SUBMISSION: u64 = 1024 * MIB;
}

/// Folders whose files are views of the system, not files: `/proc/self/environ` looks like a
/// regular file and holds the process's secrets.
const SYSTEM_VIEWS: [&str; 3] = ["/proc", "/sys", "/dev"];

/// Opens `path` for reading if it is a regular file of at most `limit` bytes, outside
/// [`SYSTEM_VIEWS`] (wherever its links lead).
pub fn open_regular(path: &Path, limit: u64) -> std::io::Result<std::fs::File> {
    // Looked at before opening: opening a FIFO blocks until someone writes to it.
    check_regular(&std::fs::metadata(path)?, limit)?;
    check_ordinary(&std::fs::canonicalize(path)?)?;
    let file = std::fs::File::open(path)?;
    check_regular(&file.metadata()?, limit)?;
    // What was opened, not what the path led to a moment before (a link swapped in between).
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let opened = format!("/proc/self/fd/{}", file.as_raw_fd());
        if let Ok(real) = std::fs::read_link(opened) {
            check_ordinary(&real)?;
        }
    }
    Ok(file)
}

fn check_ordinary(real: &Path) -> std::io::Result<()> {
    // Shared memory is ordinary files (a temporary folder may be there).
    if real.starts_with("/dev/shm") {
        return Ok(());
    }
    match SYSTEM_VIEWS.iter().find(|view| real.starts_with(view)) {
        Some(view) => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("it is under {view}, a view of the system rather than a file"),
        )),
        None => Ok(()),
    }
}

fn check_regular(metadata: &std::fs::Metadata, limit: u64) -> std::io::Result<()> {
    if !metadata.is_file() {
        let what = if metadata.is_dir() {
            "a folder"
        } else {
            "not a regular file (a device, a pipe or a socket)"
        };
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("it is {what}"),
        ));
    }
    if metadata.len() > limit {
        return Err(too_large(limit));
    }
    Ok(())
}

fn too_large(limit: u64) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!(
            "it is larger than {} MiB, the limit for such a file",
            limit / MIB
        ),
    )
}

/// The bytes of the regular file `path`, at most `limit` of them (a file that grows while it is
/// read is cut off with an error, not read for ever).
pub fn read_regular(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let file = open_regular(path, limit)?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(bytes)
}

/// The text of the regular file `path` (UTF-8), at most `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> std::io::Result<String> {
    String::from_utf8(read_regular(path, limit)?)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text"))
}

/// Why a file a campaign names may not be read.
#[derive(Debug, thiserror::Error)]
pub enum Confined {
    /// It is not there, or cannot be looked at.
    #[error("{0}")]
    Unreadable(std::io::Error),
    /// An absolute path outside every allowed folder.
    #[error(
        "an absolute path is read only inside a folder that duban.toml allows (`allowed_folders`); name the file relative to the campaign"
    )]
    Absolute,
    /// A relative path leading out of the campaign's folder and the workspace.
    #[error(
        "it leads outside the campaign's folder and the workspace; move the file there, or allow its folder in duban.toml (`allowed_folders`)"
    )]
    Outside,
    /// A file that holds a secret.
    #[error(
        "it holds a secret (the SMTP password, or a credential): duban never reads it as a campaign's file"
    )]
    Secret,
}

/// The folders a campaign may name files in: its own folder, the workspace (the folder of
/// `duban.toml`, or the working directory) and any folder `duban.toml` allows.
#[derive(Clone, Debug, Default)]
pub struct Confinement {
    /// The workspace, canonical.
    workspace: Option<PathBuf>,
    /// Folders allowed explicitly, canonical.
    allowed: Vec<PathBuf>,
    /// Files that hold a secret (the SMTP password, systemd credentials), canonical: never
    /// read as a campaign's file, whatever path or link reaches them.
    secrets: Vec<PathBuf>,
}

impl Confinement {
    /// Files inside `workspace` and inside `allowed` (folders that do not exist allow nothing).
    /// A workspace that is the root of the file system (a service started in `/` without a
    /// duban.toml) confines nothing, so it counts as none: only the campaign's own folder.
    pub fn new(workspace: &Path, allowed: &[PathBuf]) -> Confinement {
        Confinement {
            workspace: std::fs::canonicalize(workspace)
                .ok()
                .filter(|w| w.parent().is_some()),
            allowed: allowed
                .iter()
                .filter_map(|p| std::fs::canonicalize(p).ok())
                .collect(),
            secrets: Vec::new(),
        }
    }

    /// The same, refusing `secrets` (files, or folders of them) too.
    pub fn with_secrets(mut self, secrets: impl IntoIterator<Item = PathBuf>) -> Confinement {
        self.secrets = secrets
            .into_iter()
            .filter_map(|p| std::fs::canonicalize(p).ok())
            .collect();
        self
    }

    /// Refuses `path` (canonical) if it is, or is inside, a file that holds a secret. The
    /// refusal names no content: a diagnostic quoting the file's first line would print it.
    pub fn not_secret(&self, path: &Path) -> Result<(), Confined> {
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if self.secrets.iter().any(|s| canonical.starts_with(s)) {
            Err(Confined::Secret)
        } else {
            Ok(())
        }
    }

    /// The file `name` as a campaign in folder `base` names it, or why it may not be read.
    /// A relative name may lead anywhere inside the campaign's folder, the workspace or an
    /// allowed folder — after following every symbolic link — but not out of them with `..`;
    /// an absolute one only into an allowed folder.
    pub fn resolve(&self, base: &Path, name: &str) -> Result<PathBuf, Confined> {
        let named = Path::new(name);
        let joined = base.join(named);
        let target = std::fs::canonicalize(&joined).map_err(Confined::Unreadable)?;
        let inside = |root: &PathBuf| target.starts_with(root);
        let allowed = if named.is_absolute() {
            self.allowed.iter().any(inside)
        } else {
            let own = std::fs::canonicalize(base).ok();
            own.iter()
                .chain(&self.workspace)
                .chain(&self.allowed)
                .any(inside)
        };
        if allowed {
            self.not_secret(&target)?;
            Ok(target)
        } else if named.is_absolute() {
            Err(Confined::Absolute)
        } else {
            Err(Confined::Outside)
        }
    }
}

/// How the records name the files of a workspace — campaign files, their contacts files and
/// template folders: relative to the workspace folder when inside it, so that a copy, a move or
/// a restored backup of the folder reads its own files and not the original's; absolute when
/// outside it (a file given on the command line from elsewhere, an allowed folder).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    /// The workspace, canonical; `None` names everything absolutely.
    root: Option<PathBuf>,
}

impl Names {
    /// Names relative to `workspace` (canonical, as files are compared after following links).
    pub fn new(workspace: &Path) -> Names {
        Names {
            root: std::fs::canonicalize(workspace).ok(),
        }
    }

    /// The workspace folder, if there is one.
    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// How the records name `path` (absolute, canonical): relative to the workspace when
    /// inside it, otherwise as it is.
    pub fn name(&self, path: &Path) -> String {
        match self.root.as_ref().and_then(|r| path.strip_prefix(r).ok()) {
            Some(inside) if !inside.as_os_str().is_empty() => inside.display().to_string(),
            _ => path.display().to_string(),
        }
    }

    /// The file a name in the records means here: a relative name inside this workspace, an
    /// absolute one where it says.
    pub fn path(&self, name: &str) -> PathBuf {
        match &self.root {
            Some(root) => root.join(name),
            None => PathBuf::from(name),
        }
    }

    /// Whether the records' `stored` name is the file named `name` here: the same name, or an
    /// absolute name that older versions stored (or a copied workspace's original) ending in the
    /// relative `name` — the same file of the workspace wherever the workspace was then.
    pub fn same(&self, stored: &str, name: &str) -> bool {
        let (stored, named) = (Path::new(stored), Path::new(name));
        stored == named || (stored.is_absolute() && named.is_relative() && stored.ends_with(named))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_records_name_files_relative_to_the_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let office = std::fs::canonicalize(dir.path()).unwrap().join("office");
        std::fs::create_dir_all(office.join("campaigns")).unwrap();
        let names = Names::new(&office);
        let file = office.join("campaigns/a.campaign");
        assert_eq!(names.name(&file), "campaigns/a.campaign");
        assert_eq!(names.path("campaigns/a.campaign"), file);
        assert_eq!(names.name(Path::new("/srv/b.campaign")), "/srv/b.campaign");
        assert_eq!(names.path("/srv/b.campaign"), Path::new("/srv/b.campaign"));
        for (stored, name, same) in [
            ("campaigns/a.campaign", "campaigns/a.campaign", true),
            (
                "/old/office/campaigns/a.campaign",
                "campaigns/a.campaign",
                true,
            ),
            (
                "/old/office/campaigns/b.campaign",
                "campaigns/a.campaign",
                false,
            ),
            (
                "/old/office/xcampaigns/a.campaign",
                "campaigns/a.campaign",
                false,
            ),
            ("campaigns/a.campaign", "/srv/campaigns/a.campaign", false),
            ("other/a.campaign", "campaigns/a.campaign", false),
        ] {
            assert_eq!(names.same(stored, name), same, "{stored} vs {name}");
        }
    }

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "12345").unwrap();
        assert_eq!(read_text(&file, 5).unwrap(), "12345");
        assert!(
            read_text(&file, 4)
                .unwrap_err()
                .to_string()
                .contains("larger")
        );
        assert!(
            read_text(dir.path(), 5)
                .unwrap_err()
                .to_string()
                .contains("folder")
        );
        let zero = read_regular(Path::new("/dev/zero"), MIB).unwrap_err();
        assert!(zero.to_string().contains("not a regular file"), "{zero}");
    }

    #[test]
    fn campaigns_name_files_only_inside_their_folders() {
        let dir = tempfile::tempdir().unwrap();
        let workspace = dir.path().join("office");
        let campaigns = workspace.join("campaigns");
        std::fs::create_dir_all(&campaigns).unwrap();
        std::fs::write(campaigns.join("c.toml"), "").unwrap();
        std::fs::write(workspace.join("shared.toml"), "").unwrap();
        std::fs::write(dir.path().join("secret"), "").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret"), campaigns.join("link")).unwrap();
        let confine = Confinement::new(&workspace, &[]);
        assert!(confine.resolve(&campaigns, "c.toml").is_ok());
        assert!(confine.resolve(&campaigns, "../shared.toml").is_ok());
        assert!(confine.resolve(&campaigns, "../../secret").is_err());
        assert!(
            confine.resolve(&campaigns, "link").is_err(),
            "a link out is followed"
        );
        assert!(confine.resolve(&campaigns, "/etc/passwd").is_err());
        let absolute = dir.path().join("secret");
        let absolute = absolute.to_str().unwrap();
        assert!(confine.resolve(&campaigns, absolute).is_err());
        let root = Confinement::new(Path::new("/"), &[]);
        assert!(
            root.resolve(&campaigns, "../../secret").is_err(),
            "a workspace of / confines nothing, so it is none"
        );
        let allowing = Confinement::new(&workspace, &[dir.path().to_path_buf()]);
        assert!(allowing.resolve(&campaigns, absolute).is_ok());
    }
}
