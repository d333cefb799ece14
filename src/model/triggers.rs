//! V2 pipeline triggers (`PipelineDeclaration.triggers`): their shapes, their validation,
//! and which git events they let start a pipeline.
//!
//! A trigger filters the git events of the repository behind one
//! `CodeStarSourceConnection` source action: pushes of branches or tags, and pull
//! requests, by branch, tag and changed file path. Patterns are globs as the CodePipeline
//! user guide's "Working with glob patterns in syntax" page describes them, which is the
//! glob language of Java's `PathMatcher` word for word: `*` stays inside one path
//! component, `**` crosses `/`, `?` is one character of a component, `[...]` a set
//! (`[!...]` its complement), `{a,b}` alternatives (not nested), `\` escapes. `globset`
//! differs from it (its `**` only counts as a component of its own, and `**/x` also
//! matches `x`), so [`Glob`] translates a pattern to a regular expression the way Java
//! does and lets `regex-lite` match it, in linear time.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

use super::enums::{
    ActionCategory, ActionOwner, GitPullRequestEventType, PipelineTriggerProviderType, PipelineType,
};
use super::pipeline::{ActionDeclaration, PipelineDeclaration};
use super::validate::Violations;

/// One trigger: the git events of one source action's repository that start the
/// pipeline.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineTriggerDeclaration {
    /// Always `CodeStarSourceConnection`.
    #[serde(default)]
    pub provider_type: PipelineTriggerProviderType,
    /// The source action and its filters.
    #[serde(default)]
    pub git_configuration: GitConfiguration,
}

/// `GitConfiguration`: the source action a trigger watches, and its filters. With
/// neither `push` nor `pullRequest` the trigger starts the pipeline on any push to the
/// action's `BranchName`, as AWS's "no filter" trigger does.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitConfiguration {
    /// A `CodeStarSourceConnection` source action of the pipeline.
    #[serde(default)]
    pub source_action_name: String,
    /// 1..3 push filters; any one matching starts the pipeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push: Option<Vec<GitPushFilter>>,
    /// 1..3 pull request filters; any one matching starts the pipeline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request: Option<Vec<GitPullRequestFilter>>,
}

/// `GitPushFilter`: tags, or branches (and file paths). Everything given must match.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitPushFilter {
    /// Tags pushed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<FilterCriteria>,
    /// Branches pushed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branches: Option<FilterCriteria>,
    /// Files the push changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_paths: Option<FilterCriteria>,
}

/// `GitPullRequestFilter`: events, destination branches (and file paths).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitPullRequestFilter {
    /// 1..3 of `OPEN`, `UPDATED`, `CLOSED`; every event when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<GitPullRequestEventType>>,
    /// The branches the pull request is into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branches: Option<FilterCriteria>,
    /// Files the pull request changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_paths: Option<FilterCriteria>,
}

/// `GitTagFilterCriteria`, `GitBranchFilterCriteria` and `GitFilePathFilterCriteria`,
/// which share one shape: 1..8 glob patterns of 1..255 characters each way. Excludes
/// take priority over includes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FilterCriteria {
    /// A value matching one of these passes (every value, when omitted)...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub includes: Option<Vec<String>>,
    /// ...unless it matches one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excludes: Option<Vec<String>>,
}

impl FilterCriteria {
    /// Criteria that include these patterns.
    pub fn including<S: Into<String>>(patterns: impl IntoIterator<Item = S>) -> Self {
        Self {
            includes: Some(patterns.into_iter().map(Into::into).collect()),
            excludes: None,
        }
    }

    /// The same criteria excluding these patterns too.
    pub fn excluding<S: Into<String>>(mut self, patterns: impl IntoIterator<Item = S>) -> Self {
        self.excludes = Some(patterns.into_iter().map(Into::into).collect());
        self
    }

