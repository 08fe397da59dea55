//! The file-system sandbox: resolution of guest paths inside a directory handle.
//!
//! A guest reaches files only through directory descriptors it was given (the preopens, and
//! directories opened below them). A path is resolved one component at a time, each step an
//! `openat` relative to the directory reached so far, with `O_NOFOLLOW`, so the kernel never
//! follows a symbolic link on our behalf:
//!
//! - an absolute path is refused (`ENOTCAPABLE`);
//! - `..` steps back to the previous directory of the walk and may not leave the starting one
//!   (`ENOTCAPABLE`);
//! - a symbolic link met on the way (or as the last component, when the call follows links) is
//!   read with `readlinkat` and its target spliced into the remaining components, under the
//!   same rules: an absolute target, or one whose `..` climbs above the starting directory, is
//!   refused (`ENOTCAPABLE`); more than [`MAX_SYMLINKS`] links is `ELOOP`.
//!
//! The walk ends with an open handle on the parent directory and the last component's name;
//! the operation itself is then one `*at` call on that handle that does not follow links
//! (`O_NOFOLLOW`, `AT_SYMLINK_NOFOLLOW`). Because every directory of the walk is held open, a
//! concurrent rename on the host cannot redirect the operation outside the sandbox.

use super::abi::{Errno, WasiResult};
use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{Mode, OFlags};
use rustix::io::Errno as Host;
use std::collections::VecDeque;

/// Symbolic links followed in one resolution before giving up with `ELOOP` (as Linux).
pub(crate) const MAX_SYMLINKS: usize = 40;

/// How each directory of a walk is opened: just a handle to look names up in.
#[cfg(any(target_os = "linux", target_os = "android"))]
const WALK: OFlags = OFlags::PATH;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const WALK: OFlags = OFlags::RDONLY;

/// The outcome of a resolution: the directory that holds the last component, and its name.
#[derive(Debug)]
pub(crate) struct Resolved {
    /// Directories opened below the starting one, outermost first; the last is the parent.
    chain: Vec<OwnedFd>,
    /// The last component: a name without `/`, or `"."` for the directory itself.
    pub name: String,
    /// The path ended with `/`: the last component must be a directory.
    pub trailing_slash: bool,
}

impl Resolved {
    /// The directory holding [`Resolved::name`] (`root` if the walk did not descend).
    pub fn parent<'a>(&'a self, root: BorrowedFd<'a>) -> BorrowedFd<'a> {
        self.chain.last().map_or(root, |fd| fd.as_fd())
    }

    /// How many directories below the starting one the parent is.
    pub fn depth(&self) -> usize {
        self.chain.len()
    }
}

/// Splits a guest path into components, dropping empty ones and `.`; tells whether it ended
/// with `/`. Absolute paths are refused; an empty path does not exist; NUL is invalid.
pub(crate) fn split(path: &str) -> WasiResult<(VecDeque<String>, bool)> {
    if path.is_empty() {
        return Err(Errno::NOENT);
    }
    if path.starts_with('/') {
        return Err(Errno::NOTCAPABLE);
    }
    if path.contains('\0') {
        return Err(Errno::INVAL);
    }
    let parts = path.split('/').filter(|c| !c.is_empty() && *c != ".").map(str::to_string).collect();
    Ok((parts, path.ends_with('/')))
}

/// Whether a symbolic link created `depth` directories below a starting directory with this
/// `target` could point outside it: absolute, climbing above it with leading `..`s, or with a
/// `..` after a name. Checked when a guest creates a link, so that the host never holds a link
/// out of the sandbox.
///
/// A `..` after a name is refused, not counted: the name may be (or later become) a link,
/// and `..` then climbs from wherever that link leads, not from the name's directory
/// (`sub/l/sub/../..` with `sub/l -> ..` ends above the sandbox although it looks as if it
/// stayed inside). Leading `..`s climb real directories, from the link's own.
pub(crate) fn link_target_escapes(depth: usize, target: &str) -> bool {
    if target.starts_with('/') {
        return true;
    }
    let mut ups = 0;
    let mut named = false;
    for c in target.split('/') {
        match c {
            "" | "." => {}
            ".." if named => return true,
            ".." => ups += 1,
            _ => named = true,
        }
    }
    ups > depth
}

