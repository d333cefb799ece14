//! Who is calling: the account and region a request acts in.
//!
//! Both come from the SigV4 `Authorization` header, whose credential scope reads
//! `Credential=<access key id>/<date>/<region>/codepipeline/aws4_request`. The region is
//! the scope's; the account is the access key id when that is twelve digits (so a test
//! can pick its account by picking its key), else the server's default. The signature
//! is not checked. A request without a usable header acts in the default account and
//! region.

use axum::http::{HeaderMap, header};

/// The account and region a request names; `None` where it names none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Caller<'a> {
    pub(crate) account: Option<&'a str>,
    pub(crate) region: Option<&'a str>,
}

impl<'a> Caller<'a> {
    /// Reads the caller from a request's headers.
    pub(crate) fn from_headers(headers: &'a HeaderMap) -> Self {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .map(Self::from_authorization)
            .unwrap_or_default()
    }

    /// Reads the caller from an `AWS4-HMAC-SHA256 Credential=..., ...` header value.
    fn from_authorization(value: &'a str) -> Self {
        let Some(params) = value.strip_prefix("AWS4-HMAC-SHA256") else {
            return Self::default();
        };
        let Some(credential) = params
            .split(',')
            .find_map(|param| param.trim().strip_prefix("Credential="))
        else {
            return Self::default();
        };
        let mut scope = credential.split('/');
        let access_key_id = scope.next().unwrap_or_default();
        let _date = scope.next();
        let region = scope.next();
        Self {
            account: (access_key_id.len() == 12
                && access_key_id.bytes().all(|b| b.is_ascii_digit()))
            .then_some(access_key_id),
            region: region.filter(|region| is_region(region)),
        }
    }
}

/// Whether `region` looks like a region name (`us-east-1`, `eu-central-2`, ...), so a
/// mangled scope falls back to the default instead of creating a strange region.
pub(crate) fn is_region(region: &str) -> bool {
    (1..=32).contains(&region.len())
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(value: &str) -> Caller<'_> {
        Caller::from_authorization(value)
    }

    #[test]
    fn region_comes_from_the_credential_scope() {
        let c = caller(
            "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20250101/eu-west-2/codepipeline/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
        );
        assert_eq!(c.region, Some("eu-west-2"));
        assert_eq!(c.account, None, "a non-numeric key names no account");
    }

    #[test]
    fn twelve_digit_access_key_is_the_account() {
        let c = caller(
            "AWS4-HMAC-SHA256 Credential=111122223333/20250101/us-east-1/codepipeline/aws4_request, SignedHeaders=host, Signature=abc",
        );
        assert_eq!(c.account, Some("111122223333"));
        assert_eq!(c.region, Some("us-east-1"));
        let c = caller(
            "AWS4-HMAC-SHA256 Credential=1111222233334/20250101/us-east-1/codepipeline/aws4_request",
        );
        assert_eq!(c.account, None, "thirteen digits are not an account");
    }

    #[test]
    fn credential_may_come_after_other_parameters() {
        let c = caller(
            "AWS4-HMAC-SHA256 SignedHeaders=host,Credential=123456789012/20250101/ap-south-1/codepipeline/aws4_request,Signature=0",
        );
        assert_eq!(c.account, Some("123456789012"));
        assert_eq!(c.region, Some("ap-south-1"));
    }

    #[test]
    fn unusable_headers_name_nobody() {
        for value in [
            "",
            "Bearer xyz",
            "AWS4-HMAC-SHA256",
            "AWS4-HMAC-SHA256 Signature=abc",
            "AWS4-HMAC-SHA256 Credential=",
            "AWS4-HMAC-SHA256 Credential=AKID/20250101/US_EAST/codepipeline/aws4_request",
            "AWS4-HMAC-SHA256 Credential=AKID/20250101//codepipeline/aws4_request",
        ] {
            assert_eq!(caller(value), Caller::default(), "{value:?}");
        }
    }
}
