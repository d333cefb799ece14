//! The shapes of webhooks (`PutWebhook`, `ListWebhooks`) and the checks a webhook's
//! definition and a delivery to it go through: its filters (JSONPath and `matchEquals`
//! with `{Key}` references to the target action's configuration), and its
//! authentication (GitHub's HMAC signatures, an allowed IP range, or none).

use std::collections::BTreeMap;
use std::net::IpAddr;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::Timestamp;
use crate::model::json_path::{self, JsonPath};
use crate::model::validate::Violations;
use crate::model::{Tag, WebhookAuthenticationType};

/// One filter of a webhook: the payload's value at `json_path` must equal
/// `match_equals`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookFilterRule {
    /// A JSONPath expression (Jayway's language), 1..150 characters.
    #[serde(default)]
    pub json_path: String,
    /// 1..150 characters; `{Key}` stands for the target action's configuration value
    /// `Key`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_equals: Option<String>,
}

/// What a webhook's authentication takes; note the model's capitalised member names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookAuthConfiguration {
    /// For `IP`: a CIDR block.
    #[serde(
        rename = "AllowedIPRange",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub allowed_ip_range: Option<String>,
    /// For `GITHUB_HMAC`: the secret GitHub signs payloads with. Never answered back.
    #[serde(
        rename = "SecretToken",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub secret_token: Option<String>,
}

/// A webhook as `PutWebhook` defines it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDefinition {
    /// Its name, unique in the account and region.
    #[serde(default)]
    pub name: String,
    /// The pipeline it starts.
    #[serde(default)]
    pub target_pipeline: String,
    /// The source action of the pipeline's first stage it is for.
    #[serde(default)]
    pub target_action: String,
    /// At most five; every one must match for a delivery to start the pipeline.
    #[serde(default)]
    pub filters: Vec<WebhookFilterRule>,
    /// `GITHUB_HMAC`, `IP` or `UNAUTHENTICATED`.
    #[serde(default)]
    pub authentication: WebhookAuthenticationType,
    /// What the authentication takes.
    #[serde(default)]
    pub authentication_configuration: WebhookAuthConfiguration,
}

