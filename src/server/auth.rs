//! SigV4 verification, for servers started with `--require-auth`.
//!
//! A request must carry an `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
//! Signature=...` header from one of the configured [`Credential`]s, and an `X-Amz-Date`
//! within 15 minutes of the server's clock. The signature is recomputed with `aws-sigv4`,
//! the signer the AWS SDK for Rust uses, over the headers the client says it signed and
//! the body it sent, and compared in constant time. The request then acts in the
//! credential's account and the scope's region, whatever the access key id looks like,
//! so callers of one account never see another's pipelines.
//!
//! Each way to fail has the error AWS answers it with:
//!
//! | request | error | status |
//! |---|---|---|
//! | no `Authorization` header | `MissingAuthenticationTokenException` | 403 |
//! | a header missing parts, a bad date, a malformed scope | `IncompleteSignatureException` | 400 |
//! | an access key id no credential has, or a session token | `UnrecognizedClientException` | 403 |
//! | a wrong signature, scope, or a date more than 15 minutes off | `InvalidSignatureException` | 403 |

use std::borrow::Cow;
use std::collections::HashMap;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use axum::http::{HeaderMap, header};

use crate::error::Error;

/// The signing service name of CodePipeline.
const SERVICE: &str = "codepipeline";
const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// How far a request's date may be from the server's clock, either way.
const SKEW: Duration = Duration::from_secs(15 * 60);

/// One set of credentials the server accepts, and the account its requests act in.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    /// The access key id clients sign with.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The 12-digit account the credential's requests act in.
    pub account: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret: configurations end up in logs.
        f.debug_struct("Credential")
            .field("access_key_id", &self.access_key_id)
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

impl FromStr for Credential {
    type Err = String;

    /// Reads `ACCESS_KEY_ID:SECRET_ACCESS_KEY:ACCOUNT`.
    fn from_str(text: &str) -> Result<Self, String> {
        let usage = "a credential is ACCESS_KEY_ID:SECRET_ACCESS_KEY:ACCOUNT";
        let mut parts = text.split(':');
        let (Some(key), Some(secret), Some(account), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(format!("{usage}, with three parts"));
        };
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!(
                "{usage}: the access key id must be letters and digits"
            ));
        }
        if secret.is_empty() {
            return Err(format!("{usage}: the secret access key is empty"));
        }
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("{usage}: '{account}' is not a 12-digit account id"));
        }
        Ok(Self {
            access_key_id: key.to_owned(),
            secret_access_key: secret.to_owned(),
            account: account.to_owned(),
        })
    }
}

/// Who a verified request comes from.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Verified<'a> {
    pub(crate) account: &'a str,
    pub(crate) region: &'a str,
}

/// Checks SigV4 signatures against the configured credentials.
#[derive(Clone, Debug)]
pub(crate) struct Verifier {
    by_key: HashMap<String, Credential>,
}

/// The parts of an `Authorization` header.
struct Authorization<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

impl Verifier {
    pub(crate) fn new(credentials: &[Credential]) -> Self {
        Self {
            by_key: credentials
                .iter()
                .map(|c| (c.access_key_id.clone(), c.clone()))
                .collect(),
        }
    }

    /// Verifies a `POST /` request's signature at `now`.
    pub(crate) fn verify<'a>(
        &'a self,
        headers: &'a HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Verified<'a>, Error> {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Err(Error::MissingAuthenticationToken(
                "Missing Authentication Token".into(),
            ));
        };
        let value = value.to_str().map_err(|_| {
            Error::IncompleteSignature("The Authorization header is not ASCII".into())
        })?;
        let date = headers.get("x-amz-date").and_then(|v| v.to_str().ok());
        let auth = parse(value, date)?;
        let date = date.expect("parse requires the date");
        let signed_at = parse_date(date).ok_or_else(|| {
            Error::IncompleteSignature(format!(
                "Date must be in ISO-8601 'basic format'. Got '{date}'. See http://en.wikipedia.org/wiki/ISO_8601"
            ))
        })?;
        if headers.contains_key("x-amz-security-token") {
            return Err(unrecognized());
        }
        let credential = self
            .by_key
            .get(auth.access_key_id)
            .ok_or_else(unrecognized)?;
        check_fresh(date, signed_at, now)?;
        if auth.service != SERVICE {
            return Err(Error::InvalidSignature(format!(
                "Credential should be scoped to correct service: '{SERVICE}'. "
            )));
        }
        if auth.date != &date[..8] {
            return Err(Error::InvalidSignature(format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{date}'.",
                auth.date,
                &date[..8]
            )));
        }
        if !auth.signed_headers.contains(&"host") {
            return Err(Error::IncompleteSignature(
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".into(),
            ));
        }
        let expected = signature(credential, &auth, headers, body, signed_at)?;
        if !super::constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
            return Err(Error::InvalidSignature(
                "The request signature we calculated does not match the signature you provided. \
                 Check your AWS Secret Access Key and signing method. Consult the service \
                 documentation for details."
                    .into(),
            ));
        }
        Ok(Verified {
            account: &credential.account,
            region: auth.region,
        })
    }
}

