//! AWS JSON 1.1, the wire format of CodePipeline: which operation a request calls, how
//! its body decodes, and how answers and errors are encoded.
//!
//! Every answer, success or error, carries `Content-Type: application/x-amz-json-1.1`
//! and an `x-amzn-RequestId`. An error is a JSON body `{"__type", "message"}` with the
//! bare shape name (botocore reads it from there) and the same name in
//! `x-amzn-ErrorType` (the Rust SDK reads it from there first).

use std::cell::RefCell;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::model::Operation;
use crate::sim::rng::{self, Rng};

/// The content type of every request and answer.
pub(crate) const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// What comes before the operation name in `X-Amz-Target`.
pub(crate) const TARGET_PREFIX: &str = "CodePipeline_20150709.";

pub(crate) static REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");
pub(crate) static ERROR_TYPE: HeaderName = HeaderName::from_static("x-amzn-errortype");
static TARGET: HeaderName = HeaderName::from_static("x-amz-target");

/// A successful answer's body.
#[derive(Debug)]
pub(crate) enum Reply {
    /// The output shape, encoded.
    Json(Vec<u8>),
    /// Operations without an output shape (`DeletePipeline`) answer an empty body.
    Empty,
}

impl Reply {
    /// The answer to an operation with this output. An operation without an output
    /// shape has `()` for its output, which serde writes as `null`: AWS answers such
    /// calls with an empty body.
    pub(crate) fn json(output: &impl Serialize) -> Self {
        // Output shapes are plain data with string keys: encoding cannot fail.
        let body = serde_json::to_vec(output).expect("output shapes always encode");
        if body == b"null" {
            Self::Empty
        } else {
            Self::Json(body)
        }
    }
}

/// The operation a request's `X-Amz-Target` names.
pub(crate) fn operation(headers: &HeaderMap) -> Result<Operation> {
    let given = headers.get_all(&TARGET).iter().count();
    if given > 1 {
        return Err(Error::UnknownOperation(format!(
            "X-Amz-Target is given {given} times; a call names exactly one operation"
        )));
    }
    let target = headers
        .get(&TARGET)
        .ok_or_else(|| {
            Error::UnknownOperation(format!(
                "Missing X-Amz-Target header; CodePipeline calls name their operation as \
                 'X-Amz-Target: {TARGET_PREFIX}<Operation>'"
            ))
        })?
        .to_str()
        .map_err(|_| Error::UnknownOperation("X-Amz-Target is not visible ASCII".into()))?;
    target
        .strip_prefix(TARGET_PREFIX)
        .and_then(Operation::from_name)
        .ok_or_else(|| Error::UnknownOperation(format!("Unknown operation '{target}'")))
}

/// Reads the whole body within `timeout`, refusing one over `limit` bytes without
/// buffering it.
pub(crate) async fn read_body(
    body: Body,
    headers: &HeaderMap,
    limit: usize,
    timeout: std::time::Duration,
) -> Result<Bytes> {
    let too_large = |size: &dyn std::fmt::Display| {
        Error::RequestEntityTooLarge(format!(
            "The request body of {size} bytes is larger than the {limit} bytes this server \
             accepts (pipesim serve --max-body-bytes)"
        ))
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(declared) = declared.filter(|&n| n > limit as u64) {
        return Err(too_large(&declared));
    }
    match tokio::time::timeout(timeout, axum::body::to_bytes(body, limit)).await {
        Ok(read) => read.map_err(|_| too_large(&format_args!("more than {limit}"))),
        Err(_) => Err(Error::RequestTimeout(format!(
            "The request body did not arrive within {} seconds \
             (pipesim serve --request-timeout-secs)",
            timeout.as_secs_f64()
        ))),
    }
}

/// Decodes an operation's input. An empty body is the empty input `{}`.
pub(crate) fn decode<T: DeserializeOwned>(operation: Operation, body: &[u8]) -> Result<T> {
    let body = if body.is_empty() { b"{}" } else { body };
    // serde would read a JSON array as a structure's members in order; AWS would not.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(Error::Serialization(format!(
            "Cannot read the {operation} request: the body must be a JSON object"
        )));
    }
    serde_json::from_slice(body).map_err(|_| {
        // Decode again, slowly, only to say where the problem is.
        let mut json = serde_json::Deserializer::from_slice(body);
        let why = match serde_path_to_error::deserialize::<_, T>(&mut json) {
            Err(err) if err.path().iter().next().is_some() => {
                format!("at '{}': {}", err.path(), err.inner())
            }
            Err(err) => err.inner().to_string(),
            Ok(_) => "not valid JSON".to_owned(),
        };
        Error::Serialization(format!("Cannot read the {operation} request: {why}"))
    })
}

/// The answer to an API call.
pub(crate) fn respond(result: Result<Reply>) -> Response {
    match result {
        Ok(Reply::Json(body)) => answer(StatusCode::OK, body.into()),
        Ok(Reply::Empty) => answer(StatusCode::OK, Body::empty()),
        Err(err) => {
            let status = StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
            error(status, err.error_type(), err.message())
        }
    }
}