    /// Whether `value` is included and not excluded. Patterns were validated.
    pub fn matches(&self, value: &str) -> bool {
        let any = |patterns: &Option<Vec<String>>| {
            patterns
                .iter()
                .flatten()
                .any(|p| Glob::new(p).is_ok_and(|g| g.is_match(value)))
        };
        (self.includes.is_none() || any(&self.includes)) && !any(&self.excludes)
    }

    /// Whether one of `paths` is included and not excluded.
    fn matches_any(&self, paths: &[String]) -> bool {
        paths.iter().any(|path| self.matches(path))
    }

    fn patterns(&self) -> impl Iterator<Item = &String> {
        self.includes.iter().chain(&self.excludes).flatten()
    }
}

/// A glob pattern as CodePipeline's triggers read it; see the module docs.
#[derive(Clone, Debug)]
pub struct Glob(regex_lite::Regex);

impl Glob {
    /// Compiles a pattern.
    ///
    /// # Errors
    /// Why the pattern is not a glob: an unclosed `[` or `{`, a nested `{`, a `/` inside
    /// `[...]`, or a `\` with nothing to escape (the errors Java's `PathMatcher` raises).
    pub fn new(pattern: &str) -> std::result::Result<Self, String> {
        let regex = to_regex(pattern)?;
        regex_lite::Regex::new(&regex)
            .map(Glob)
            .map_err(|err| err.to_string())
    }

    /// Whether the whole of `value` matches.
    pub fn is_match(&self, value: &str) -> bool {
        self.0.is_match(value)
    }
}

/// Java's `Globs.toUnixRegexPattern`, rule for rule.
fn to_regex(glob: &str) -> std::result::Result<String, String> {
    let chars: Vec<char> = glob.chars().collect();
    let mut regex = String::from("^");
    let mut in_group = false;
    let mut i = 0;
    let escape = |regex: &mut String, c: char| {
        if "\\^$.|?*+()[]{}".contains(c) {
            regex.push('\\');
        }
        regex.push(c);
    };
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '\\' => {
                let Some(&next) = chars.get(i) else {
                    return Err("no character to escape".into());
                };
                i += 1;
                escape(&mut regex, next);
            }
            '/' => regex.push('/'),
            '[' => {
                // A set matches one character of a name component: never `/`, which
                // a plain set cannot hold (refused below) and a negated one excludes.
                regex.push('[');
                if chars.get(i) == Some(&'^') {
                    regex.push_str("\\^");
                    i += 1;
                } else {
                    if chars.get(i) == Some(&'!') {
                        regex.push_str("^/");
                        i += 1;
                    }
                    if chars.get(i) == Some(&'-') {
                        regex.push_str("\\-");
                        i += 1;
                    }
                }
                let mut has_range_start = false;
                let mut last = '\0';
                let mut closed = false;
                while i < chars.len() {
                    let c = chars[i];
                    i += 1;
                    if c == ']' {
                        closed = true;
                        break;
                    }
                    if c == '/' {
                        return Err("explicit 'name separator' in class".into());
                    }
                    if matches!(c, '\\' | '[' | '&' | '~' | '^') {
                        regex.push('\\');
                    }
                    regex.push(c);
                    if c == '-' {
                        if !has_range_start {
                            return Err("invalid range".into());
                        }
                        let Some(&end) = chars.get(i) else { break };
                        i += 1;
                        if end == ']' {
                            closed = true;
                            break;
                        }
                        if end < last {
                            return Err("invalid range".into());
                        }
                        if matches!(end, '\\' | '[' | '&' | '~' | '^') {
                            regex.push('\\');
                        }
                        regex.push(end);
                        has_range_start = false;
                    } else {
                        has_range_start = true;
                        last = c;
                    }
                }
                if !closed {
                    return Err("missing ']'".into());
                }
                regex.push(']');
            }
            '{' => {
                if in_group {
                    return Err("cannot nest groups".into());
                }
                regex.push_str("(?:(?:");
                in_group = true;
            }
            '}' if in_group => {
                regex.push_str("))");
                in_group = false;
            }
            ',' if in_group => regex.push_str(")|(?:"),
            '*' => {
                if chars.get(i) == Some(&'*') {
                    regex.push_str(".*");
                    i += 1;
                } else {
                    regex.push_str("[^/]*");
                }
            }
            '?' => regex.push_str("[^/]"),
            c => escape(&mut regex, c),
        }
    }
    if in_group {
        return Err("missing '}'".into());
    }
    regex.push('$');
    Ok(regex)
}

