package model

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/collect"
	"github.com/snapaudit/snapaudit/snapshot/fieldpath"
)

// specDir is the repository's copy of the shared spec tables
// (testdata/spec; TestSpecCopiesFresh keeps it in step).
const specDir = "../../testdata/spec"

// readTSV reads a spec table as a list of column-name -> value rows.
func readTSV(t *testing.T, name string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(specDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var header []string
	var rows []map[string]string
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if header == nil {
			header = cols
			continue
		}
		r := map[string]string{}
		for i, h := range header {
			if i < len(cols) {
				r[h] = strings.TrimSpace(cols[i])
			}
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestRegistryInvariants(t *testing.T) {
	tests := []struct {
		name  string
		check func() error
	}{
		{"types unique and sorted", func() error {
			for i := 1; i < len(registry); i++ {
				if registry[i-1].Type >= registry[i].Type {
					return fmt.Errorf("%s before %s: registry must be sorted and unique", registry[i-1].Type, registry[i].Type)
				}
			}
			return nil
		}},
		{"services unique and sorted", func() error {
			for i := 1; i < len(services); i++ {
				if services[i-1].Name >= services[i].Name {
					return fmt.Errorf("service %s before %s", services[i-1].Name, services[i].Name)
				}
			}
			return nil
		}},
		{"records valid", func() error {
			for _, et := range registry {
				if err := et.validate(); err != nil {
					return err
				}
			}
			return nil
		}},
		{"service of every type exists", func() error {
			for _, et := range registry {
				if _, ok := serviceByType("aws_" + et.Service); et.Service != "" && !ok {
					return fmt.Errorf("%s: no service %q", et.Type, et.Service)
				}
			}
			return nil
		}},
		{"relationship targets exist", func() error {
			for _, r := range Relationships() {
				for _, end := range []string{r.From, r.To} {
					if !knownType(end) {
						return fmt.Errorf("%s %s %s: unknown type %s", r.From, r.Verb, r.To, end)
					}
				}
			}
			return nil
		}},
		{"verbs are J1 verbs", func() error {
			// DENIES: deny entries of network ACLs (notes.md §3 and §6: J1's
			// aws_network_acl_rule relationships are ALLOWS or DENIES).
			verbs := "HAS CONTAINS USES PROTECTS TRUSTS ALLOWS DENIES CONNECTS TRIGGERS RUNS DEFINES ASSIGNED EVALUATES IDENTIFIED LOGS IS"
			for _, r := range Relationships() {
				if !slices.Contains(strings.Fields(verbs), r.Verb) {
					return fmt.Errorf("%s %s %s: %s is not a J1 verb", r.From, r.Verb, r.To, r.Verb)
				}
			}
			return nil
		}},
		{"hatches are few and justified", func() error {
			n := 0
			for _, et := range registry {
				for _, h := range et.Hatch {
					n++
					if h.Name == "" || len(h.Why) < 20 || (h.Rows == nil && h.Finish == nil) || (h.Failed && h.Rows == nil) {
						return fmt.Errorf("%s: hatch %q needs a name, a why and Rows or Finish (Rows when Failed)", et.Type, h.Name)
					}
				}
			}
			if n > 4 {
				return fmt.Errorf("%d escape hatches: the registry should say it instead", n)
			}
			return nil
		}},
		{"required class properties known", func() error {
			for _, et := range registry {
				for _, c := range et.Class {
					if _, ok := requiredProps[c]; !ok && !slices.Contains(classesWithoutRequired, c) {
						return fmt.Errorf("%s: class %s neither in requiredProps nor known to need none", et.Type, c)
					}
				}
			}
			return nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.check(); err != nil {
				t.Error(err)
			}
		})
	}
}

// classesWithoutRequired are classes whose schema requires nothing beyond
// the GraphObject basics (notes.md §3).
var classesWithoutRequired = []string{"AccessKey", "AccessPolicy", "AccessRole", "Account", "Certificate", "Cluster", "Configuration", "Container", "ControlPolicy", "CryptoKey", "Database", "Deployment", "Function", "Group", "Image", "NetworkInterface", "PasswordPolicy", "Process", "Queue", "Repository", "Task", "User", "UserGroup"}

func knownType(typ string) bool {
	if _, ok := TypeOf(typ); ok {
		return true
	}
	if _, ok := serviceByType(typ); ok {
		return true
	}
	switch typ {
	case "internet", "everyone", "Person", externalHostType, externalNetworkType:
		return true
	}
	return false
}

// TestRegistryMatchesSpec checks the registry against the shared spec: the
// classes of every seed-001 type and of every type added beyond the seed,
// required class properties, and every seed-001 relationship (TRUSTS
// excepted: the IAM derivation owns it), every relationship between an
// added type and a checked one, plus the implied rows between checked types.
func TestRegistryMatchesSpec(t *testing.T) {
	ents := readTSV(t, "entities.tsv")
	rels := append(readTSV(t, "relationships.tsv"), readTSV(t, "relationships_implied.tsv")...)
	// inSeed: the seed-001 types, and every type the registry has beyond
	// them (a type added later is held to the spec like the seed's).
	inSeed := map[string]bool{}
	for _, r := range ents {
		if _, registered := TypeOf(r["type"]); strings.HasPrefix(r["in_seed001"], "yes") || registered {
			inSeed[r["type"]] = true
		}
	}
	produced := map[string]RelInfo{}
	for _, r := range Relationships() {
		produced[r.From+" "+r.Verb+" "+r.To] = r
	}
	t.Run("entities", func(t *testing.T) {
		for _, r := range ents {
			if !inSeed[r["type"]] {
				continue
			}
			t.Run(r["type"], func(t *testing.T) {
				want := strings.Split(r["classes"], ",")
				var got []string
				if et, ok := TypeOf(r["type"]); ok {
					got = et.Class
				} else if _, ok := serviceByType(r["type"]); ok {
					got = []string{"Service"}
				} else {
					t.Fatalf("seed-001 type %s is not in the registry", r["type"])
				}
				if !slices.Equal(got, want) {
					t.Errorf("classes %v, entities.tsv says %v", got, want)
				}
				// required_class_props: "DataStore:classification|encrypted Host:hostname"
				for _, part := range strings.Fields(r["required_class_props"]) {
					class, props, _ := strings.Cut(part, ":")
					if props == "-" {
						continue
					}
					if got := requiredProps[class]; !slices.Equal(got, strings.Split(props, "|")) {
						t.Errorf("requiredProps[%s] = %v, entities.tsv says %s", class, got, props)
					}
				}
			})
		}
	})
	t.Run("relationships", func(t *testing.T) {
		for _, r := range rels {
			from, verb, to := r["from_type"], r["verb"], r["to_type"]
			// A spec row is checked when it is in the seed, or when it
			// leads to or from a type added beyond the seed and its other
			// end is a checked type too.
			_, fromAdded := TypeOf(from)
			_, toAdded := TypeOf(to)
			seed := strings.HasPrefix(r["in_seed001"], "yes") ||
				(inSeed[from] && inSeed[to] && (fromAdded && !seedType(ents, from) || toAdded && !seedType(ents, to)))
			implied := r["status"] == "implied-not-in-seed" && inSeed[from] && (inSeed[to] || strings.HasPrefix(to, "<"))
			if !seed && !implied || verb == "TRUSTS" {
				continue
			}
			t.Run(from+"_"+verb+"_"+to, func(t *testing.T) {
				switch {
				case from == "aws_security_group" && verb == "ALLOWS":
					// <Internet|Network|Host|aws_security_group>: the rule hatch.
					for _, end := range []string{"internet", "aws_security_group", externalHostType, externalNetworkType} {
						if _, ok := produced["aws_security_group ALLOWS "+end]; !ok {
							t.Errorf("no aws_security_group ALLOWS %s", end)
						}
					}
				case from == "aws_iam_group" && verb == "ASSIGNED":
					t.Skip("the spec leaves HAS vs ASSIGNED open; the seeds use HAS, which the registry emits")
				case from == "aws_elb" && verb == "CONNECTS" && to == "aws_lb_target_group":
					t.Skip("a classic ELB fronts instances, not target groups (notes.md §2.6): the registry emits aws_elb CONNECTS aws_instance")
				case from == "aws_s3_bucket" && verb == "ALLOWS":
					t.Skip("bucket policy ALLOWS principal is derived by analyze/iam from the bucket's policy property")
				default:
					got, ok := produced[from+" "+verb+" "+to]
					if !ok {
						t.Fatalf("registry produces no %s %s %s", from, verb, to)
					}
					if want := r["rel_type_sdk"]; want != "" && got.Type != want {
						t.Errorf("_type %s, spec says %s", got.Type, want)
					}
				}
			})
		}
	})
}

// seedType reports whether entities.tsv puts typ in seed 001.
func seedType(ents []map[string]string, typ string) bool {
	for _, r := range ents {
		if r["type"] == typ {
			return strings.HasPrefix(r["in_seed001"], "yes")
		}
	}
	return false
}

// TestRegistryCallsCollected checks that every call the model reads is
// collected. Whether a call is per-parent, and its parent, is not checked
// here: the model reads both from shapes.txt, which TestShapes keeps equal
// to the collector's registry.
func TestRegistryCallsCollected(t *testing.T) {
	collected := map[Call]bool{}
	for _, c := range collect.Registry() {
		collected[Call{c.Service, c.Operation}] = true
	}
	for _, c := range readCalls() {
		if !collected[c] {
			t.Errorf("%s is read by the model but not collected", c)
		}
	}
}

// readCalls are the calls the model reads (and those upstream of them),
// distinct and sorted: every record's and every service placeholder's.
func readCalls() []Call {
	var calls []Call
	for _, et := range registry {
		calls = append(calls, et.calls()...)
	}
	for _, s := range services {
		calls = append(calls, s.Calls()...)
	}
	return distinct(calls)
}

// typeWalk resolves a path on a Go type the way walk resolves it on JSON:
// it returns the element type and the iterated ancestor types above it.
func typeWalk(typ reflect.Type, path string, ancestors []reflect.Type) (reflect.Type, []reflect.Type, error) {
	cur := typ
	segs, err := fieldpath.Parse(path)
	if err != nil {
		return nil, nil, err
	}
	for i, s := range segs {
		for cur.Kind() == reflect.Pointer {
			cur = cur.Elem()
		}
		if s.Field != "" && cur.Kind() == reflect.Map {
			cur = cur.Elem() // a map key read as a field (SummaryMap.AccountMFAEnabled)
		} else if s.Field != "" {
			if cur.Kind() != reflect.Struct {
				return nil, nil, fmt.Errorf("%q: %s is not a struct", path, cur)
			}
			f, ok := cur.FieldByName(s.Field)
			if !ok || !f.IsExported() {
				return nil, nil, fmt.Errorf("%q: %s has no field %s", path, cur, s.Field)
			}
			cur = f.Type
		}
		switch s.Iter {
		case fieldpath.List:
			if cur.Kind() != reflect.Slice {
				return nil, nil, fmt.Errorf("%q: %s is not a list", path, cur)
			}
			cur = cur.Elem()
		case fieldpath.Map:
			if cur.Kind() != reflect.Map {
				return nil, nil, fmt.Errorf("%q: %s is not a map", path, cur)
			}
			cur = cur.Elem()
		}
		if s.Iter != fieldpath.One && i < len(segs)-1 {
			ancestors = append(slices.Clip(ancestors), cur)
		}
	}
	return cur, ancestors, nil
}

// checkTmpl checks every path of a template against the element type.
func checkTmpl(elem reflect.Type, ancestors []reflect.Type, tmpl string) error {
	for _, p := range templatePaths(tmpl) {
		if err := checkPath(elem, ancestors, p); err != nil {
			return fmt.Errorf("template %q: %w", tmpl, err)
		}
	}
	return nil
}

// checkPath resolves a path, which may climb to an enclosing element with
// ^. (^^. ...), on the element's Go type.
func checkPath(elem reflect.Type, ancestors []reflect.Type, p string) error {
	n := 0
	for n < len(p) && p[n] == '^' {
		n++
	}
	base := elem
	if n > 0 {
		if n > len(ancestors) {
			return fmt.Errorf("%q climbs above the item", p)
		}
		base = ancestors[len(ancestors)-n]
		p = strings.TrimPrefix(p[n:], ".")
	}
	_, _, err := typeWalk(base, p, nil)
	return err
}

func checkProps(elem reflect.Type, ancestors []reflect.Type, props []Prop) error {
	for _, p := range props {
		if err := checkPath(elem, ancestors, p.Path); err != nil {
			return fmt.Errorf("prop %s: %w", p.Name, err)
		}
	}
	return nil
}

func checkRel(elem reflect.Type, ancestors []reflect.Type, r RelSpec) error {
	relAnc := ancestors
	if r.Path != "" {
		relAnc = append(slices.Clip(ancestors), elem)
	}
	e, anc, err := typeWalk(elem, r.Path, relAnc)
	if err != nil {
		return err
	}
	if r.When != nil {
		if _, _, err := typeWalk(e, r.When.Path, nil); err != nil {
			return err
		}
	}
	if err := checkTmpl(e, anc, r.Value); err != nil {
		return err
	}
	return checkProps(e, anc, r.Props)
}

// checkRule resolves a RuleSpec's paths below the item type.
func checkRule(item reflect.Type, r RuleSpec) error {
	rule, _, err := typeWalk(item, r.Path, nil)
	if err != nil {
		return err
	}
	for _, p := range []string{r.Egress, r.Protocol, r.FromPort, r.ToPort, r.Action, r.Number} {
		if _, _, err := typeWalk(rule, p, nil); err != nil {
			return err
		}
	}
	for _, p := range r.Peers {
		peer, _, err := typeWalk(rule, p.Path, nil)
		if err != nil {
			return err
		}
		for _, f := range []string{p.CIDR, p.Group, p.Owner, p.Description} {
			if _, _, err := typeWalk(peer, f, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// TestRegistryPathsExistInSDK resolves every path and template of every
// record against the aws-sdk-go-v2 output types: a typo in a field name
// fails here instead of silently producing no property.
func TestRegistryPathsExistInSDK(t *testing.T) {
	for _, et := range registry {
		t.Run(et.Type, func(t *testing.T) {
			out, err := outputType(et.Source)
			if err != nil {
				t.Fatal(err)
			}
			item, anc, err := typeWalk(out, et.Items, nil)
			if err != nil {
				t.Fatalf("Items: %v", err)
			}
			tmpls := append(slices.Clone(et.Key), et.ID, et.Name, et.WebLink)
			for _, tm := range tmpls {
				if err := checkTmpl(item, anc, tm); err != nil {
					t.Error(err)
				}
			}
			if et.When != nil {
				if _, _, err := typeWalk(item, et.When.Path, nil); err != nil {
					t.Errorf("When: %v", err)
				}
			}
			for _, p := range append([]string{et.Created, et.Tags}, et.Skip...) {
				if _, _, err := typeWalk(item, p, nil); err != nil {
					t.Error(err)
				}
			}
			if err := checkProps(item, anc, et.Props); err != nil {
				t.Error(err)
			}
			for _, en := range et.Enrich {
				eo, err := outputType(en.Call)
				if err != nil {
					t.Fatal(err)
				}
				ei, eanc, err := typeWalk(eo, en.Items, nil)
				if err != nil {
					t.Errorf("enrichment %s Items: %v", en.Call, err)
					continue
				}
				if err := checkTmpl(ei, eanc, en.Match); err != nil {
					t.Errorf("enrichment %s: %v", en.Call, err)
				}
				if _, _, err := typeWalk(ei, en.Tags, nil); err != nil {
					t.Errorf("enrichment %s: %v", en.Call, err)
				}
				if err := checkProps(ei, eanc, en.Props); err != nil {
					t.Errorf("enrichment %s: %v", en.Call, err)
				}
			}
			for _, r := range et.Rels {
				ri, ranc := item, anc
				if r.Call != (Call{}) {
					ro, err := outputType(r.Call)
					if err != nil {
						t.Fatal(err)
					}
					if ri, ranc, err = typeWalk(ro, r.Items, nil); err != nil {
						t.Errorf("rel %s %s Items: %v", r.Verb, r.Target, err)
						continue
					}
					if err := checkTmpl(ri, ranc, r.OwnerMatch); err != nil {
						t.Errorf("rel %s %s: %v", r.Verb, r.Target, err)
					}
				}
				if err := checkRel(ri, ranc, r); err != nil {
					t.Errorf("rel %s %s: %v", r.Verb, r.Target, err)
				}
			}
			for _, r := range et.Rules {
				if err := checkRule(item, r); err != nil {
					t.Errorf("rules %s: %v", r.Path, err)
				}
			}
		})
	}
	for _, s := range services {
		for _, st := range s.Settings {
			out, err := outputType(st.Call)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := typeWalk(out, st.Path, nil); err != nil {
				t.Errorf("service %s setting %s: %v", s.Name, st.Prop, err)
			}
		}
	}
}

// TestSources lists, per type, the calls that feed it (the table the rule
// engine's gap reporting relies on).
func TestSources(t *testing.T) {
	tests := []struct {
		name string
		typ  string
		want []string
	}{
		{"bucket: list, every per-bucket call and the account's public access block (a child of the identity)", "aws_s3_bucket", []string{
			"s3:GetBucketAbac", "s3:GetBucketAcl", "s3:GetBucketEncryption", "s3:GetBucketLocation", "s3:GetBucketLogging", "s3:GetBucketPolicy",
			"s3:GetBucketPolicyStatus", "s3:GetBucketTagging", "s3:GetBucketVersioning", "s3:GetPublicAccessBlock", "s3:ListBuckets",
			"s3control:GetPublicAccessBlock", "sts:GetCallerIdentity"}},
		{"table: upstream list and per-table calls", "aws_dynamodb_table", []string{
			"dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTable", "dynamodb:ListTables", "dynamodb:ListTagsOfResource"}},
		{"access key: per-user list and its upstream user list", "aws_iam_access_key", []string{
			"iam:GetAccessKeyLastUsed", "iam:GetAccountAuthorizationDetails", "iam:ListAccessKeys"}},
		{"config rule: evaluations", "aws_config_rule", []string{
			"configservice:DescribeConfigRules", "configservice:GetComplianceDetailsByConfigRule"}},
		{"user: authz details and credential report", "aws_iam_user", []string{
			"iam:GenerateCredentialReport", "iam:GetAccountAuthorizationDetails", "iam:GetCredentialReport"}},
		{"subnet: its route tables feed public", "aws_subnet", []string{"ec2:DescribeRouteTables", "ec2:DescribeSubnets"}},
		{"vpc: flow logs and peerings", "aws_vpc", []string{"ec2:DescribeFlowLogs", "ec2:DescribeVpcPeeringConnections", "ec2:DescribeVpcs"}},
		{"ecs task: batched describe, its upstream lists and the deployments naming its groups", "aws_ecs_task", []string{
			"ecs:DescribeServices", "ecs:DescribeTasks", "ecs:ListClusters", "ecs:ListServices", "ecs:ListTasks"}},
		{"service entity: its settings", "aws_ec2", []string{"ec2:GetEbsEncryptionByDefault"}},
		{"unknown type", "aws_nothing", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, c := range Sources(tc.typ) {
				got = append(got, c.String())
			}
			sort.Strings(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("Sources(%s) = %v, want %v", tc.typ, got, tc.want)
			}
		})
	}
}

// TestValidateRejectsBadSyntax: a path or template that does not parse is
// refused when the registry is checked, naming the type and the
// expression, instead of silently matching nothing at build time.
func TestValidateRejectsBadSyntax(t *testing.T) {
	base, ok := TypeOf("aws_vpc")
	if !ok {
		t.Fatal("no aws_vpc")
	}
	tests := []struct {
		name    string
		edit    func(*EntityType)
		wantErr string
	}{
		{"empty path step", func(e *EntityType) { e.Items = "Vpcs..X" }, `"Vpcs..X"`},
		{"iteration inside a name", func(e *EntityType) { e.Props = []Prop{{Name: "x", Path: "A[]B"}} }, `"A[]B"`},
		{"unclosed placeholder", func(e *EntityType) { e.Name = "{VpcId" }, `"{VpcId"`},
		{"close without open", func(e *EntityType) { e.ID = "VpcId}" }, `"VpcId}"`},
		{"iterating placeholder", func(e *EntityType) { e.Key = []string{"{Tags[].Key}"} }, "iterates"},
		{"parent reference without a dot", func(e *EntityType) { e.Name = "{^Arn}" }, "want ^.Path"},
		{"prop climbing without a dot", func(e *EntityType) { e.Props = []Prop{{Name: "x", Path: "^Arn"}} }, "want ^.Path"},
		{"bad relationship value", func(e *EntityType) {
			e.Rels = []RelSpec{{Verb: "HAS", Target: "aws_subnet", Value: "{Sub net}", By: "id"}}
		}, `"{Sub net}"`},
		{"bad enrichment path", func(e *EntityType) { e.Enrich[0].Items = "FlowLogs[]." }, `"FlowLogs[]."`},
		{"bad item filter path", func(e *EntityType) { e.When = &Cond{Path: "State..Name", Equals: "available"} }, `"State..Name"`},
		{"key names no prop", func(e *EntityType) { e.Key = []string{"{VpcId}|{=nope}"} }, "{=nope}"},
		{"prop reference outside the key", func(e *EntityType) { e.Name = "{=CIDR}" }, "{=CIDR}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base
			e.Enrich = slices.Clone(base.Enrich)
			tt.edit(&e)
			err := e.validate()
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "aws_vpc") {
				t.Fatalf("validate() = %v, want an error naming aws_vpc and containing %s", err, tt.wantErr)
			}
		})
	}
	if err := base.validate(); err != nil {
		t.Errorf("the registry's own record: %v", err)
	}
}
