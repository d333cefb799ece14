//! Signatures made by `aws-sigv4` itself, as the SDKs make them, and tampered copies.

use axum::http::{HeaderName, HeaderValue};

use super::*;

const KEY: &str = "AKIAPIPESIMTEST";
const SECRET: &str = "pipesim-secret";
const BODY: &[u8] = br#"{"name":"MyPipeline"}"#;

fn signed_at() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_735_689_600) // 2025-01-01T00:00:00Z
}

fn verifier() -> Verifier {
    Verifier::new(&[
        "AKIAPIPESIMTEST:pipesim-secret:111122223333"
            .parse()
            .unwrap(),
        "AKIAOTHER:other-secret:444455556666".parse().unwrap(),
    ])
}

/// Headers of a request signed the way the AWS SDK for Rust signs one.
fn signed(key: &str, secret: &str, region: &str, body: &[u8]) -> HeaderMap {
    let identity: Identity = Credentials::new(key, secret, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SERVICE)
        .time(signed_at())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let base = [
        ("host", "127.0.0.1:8409"),
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", "CodePipeline_20150709.GetPipeline"),
    ];
    let request = SignableRequest::new(
        "POST",
        "http://127.0.0.1:8409/",
        base.iter().copied(),
        SignableBody::Bytes(body),
    )
    .unwrap();
    let (instructions, _) = sign(request, &params).unwrap().into_parts();
    let mut headers = HeaderMap::new();
    for (name, value) in base {
        headers.insert(name, HeaderValue::from_static(value));
    }
    for (name, value) in instructions.headers() {
        headers.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    headers
}

fn verify(headers: &HeaderMap, body: &[u8], now: SystemTime) -> Result<(String, String), Error> {
    let verifier = verifier();
    let verified = verifier.verify(headers, body, now)?;
    Ok((verified.account.to_owned(), verified.region.to_owned()))
}

fn error_of(headers: &HeaderMap, body: &[u8]) -> (&'static str, u16, String) {
    let err = verify(headers, body, signed_at()).unwrap_err();
    (
        err.error_type(),
        err.http_status(),
        err.message().to_owned(),
    )
}

fn set(headers: &mut HeaderMap, name: &'static str, value: &str) {
    headers.insert(name, HeaderValue::from_str(value).unwrap());
}

#[test]
fn a_correct_signature_acts_in_the_credentials_account_and_the_scopes_region() {
    let headers = signed(KEY, SECRET, "eu-west-1", BODY);
    let verified = verify(&headers, BODY, signed_at()).unwrap();
    assert_eq!(verified, ("111122223333".into(), "eu-west-1".into()));
    let other = signed("AKIAOTHER", "other-secret", "us-east-1", BODY);
    assert_eq!(verify(&other, BODY, signed_at()).unwrap().0, "444455556666");
}

#[test]
fn a_request_without_authorization_is_missing_its_token() {
    let mut headers = signed(KEY, SECRET, "us-east-1", BODY);
    headers.remove(header::AUTHORIZATION);
    let (error, status, message) = error_of(&headers, BODY);
    assert_eq!(
        (error, status),
        ("MissingAuthenticationTokenException", 403)
    );
    assert_eq!(message, "Missing Authentication Token");
}

#[test]
fn a_tampered_body_or_signed_header_fails_the_signature() {
    let headers = signed(KEY, SECRET, "us-east-1", BODY);
    let (error, status, message) = error_of(&headers, br#"{"name":"OtherPipeline"}"#);
    assert_eq!((error, status), ("InvalidSignatureException", 403));
    assert!(
        message.starts_with("The request signature we calculated does not match"),
        "{message}"
    );

    let mut retargeted = headers.clone();
    set(
        &mut retargeted,
        "x-amz-target",
        "CodePipeline_20150709.DeletePipeline",
    );
    assert_eq!(error_of(&retargeted, BODY).0, "InvalidSignatureException");
}

#[test]
fn a_wrong_secret_fails_the_signature() {
    let headers = signed(KEY, "not-the-secret", "us-east-1", BODY);
    assert_eq!(error_of(&headers, BODY).0, "InvalidSignatureException");
}

#[test]
fn an_unknown_access_key_or_a_session_token_is_unrecognized() {
    let headers = signed("AKIANOBODY", SECRET, "us-east-1", BODY);
    let (error, status, message) = error_of(&headers, BODY);
    assert_eq!((error, status), ("UnrecognizedClientException", 403));
    assert_eq!(
        message,
        "The security token included in the request is invalid."
    );

    let mut with_token = signed(KEY, SECRET, "us-east-1", BODY);
    set(&mut with_token, "x-amz-security-token", "FwoGZXIvYXdzE");
    assert_eq!(error_of(&with_token, BODY).0, "UnrecognizedClientException");
}

#[test]
fn a_signature_more_than_fifteen_minutes_old_or_ahead_has_expired() {
    let headers = signed(KEY, SECRET, "us-east-1", BODY);
    let late = signed_at() + Duration::from_secs(16 * 60);
    let err = verify(&headers, BODY, late).unwrap_err();
    assert_eq!(
        (err.error_type(), err.http_status()),
        ("InvalidSignatureException", 403)
    );
    assert_eq!(
        err.message(),
        "Signature expired: 20250101T000000Z is now earlier than 20250101T000100Z (20250101T001600Z - 15 min.)"
    );
    let early = signed_at() - Duration::from_secs(16 * 60);
    let err = verify(&headers, BODY, early).unwrap_err();
    assert!(
        err.message()
            .starts_with("Signature not yet current: 20250101T000000Z is still later than"),
        "{}",
        err.message()
    );
    // Within the window either way is fine.
    verify(&headers, BODY, signed_at() + Duration::from_secs(14 * 60)).unwrap();
    verify(&headers, BODY, signed_at() - Duration::from_secs(14 * 60)).unwrap();
}

#[test]
fn malformed_authorization_headers_are_incomplete_and_say_what_is_missing() {
    let mut headers = signed(KEY, SECRET, "us-east-1", BODY);
    set(
        &mut headers,
        "authorization",
        "AWS4-HMAC-SHA256 Credential=AKIAPIPESIMTEST/20250101/us-east-1/codepipeline/aws4_request",
    );
    let (error, status, message) = error_of(&headers, BODY);
    assert_eq!((error, status), ("IncompleteSignatureException", 400));
    assert!(message.starts_with("Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter."), "{message}");

    set(&mut headers, "authorization", "Bearer abc");
    let (error, _, message) = error_of(&headers, BODY);
    assert_eq!(error, "IncompleteSignatureException");
    assert_eq!(
        message,
        "Unsupported AWS 'algorithm': 'Bearer'. Authorization=Bearer abc"
    );

    let mut no_date = signed(KEY, SECRET, "us-east-1", BODY);
    no_date.remove("x-amz-date");
    let (error, _, message) = error_of(&no_date, BODY);
    assert_eq!(error, "IncompleteSignatureException");
    assert!(
        message.contains("requires existence of either a 'X-Amz-Date' or a 'Date' header"),
        "{message}"
    );

    let mut bad_date = signed(KEY, SECRET, "us-east-1", BODY);
    set(&mut bad_date, "x-amz-date", "2025-01-01T00:00:00Z");
    assert!(
        error_of(&bad_date, BODY)
            .2
            .starts_with("Date must be in ISO-8601 'basic format'")
    );

    let mut bad_scope = signed(KEY, SECRET, "us-east-1", BODY);
    let value = bad_scope[header::AUTHORIZATION]
        .to_str()
        .unwrap()
        .replace("/aws4_request", "");
    set(&mut bad_scope, "authorization", &value);
    assert_eq!(error_of(&bad_scope, BODY).0, "IncompleteSignatureException");
}

#[test]
fn a_scope_for_another_service_or_day_fails_the_signature() {
    let headers = signed(KEY, SECRET, "us-east-1", BODY);
    let value = headers[header::AUTHORIZATION].to_str().unwrap().to_owned();
    let mut other_service = headers.clone();
    set(
        &mut other_service,
        "authorization",
        &value.replace("/codepipeline/", "/s3/"),
    );
    let (error, _, message) = error_of(&other_service, BODY);
    assert_eq!(error, "InvalidSignatureException");
    assert_eq!(
        message,
        "Credential should be scoped to correct service: 'codepipeline'. "
    );

    let mut other_day = headers.clone();
    set(
        &mut other_day,
        "authorization",
        &value.replace("/20250101/", "/20241231/"),
    );
    assert!(
        error_of(&other_day, BODY)
            .2
            .starts_with("Date in Credential scope does not match")
    );
}

#[test]
fn credentials_are_read_as_key_secret_account() {
    let credential: Credential = "AKIA1:s3cr/et+=:123456789012".parse().unwrap();
    assert_eq!(credential.secret_access_key, "s3cr/et+=");
    assert!(
        !format!("{credential:?}").contains("s3cr"),
        "Debug never shows the secret"
    );
    for bad in [
        "AKIA1:secret",
        "AKIA1::123456789012",
        "AKIA1:s:1234",
        "AK-1:s:123456789012",
        "a:b:123456789012:x",
    ] {
        assert!(bad.parse::<Credential>().is_err(), "{bad}");
    }
}

#[test]
fn dates_read_and_write_in_iso_8601_basic_format() {
    assert_eq!(parse_date("20250101T000000Z"), Some(signed_at()));
    assert_eq!(format_date(signed_at()), "20250101T000000Z");
    let leap = parse_date("20240229T235959Z").unwrap();
    assert_eq!(format_date(leap), "20240229T235959Z");
    for bad in [
        "20251301T000000Z",
        "2025-01-01T00:00:00Z",
        "20250101T000000",
        "20250101T250000Z",
    ] {
        assert_eq!(parse_date(bad), None, "{bad}");
    }
}
