package model

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLoadBalancerConverters: the converters of the ELB records, on the
// values the responses hold.
func TestLoadBalancerConverters(t *testing.T) {
	attrs := `[{"Key": "deletion_protection.enabled", "Value": "true"}, {"Key": "idle_timeout.timeout_seconds", "Value": "60"},
		{"Key": "access_logs.s3.bucket", "Value": ""}, {"Key": "routing.http.desync_mitigation_mode", "Value": "defensive"}]`
	tests := []struct {
		name string
		conv Conv
		in   any
		want any
	}{
		{"attribute true", attribute("deletion_protection.enabled"), decode(t, attrs), true},
		{"attribute number", attribute("idle_timeout.timeout_seconds"), decode(t, attrs), int64(60)},
		{"attribute text", attribute("routing.http.desync_mitigation_mode"), decode(t, attrs), "defensive"},
		{"attribute empty value is unknown", attribute("access_logs.s3.bucket"), decode(t, attrs), nil},
		{"attribute absent is unknown", attribute("access_logs.s3.enabled"), decode(t, attrs), nil},
		{"attribute of no list", attribute("x"), nil, nil},
		{"ip addresses kept", ipAddresses, decode(t, `["10.0.1.5", "i-0abc", "2001:db8::7", "arn:aws:lambda:eu-west-1:1:function:f"]`),
			[]any{"10.0.1.5", "2001:db8::7"}},
		{"no ip addresses", ipAddresses, decode(t, `["i-0abc"]`), []any{}},
		{"instance id", instanceID, "i-0abc", "i-0abc"},
		{"not an instance id", instanceID, "10.0.1.5", ""},
		{"lambda target qualified", lambdaTarget, "arn:aws:lambda:eu-west-1:111122223333:function:api:live",
			"arn:aws:lambda:eu-west-1:111122223333:function:api"},
		{"lambda target plain", lambdaTarget, "arn:aws:lambda:eu-west-1:111122223333:function:api",
			"arn:aws:lambda:eu-west-1:111122223333:function:api"},
		{"not a lambda target", lambdaTarget, "i-0abc", ""},
		{"another ARN", lambdaTarget, "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/a/1", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.conv(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