/// The model's constraints on `triggers`, added to a declaration's violations.
pub(crate) fn constraints(v: &mut Violations, triggers: &[PipelineTriggerDeclaration]) {
    v.list_length("pipeline.triggers", triggers.len(), 0, 50);
    for (i, trigger) in triggers.iter().enumerate() {
        let path = format!("pipeline.triggers.{}.member", i + 1);
        v.enumeration(&format!("{path}.providerType"), &trigger.provider_type);
        let git = &trigger.git_configuration;
        let git_path = format!("{path}.gitConfiguration");
        v.name(
            &format!("{git_path}.sourceActionName"),
            &git.source_action_name,
            100,
        );
        if let Some(push) = &git.push {
            let push_path = format!("{git_path}.push");
            v.list_length(&push_path, push.len(), 1, 3);
            for (j, filter) in push.iter().enumerate() {
                let path = format!("{push_path}.{}.member", j + 1);
                criteria(v, &format!("{path}.tags"), filter.tags.as_ref());
                criteria(v, &format!("{path}.branches"), filter.branches.as_ref());
                criteria(v, &format!("{path}.filePaths"), filter.file_paths.as_ref());
            }
        }
        if let Some(pull) = &git.pull_request {
            let pull_path = format!("{git_path}.pullRequest");
            v.list_length(&pull_path, pull.len(), 1, 3);
            for (j, filter) in pull.iter().enumerate() {
                let path = format!("{pull_path}.{}.member", j + 1);
                if let Some(events) = &filter.events {
                    v.list_length(&format!("{path}.events"), events.len(), 1, 3);
                    for (k, event) in events.iter().enumerate() {
                        v.enumeration(&format!("{path}.events.{}.member", k + 1), event);
                    }
                }
                criteria(v, &format!("{path}.branches"), filter.branches.as_ref());
                criteria(v, &format!("{path}.filePaths"), filter.file_paths.as_ref());
            }
        }
    }
}

fn criteria(v: &mut Violations, path: &str, criteria: Option<&FilterCriteria>) {
    let Some(criteria) = criteria else { return };
    for (name, patterns) in [
        ("includes", &criteria.includes),
        ("excludes", &criteria.excludes),
    ] {
        let Some(patterns) = patterns else { continue };
        v.list_length(&format!("{path}.{name}"), patterns.len(), 1, 8);
        for (k, pattern) in patterns.iter().enumerate() {
            v.length(&format!("{path}.{name}.{}.member", k + 1), pattern, 1, 255);
        }
    }
}

/// What AWS answers when a trigger names an action it cannot watch, or a second trigger
/// names the same action (recorded by users of the service, aws/aws-cdk#28694).
const NOT_A_CONNECTION_ACTION: &str = "Triggers for connection must reference a CodeStarSourceConnection action. Note that when you specify a trigger, you cant specify more than one trigger per source action.";

/// What AWS answers for a filter combination it does not allow
/// (hashicorp/terraform-provider-aws#43105).
const INVALID_COMBINATION: &str = "The trigger configuration for the source action is not valid. Make sure to choose valid filter combinations.";