impl WebhookDefinition {
    /// An unauthenticated webhook for `target_action` of `target_pipeline`, with no
    /// filters.
    pub fn new(
        name: impl Into<String>,
        target_pipeline: impl Into<String>,
        target_action: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            target_pipeline: target_pipeline.into(),
            target_action: target_action.into(),
            filters: Vec::new(),
            authentication: WebhookAuthenticationType::Unauthenticated,
            authentication_configuration: WebhookAuthConfiguration::default(),
        }
    }

    /// The same webhook with one more filter.
    pub fn filter(mut self, json_path: impl Into<String>, match_equals: impl Into<String>) -> Self {
        self.filters.push(WebhookFilterRule {
            json_path: json_path.into(),
            match_equals: Some(match_equals.into()),
        });
        self
    }

    /// The same webhook authenticated by GitHub's HMAC signature with `secret`.
    pub fn github_hmac(mut self, secret: impl Into<String>) -> Self {
        self.authentication = WebhookAuthenticationType::GithubHmac;
        self.authentication_configuration = WebhookAuthConfiguration {
            allowed_ip_range: None,
            secret_token: Some(secret.into()),
        };
        self
    }

    /// The same webhook accepting requests from the CIDR block `range` only.
    pub fn ip_range(mut self, range: impl Into<String>) -> Self {
        self.authentication = WebhookAuthenticationType::Ip;
        self.authentication_configuration = WebhookAuthConfiguration {
            allowed_ip_range: Some(range.into()),
            secret_token: None,
        };
        self
    }

    /// Checks the model's constraints, member paths under `path`.
    pub(crate) fn check(&self, path: &str, v: &mut Violations) {
        v.name(&format!("{path}.name"), &self.name, 100);
        v.name(
            &format!("{path}.targetPipeline"),
            &self.target_pipeline,
            100,
        );
        v.name(&format!("{path}.targetAction"), &self.target_action, 100);
        v.list_length(&format!("{path}.filters"), self.filters.len(), 0, 5);
        for (i, filter) in self.filters.iter().enumerate() {
            let at = format!("{path}.filters.{}.member", i + 1);
            v.length(&format!("{at}.jsonPath"), &filter.json_path, 1, 150);
            if let Some(value) = &filter.match_equals {
                v.length(&format!("{at}.matchEquals"), value, 1, 150);
            }
        }
        v.enumeration(&format!("{path}.authentication"), &self.authentication);
        let config = &self.authentication_configuration;
        if let Some(range) = &config.allowed_ip_range {
            let at = format!("{path}.authenticationConfiguration.AllowedIPRange");
            v.length(&at, range, 1, 100);
        }
        if let Some(secret) = &config.secret_token {
            let at = format!("{path}.authenticationConfiguration.SecretToken");
            v.length(&at, secret, 1, 100);
        }
    }

    /// The checks past the model's constraints: each filter's JSONPath, and the
    /// authentication configuration its type takes.
    ///
    /// # Errors
    /// `InvalidWebhookFilterPatternException`,
    /// `InvalidWebhookAuthenticationParametersException`.
    pub(crate) fn check_semantics(&self) -> Result<()> {
        for filter in &self.filters {
            JsonPath::parse(&filter.json_path).map_err(|why| {
                Error::InvalidWebhookFilterPattern(format!(
                    "The JSONPath expression '{}' is invalid: {why}",
                    filter.json_path
                ))
            })?;
        }
        let config = &self.authentication_configuration;
        let refuse = |why: &str| {
            Err(Error::InvalidWebhookAuthenticationParameters(format!(
                "Invalid authentication configuration for {}: {why}",
                self.authentication
            )))
        };
        match self.authentication {
            WebhookAuthenticationType::GithubHmac => {
                if config.secret_token.is_none() {
                    return refuse("SecretToken must be set");
                }
                if config.allowed_ip_range.is_some() {
                    return refuse("only SecretToken may be set");
                }
            }
            WebhookAuthenticationType::Ip => {
                let Some(range) = &config.allowed_ip_range else {
                    return refuse("AllowedIPRange must be set");
                };
                if config.secret_token.is_some() {
                    return refuse("only AllowedIPRange may be set");
                }
                if Cidr::parse(range).is_none() {
                    return refuse(&format!(
                        "AllowedIPRange '{range}' is not a valid CIDR range"
                    ));
                }
            }
            WebhookAuthenticationType::Unauthenticated => {
                if config.secret_token.is_some() || config.allowed_ip_range.is_some() {
                    return refuse("no properties can be set");
                }
            }
            WebhookAuthenticationType::Unknown(_) => {}
        }
        Ok(())
    }

    /// The definition as answers show it: the secret token left out.
    pub(crate) fn redacted(&self) -> Self {
        let mut shown = self.clone();
        shown.authentication_configuration.secret_token = None;
        shown
    }
}

/// A webhook as `PutWebhook` and `ListWebhooks` answer it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListWebhookItem {
    /// Its definition, without the secret token.
    pub definition: WebhookDefinition,
    /// The URL that triggers it: pipesim's delivery endpoint for this webhook.
    pub url: String,
    /// Never set by pipesim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// Never set by pipesim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// When a delivery last started its pipeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_triggered: Option<Timestamp>,
    /// `arn:aws:codepipeline:<region>:<account>:webhook:<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// Its tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

/// An IPv4 or IPv6 CIDR block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// `a.b.c.d/n` or an IPv6 address with `/n`.
    pub(crate) fn parse(range: &str) -> Option<Self> {
        let (address, prefix) = range.trim().split_once('/')?;
        let network: IpAddr = address.parse().ok()?;
        let prefix: u8 = prefix.parse().ok()?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        (prefix <= bits).then_some(Self { network, prefix })
    }

    /// Whether `address` is in the block.
    pub(crate) fn contains(&self, address: IpAddr) -> bool {
        fn bits(address: IpAddr) -> (u128, u32) {
            match address {
                IpAddr::V4(v4) => (u128::from(u32::from(v4)) << 96, 32),
                IpAddr::V6(v6) => (u128::from(v6), 128),
            }
        }
        let address = match (self.network, address) {
            (IpAddr::V4(_), IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => return false,
            },
            (_, address) => address,
        };
        let ((network, width), (given, given_width)) = (bits(self.network), bits(address));
        if width != given_width {
            return false;
        }
        // IPv4 addresses sit in the top 32 bits, so a prefix counts from the top for both.
        let mask = match u32::from(self.prefix) {
            0 => 0,
            prefix => u128::MAX << (128 - prefix),
        };
        network & mask == given & mask
    }
}