/// An error answer in the AWS JSON 1.1 shape.
pub(crate) fn error(status: StatusCode, error_type: &'static str, message: &str) -> Response {
    #[derive(Serialize)]
    struct ErrorBody<'a> {
        #[serde(rename = "__type")]
        error_type: &'a str,
        message: &'a str,
    }
    let body = serde_json::to_vec(&ErrorBody {
        error_type,
        message,
    })
    .expect("strings always encode");
    let mut response = answer(status, body.into());
    response
        .headers_mut()
        .insert(ERROR_TYPE.clone(), HeaderValue::from_static(error_type));
    response
}

fn answer(status: StatusCode, body: Body) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE)),
            (REQUEST_ID.clone(), request_id()),
        ],
        body,
    )
        .into_response()
}

/// A fresh request id (a v4 UUID), drawn from a per-thread generator so that answering
/// costs no system call. Request ids are not part of a seeded run.
pub(crate) fn request_id() -> HeaderValue {
    thread_local! {
        static IDS: RefCell<Rng> = RefCell::new(Rng::derive(rng::random_seed(), &[b"request-ids"]));
    }
    let id = IDS.with(|ids| ids.borrow_mut().uuid());
    let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
    let text = id.hyphenated().encode_lower(&mut text);
    HeaderValue::from_str(text).expect("a UUID is a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::StartPipelineExecutionInput;

    fn headers(target: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(&TARGET, HeaderValue::from_str(target).unwrap());
        headers
    }

    #[test]
    fn target_names_the_operation_after_the_service_prefix() {
        let op = operation(&headers("CodePipeline_20150709.StartPipelineExecution"));
        assert_eq!(op, Ok(Operation::StartPipelineExecution));
    }

    #[test]
    fn unknown_or_missing_target_is_an_unknown_operation() {
        for target in [
            "CodePipeline_20150709.LaunchRocket",
            "CodePipeline_20150709.startPipelineExecution",
            "CodeBuild_20161006.StartBuild",
            "StartPipelineExecution",
        ] {
            let err = operation(&headers(target)).unwrap_err();
            assert_eq!(err.error_type(), "UnknownOperationException", "{target}");
            assert!(err.message().contains(target), "{}", err.message());
        }
        let err = operation(&HeaderMap::new()).unwrap_err();
        assert_eq!(err.error_type(), "UnknownOperationException");
    }

    #[test]
    fn empty_body_is_the_empty_input() {
        let input: StartPipelineExecutionInput =
            decode(Operation::StartPipelineExecution, b"").unwrap();
        assert_eq!(input, StartPipelineExecutionInput::default());
    }

    #[test]
    fn wrong_member_type_is_a_serialization_error_naming_the_member() {
        let err = decode::<StartPipelineExecutionInput>(
            Operation::StartPipelineExecution,
            br#"{"name": "P", "variables": [{"name": 5}]}"#,
        )
        .unwrap_err();
        assert_eq!(err.error_type(), "SerializationException");
        assert!(
            err.message().starts_with(
                "Cannot read the StartPipelineExecution request: at 'variables[0].name': invalid type: integer `5`"
            ),
            "{}",
            err.message()
        );
    }

    #[test]
    fn null_means_absent_for_optional_members_and_is_a_wrong_type_for_required_ones() {
        let input: StartPipelineExecutionInput = decode(
            Operation::StartPipelineExecution,
            br#"{"name": "P", "clientRequestToken": null}"#,
        )
        .unwrap();
        assert_eq!(input, StartPipelineExecutionInput::new("P"));
        let err = decode::<StartPipelineExecutionInput>(
            Operation::StartPipelineExecution,
            br#"{"name": null}"#,
        )
        .unwrap_err();
        assert_eq!(err.error_type(), "SerializationException");
    }

    #[test]
    fn unknown_members_are_ignored() {
        let input: StartPipelineExecutionInput = decode(
            Operation::StartPipelineExecution,
            br#"{"name": "P", "someFutureMember": {"x": [1, 2]}}"#,
        )
        .unwrap();
        assert_eq!(input, StartPipelineExecutionInput::new("P"));
    }

    #[test]
    fn malformed_json_is_a_serialization_error() {
        for body in [
            &b"{"[..],
            b"not json",
            b"[]",
            b"[\"P\"]",
            b"\"name\"",
            b"\xff\xfe",
        ] {
            let err =
                decode::<StartPipelineExecutionInput>(Operation::StartPipelineExecution, body)
                    .unwrap_err();
            assert_eq!(err.error_type(), "SerializationException");
        }
    }

    #[test]
    fn request_ids_are_distinct_v4_uuids() {
        let a = request_id();
        let b = request_id();
        assert_ne!(a, b);
        let parsed = uuid::Uuid::parse_str(a.to_str().unwrap()).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
    }
}