/// The rules on `triggers` beyond the model's: V2 only, one trigger per
/// `CodeStarSourceConnection` source action, the filter combinations the user guide
/// lists (push: tags, branches, or branches and file paths; pull request: branches, or
/// branches and file paths), and well-formed globs.
pub(crate) fn structure(p: &PipelineDeclaration) -> Result<()> {
    let Some(triggers) = &p.triggers else {
        return Ok(());
    };
    if triggers.is_empty() {
        return Ok(());
    }
    if p.pipeline_type != Some(PipelineType::V2) {
        return Err(Error::InvalidStructure(
            "Triggers are only supported by V2 pipelines".into(),
        ));
    }
    let mut watched = std::collections::HashSet::new();
    for trigger in triggers {
        let name = trigger.git_configuration.source_action_name.as_str();
        let action = connection_actions(p).find(|a| a.name == name);
        if action.is_none() || !watched.insert(name) {
            return Err(Error::InvalidStructure(NOT_A_CONNECTION_ACTION.into()));
        }
        let git = &trigger.git_configuration;
        let mut all_criteria = Vec::new();
        for filter in git.push.iter().flatten() {
            let valid = match (&filter.tags, &filter.branches, &filter.file_paths) {
                (Some(tags), None, None) => usable(tags),
                (None, Some(branches), None) => usable(branches),
                (None, Some(branches), Some(paths)) => usable(branches) && usable(paths),
                _ => false,
            };
            if !valid {
                return Err(Error::InvalidStructure(INVALID_COMBINATION.into()));
            }
            all_criteria.extend([&filter.tags, &filter.branches, &filter.file_paths]);
        }
        for filter in git.pull_request.iter().flatten() {
            let valid = match (&filter.branches, &filter.file_paths) {
                (Some(branches), None) => usable(branches),
                (Some(branches), Some(paths)) => usable(branches) && usable(paths),
                _ => false,
            };
            if !valid {
                return Err(Error::InvalidStructure(INVALID_COMBINATION.into()));
            }
            all_criteria.extend([&filter.branches, &filter.file_paths]);
        }
        for pattern in all_criteria
            .into_iter()
            .flatten()
            .flat_map(FilterCriteria::patterns)
        {
            if let Err(why) = Glob::new(pattern) {
                return Err(Error::InvalidStructure(format!(
                    "The trigger configuration for the source action is not valid. '{pattern}' is not a valid glob pattern: {why}"
                )));
            }
        }
    }
    Ok(())
}

/// Criteria that say something: includes, excludes or both.
fn usable(criteria: &FilterCriteria) -> bool {
    criteria.includes.is_some() || criteria.excludes.is_some()
}

/// The source actions of a declaration that use a connection.
pub(crate) fn connection_actions(
    p: &PipelineDeclaration,
) -> impl Iterator<Item = &ActionDeclaration> {
    p.stages
        .first()
        .into_iter()
        .flat_map(|stage| &stage.actions)
        .filter(|a| {
            a.action_type_id.category == ActionCategory::Source
                && a.action_type_id.owner == ActionOwner::Aws
                && a.action_type_id.provider == "CodeStarSourceConnection"
        })
}

/// What happened in a repository.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GitChange {
    /// Commits pushed to a branch, or a tag pushed.
    Push(GitRef),
    /// A pull request opened, updated or closed.
    PullRequest {
        /// `OPEN`, `UPDATED` or `CLOSED`.
        event: GitPullRequestEventType,
        /// The branch the changes come from; the execution fetches its commit.
        source_branch: String,
        /// The branch the pull request is into; branch filters match this one.
        destination_branch: String,
    },
}

/// A branch or a tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GitRef {
    /// A branch name, without `refs/heads/`.
    Branch(String),
    /// A tag name, without `refs/tags/`.
    Tag(String),
}

/// A git event in a connection's repository, as a harness simulates it: what changed,
/// at which commit, touching which files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitEvent {
    /// The repository, as source actions name it in `FullRepositoryId` (`owner/name`).
    pub repository: String,
    /// A push or a pull request event.
    pub change: GitChange,
    /// The commit the execution fetches: the pushed one, or the head of the pull
    /// request's source branch.
    pub commit_id: String,
    /// Its message, shown as the revision's summary and `CommitMessage` variable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_message: Option<String>,
    /// The files the push or pull request changes, for file path filters.
    #[serde(default)]
    pub file_paths: Vec<String>,
}

impl GitEvent {
    /// A push of commit `commit_id` to `branch`.
    pub fn push(repository: &str, branch: &str, commit_id: &str) -> Self {
        Self::new(
            repository,
            GitChange::Push(GitRef::Branch(branch.into())),
            commit_id,
        )
    }

