//! The JSONPath expressions of webhook filters, and what they select in a payload.
//!
//! CodePipeline evaluates a filter's `jsonPath` with Jayway JsonPath (the Java
//! implementation its documentation links to). pipesim parses the part of that language
//! webhook filters use (almost every filter is `$.ref`): a root `$` (Jayway puts `$.` in
//! front of a path without one), `.name` and `['name']` members (several names in one
//! bracket too), `[n]` indexes (negative from the end), `[a:b]` slices, `*` wildcards and
//! `..` deep scans. Jayway's filter expressions (`[?(...)]`) and functions (`.length()`)
//! are refused as patterns pipesim cannot evaluate.

use serde_json::Value;

/// One step of a path.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    /// Members of an object, by name.
    Names(Vec<String>),
    /// Elements of an array, by index (negative from the end).
    Indexes(Vec<i64>),
    /// Elements of an array from `start` (included) to `end` (excluded).
    Slice(Option<i64>, Option<i64>),
    /// Every member or element.
    Wildcard,
    /// The step after it, applied at every depth.
    Deep(Box<Step>),
}

/// A parsed JSONPath expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct JsonPath {
    steps: Vec<Step>,
}

impl JsonPath {
    /// Parses `path`, or says why it is not one.
    ///
    /// # Errors
    /// What is wrong with it, for `InvalidWebhookFilterPatternException`.
    pub(crate) fn parse(path: &str) -> Result<Self, String> {
        let path = path.trim();
        let owned;
        // As Jayway's compiler does, a path without its root is read from the root.
        let path = if path.starts_with('$') {
            path
        } else {
            owned = format!("$.{path}");
            &owned
        };
        let chars: Vec<char> = path.chars().collect();
        let mut i = 1;
        let mut steps = Vec::new();
        while i < chars.len() {
            match chars[i] {
                '.' if chars.get(i + 1) == Some(&'.') => {
                    i += 2;
                    let step = match chars.get(i) {
                        Some('[') => bracket(&chars, &mut i)?,
                        Some(_) => dotted(&chars, &mut i)?,
                        None => return Err("a deep scan '..' needs a member after it".into()),
                    };
                    steps.push(Step::Deep(Box::new(step)));
                }
                '.' => {
                    i += 1;
                    steps.push(dotted(&chars, &mut i)?);
                }
                '[' => steps.push(bracket(&chars, &mut i)?),
                other => return Err(format!("unexpected '{other}' at position {i}")),
            }
        }
        Ok(Self { steps })
    }

    /// Every value the path selects in `document`, in document order.
    pub(crate) fn select<'v>(&self, document: &'v Value) -> Vec<&'v Value> {
        let mut current = vec![document];
        for step in &self.steps {
            let mut next = Vec::new();
            for value in current {
                apply(step, value, &mut next);
            }
            current = next;
        }
        current
    }
}

/// A member name after a `.`: up to the next `.` or `[`; `*` is the wildcard.
fn dotted(chars: &[char], i: &mut usize) -> Result<Step, String> {
    let start = *i;
    while *i < chars.len() && chars[*i] != '.' && chars[*i] != '[' {
        *i += 1;
    }
    let name: String = chars[start..*i].iter().collect();
    match name.as_str() {
        "" => Err(format!("a member name is missing at position {start}")),
        "*" => Ok(Step::Wildcard),
        _ if name.ends_with(')') => Err(format!(
            "'{name}' is a function, which webhook filters in pipesim do not evaluate"
        )),
        _ if name.chars().any(char::is_whitespace) => {
            Err(format!("the member name '{name}' has a space in it"))
        }
        _ => Ok(Step::Names(vec![name])),
    }
}

/// A bracketed step: `['a']`, `['a','b']`, `[0]`, `[0,2]`, `[1:3]`, `[*]`.
fn bracket(chars: &[char], i: &mut usize) -> Result<Step, String> {
    let open = *i;
    *i += 1;
    let mut names = Vec::new();
    let mut inner = String::new();
    loop {
        match chars.get(*i) {
            None => return Err(format!("the '[' at position {open} is never closed")),
            Some(']') => {
                *i += 1;
                break;
            }
            Some(&quote @ ('\'' | '"')) => {
                *i += 1;
                let mut name = String::new();
                loop {
                    match chars.get(*i) {
                        None => {
                            return Err(format!("the quote at position {} is never closed", *i));
                        }
                        Some('\\') if chars.get(*i + 1).is_some() => {
                            name.push(chars[*i + 1]);
                            *i += 2;
                        }
                        Some(&c) if c == quote => {
                            *i += 1;
                            break;
                        }
                        Some(&c) => {
                            name.push(c);
                            *i += 1;
                        }
                    }
                }
                names.push(name);
                skip_spaces(chars, i);
                match chars.get(*i) {
                    Some(',') => {
                        *i += 1;
                        skip_spaces(chars, i);
                    }
                    Some(']') => {}
                    _ => return Err(format!("expected ',' or ']' at position {}", *i)),
                }
            }
            Some(&c) => {
                inner.push(c);
                *i += 1;
            }
        }
    }
    if !names.is_empty() {
        return if inner.trim().is_empty() {
            Ok(Step::Names(names))
        } else {
            Err(format!(
                "the bracket at position {open} mixes names and indexes"
            ))
        };
    }
    let inner = inner.trim();
    if inner == "*" {
        return Ok(Step::Wildcard);
    }
    if inner.starts_with('?') || inner.starts_with('(') {
        return Err(format!(
            "'[{inner}]' is a filter expression, which webhook filters in pipesim do not evaluate"
        ));
    }
    let index = |s: &str| {
        s.trim().parse::<i64>().map_err(|_| {
            format!(
                "'{}' in the bracket at position {open} is not an index",
                s.trim()
            )
        })
    };
    if let Some((start, end)) = inner.split_once(':') {
        let bound = |s: &str| {
            if s.trim().is_empty() {
                Ok(None)
            } else {
                index(s).map(Some)
            }
        };
        return Ok(Step::Slice(bound(start)?, bound(end)?));
    }
    if inner.is_empty() {
        return Err(format!("the bracket at position {open} is empty"));
    }
    let indexes = inner.split(',').map(index).collect::<Result<_, _>>()?;
    Ok(Step::Indexes(indexes))
}