/// A request to a webhook's URL, as its sender made it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WebhookDelivery {
    /// The body: the event's JSON, byte for byte as signed.
    pub payload: Vec<u8>,
    /// The request's headers (names in any case): `X-Hub-Signature` (`sha1=<hex>`) or
    /// `X-Hub-Signature-256` (`sha256=<hex>`) for `GITHUB_HMAC`.
    pub headers: Vec<(String, String)>,
    /// Where the request came from, for `IP`.
    pub source_ip: Option<IpAddr>,
}

impl WebhookDelivery {
    /// A delivery of `payload` with no headers, from nowhere in particular.
    pub fn new(payload: impl Into<Vec<u8>>) -> Self {
        Self {
            payload: payload.into(),
            ..Self::default()
        }
    }

    /// The same delivery with one more header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The same delivery signed as GitHub signs it with `secret`: both
    /// `X-Hub-Signature` (HMAC-SHA1) and `X-Hub-Signature-256` (HMAC-SHA256).
    pub fn signed(self, secret: &str) -> Self {
        let sha1 = hex(&hmac_of(Hash::Sha1, secret, &self.payload));
        let sha256 = hex(&hmac_of(Hash::Sha256, secret, &self.payload));
        self.header("X-Hub-Signature", format!("sha1={sha1}"))
            .header("X-Hub-Signature-256", format!("sha256={sha256}"))
    }

    /// The same delivery from `address`.
    pub fn from_ip(mut self, address: IpAddr) -> Self {
        self.source_ip = Some(address);
        self
    }

    fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// What a delivery to a webhook came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDeliveryOutcome {
    /// Whether it started the target pipeline.
    pub started: bool,
    /// The execution it started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_execution_id: Option<String>,
    /// Why it started nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl WebhookDeliveryOutcome {
    pub(crate) fn ignored(reason: impl Into<String>) -> Self {
        Self {
            started: false,
            pipeline_execution_id: None,
            reason: Some(reason.into()),
        }
    }
}

/// Which hash GitHub's signature header uses.
#[derive(Clone, Copy)]
enum Hash {
    Sha1,
    Sha256,
}

