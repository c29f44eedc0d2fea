//! Giving memory back once start-up is over, and again whenever the server falls idle. Start-up
//! (migrations, the OpenAPI document, the router, templates) and bursts of work touch memory an
//! idle server does not use: heap the allocator keeps free, and pages of the executable's code
//! and constants. A server that is idle most of the day should not carry them.

use std::sync::atomic::{AtomicU64, Ordering};

/// Requests served so far, for the idle check (one relaxed increment per request), and the
/// database looks jobs made between requests (see `jobs::quiet`).
#[derive(Default)]
pub struct Activity {
    requests: AtomicU64,
    looks: AtomicU64,
}

impl Activity {
    pub fn request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub fn looked(&self) {
        self.looks.fetch_add(1, Ordering::Relaxed);
    }

    /// Requests and looks together: what an idle server settles after.
    pub fn work(&self) -> u64 {
        self.requests() + self.looks.load(Ordering::Relaxed)
    }
}

/// Return the allocator's free heap pages to the system, and unmap the executable's read-only
/// file pages (code and constants) from this process. Those pages are unchanged copies of the
/// file: the ones still needed are mapped again, from the page cache, when next touched.
pub fn settle() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases memory glibc's allocator holds free.
    unsafe {
        libc::malloc_trim(0);
    }
    #[cfg(target_os = "linux")]
    if let Err(e) = unmap_file_pages() {
        tracing::debug!(error = %e, "returning start-up pages");
    }
}

/// `MADV_DONTNEED` on each mapping of our own executable that holds no private (changed) page:
/// for such a mapping, dropping the pages loses nothing, since the file has the same bytes. A
/// mapping with private pages (relocated data) is left alone.
#[cfg(target_os = "linux")]
fn unmap_file_pages() -> std::io::Result<()> {
    let exe = std::fs::read_link("/proc/self/exe")?;
    let exe = exe.to_string_lossy();
    let smaps = std::fs::read_to_string("/proc/self/smaps")?;
    let mut current: Option<(usize, usize, bool)> = None;
    let mut regions = Vec::new();
    for line in smaps.lines() {
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or("");
        if let Some((start, end)) = first.split_once('-')
            && let (Ok(start), Ok(end)) = (usize::from_str_radix(start, 16), usize::from_str_radix(end, 16))
        {
            let perms = words.next().unwrap_or("");
            let path = line.split_whitespace().nth(5).unwrap_or("");
            let ours = path == exe && !perms.contains('w');
            current = ours.then_some((start, end, true));
        } else if let Some((_, _, clean)) = current.as_mut()
            && matches!(first, "Private_Dirty:" | "Anonymous:")
            && words.next() != Some("0")
        {
            *clean = false;
        } else if first == "VmFlags:"
            && let Some((start, end, clean)) = current.take()
            && clean
        {
            regions.push((start, end));
        }
    }
    for (start, end) in regions {
        // SAFETY: the range is a whole read-only mapping of the executable with no private
        // pages; after MADV_DONTNEED its pages read back from the file unchanged.
        let rc = unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED) };
        if rc != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}
