//! The locks the simulator shares state behind.
//!
//! In every build that ships, these are parking_lot's, re-exported as they are. In the
//! crate's own tests, a lock made while a model check runs (see
//! `engine::model_check`) is shuttle's instead, so shuttle controls and explores every
//! interleaving of the real service code: the same `Cx` primitives, the same lock order,
//! the same scheduler. Outside a model check, tests get parking_lot's too.

#[cfg(not(test))]
pub(crate) use parking_lot::{Mutex, MutexGuard, RwLock, RwLockReadGuard};

#[cfg(test)]
pub(crate) use checked::{Mutex, MutexGuard, RwLock, RwLockReadGuard, model_checking};

#[cfg(test)]
mod checked {
    use std::cell::Cell;
    use std::ops::{Deref, DerefMut};

    thread_local! {
        /// Set while a model check runs on this thread: shuttle runs every thread of a
        /// check on the thread that started it.
        static MODEL_CHECKING: Cell<bool> = const { Cell::new(false) };
    }

    /// Runs `check` with every lock it makes controlled by shuttle.
    pub(crate) fn model_checking<T>(check: impl FnOnce() -> T) -> T {
        struct Unset;
        impl Drop for Unset {
            fn drop(&mut self) {
                MODEL_CHECKING.with(|flag| flag.set(false));
            }
        }
        MODEL_CHECKING.with(|flag| flag.set(true));
        let _unset = Unset;
        check()
    }

    fn checking() -> bool {
        MODEL_CHECKING.with(Cell::get)
    }

    /// A mutex with parking_lot's interface.
    #[derive(Debug)]
    pub(crate) enum Mutex<T> {
        Fast(parking_lot::Mutex<T>),
        Checked(shuttle::sync::Mutex<T>),
    }

    pub(crate) enum MutexGuard<'a, T> {
        Fast(parking_lot::MutexGuard<'a, T>),
        Checked(shuttle::sync::MutexGuard<'a, T>),
    }

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            if checking() {
                Self::Checked(shuttle::sync::Mutex::new(value))
            } else {
                Self::Fast(parking_lot::Mutex::new(value))
            }
        }

        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            match self {
                Self::Fast(lock) => MutexGuard::Fast(lock.lock()),
                Self::Checked(lock) => {
                    MutexGuard::Checked(lock.lock().expect("no model-checked lock is poisoned"))
                }
            }
        }
    }

    impl<T: Default> Default for Mutex<T> {
        fn default() -> Self {
            Self::new(T::default())
        }
    }

    impl<T> Deref for MutexGuard<'_, T> {
        type Target = T;
        fn deref(&self) -> &T {
            match self {
                Self::Fast(guard) => guard,
                Self::Checked(guard) => guard,
            }
        }
    }

    impl<T> DerefMut for MutexGuard<'_, T> {
        fn deref_mut(&mut self) -> &mut T {
            match self {
                Self::Fast(guard) => guard,
                Self::Checked(guard) => guard,
            }
        }
    }

    /// A reader-writer lock with parking_lot's interface.
    #[derive(Debug)]
    pub(crate) enum RwLock<T> {
        Fast(parking_lot::RwLock<T>),
        Checked(shuttle::sync::RwLock<T>),
    }

    pub(crate) enum RwLockReadGuard<'a, T> {
        Fast(parking_lot::RwLockReadGuard<'a, T>),
        Checked(shuttle::sync::RwLockReadGuard<'a, T>),
    }

    pub(crate) enum RwLockWriteGuard<'a, T> {
        Fast(parking_lot::RwLockWriteGuard<'a, T>),
        Checked(shuttle::sync::RwLockWriteGuard<'a, T>),
    }

    impl<T> RwLock<T> {
        pub(crate) fn new(value: T) -> Self {
            if checking() {
                Self::Checked(shuttle::sync::RwLock::new(value))
            } else {
                Self::Fast(parking_lot::RwLock::new(value))
            }
        }

        pub(crate) fn read(&self) -> RwLockReadGuard<'_, T> {
            match self {
                Self::Fast(lock) => RwLockReadGuard::Fast(lock.read()),
                Self::Checked(lock) => RwLockReadGuard::Checked(
                    lock.read().expect("no model-checked lock is poisoned"),
                ),
            }
        }

        pub(crate) fn write(&self) -> RwLockWriteGuard<'_, T> {
            match self {
                Self::Fast(lock) => RwLockWriteGuard::Fast(lock.write()),
                Self::Checked(lock) => RwLockWriteGuard::Checked(
                    lock.write().expect("no model-checked lock is poisoned"),
                ),
            }
        }
    }

    impl<T> Deref for RwLockReadGuard<'_, T> {
        type Target = T;
        fn deref(&self) -> &T {
            match self {
                Self::Fast(guard) => guard,
                Self::Checked(guard) => guard,
            }
        }
    }

    impl<T> Deref for RwLockWriteGuard<'_, T> {
        type Target = T;
        fn deref(&self) -> &T {
            match self {
                Self::Fast(guard) => guard,
                Self::Checked(guard) => guard,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_made_during_a_model_check_are_shuttles_and_others_parking_lots() {
        assert!(matches!(Mutex::new(()), Mutex::Fast(_)));
        model_checking(|| {
            shuttle::check_random(
                || {
                    assert!(matches!(Mutex::new(()), Mutex::Checked(_)));
                    assert!(matches!(RwLock::new(()), RwLock::Checked(_)));
                    // Shuttle runs the check's threads on this thread too.
                    shuttle::thread::spawn(|| assert!(matches!(Mutex::new(()), Mutex::Checked(_))))
                        .join()
                        .unwrap();
                },
                10,
            );
        });
        assert!(matches!(Mutex::new(()), Mutex::Fast(_)));
    }
}
