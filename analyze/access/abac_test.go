package access

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/analyze/model"
)

// TestBucketABAC: an identity policy allowing s3:GetObject on resources
// tagged team=data reaches a bucket tagged team=data only when ABAC is
// enabled on it (Amazon S3 User Guide, buckets-tagging-enable-abac.html:
// disabled by default, a bucket with ABAC disabled uses its tags for cost
// allocation only, so aws:ResourceTag/team is absent and StringEquals
// fails); when whether ABAC is on was not collected, the answer is
// conditional on the key. The evaluator (Query.WhoCan) and the graph
// (Index.WhoCan, the derived edges) agree on each.
func TestBucketABAC(t *testing.T) {
	w := newWorld(t)
	reader := w.user("tagged-reader")
	w.inline(reader, "abac", doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",`+
		`"Condition":{"StringEquals":{"aws:ResourceTag/team":"data"}}}`))
	tests := []struct {
		bucket string
		abac   any // nil: not collected
		want   string
	}{
		{"abac-on", true, userARN("tagged-reader")},
		{"abac-off", false, ""},
		{"abac-unknown", nil, userARN("tagged-reader") + " (conditional: aws:resourcetag/team)"},
	}
	for _, tc := range tests {
		b := w.bucket(tc.bucket, "")
		b.Set("tag.team", "data")
		if tc.abac == nil {
			b.Delete("abacEnabled")
		} else {
			b.Set("abacEnabled", tc.abac)
		}
	}
	ctx := context.Background()
	if _, err := Derive(ctx, w.g); err != nil {
		t.Fatal(err)
	}
	q := newGraphQuery(t, w.g)
	ix := NewIndex(w.g)
	for _, tc := range tests {
		t.Run(tc.bucket, func(t *testing.T) {
			obj := "arn:aws:s3:::" + tc.bucket + "/x"
			want, err := q.WhoCan(ctx, "s3:GetObject", obj)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ix.WhoCan(ctx, q, "s3:GetObject", obj)
			if err != nil {
				t.Fatal(err)
			}
			if w, g := answerLines(want), answerLines(got); !slices.Equal(w, g) {
				t.Errorf("evaluator %q, graph %q", w, g)
			}
			var reader []string
			for _, l := range answerLines(want) {
				if strings.HasPrefix(l, userARN("tagged-reader")) {
					reader = append(reader, l)
				}
			}
			if strings.Join(reader, "") != tc.want {
				t.Errorf("tagged-reader: %q, want %q", reader, tc.want)
			}
		})
	}
}

