//! Variable references in action configuration: `#{namespace.key}`.
//!
//! CodePipeline resolves these when an action runs. The namespace is one of:
//!
//! - `variables`: the pipeline-level variables a V2 pipeline declares
//!   (`#{variables.Env}`);
//! - `codepipeline`: the variables every execution has (`#{codepipeline.PipelineExecutionId}`);
//! - the `namespace` an action declares, under which its output variables fall
//!   (`#{SourceVariables.CommitId}`).
//!
//! [`references`] finds them in a configuration value. Validation uses it to refuse
//! references to names the pipeline does not declare; resolving them at run time uses
//! the same parser.

/// The namespace of pipeline-level variables.
pub const PIPELINE_VARIABLES: &str = "variables";

/// The reserved namespace of the variables every execution has.
pub const CODEPIPELINE: &str = "codepipeline";

/// One `#{namespace.key}` reference in a configuration value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reference<'a> {
    /// What comes before the first `.`: `variables`, `codepipeline` or an action's
    /// namespace.
    pub namespace: &'a str,
    /// What comes after it: the variable's name.
    pub key: &'a str,
}

/// The references in `value`, left to right.
///
/// A reference is `#{`, a namespace of `[A-Za-z0-9@\-_]` (the model's `ActionNamespace`
/// pattern), `.`, a key of one or more characters other than `{`, `}` and whitespace, and
/// `}`. Anything else, such as `#{}` or `#{no-dot}`, is plain text.
pub fn references(value: &str) -> impl Iterator<Item = Reference<'_>> {
    let mut rest = value;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find("#{")?;
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                rest = "";
                return None;
            };
            let reference = after[..end]
                .split_once('.')
                .filter(|(namespace, key)| is_namespace(namespace) && is_key(key))
                .map(|(namespace, key)| Reference { namespace, key });
            match reference {
                Some(reference) => {
                    rest = &after[end + 1..];
                    return Some(reference);
                }
                // Not a reference: look again from just after this `#{`.
                None => rest = after,
            }
        }
    })
}

fn is_namespace(namespace: &str) -> bool {
    !namespace.is_empty()
        && namespace
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '@' | '-' | '_'))
}

fn is_key(key: &str) -> bool {
    !key.is_empty() && !key.chars().any(|c| c == '{' || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(value: &str) -> Vec<(&str, &str)> {
        references(value).map(|r| (r.namespace, r.key)).collect()
    }

    #[test]
    fn references_are_found_left_to_right() {
        assert_eq!(
            all("#{SourceVariables.CommitId}-#{codepipeline.PipelineExecutionId}"),
            [
                ("SourceVariables", "CommitId"),
                ("codepipeline", "PipelineExecutionId")
            ]
        );
        assert_eq!(
            all(r##"[{"name":"ENV","value":"#{variables.Env}","type":"PLAINTEXT"}]"##),
            [("variables", "Env")]
        );
    }

    #[test]
    fn text_that_is_not_a_reference_is_ignored() {
        assert!(all("plain").is_empty());
        assert!(all("#{} #{nodot} #{.key} #{ns.} #{bad ns.key} #{ns.bad key}").is_empty());
        assert!(all("#{unclosed.key").is_empty());
        assert_eq!(all("#{#{ns.key}"), [("ns", "key")]);
        assert_eq!(all("#{a.b.c}"), [("a", "b.c")]);
    }
}
