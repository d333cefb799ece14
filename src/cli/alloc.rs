//! A global allocator that counts live heap bytes while a measurement asks it to, so
//! `pipesim bench` reports memory it measured rather than estimated.
//!
//! Outside a measurement, counting costs one relaxed atomic load per allocation. During
//! one, every allocation and free updates a global counter, so a measurement runs on one
//! thread to keep that counter uncontended and its figure free of other work.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE_BYTES: AtomicI64 = AtomicI64::new(0);

struct Counting;

fn count(delta: i64) {
    if COUNTING.load(Ordering::Relaxed) {
        LIVE_BYTES.fetch_add(delta, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; counting only
// reads the layout.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as i64);
        // SAFETY: the caller upholds `alloc`'s contract, which is `System`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as i64);
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as i64));
        // SAFETY: `ptr` was allocated by `System` with `layout`, as the caller promises.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as i64 - layout.size() as i64);
        // SAFETY: as for `dealloc`, and `new_size` is the caller's to choose.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Live heap bytes allocated since counting started, net of frees.
pub(crate) struct Measurement {
    _private: (),
}

impl Measurement {
    /// Starts counting from zero.
    pub(crate) fn start() -> Self {
        LIVE_BYTES.store(0, Ordering::Relaxed);
        COUNTING.store(true, Ordering::SeqCst);
        Self { _private: () }
    }

    /// Net bytes allocated since [`start`](Self::start).
    pub(crate) fn live_bytes(&self) -> i64 {
        LIVE_BYTES.load(Ordering::Relaxed)
    }
}

impl Drop for Measurement {
    fn drop(&mut self) {
        COUNTING.store(false, Ordering::SeqCst);
    }
}