// TestABACTargets: an identity Allow on "*" whose Condition reads
// aws:ResourceTag/* (IAM User Guide,
// introduction_attribute-based-access-control.html: "ABAC policies ...
// allow operations when the principal's tag matches the resource tag";
// reference_policies_condition-keys.html#condition-keys-resourcetag) is
// not uniform over its service: it goes to the resources whose tags can
// accept it, as explicit resource edges (abacTargets), firm where the
// tags decide, conditional on the key where they are unknown (a bucket
// whose ABAC setting was not collected, Amazon S3 User Guide,
// buckets-tagging-enable-abac.html; a type whose tags are not collected),
// none where they refuse; its actions that take no resource
// (s3:ListAllMyBuckets) keep an edge to the service entity naming only
// those, which Who reads onto no bucket. The tag compared is the
// principal's own (${aws:PrincipalTag/team}): amy (blue) and rob (red)
// hold the same policy and reach different buckets. The sweep
// (SweepWhoCan) finds no reading the evaluator refuses.
func TestABACTargets(t *testing.T) {
	w := newWorld(t)
	amy, rob := w.user("amy"), w.user("rob")
	amy.Set("tag.team", "blue")
	rob.Set("tag.team", "red")
	sam := w.user("sam") // a type-wide pattern: every bucket, by their tags
	sam.Set("tag.team", "blue")
	w.inline(sam, "buckets", doc(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::*","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}}`))
	w.policy("ABAC", doc(`{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket","s3:ListAllMyBuckets"],"Resource":"*",`+
		`"Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}}`,
		`{"Effect":"Allow","Action":"config:DeleteConfigRule","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}}`), amy, rob)
	for _, b := range []struct {
		name, team string
		abac       any // nil: not collected
	}{{"blue-on", "blue", true}, {"red-on", "red", true}, {"blue-unknown", "blue", nil}, {"blue-off", "blue", false}, {"untagged", "", true}} {
		e := w.bucket(b.name, "")
		if b.team != "" {
			e.Set("tag.team", b.team)
		}
		if b.abac == nil {
			e.Delete("abacEnabled")
		} else {
			e.Set("abacEnabled", b.abac)
		}
	}
	// red-shared (team red) grants its objects to every principal of the
	// account: that is its own ALLOWS (Who joins it), not amy's ABAC grant.
	w.bucket("red-shared", doc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::red-shared/*"}`)).Set("tag.team", "red")
	rule := "arn:aws:config:us-east-1:" + acct + ":config-rule/config-rule-abc" // aws_config_rule: tags not collected
	w.add(rule, "aws_config_rule", "ControlPolicy", map[string]any{"arn": rule, "name": "r"})
	if _, err := Derive(context.Background(), w.g); err != nil {
		t.Fatal(err)
	}
	bucket := func(n string) string { return "arn:aws:s3:::" + n }
	const cond = "aws:resourcetag/team"
	tests := []struct {
		name, who, target string
		levels            []string // nil: no edge
		conditionKeys     []string
	}{
		{"matching tag: a firm explicit edge", userARN("amy"), bucket("blue-on"), []string{"List", "Read"}, nil},
		{"another team's tag: no edge", userARN("amy"), bucket("red-on"), nil, nil},
		{"the principal tag variable: rob's team", userARN("rob"), bucket("red-on"), []string{"List", "Read"}, nil},
		{"the principal tag variable: not rob's team", userARN("rob"), bucket("blue-on"), nil, nil},
		{"bucket ABAC unknown: conditional on the key", userARN("amy"), bucket("blue-unknown"), []string{"List", "Read"}, []string{cond}},
		{"bucket ABAC disabled: its tags are not aws:ResourceTag", userARN("amy"), bucket("blue-off"), nil, nil},
		{"untagged: no edge", userARN("amy"), bucket("untagged"), nil, nil},
		{"another team's bucket with a resource policy: its grant is its own", userARN("amy"), bucket("red-shared"), nil, nil},
		{"its team's bucket with a resource policy", userARN("rob"), bucket("red-shared"), []string{"List", "Read"}, nil},
		{"a type-wide pattern: the matching bucket", userARN("sam"), bucket("blue-on"), []string{"List"}, nil},
		{"a type-wide pattern: not the others", userARN("sam"), bucket("red-on"), nil, nil},
		{"a type whose tags are not collected: conditional on the key", userARN("amy"), rule, []string{"Write"}, []string{cond}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := w.g.Relationship(tc.who + "|access|" + tc.target)
			if tc.levels == nil {
				if r != nil {
					t.Fatalf("edge %v, want none", r.PropMap())
				}
				return
			}
			if r == nil {
				t.Fatal("no edge")
			}
			if !slices.Equal(stringList(r.Get("accessLevels")), tc.levels) || r.Get("scope") != scopeResource ||
				!slices.Equal(stringList(r.Get("conditionKeys")), orEmpty(tc.conditionKeys)) || r.Get("conditional") != (tc.conditionKeys != nil) {
				t.Errorf("edge %v, want levels %q, scope resource, conditionKeys %q", r.PropMap(), tc.levels, tc.conditionKeys)
			}
		})
	}
	// The action that takes no resource: the service entity's edge, naming
	// it alone (conditional: no resource, so no resource tag, is known).
	for _, who := range []string{userARN("amy"), userARN("rob")} {
		r := w.g.Relationship(who + "|access|" + model.ServiceKey(acct, "s3"))
		if r == nil {
			t.Errorf("%s: no S3 service edge, want one naming s3:ListAllMyBuckets", who)
		} else if !slices.Equal(stringList(r.Get("actions")), []string{"s3:ListAllMyBuckets"}) {
			t.Errorf("%s: S3 service edge %v, want one naming s3:ListAllMyBuckets only", who, r.PropMap())
		}
	}
	if r := w.g.Relationship(userARN("amy") + "|access|" + model.ServiceKey(acct, "config")); r != nil {
		t.Errorf("amy: Config service edge %v, want none (config:DeleteConfigRule acts on the rule)", r.PropMap())
	}
	st := SweepWhoCan(t, newGraphQuery(t, w.g), w.g)
	if st.Extra+st.Missing+st.Disagreements+st.CoarseJoined != 0 {
		t.Errorf("sweep: %+v, want no disagreement, missing edge nor coarse reading", st)
	}
}

// TestABACExclusionTag: an Allow whose Condition accepts every resource
// but those carrying a tag (Null aws:ResourceTag/keep "true": IAM User
// Guide, reference_policies_elements_condition_operators.html#Conditions_Null;
// AWS managed policies such as ComputeOptimizerAutomationServiceRolePolicy
// exclude volumes so) accepts most resources: it keeps its service edge
// (mostlyAccepted) rather than an edge per resource, the excluded volume
// is marked so that Who does not read the edge onto it, and who-can gives
// the evaluator's answer on each volume.
func TestABACExclusionTag(t *testing.T) {
	w := newWorld(t)
	uma := w.user("uma")
	w.inline(uma, "optimise", doc(`{"Effect":"Allow","Action":"ec2:DeleteVolume","Resource":"*","Condition":{"Null":{"aws:ResourceTag/keep":"true"}}}`))
	vol := func(id string) string { return "arn:aws:ec2:us-east-1:" + acct + ":volume/" + id }
	for _, id := range []string{"vol-1", "vol-2", "vol-3"} {
		w.add(vol(id), "aws_ebs_volume", "DataStore", map[string]any{"arn": vol(id), "region": "us-east-1"})
	}
	w.add(vol("vol-keep"), "aws_ebs_volume", "DataStore", map[string]any{"arn": vol("vol-keep"), "region": "us-east-1", "tag.keep": "yes"})
	ctx := context.Background()
	if _, err := Derive(ctx, w.g); err != nil {
		t.Fatal(err)
	}
	svc := w.g.Relationship(userARN("uma") + "|access|" + model.ServiceKey(acct, "ec2"))
	if svc == nil {
		t.Fatal("uma: no edge to the EC2 service entity")
	}
	for _, id := range []string{"vol-1", "vol-keep"} {
		if r := w.g.Relationship(userARN("uma") + "|access|" + vol(id)); r != nil {
			t.Errorf("uma: an edge of its own to %s, want the service edge alone (scope %v)", id, r.Get("scope"))
		}
	}
	// The excluded volume is marked (owndeny.go): Who does not read the
	// service edge onto it; the sweep finds nothing the evaluator refuses.
	if got := stringList(w.g.Entity(vol("vol-keep")).Get(deniedPrincipalsProp)); !slices.Equal(got, []string{userARN("uma")}) {
		t.Errorf("vol-keep deniedPrincipals %q, want uma", got)
	}
	if st := SweepWhoCan(t, newGraphQuery(t, w.g), w.g); st.Extra+st.Missing+st.Disagreements+st.CoarseJoined != 0 {
		t.Errorf("sweep: %+v", st)
	}
	q := newGraphQuery(t, w.g)
	ix := NewIndex(w.g)
	for _, tc := range []struct{ id, want string }{{"vol-1", userARN("uma")}, {"vol-keep", ""}} {
		want, err := q.WhoCan(ctx, "ec2:DeleteVolume", vol(tc.id))
		if err != nil {
			t.Fatal(err)
		}
		got, err := ix.WhoCan(ctx, q, "ec2:DeleteVolume", vol(tc.id))
		if err != nil {
			t.Fatal(err)
		}
		if w, g := answerLines(want), answerLines(got); !slices.Equal(w, g) {
			t.Errorf("%s: evaluator %q, graph %q", tc.id, w, g)
		}
		var uma []string
		for _, l := range answerLines(want) {
			if strings.HasPrefix(l, userARN("uma")) {
				uma = append(uma, l)
			}
		}
		if strings.Join(uma, "") != tc.want {
			t.Errorf("%s: uma %q, want %q", tc.id, uma, tc.want)
		}
	}
}
