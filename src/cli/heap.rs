//! Live heap bytes, read from the C allocator's own statistics, so `pipesim bench`
//! reports memory it measured rather than estimated.
//!
//! pipesim allocates through the system allocator, and glibc's `mallinfo` tells how many
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
    arenas: i32,
    mapped: i32,
}

impl Usage {
    /// Bytes in use now minus then. The counters are C `int`s that wrap past 2 GiB;
    /// differences below that come out right with wrapping arithmetic.
    fn since(&self, then: &Usage) -> i64 {
        i64::from(self.arenas.wrapping_sub(then.arenas))
            + i64::from(self.mapped.wrapping_sub(then.mapped))
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn usage() -> Result<Usage, String> {
    use std::ffi::c_int;

    /// glibc's `struct mallinfo`. `mallinfo2` has wider fields but only since glibc
    /// 2.33; `mallinfo` links everywhere.
    #[repr(C)]
    struct Mallinfo {
        arena: c_int,
        ordblks: c_int,
        smblks: c_int,
        hblks: c_int,
        hblkhd: c_int,
        usmblks: c_int,
        fsmblks: c_int,
        uordblks: c_int,
        fordblks: c_int,
        keepcost: c_int,
    }

    unsafe extern "C" {
        fn mallinfo() -> Mallinfo;
    }

    // SAFETY: `mallinfo` takes no arguments, only reads the allocator's statistics under
    // its own locks, and returns the struct by value.
    let info = unsafe { mallinfo() };
    Ok(Usage {
        arenas: info.uordblks,
        mapped: info.hblkhd,
    })
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn usage() -> Result<Usage, String> {
    Err("memory scenarios read glibc's allocator statistics: they run on Linux with glibc".into())
}