fn skip_spaces(chars: &[char], i: &mut usize) {
    while chars.get(*i).is_some_and(|c| c.is_whitespace()) {
        *i += 1;
    }
}

/// Applies one step to one value, pushing what it selects.
fn apply<'v>(step: &Step, value: &'v Value, out: &mut Vec<&'v Value>) {
    match step {
        Step::Names(names) => {
            if let Value::Object(map) = value {
                out.extend(names.iter().filter_map(|name| map.get(name)));
            }
        }
        Step::Indexes(indexes) => {
            if let Value::Array(items) = value {
                for &index in indexes {
                    let at = if index < 0 {
                        items.len().checked_sub(index.unsigned_abs() as usize)
                    } else {
                        Some(index as usize)
                    };
                    out.extend(at.and_then(|at| items.get(at)));
                }
            }
        }
        Step::Slice(start, end) => {
            if let Value::Array(items) = value {
                let len = items.len() as i64;
                let clamp = |bound: i64| {
                    let bound = if bound < 0 { len + bound } else { bound };
                    bound.clamp(0, len) as usize
                };
                let from = clamp(start.unwrap_or(0));
                let to = clamp(end.unwrap_or(len));
                if from < to {
                    out.extend(&items[from..to]);
                }
            }
        }
        Step::Wildcard => match value {
            Value::Object(map) => out.extend(map.values()),
            Value::Array(items) => out.extend(items),
            _ => {}
        },
        Step::Deep(inner) => {
            apply(inner, value, out);
            match value {
                Value::Object(map) => map.values().for_each(|child| apply(step, child, out)),
                Value::Array(items) => items.iter().for_each(|child| apply(step, child, out)),
                _ => {}
            }
        }
    }
}

/// A selected value as a filter compares it: a string as it is, anything else as its
/// JSON text.
pub(crate) fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn texts(path: &str, document: &Value) -> Vec<String> {
        JsonPath::parse(path)
            .unwrap()
            .select(document)
            .into_iter()
            .map(as_text)
            .collect()
    }

    fn push() -> Value {
        json!({
            "ref": "refs/heads/main",
            "repository": {"name": "app", "full_name": "octo/app", "private": false},
            "commits": [
                {"id": "a1", "message": "first", "modified": ["x.rs"]},
                {"id": "b2", "message": "second", "modified": ["y.rs", "z.rs"]}
            ]
        })
    }

    #[test]
    fn json_path_selects_members_by_dot_and_bracket() {
        let doc = push();
        assert_eq!(texts("$.ref", &doc), ["refs/heads/main"]);
        assert_eq!(texts("$['ref']", &doc), ["refs/heads/main"]);
        assert_eq!(texts("$[\"repository\"].name", &doc), ["app"]);
        assert_eq!(
            texts("$.repository['name','full_name']", &doc),
            ["app", "octo/app"]
        );
        assert_eq!(texts("$.repository.private", &doc), ["false"]);
        assert!(texts("$.missing.deeper", &doc).is_empty());
    }

    #[test]
    fn json_path_without_a_root_reads_from_the_root_as_jayway_does() {
        assert_eq!(texts("ref", &push()), ["refs/heads/main"]);
        assert_eq!(texts("repository.name", &push()), ["app"]);
    }

    #[test]
    fn json_path_selects_array_elements_by_index_slice_and_wildcard() {
        let doc = push();
        assert_eq!(texts("$.commits[0].id", &doc), ["a1"]);
        assert_eq!(texts("$.commits[-1].id", &doc), ["b2"]);
        assert_eq!(texts("$.commits[0,1].id", &doc), ["a1", "b2"]);
        assert_eq!(texts("$.commits[*].message", &doc), ["first", "second"]);
        assert_eq!(texts("$.commits[:1].id", &doc), ["a1"]);
        assert_eq!(texts("$.commits[1:].modified[*]", &doc), ["y.rs", "z.rs"]);
        assert!(texts("$.commits[5].id", &doc).is_empty());
    }

    #[test]
    fn json_path_deep_scan_finds_members_at_every_depth() {
        assert_eq!(texts("$..id", &push()), ["a1", "b2"]);
        assert_eq!(texts("$..name", &push()), ["app"]);
    }

    #[test]
    fn json_path_refuses_what_is_not_a_path_or_cannot_be_evaluated() {
        for bad in [
            "$.",
            "$..",
            "$.commits[0",
            "$['ref",
            "$.commits[x]",
            "$.commits[]",
            "$.commits[?(@.id == 'a1')]",
            "$.commits.length()",
            "$ref",
            "$.a b",
        ] {
            assert!(JsonPath::parse(bad).is_err(), "{bad} parsed");
        }
        assert!(JsonPath::parse("$").is_ok());
    }
}