    /// A push of tag `tag` at commit `commit_id`.
    pub fn tag(repository: &str, tag: &str, commit_id: &str) -> Self {
        Self::new(
            repository,
            GitChange::Push(GitRef::Tag(tag.into())),
            commit_id,
        )
    }

    /// A pull request `event` from `source_branch` (at `commit_id`) into
    /// `destination_branch`.
    pub fn pull_request(
        repository: &str,
        event: GitPullRequestEventType,
        (source_branch, destination_branch): (&str, &str),
        commit_id: &str,
    ) -> Self {
        let change = GitChange::PullRequest {
            event,
            source_branch: source_branch.into(),
            destination_branch: destination_branch.into(),
        };
        Self::new(repository, change, commit_id)
    }

    fn new(repository: &str, change: GitChange, commit_id: &str) -> Self {
        Self {
            repository: repository.into(),
            change,
            commit_id: commit_id.into(),
            commit_message: None,
            file_paths: Vec::new(),
        }
    }

    /// The same event with a commit message.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.commit_message = Some(message.into());
        self
    }

    /// The same event changing these files.
    pub fn files<S: Into<String>>(mut self, paths: impl IntoIterator<Item = S>) -> Self {
        self.file_paths = paths.into_iter().map(Into::into).collect();
        self
    }

    /// Checks the event as pipesim's own input: a repository, a branch or tag, a commit
    /// id of at most 1500 characters (a revision override's limit) and a message of at
    /// most 1500.
    pub(crate) fn check(&self) -> Result<()> {
        let mut v = Violations::default();
        v.length("repository", &self.repository, 1, 1024);
        v.length("commitId", &self.commit_id, 1, 1500);
        if let Some(message) = &self.commit_message {
            v.length("commitMessage", message, 0, 1500);
        }
        match &self.change {
            GitChange::Push(GitRef::Branch(name)) => v.length("branch", name, 1, 255),
            GitChange::Push(GitRef::Tag(name)) => v.length("tag", name, 1, 255),
            GitChange::PullRequest {
                event,
                source_branch,
                destination_branch,
            } => {
                v.enumeration("event", event);
                v.length("sourceBranch", source_branch, 1, 255);
                v.length("destinationBranch", destination_branch, 1, 255);
            }
        }
        v.list_length("filePaths", self.file_paths.len(), 0, 1000);
        v.finish()
    }
}

/// Which source actions of a pipeline take a git event: `Ok` with their names, or `Err`
/// with why none does (`None` when no source action of the pipeline uses the event's
/// repository at all).
pub(crate) fn taking_actions(
    p: &PipelineDeclaration,
    event: &GitEvent,
) -> std::result::Result<Vec<String>, Option<String>> {
    let mut reasons = Vec::new();
    let mut taking = Vec::new();
    let mut on_repository = false;
    for action in connection_actions(p) {
        let repository = action
            .configuration
            .as_ref()
            .and_then(|c| c.get("FullRepositoryId"));
        if repository != Some(&event.repository) {
            continue;
        }
        on_repository = true;
        match takes(p, action, &event.change, &event.file_paths) {
            Ok(()) => taking.push(action.name.clone()),
            Err(reason) => reasons.push(reason),
        }
    }
    if !taking.is_empty() {
        Ok(taking)
    } else if on_repository {
        Err(Some(reasons.join("; ")))
    } else {
        Err(None)
    }
}