fn unrecognized() -> Error {
    Error::UnrecognizedClient("The security token included in the request is invalid.".into())
}

/// Splits an `Authorization` header into its parts, or says every part it lacks.
fn parse<'a>(value: &'a str, date: Option<&str>) -> Result<Authorization<'a>, Error> {
    let (algorithm, params) = value.split_once(' ').unwrap_or((value, ""));
    if algorithm != ALGORITHM {
        return Err(Error::IncompleteSignature(format!(
            "Unsupported AWS 'algorithm': '{algorithm}'. Authorization={value}"
        )));
    }
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for param in params.split(',') {
        match param.trim().split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => {}
        }
    }
    let mut missing = Vec::new();
    for (name, part) in [
        ("Credential", credential),
        ("Signature", signature),
        ("SignedHeaders", signed_headers),
    ] {
        if part.is_none_or(str::is_empty) {
            missing.push(format!("Authorization header requires '{name}' parameter."));
        }
    }
    if date.is_none() {
        missing.push(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
                .into(),
        );
    }
    if !missing.is_empty() {
        return Err(Error::IncompleteSignature(format!(
            "{} Authorization={value}",
            missing.join(" ")
        )));
    }
    let credential = credential.unwrap_or_default();
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, day, region, service, "aws4_request"] = scope[..] else {
        return Err(Error::IncompleteSignature(format!(
            "Credential should be scoped to a valid region, service and 'aws4_request' \
             (ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request), not '{credential}'."
        )));
    };
    if access_key_id.is_empty() || !super::caller::is_region(region) {
        return Err(Error::IncompleteSignature(format!(
            "Credential should be scoped to a valid region, not '{credential}'."
        )));
    }
    Ok(Authorization {
        access_key_id,
        date: day,
        region,
        service,
        signed_headers: signed_headers.unwrap_or_default().split(';').collect(),
        signature: signature.unwrap_or_default(),
    })
}

/// Reads an ISO-8601 basic date-time, `20250101T120000Z`.
fn parse_date(date: &str) -> Option<SystemTime> {
    let b = date.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u64> {
        let part = date.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (digits(0..4)?, digits(4..6)?, digits(6..8)?);
    let (hour, minute, second) = (digits(9..11)?, digits(11..13)?, digits(13..15)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm), for years after 1970.
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = (era * 146_097 + doe).checked_sub(719_468)?;
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second;
    Some(UNIX_EPOCH + Duration::from_secs(secs))
}

/// Writes an ISO-8601 basic date-time, `20250101T120000Z`.
fn format_date(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // The civil date of a day number (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Refuses a date more than [`SKEW`] from `now`, as AWS words it.
fn check_fresh(date: &str, signed_at: SystemTime, now: SystemTime) -> Result<(), Error> {
    if signed_at + SKEW < now {
        return Err(Error::InvalidSignature(format!(
            "Signature expired: {date} is now earlier than {} ({} - 15 min.)",
            format_date(now - SKEW),
            format_date(now)
        )));
    }
    if signed_at > now + SKEW {
        return Err(Error::InvalidSignature(format!(
            "Signature not yet current: {date} is still later than {} ({} + 15 min.)",
            format_date(now + SKEW),
            format_date(now)
        )));
    }
    Ok(())
}

/// The signature `credential` gives this request, computed by `aws-sigv4` over exactly
/// the headers the client signed.
fn signature(
    credential: &Credential,
    auth: &Authorization<'_>,
    headers: &HeaderMap,
    body: &[u8],
    signed_at: SystemTime,
) -> Result<String, Error> {
    let identity: Identity = Credentials::new(
        &credential.access_key_id,
        &credential.secret_access_key,
        None,
        None,
        "pipesim",
    )
    .into();
    let mut settings = SigningSettings::default();
    // Sign exactly what the client listed: nothing it sent is left out by default.
    settings.excluded_headers = Some(Vec::<Cow<'static, str>>::new());
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(auth.region)
        .name(SERVICE)
        .time(signed_at)
        .settings(settings)
        .build()
        .map_err(|err| Error::IncompleteSignature(err.to_string()))?
        .into();
    let mut signed: Vec<(&str, String)> = Vec::with_capacity(auth.signed_headers.len());
    for name in &auth.signed_headers {
        let values: Vec<&str> = headers
            .get_all(*name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if !values.is_empty() {
            signed.push((name, values.join(",")));
        }
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let request = SignableRequest::new(
        "POST",
        format!("http://{host}/"),
        signed.iter().map(|(name, value)| (*name, value.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|err| Error::IncompleteSignature(format!("The request cannot be signed: {err}")))?;
    let output = sign(request, &params).map_err(|err| {
        Error::IncompleteSignature(format!("The request cannot be signed: {err}"))
    })?;
    Ok(output.signature().to_owned())
}

#[cfg(test)]
mod tests;
