//! What the third-party registration process does, for a harness: registers an action
//! type for the simulator's account and region as its owner, so that `GetActionType` and
//! `UpdateActionType` answer for it. AWS registers such types on request, outside the
//! API; pipesim journals the registration like any harness change.

use crate::error::Result;
use crate::model::action_types::{ActionTypeDeclaration, ActionTypeRegistry};
use crate::persist::Record;

use super::scope_parts::ScopePart;
use super::{Inner, Simulator};

impl Simulator {
    /// Registers `declaration` for this account and region as its owner, as AWS does
    /// when a provider's request to create an action type is granted: `GetActionType`
    /// then answers it and `UpdateActionType` may replace it. Registering an id already
    /// registered replaces its declaration.
    ///
    /// # Errors
    /// `ValidationException` for a declaration `UpdateActionType` would refuse.
    pub fn register_action_type(&self, declaration: ActionTypeDeclaration) -> Result<()> {
        declaration.check("actionType.")?;
        let _world = self.inner.hold();
        let mut types = ActionTypeRegistry::of(&self.scope.parts).lock();
        self.inner.record(|| Record::RegisterActionType {
            account: self.scope.account.to_string(),
            region: self.scope.region.to_string(),
            declaration: Box::new(declaration.clone()),
        });
        types.registered.insert(declaration.id.key(), declaration);
        Ok(())
    }
}

/// Makes a journaled registration again.
pub(super) fn replay(
    inner: &Inner,
    account: &str,
    region: &str,
    declaration: ActionTypeDeclaration,
) {
    let scope = inner.scope(account, region);
    ActionTypeRegistry::of(&scope.parts)
        .lock()
        .registered
        .insert(declaration.id.key(), declaration);
}