/// Whether one source action's trigger (or its default change detection) takes an event,
/// and if not, why not.
fn takes(
    p: &PipelineDeclaration,
    action: &ActionDeclaration,
    change: &GitChange,
    files: &[String],
) -> std::result::Result<(), String> {
    let trigger = p
        .triggers
        .iter()
        .flatten()
        .find(|t| t.git_configuration.source_action_name == action.name);
    let git = trigger.map(|t| &t.git_configuration);
    let filtered = git.is_some_and(|g| g.push.is_some() || g.pull_request.is_some());
    let name = &action.name;
    if !filtered {
        // No filter: a push to the action's branch, unless change detection is off
        // (a trigger without filters detects changes whatever DetectChanges says).
        let config = |key: &str| action.configuration.as_ref().and_then(|c| c.get(key));
        if trigger.is_none() && config("DetectChanges").is_some_and(|v| v == "false") {
            return Err(format!(
                "source action '{name}' has DetectChanges set to false"
            ));
        }
        let branch = config("BranchName").map_or("", String::as_str);
        return match change {
            GitChange::Push(GitRef::Branch(pushed)) if pushed == branch => Ok(()),
            GitChange::Push(GitRef::Branch(pushed)) => Err(format!(
                "source action '{name}' watches branch '{branch}', not '{pushed}'"
            )),
            GitChange::Push(GitRef::Tag(_)) => Err(format!(
                "source action '{name}' has no trigger filtering on tags"
            )),
            GitChange::PullRequest { .. } => Err(format!(
                "source action '{name}' has no trigger filtering on pull requests"
            )),
        };
    }
    let git = git.expect("filtered implies a trigger");
    match change {
        GitChange::Push(pushed) => {
            let Some(filters) = &git.push else {
                return Err(format!("the trigger of '{name}' has no push filter"));
            };
            let matches = |f: &GitPushFilter| match pushed {
                GitRef::Tag(tag) => f.tags.as_ref().is_some_and(|c| c.matches(tag)),
                GitRef::Branch(branch) => {
                    f.branches.as_ref().is_some_and(|c| c.matches(branch))
                        && f.file_paths.as_ref().is_none_or(|c| c.matches_any(files))
                }
            };
            if filters.iter().any(matches) {
                Ok(())
            } else {
                Err(format!("no push filter of the trigger of '{name}' matches"))
            }
        }
        GitChange::PullRequest {
            event,
            destination_branch,
            ..
        } => {
            let Some(filters) = &git.pull_request else {
                return Err(format!(
                    "the trigger of '{name}' has no pull request filter"
                ));
            };
            let matches = |f: &GitPullRequestFilter| {
                f.events
                    .as_ref()
                    .is_none_or(|events| events.contains(event))
                    && f.branches
                        .as_ref()
                        .is_some_and(|c| c.matches(destination_branch))
                    && f.file_paths.as_ref().is_none_or(|c| c.matches_any(files))
            };
            if filters.iter().any(matches) {
                Ok(())
            } else {
                Err(format!(
                    "no pull request filter of the trigger of '{name}' matches"
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn glob(p: &str) -> Glob {
        Glob::new(p).unwrap()
    }

    #[test]
    fn a_star_stays_in_one_path_component_and_two_stars_cross_slashes() {
        assert!(glob("feature/*").is_match("feature/login"));
        assert!(!glob("feature/*").is_match("feature/a/b"));
        assert!(glob("feature/**").is_match("feature/a/b"));
        assert!(glob("release-*").is_match("release-1.2"));
        assert!(glob("**.js").is_match("src/app/main.js"));
        assert!(!glob("*.js").is_match("src/main.js"));
        // As in Java: `**/` needs a directory before the name.
        assert!(glob("**/README.md").is_match("docs/README.md"));
        assert!(!glob("**/README.md").is_match("README.md"));
        assert!(glob("common/**/*.js").is_match("common/a/b/c.js"));
        assert!(!glob("common/**/*.js").is_match("common/c.js"));
    }

    #[test]
    fn question_marks_sets_groups_and_escapes_follow_the_user_guide() {
        assert!(glob("v?").is_match("v1"));
        assert!(!glob("v?").is_match("v12"));
        assert!(!glob("a?b").is_match("a/b"));
        assert!(glob("v[0-9]").is_match("v7"));
        assert!(!glob("v[!0-9]").is_match("v7"));
        assert!(glob("v[!0-9]").is_match("vx"));
        assert!(glob("[-a]").is_match("-"));
        assert!(glob("*.{java,class}").is_match("Main.class"));
        assert!(!glob("*.{java,class}").is_match("Main.kt"));
        assert!(glob(r"a\*b").is_match("a*b"));
        assert!(!glob(r"a\*b").is_match("axb"));
        assert!(glob("[*?]").is_match("*"));
        assert!(glob("a,b").is_match("a,b"));
        assert!(glob("x}").is_match("x}"));
        assert!(glob("a.b+c(d)$").is_match("a.b+c(d)$"));
    }

    #[test]
    fn malformed_globs_are_refused_as_java_refuses_them() {
        for bad in ["[abc", "{a,b", "{a,{b}}", "a\\", "[a/b]", "[z-a]"] {
            assert!(Glob::new(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn excludes_take_priority_over_includes() {
        let c = FilterCriteria::including(["release/**"]).excluding(["release/old*"]);
        assert!(c.matches("release/2024"));
        assert!(!c.matches("release/old-1"));
        assert!(!c.matches("main"));
        let only_excludes = FilterCriteria {
            includes: None,
            excludes: Some(vec!["main".into()]),
        };
        assert!(only_excludes.matches("dev"));
        assert!(!only_excludes.matches("main"));
    }

    fn pipeline() -> PipelineDeclaration {
        PipelineDeclaration::connection_example("P", "acme/web", "main")
            .v2(super::super::enums::ExecutionMode::Queued)
    }

    fn git(
        push: Option<Vec<GitPushFilter>>,
        pull: Option<Vec<GitPullRequestFilter>>,
    ) -> GitConfiguration {
        GitConfiguration {
            source_action_name: "Code".into(),
            push,
            pull_request: pull,
        }
    }

    fn check(p: &PipelineDeclaration) -> Result<()> {
        super::super::validate::pipeline_declaration(p)
    }

    fn structure_error(p: &PipelineDeclaration) -> String {
        let err = check(p).unwrap_err();
        assert_eq!(err.error_type(), "InvalidStructureException", "{err:?}");
        err.message().to_owned()
    }

    #[test]
    fn triggers_need_a_v2_pipeline() {
        let mut p = pipeline().trigger(git(None, None));
        assert!(check(&p).is_ok());
        p.pipeline_type = None;
        p.execution_mode = None;
        assert_eq!(
            structure_error(&p),
            "Triggers are only supported by V2 pipelines"
        );
    }

    #[test]
    fn a_trigger_names_one_connection_source_action_and_each_action_has_one_trigger() {
        let mut other = git(None, None);
        other.source_action_name = "Missing".into();
        assert_eq!(
            structure_error(&pipeline().trigger(other)),
            NOT_A_CONNECTION_ACTION
        );
        let twice = pipeline().trigger(git(None, None)).trigger(git(None, None));
        assert_eq!(structure_error(&twice), NOT_A_CONNECTION_ACTION);
        let mut s3 = PipelineDeclaration::two_stage_example("P")
            .v2(super::super::enums::ExecutionMode::Queued);
        let mut on_s3 = git(None, None);
        on_s3.source_action_name = "Fetch".into();
        s3 = s3.trigger(on_s3);
        assert_eq!(structure_error(&s3), NOT_A_CONNECTION_ACTION);
    }

    #[test]
    fn push_filters_take_tags_or_branches_with_optional_file_paths_and_pull_requests_need_branches()
    {
        let c = || Some(FilterCriteria::including(["x"]));
        let push = |tags, branches, file_paths| GitPushFilter {
            tags,
            branches,
            file_paths,
        };
        for valid in [
            push(c(), None, None),
            push(None, c(), None),
            push(None, c(), c()),
        ] {
            assert!(check(&pipeline().trigger(git(Some(vec![valid]), None))).is_ok());
        }
        for invalid in [
            push(c(), c(), None),
            push(c(), None, c()),
            push(None, None, c()),
            push(None, None, None),
            push(Some(FilterCriteria::default()), None, None),
        ] {
            let p = pipeline().trigger(git(Some(vec![invalid]), None));
            assert_eq!(structure_error(&p), INVALID_COMBINATION);
        }
        let pull = |branches, file_paths| GitPullRequestFilter {
            events: None,
            branches,
            file_paths,
        };
        assert!(check(&pipeline().trigger(git(None, Some(vec![pull(c(), c())])))).is_ok());
        let p = pipeline().trigger(git(None, Some(vec![pull(None, c())])));
        assert_eq!(structure_error(&p), INVALID_COMBINATION);
    }

    #[test]
    fn trigger_patterns_must_be_globs() {
        let filter = GitPushFilter {
            branches: Some(FilterCriteria::including(["release/[0-9"])),
            ..GitPushFilter::default()
        };
        let message = structure_error(&pipeline().trigger(git(Some(vec![filter]), None)));
        assert!(
            message.contains("'release/[0-9' is not a valid glob pattern"),
            "{message}"
        );
    }

    #[test]
    fn trigger_lists_and_patterns_are_limited_as_the_model_says() {
        let filter = GitPushFilter {
            branches: Some(FilterCriteria::including(vec!["b"; 9]).excluding([""])),
            ..GitPushFilter::default()
        };
        let p = pipeline().trigger(git(Some(vec![filter.clone(); 4]), Some(vec![])));
        let err = check(&p).unwrap_err();
        assert_eq!(err.error_type(), "ValidationException");
        let message = err.message();
        let at = "pipeline.triggers.1.member.gitConfiguration";
        assert!(message.contains(&format!("Value at '{at}.push' failed to satisfy constraint: Member must have length less than or equal to 3")), "{message}");
        assert!(message.contains(&format!("Value at '{at}.pullRequest' failed to satisfy constraint: Member must have length greater than or equal to 1")), "{message}");
        assert!(message.contains(&format!("Value at '{at}.push.1.member.branches.includes' failed to satisfy constraint: Member must have length less than or equal to 8")), "{message}");
        assert!(message.contains(&format!("Value at '{at}.push.1.member.branches.excludes.1.member' failed to satisfy constraint: Member must have length greater than or equal to 1")), "{message}");
        let bad_event: GitPullRequestFilter =
            serde_json::from_str(r#"{"events":["MERGED"],"branches":{"includes":["main"]}}"#)
                .unwrap();
        let err = check(&pipeline().trigger(git(None, Some(vec![bad_event])))).unwrap_err();
        assert!(err.message().contains("pullRequest.1.member.events.1.member' failed to satisfy constraint: Member must satisfy enum value set: [OPEN, UPDATED, CLOSED]"), "{}", err.message());
    }

    proptest! {
        /// A pattern without special characters matches exactly itself.
        #[test]
        fn a_literal_pattern_matches_only_itself(s in "[A-Za-z0-9._/-]{1,40}", t in "[A-Za-z0-9._/-]{1,40}") {
            let g = glob(&s);
            prop_assert!(g.is_match(&s));
            prop_assert_eq!(g.is_match(&t), s == t);
        }

        /// `*` matches any text without `/`, `**` any text at all.
        #[test]
        fn stars_match_what_they_promise(prefix in "[a-z]{1,8}", middle in "[a-z/]{0,20}") {
            let with_slash = middle.contains('/');
            let text = format!("{prefix}{middle}");
            let one = glob(&format!("{prefix}*"));
            let two = glob(&format!("{prefix}**"));
            prop_assert_eq!(one.is_match(&text), !with_slash);
            prop_assert!(two.is_match(&text));
        }

        /// Escaping every character of any text makes a pattern matching just that text.
        #[test]
        fn escaped_text_matches_itself(s in "\\PC{1,30}") {
            let escaped: String = s.chars().flat_map(|c| ['\\', c]).collect();
            prop_assert!(glob(&escaped).is_match(&s));
        }

        /// Compiling never panics, whatever the pattern.
        #[test]
        fn any_pattern_compiles_or_is_refused(s in "\\PC{0,40}") {
            let _ = Glob::new(&s);
        }
    }
}
