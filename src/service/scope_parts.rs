//! What an account and region holds besides its pipelines: the parts of a [`Scope`]
//! that calls change as a whole, such as its custom action types, its webhooks and its
//! job board.
//!
//! Each part is plain data behind its own lock, listed once in [`scope_parts!`]; the
//! macro gives it its place in [`ScopeParts`], in snapshots and in `reset`. Operations
//! reach a part only through `Cx::read_part` and `Cx::change_part`, which journal the
//! change like any other call, so replay makes it again through the operation's own
//! `apply`.
//!
//! Locks: a part's lock is taken after the world lock and never together with another
//! part's. An engine may be locked before a part (an engine change that posts a job),
//! never after.
//!
//! Adding a part: a type that is `Default + Serialize + DeserializeOwned + Send`, and
//! one line in the `scope_parts!` invocation below naming its field and type.
//!
//! [`Scope`]: super::Scope

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::sync::Mutex;

/// One part of a scope's state: see the module docs.
pub(crate) trait ScopePart: Default + Serialize + DeserializeOwned + Send + 'static {
    /// Its lock in a scope's parts.
    fn of(parts: &ScopeParts) -> &Mutex<Self>;
}

/// The parts a snapshot holds for one scope, by field name; a part a snapshot does not
/// hold (one written before the part existed) starts empty.
pub(crate) type SavedParts = serde_json::Map<String, serde_json::Value>;

/// Declares [`ScopeParts`] with one field per part, and their saving, restoring and
/// clearing.
macro_rules! scope_parts {
    ($($field:ident: $part:ty),* $(,)?) => {
        /// Every part of one scope's state, each behind its own lock.
        #[derive(Default)]
        pub(crate) struct ScopeParts {
            $(pub(crate) $field: Mutex<$part>,)*
        }

        $(impl ScopePart for $part {
            fn of(parts: &ScopeParts) -> &Mutex<Self> {
                &parts.$field
            }
        })*

        impl ScopeParts {
            /// Every part, for a snapshot.
            pub(crate) fn save(&self) -> SavedParts {
                #[allow(unused_mut, reason = "a scope may have no parts")]
                let mut saved = SavedParts::new();
                $(saved.insert(
                    stringify!($field).to_owned(),
                    serde_json::to_value(&*self.$field.lock())
                        .expect("a scope part always serialises"),
                );)*
                saved
            }

            /// Puts back the parts a snapshot holds.
            ///
            /// # Errors
            /// A saved part that does not read as its type.
            pub(crate) fn restore(&self, mut saved: SavedParts) -> Result<(), String> {
                $(if let Some(value) = saved.remove(stringify!($field)) {
                    *self.$field.lock() = serde_json::from_value(value).map_err(|err| {
                        format!("the saved {} do not read back: {err}", stringify!($field))
                    })?;
                })*
                let _ = &mut saved;
                Ok(())
            }

            /// Empties every part, for a reset.
            pub(crate) fn clear(&self) {
                $(*self.$field.lock() = <$part>::default();)*
            }
        }
    };
}

scope_parts! {
    jobs: super::jobs::JobBoard,
    webhooks: super::webhooks::Webhooks,
    action_types: crate::model::action_types::ActionTypeRegistry,
}