/// Whether moving (or hard-linking) the entry `name` of `parent` to `new_depth` directories
/// below a starting directory would leave a symbolic link there that points outside it: the
/// entry itself if it is a link, or any link in the tree below it if it is a directory. Checked
/// at `path_rename` and `path_link`, because a link whose target was inside where it was
/// created can point outside after a move to a shallower place.
pub(crate) fn move_plants_escaping_link(
    parent: BorrowedFd<'_>,
    name: &str,
    new_depth: usize,
) -> WasiResult<bool> {
    use rustix::fs::{AtFlags, FileType};
    let kind = |dir: BorrowedFd<'_>, name: &str| -> WasiResult<FileType> {
        let st = rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)?;
        Ok(FileType::from_raw_mode(st.st_mode))
    };
    match kind(parent, name)? {
        FileType::Symlink => return Ok(link_target_escapes(new_depth, &read_link(parent, name)?)),
        FileType::Directory => {}
        _ => return Ok(false),
    }
    // A directory: walk its tree (without following links), each entry at its new depth.
    let open_dir = |dir: BorrowedFd<'_>, name: &str| {
        rustix::fs::openat(
            dir,
            name,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
    };
    let mut pending: Vec<(OwnedFd, usize)> = vec![(open_dir(parent, name)?, new_depth + 1)];
    while let Some((dir, depth)) = pending.pop() {
        let names: Vec<String> = rustix::fs::Dir::read_from(&dir)?
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| entry.file_name().to_str().ok().map(str::to_string))
            .filter(|n| n != "." && n != "..")
            .collect();
        for child in names {
            match kind(dir.as_fd(), &child) {
                Ok(FileType::Symlink) if link_target_escapes(depth, &read_link(dir.as_fd(), &child)?) => {
                    return Ok(true);
                }
                Ok(FileType::Directory) => pending.push((open_dir(dir.as_fd(), &child)?, depth + 1)),
                _ => {}
            }
        }
    }
    Ok(false)
}