fn hmac_of(hash: Hash, secret: &str, payload: &[u8]) -> Vec<u8> {
    fn mac<M: Mac + hmac::digest::KeyInit>(secret: &str, payload: &[u8]) -> Vec<u8> {
        let mut mac =
            <M as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
        mac.update(payload);
        mac.finalize().into_bytes().to_vec()
    }
    match hash {
        Hash::Sha1 => mac::<Hmac<sha1::Sha1>>(secret, payload),
        Hash::Sha256 => mac::<Hmac<sha2::Sha256>>(secret, payload),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `given` (`<algorithm>=<hex>`) is the HMAC of the payload with `secret`;
/// compared in constant time.
fn signature_matches(given: &str, secret: &str, payload: &[u8]) -> bool {
    let expected = match given.split_once('=') {
        Some(("sha1", _)) => format!("sha1={}", hex(&hmac_of(Hash::Sha1, secret, payload))),
        Some(("sha256", _)) => {
            format!("sha256={}", hex(&hmac_of(Hash::Sha256, secret, payload)))
        }
        _ => return false,
    };
    let given = given.to_ascii_lowercase();
    given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// Why a delivery does not pass the webhook's authentication, if it does not.
pub(crate) fn refused_by_authentication(
    definition: &WebhookDefinition,
    delivery: &WebhookDelivery,
) -> Option<String> {
    let config = &definition.authentication_configuration;
    match &definition.authentication {
        WebhookAuthenticationType::GithubHmac => {
            let secret = config.secret_token.as_deref().unwrap_or_default();
            let signatures: Vec<&str> = ["X-Hub-Signature-256", "X-Hub-Signature"]
                .into_iter()
                .filter_map(|name| delivery.header_value(name))
                .collect();
            if signatures.is_empty() {
                return Some("the request has no X-Hub-Signature header".into());
            }
            if signatures
                .iter()
                .all(|given| signature_matches(given, secret, &delivery.payload))
            {
                None
            } else {
                Some("the request's X-Hub-Signature does not match its payload".into())
            }
        }
        WebhookAuthenticationType::Ip => {
            let range = config.allowed_ip_range.as_deref().unwrap_or_default();
            let allowed = Cidr::parse(range)
                .zip(delivery.source_ip)
                .is_some_and(|(cidr, ip)| cidr.contains(ip));
            if allowed {
                None
            } else {
                Some(match delivery.source_ip {
                    Some(ip) => format!("the request comes from {ip}, outside {range}"),
                    None => format!("the request's source address is unknown, not in {range}"),
                })
            }
        }
        WebhookAuthenticationType::Unauthenticated | WebhookAuthenticationType::Unknown(_) => None,
    }
}

/// `matchEquals` with each `{Key}` replaced by the target action's configuration value
/// `Key`; a key the configuration does not have stays as written.
pub(crate) fn expand_match(value: &str, configuration: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let key = &after[..close];
                match configuration.get(key) {
                    Some(replacement) => out.push_str(replacement),
                    None => {
                        out.push('{');
                        out.push_str(key);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The first filter a payload does not pass, and why; `None` when every one passes.
/// A filter passes when a value its path selects equals its expanded `matchEquals`
/// (any value at all, without one).
pub(crate) fn failed_filter(
    filters: &[WebhookFilterRule],
    payload: &serde_json::Value,
    configuration: &BTreeMap<String, String>,
) -> Option<String> {
    for filter in filters {
        let Ok(path) = JsonPath::parse(&filter.json_path) else {
            return Some(format!(
                "the filter '{}' is not a JSONPath",
                filter.json_path
            ));
        };
        let selected = path.select(payload);
        let passes = match &filter.match_equals {
            Some(expected) => {
                let expected = expand_match(expected, configuration);
                selected
                    .iter()
                    .any(|value| json_path::as_text(value) == expected)
            }
            None => !selected.is_empty(),
        };
        if !passes {
            let found: Vec<String> = selected.iter().map(|v| json_path::as_text(v)).collect();
            return Some(match &filter.match_equals {
                Some(expected) => format!(
                    "the filter {} = '{}' does not match: the payload has {}",
                    filter.json_path,
                    expand_match(expected, configuration),
                    if found.is_empty() {
                        "nothing there".to_owned()
                    } else {
                        format!("{found:?}")
                    }
                ),
                None => format!("the filter {} selects nothing", filter.json_path),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_equals_takes_the_target_actions_configuration_for_braced_keys() {
        let config = BTreeMap::from([("Branch".to_owned(), "main".to_owned())]);
        assert_eq!(
            expand_match("refs/heads/{Branch}", &config),
            "refs/heads/main"
        );
        assert_eq!(
            expand_match("{Missing}-{Branch}", &config),
            "{Missing}-main"
        );
        assert_eq!(expand_match("open{", &config), "open{");
    }

    #[test]
    fn github_hmac_signatures_are_rfc_2104_hmacs_of_the_payload() {
        // RFC 2202 and RFC 4231 test case 2: key "Jefe".
        let data = b"what do ya want for nothing?";
        assert_eq!(
            hex(&hmac_of(Hash::Sha1, "Jefe", data)),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
        assert_eq!(
            hex(&hmac_of(Hash::Sha256, "Jefe", data)),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let delivery = WebhookDelivery::new(data.to_vec()).signed("Jefe");
        let hook = WebhookDefinition::new("h", "p", "a").github_hmac("Jefe");
        assert_eq!(refused_by_authentication(&hook, &delivery), None);
        let wrong = WebhookDefinition::new("h", "p", "a").github_hmac("other");
        assert!(refused_by_authentication(&wrong, &delivery).is_some());
        let unsigned = WebhookDelivery::new(data.to_vec());
        assert!(refused_by_authentication(&hook, &unsigned).is_some());
    }

    #[test]
    fn ip_authentication_admits_addresses_inside_the_cidr_block_only() {
        let cidr = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(cidr.contains("10.1.200.3".parse().unwrap()));
        assert!(!cidr.contains("10.2.0.1".parse().unwrap()));
        assert!(cidr.contains("::ffff:10.1.0.9".parse().unwrap()));
        assert!(
            Cidr::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        assert!(
            Cidr::parse("192.0.2.7/32")
                .unwrap()
                .contains("192.0.2.7".parse().unwrap())
        );
        assert!(
            !Cidr::parse("192.0.2.7/32")
                .unwrap()
                .contains("192.0.2.8".parse().unwrap())
        );
        let v6 = Cidr::parse("2001:db8::/32").unwrap();
        assert!(v6.contains("2001:db8:1::1".parse().unwrap()));
        assert!(!v6.contains("2001:db9::1".parse().unwrap()));
        for bad in ["10.0.0.0", "10.0.0.0/33", "nope/8", "10.0.0/8"] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }
}
