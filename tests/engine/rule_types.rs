//! `ListRuleTypes`: the rule types AWS owns, which the rules of stage conditions run, and
//! the validation of its two filters.

use pipesim::model::rule_types::RULE_TYPES;
use pipesim::model::*;

use crate::common::*;

fn providers(output: &ListRuleTypesOutput) -> Vec<&'static str> {
    output.rule_types.iter().map(|t| t.id.provider).collect()
}

fn validation(message: &str) -> (&'static str, String) {
    ("ValidationException", message.to_owned())
}

async fn refused(input: ListRuleTypesInput) -> (&'static str, String) {
    let err = sim()
        .list_rule_types(input)
        .await
        .expect_err("the filters are invalid");
    (err.error_type(), err.message().to_owned())
}

#[tokio::test]
async fn list_rule_types_lists_every_rule_type_aws_owns() {
    let sim = sim();
    let out = sim
        .list_rule_types(ListRuleTypesInput::default())
        .await
        .unwrap();
    assert_eq!(providers(&out), RULE_PROVIDERS);
    assert_eq!(out.rule_types.len(), RULE_TYPES.len());
    for rule_type in &out.rule_types {
        let id = &rule_type.id;
        assert_eq!(
            (id.category.as_str(), id.owner.as_str(), id.version),
            ("Rule", "AWS", "1"),
            "{id:?}"
        );
    }
    let json = serde_json::to_value(&out).unwrap();
    assert_eq!(json["ruleTypes"][5]["id"]["provider"], "VariableCheck");
}

#[tokio::test]
async fn the_owner_filter_aws_and_any_valid_region_keep_every_rule_type() {
    let sim = sim();
    let by_owner = sim.list_rule_types(RuleOwner::Aws).await.unwrap();
    assert_eq!(providers(&by_owner), RULE_PROVIDERS);
    for region in ["us-east-1", "eu-west-1", "ap-southeast-2", "mars"] {
        let by_region = sim
            .list_rule_types(ListRuleTypesInput {
                rule_owner_filter: Some(RuleOwner::Aws),
                region_filter: Some(region.to_owned()),
            })
            .await
            .unwrap();
        assert_eq!(providers(&by_region), RULE_PROVIDERS, "{region}");
    }
}

#[tokio::test]
async fn an_owner_other_than_aws_or_a_region_of_the_wrong_length_is_a_validation_exception() {
    assert_eq!(
        refused(RuleOwner::from("Custom").into()).await,
        validation(
            "1 validation error detected: Value at 'ruleOwnerFilter' failed to satisfy \
             constraint: Member must satisfy enum value set: [AWS]"
        )
    );
    let region = |region: &str| ListRuleTypesInput {
        rule_owner_filter: None,
        region_filter: Some(region.to_owned()),
    };
    assert_eq!(
        refused(region("x")).await,
        validation(
            "1 validation error detected: Value at 'regionFilter' failed to satisfy \
             constraint: Member must have length greater than or equal to 4"
        )
    );
    assert_eq!(
        refused(region(&"a".repeat(31))).await,
        validation(
            "1 validation error detected: Value at 'regionFilter' failed to satisfy \
             constraint: Member must have length less than or equal to 30"
        )
    );
    let both = ListRuleTypesInput {
        rule_owner_filter: Some(RuleOwner::from("aws")),
        region_filter: Some(String::new()),
    };
    assert_eq!(
        refused(both).await,
        validation(
            "2 validation errors detected: Value at 'ruleOwnerFilter' failed to satisfy \
             constraint: Member must satisfy enum value set: [AWS]; Value at 'regionFilter' \
             failed to satisfy constraint: Member must have length greater than or equal to 4"
        )
    );
}
