//! `PutApprovalResult`: a reviewer's answer to a manual approval.

use serde::{Deserialize, Serialize};

use crate::Simulator;
use crate::error::{ErrorKind, Result};
use crate::model::validate::Violations;
use crate::model::{ApprovalStatus, Timestamp};
use crate::ops::{Op, Operation};
use crate::service::Cx;

/// `PutApprovalResult` input.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutApprovalResultInput {
    /// The pipeline.
    #[serde(default)]
    pub pipeline_name: String,
    /// The stage holding the approval.
    #[serde(default)]
    pub stage_name: String,
    /// The approval action.
    #[serde(default)]
    pub action_name: String,
    /// The answer.
    #[serde(default)]
    pub result: ApprovalResult,
    /// The token from `GetPipelineState`.
    #[serde(default)]
    pub token: String,
}

/// A reviewer's answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalResult {
    /// 0..512 characters.
    #[serde(default)]
    pub summary: String,
    /// Approved or Rejected.
    #[serde(default)]
    pub status: ApprovalStatus,
}

/// `PutApprovalResult` output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutApprovalResultOutput {
    /// When the answer was recorded.
    pub approved_at: Timestamp,
}

/// `PutApprovalResult`.
pub(crate) struct PutApprovalResult;

impl Op for PutApprovalResult {
    const OPERATION: Operation = Operation::PutApprovalResult;
    const ERRORS: &'static [ErrorKind] = &[
        ErrorKind::InvalidApprovalToken,
        ErrorKind::ApprovalAlreadyCompleted,
        ErrorKind::PipelineNotFound,
        ErrorKind::StageNotFound,
        ErrorKind::ActionNotFound,
        ErrorKind::Validation,
    ];
    const CHANGES_STATE: bool = true;
    type Input = PutApprovalResultInput;
    type Output = PutApprovalResultOutput;

    fn target(input: &Self::Input) -> Option<&str> {
        Some(&input.pipeline_name)
    }

    fn validate(input: &Self::Input) -> Result<()> {
        let mut v = Violations::default();
        v.name("pipelineName", &input.pipeline_name, 100);
        v.name("stageName", &input.stage_name, 100);
        v.name("actionName", &input.action_name, 100);
        v.length("result.summary", &input.result.summary, 0, 512);
        v.enumeration("result.status", &input.result.status);
        v.uuid("token", &input.token);
        v.finish()
    }

    fn apply(cx: &Cx<'_, Self>, input: &Self::Input) -> Result<Self::Output> {
        let slot = cx.pipeline(&input.pipeline_name)?;
        let approved_at =
            cx.change(&slot, |engine, now, fx| engine.put_approval(input, now, fx))?;
        Ok(PutApprovalResultOutput { approved_at })
    }
}

impl Simulator {
    /// `PutApprovalResult`: answers a manual approval.
    ///
    /// # Errors
    /// `ValidationException`, `PipelineNotFoundException`, `StageNotFoundException`,
    /// `ActionNotFoundException`, `InvalidApprovalTokenException`,
    /// `ApprovalAlreadyCompletedException`.
    pub async fn put_approval_result(
        &self,
        input: PutApprovalResultInput,
    ) -> Result<PutApprovalResultOutput> {
        self.call::<PutApprovalResult>(input).await
    }
}
