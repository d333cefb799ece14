//! Live heap bytes, read from the C allocator's own statistics, so `pipesim bench`
//! reports memory it measured rather than estimated.
//!
//! pipesim allocates through the system allocator, and glibc's `mallinfo2` tells how many
//! bytes of it are in use, malloc's own overhead per allocation included. Reading it
//! costs nothing until a measurement asks, unlike a counting global allocator, which
//! every allocation of every command (`pipesim serve` included) would pay for.
//! Measurements run on one thread so that the figure is free of other work.

/// Live heap bytes allocated since a measurement started, net of frees.
pub(crate) struct Measurement {
    start: Usage,
}

impl Measurement {
    /// Starts measuring from the heap as it is now.
    ///
    /// # Errors
    /// On platforms whose C library keeps no such statistics (pipesim reads glibc's).
    pub(crate) fn start() -> Result<Self, String> {
        Ok(Self { start: usage()? })
    }

    /// Net bytes allocated since [`start`](Self::start).
    pub(crate) fn live_bytes(&self) -> i64 {
        let now = usage().expect("read once already");
        now.since(&self.start)
    }
}

/// The allocator's bytes in use, as glibc counts them: in its arenas, and in chunks it
/// mapped on their own.
#[derive(Clone, Copy)]
struct Usage {
    arenas: usize,
    mapped: usize,
}

impl Usage {
    /// Bytes in use now minus then.
    fn since(&self, then: &Usage) -> i64 {
        (self.arenas as i64 - then.arenas as i64) + (self.mapped as i64 - then.mapped as i64)
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn usage() -> Result<Usage, String> {
    /// glibc's `struct mallinfo2` (glibc 2.33 and later): `mallinfo`'s fields as
    /// `size_t`, which do not wrap past 2 GiB as `mallinfo`'s `int`s do, so heaps of
    /// several GiB (`restart/at-scale`) are measured right.
    #[repr(C)]
    struct Mallinfo2 {
        arena: usize,
        ordblks: usize,
        smblks: usize,
        hblks: usize,
        hblkhd: usize,
        usmblks: usize,
        fsmblks: usize,
        uordblks: usize,
        fordblks: usize,
        keepcost: usize,
    }

    unsafe extern "C" {
        fn mallinfo2() -> Mallinfo2;
    }

    // SAFETY: `mallinfo2` takes no arguments, only reads the allocator's statistics
    // under its own locks, and returns the struct by value.
    let info = unsafe { mallinfo2() };
    Ok(Usage {
        arenas: info.uordblks,
        mapped: info.hblkhd,
    })
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn usage() -> Result<Usage, String> {
    Err("memory scenarios read glibc's allocator statistics: they run on Linux with glibc".into())
}
