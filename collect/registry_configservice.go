package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/configservice"
)

func configserviceCalls() []Call {
	return []Call{
		{Scope: Regional,
			// Rule parameters are free JSON; custom rules may be given
			// webhook URLs or tokens there.
			Redact: []string{"ConfigRules[].InputParameters"},
			Run:    paged(configservice.NewDescribeConfigRulesPaginator, none)},
		regional(single((*configservice.Client).DescribeConfigurationRecorderStatus, none)),
		regional(single((*configservice.Client).DescribeConfigurationRecorders, none)),
		{Scope: PerParent, Keys: keysAt[configservice.DescribeConfigRulesOutput]("ConfigRules[].ConfigRuleName"),
			// The result token lets its holder put evaluations for the rule.
			Redact: []string{"EvaluationResults[].ResultToken"},
			Run: paged(configservice.NewGetComplianceDetailsByConfigRulePaginator,
				field[configservice.GetComplianceDetailsByConfigRuleInput]("ConfigRuleName"))},
	}
}