/// Resolves `path` below the directory `root`. With `follow`, a symbolic link as the last
/// component is followed too. A trailing `/` is reported, not acted on: the name handed to the
/// operation never carries one (the host would follow a link named `link/`).
pub(crate) fn resolve(root: BorrowedFd<'_>, path: &str, follow: bool) -> WasiResult<Resolved> {
    let (mut queue, mut trailing_slash) = split(path)?;
    let mut chain: Vec<OwnedFd> = Vec::new();
    let mut links = 0;
    while let Some(component) = queue.pop_front() {
        if component == ".." {
            chain.pop().ok_or(Errno::NOTCAPABLE)?;
            continue;
        }
        let dir = chain.last().map_or(root, |fd| fd.as_fd());
        if queue.is_empty() {
            // The last component: hand it to the operation, unless it is a link to follow.
            if follow && let Ok(target) = read_link(dir, &component) {
                trailing_slash |= splice(&mut queue, &target, &mut links)?;
                continue;
            }
            return Ok(Resolved { chain, name: component, trailing_slash });
        }
        match rustix::fs::openat(
            dir,
            component.as_str(),
            WALK | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        ) {
            Ok(fd) => chain.push(fd),
            // `O_NOFOLLOW` refuses a link (ELOOP; ENOTDIR with O_DIRECTORY): follow it ourselves.
            Err(e) if e == Host::LOOP || e == Host::NOTDIR => {
                let target = read_link(dir, &component).map_err(|_| Errno::from(e))?;
                splice(&mut queue, &target, &mut links)?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    // The path named the starting directory, or ended in `.`/`..`.
    Ok(Resolved { chain, name: ".".to_string(), trailing_slash })
}

/// The target of the symbolic link `name` in `dir` (an error if it is not a link).
fn read_link(dir: BorrowedFd<'_>, name: &str) -> WasiResult<String> {
    let target = rustix::fs::readlinkat(dir, name, Vec::new())?;
    target.into_string().map_err(|_| Errno::ILSEQ)
}

/// Puts a link's target in front of the components still to resolve; returns whether the
/// target ended with `/`.
fn splice(queue: &mut VecDeque<String>, target: &str, links: &mut usize) -> WasiResult<bool> {
    *links += 1;
    if *links > MAX_SYMLINKS {
        return Err(Errno::LOOP);
    }
    let (parts, trailing) = split(target)?;
    let ends_path = queue.is_empty();
    for part in parts.into_iter().rev() {
        queue.push_front(part);
    }
    Ok(trailing && ends_path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A scratch directory tree, removed on drop:
    /// ```text
    /// root/
    ///   a/b/c.txt
    ///   file.txt
    ///   inside -> a/b        (relative, stays inside)
    ///   up_in -> a/../a      (relative with `..`, stays inside)
    ///   etc -> /etc          (absolute)
    ///   escape -> ../..      (relative, climbs out)
    ///   a/deep_escape -> ../../outside
    ///   loop1 -> loop2, loop2 -> loop1
    ///   dangling -> missing
    /// outside/secret.txt     (next to root, must stay unreachable)
    /// ```
    struct Tree {
        base: PathBuf,
        root: OwnedFd,
    }

    impl Tree {
        fn new(tag: &str) -> Tree {
            use std::os::unix::fs::symlink;
            let base = std::env::temp_dir().join(format!("epsilon-sandbox-{tag}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&base);
            let root = base.join("root");
            std::fs::create_dir_all(root.join("a/b")).unwrap();
            std::fs::create_dir_all(base.join("outside")).unwrap();
            std::fs::write(base.join("outside/secret.txt"), "secret").unwrap();
            std::fs::write(root.join("a/b/c.txt"), "c").unwrap();
            std::fs::write(root.join("file.txt"), "f").unwrap();
            symlink("a/b", root.join("inside")).unwrap();
            symlink("a/../a", root.join("up_in")).unwrap();
            symlink("/etc", root.join("etc")).unwrap();
            symlink("../..", root.join("escape")).unwrap();
            symlink("../../outside", root.join("a/deep_escape")).unwrap();
            symlink("loop2", root.join("loop1")).unwrap();
            symlink("loop1", root.join("loop2")).unwrap();
            symlink("missing", root.join("dangling")).unwrap();
            let root =
                rustix::fs::open(&root, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())
                    .unwrap();
            Tree { base, root }
        }

        fn resolve(&self, path: &str, follow: bool) -> WasiResult<(usize, String)> {
            resolve(self.root.as_fd(), path, follow).map(|r| (r.depth(), r.name))
        }

        /// The host path of the resolved parent directory (through /proc), to check where a
        /// walk ended.
        fn parent_of(&self, path: &str) -> PathBuf {
            let r = resolve(self.root.as_fd(), path, true).unwrap();
            let fd = r.parent(self.root.as_fd());
            std::fs::read_link(format!("/proc/self/fd/{}", rustix::fd::AsRawFd::as_raw_fd(&fd))).unwrap()
        }

        fn root_path(&self) -> PathBuf {
            self.base.join("root").canonicalize().unwrap()
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.base);
        }
    }

    fn ok(depth: usize, name: &str) -> WasiResult<(usize, String)> {
        Ok((depth, name.to_string()))
    }

    #[test]
    fn split_refuses_absolute_and_empty_paths() {
        assert_eq!(split(""), Err(Errno::NOENT));
        assert_eq!(split("/etc/passwd"), Err(Errno::NOTCAPABLE));
        assert_eq!(split("a\0b"), Err(Errno::INVAL));
        let (parts, trailing) = split("a//./b/").unwrap();
        assert_eq!(parts, ["a", "b"]);
        assert!(trailing);
    }

    #[test]
    fn plain_paths_descend_one_directory_at_a_time() {
        let t = Tree::new("plain");
        assert_eq!(t.resolve("a/b/c.txt", false), ok(2, "c.txt"));
        assert_eq!(t.resolve("./a/./b//c.txt", false), ok(2, "c.txt"));
        assert_eq!(t.resolve("file.txt", false), ok(0, "file.txt"));
        assert_eq!(t.resolve(".", false), ok(0, "."));
        assert_eq!(t.resolve("a/b/new.txt", false), ok(2, "new.txt"), "the last component may not exist");
        assert_eq!(t.resolve("missing/x", false), Err(Errno::NOENT));
        assert_eq!(t.resolve("file.txt/x", false), Err(Errno::NOTDIR));
        assert_eq!(t.parent_of("a/b/c.txt"), t.root_path().join("a/b"));
    }

    #[test]
    fn dot_dot_stays_below_the_starting_directory() {
        let t = Tree::new("dotdot");
        assert_eq!(t.resolve("a/b/../../file.txt", false), ok(0, "file.txt"));
        assert_eq!(t.resolve("a/..", false), ok(0, "."));
        assert_eq!(t.resolve("..", false), Err(Errno::NOTCAPABLE));
        assert_eq!(t.resolve("../root/file.txt", false), Err(Errno::NOTCAPABLE));
        assert_eq!(t.resolve("a/../../outside/secret.txt", false), Err(Errno::NOTCAPABLE));
        assert_eq!(t.resolve("a/b/../../../x", false), Err(Errno::NOTCAPABLE));
    }

    #[test]
    fn absolute_paths_are_refused() {
        let t = Tree::new("abs");
        assert_eq!(t.resolve("/etc/passwd", true), Err(Errno::NOTCAPABLE));
        assert_eq!(t.resolve("/", false), Err(Errno::NOTCAPABLE));
    }

    #[test]
    fn links_inside_the_sandbox_are_followed() {
        let t = Tree::new("inside");
        assert_eq!(t.resolve("inside/c.txt", false), ok(2, "c.txt"));
        assert_eq!(t.parent_of("inside/c.txt"), t.root_path().join("a/b"));
        assert_eq!(t.resolve("up_in/b/c.txt", false), ok(2, "c.txt"));
        // `..` after a link is taken from the link's target (a/b/.. = a).
        assert_eq!(t.resolve("inside/../b/c.txt", false), ok(2, "c.txt"));
        // As the last component: kept as a name without `follow`, followed with it.
        assert_eq!(t.resolve("inside", false), ok(0, "inside"));
        assert_eq!(t.resolve("inside", true), ok(1, "b"));
        assert_eq!(t.resolve("inside/", true), ok(1, "b"));
        assert!(resolve(t.root.as_fd(), "inside/", false).unwrap().trailing_slash);
        assert_eq!(t.resolve("dangling", true), ok(0, "missing"));
    }

    #[test]
    fn links_out_of_the_sandbox_are_refused() {
        let t = Tree::new("outside");
        assert_eq!(t.resolve("etc/passwd", false), Err(Errno::NOTCAPABLE));
        assert_eq!(t.resolve("etc", true), Err(Errno::NOTCAPABLE));
        assert_eq!(t.resolve("etc", false), ok(0, "etc"), "the link itself may be inspected");
        assert_eq!(t.resolve("escape/outside/secret.txt", false), Err(Errno::NOTCAPABLE));
        assert_eq!(t.resolve("a/deep_escape/secret.txt", false), Err(Errno::NOTCAPABLE));
        assert_eq!(t.resolve("a/deep_escape", true), Err(Errno::NOTCAPABLE));
    }

    #[test]
    fn link_cycles_end_in_eloop() {
        let t = Tree::new("loop");
        assert_eq!(t.resolve("loop1/x", false), Err(Errno::LOOP));
        assert_eq!(t.resolve("loop1", true), Err(Errno::LOOP));
        assert_eq!(t.resolve("loop1", false), ok(0, "loop1"));
    }

    #[test]
    fn resolution_starts_at_the_given_directory() {
        // A subdirectory handle is a root of its own: `..` may not leave it either.
        let t = Tree::new("subroot");
        let sub = resolve(t.root.as_fd(), "a/b", true).unwrap();
        let sub = rustix::fs::openat(
            sub.parent(t.root.as_fd()),
            sub.name.as_str(),
            OFlags::RDONLY | OFlags::DIRECTORY,
            Mode::empty(),
        )
        .unwrap();
        assert_eq!(resolve(sub.as_fd(), "c.txt", false).map(|r| r.name), Ok("c.txt".to_string()));
        assert_eq!(resolve(sub.as_fd(), "../b/c.txt", false).map(|r| r.name), Err(Errno::NOTCAPABLE));
    }

    #[test]
    fn created_link_targets_must_stay_inside() {
        assert!(link_target_escapes(0, "/etc"));
        assert!(link_target_escapes(0, ".."));
        assert!(link_target_escapes(1, "../.."));
        assert!(link_target_escapes(0, "a/../../b"));
        assert!(!link_target_escapes(1, "../x"));
        // A `..` after a name climbs from wherever that name leads if it is a link.
        assert!(link_target_escapes(0, "a/b/../c"));
        assert!(link_target_escapes(3, "sub/l/sub/../.."));
        assert!(!link_target_escapes(2, "../../x/y"));
        assert!(!link_target_escapes(0, "./x"));
    }
}
