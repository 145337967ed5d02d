package access

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/iam"
	"github.com/snapaudit/snapaudit/analyze/iam/actions"
	"github.com/snapaudit/snapaudit/analyze/model"
	"github.com/snapaudit/snapaudit/snapshot"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// authzDir holds real 'aws iam get-account-authorization-details' dumps
// (cloudsplaining, BSD-3-Clause; see the LICENSE there). They are read in
// place, never copied into the repository.
const authzDir = "../../testdata/authz-details"

// dumpSource serves one dump as the stored GetAccountAuthorizationDetails
// response of one account.
type dumpSource struct {
	account, body string
}

func (s dumpSource) Rows(ctx context.Context, service, operation string, fn func(snapshot.Row) error) error {
	if service != "iam" || operation != "GetAccountAuthorizationDetails" {
		return nil
	}
	return fn(snapshot.Row{AccountID: s.account, Region: "global", Service: service, Operation: operation,
		Params: "{}", Status: snapshot.StatusOK, Response: s.body})
}

// dumpGraph builds the graph of a dump through analyze/model, the way
// analyze does for a snapshot.
func dumpGraph(t testing.TB, path string) *graph.Graph {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The dump's own account: the one its roles' ARNs name.
	var dump struct{ RoleDetailList []struct{ Arn string } }
	if err := json.Unmarshal(raw, &dump); err != nil || len(dump.RoleDetailList) == 0 {
		t.Fatalf("%s: no roles (%v)", path, err)
	}
	p, _ := arnParts(dump.RoleDetailList[0].Arn)
	g, err := model.Build(context.Background(), dumpSource{account: p[4], body: string(raw)})
	if err != nil {
		t.Fatalf("model.Build %s: %v", path, err)
	}
	return g
}

// dumpSummary is what the golden file pins per dump.
type dumpSummary struct {
	Stats Stats `json:"stats"`
	// Relationships counts the derived relationships by source _type,
	// relationship _type and target (_type, or (scope) for ALLOWS).
	Relationships map[string]int `json:"relationships"`
	Entities      map[string]int `json:"placeholders"` // placeholder entities by _type
}

func TestAuthorizationDetailsDumps(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(authzDir, "*.json"))
	if len(files) == 0 {
		t.Fatalf("authz-details dumps missing from %s", authzDir)
	}
	cat, err := actions.Load()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]dumpSummary{}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			g := dumpGraph(t, f)
			_, before := g.Len()
			st, err := Derive(context.Background(), g, WithCatalog(cat))
			if err != nil {
				t.Fatal(err)
			}
			if st.DocumentErrors != 0 {
				t.Errorf("%d documents failed to parse", st.DocumentErrors)
			}
			if _, after := g.Len(); after-before < st.Trusts+st.IdentityAllows+st.PrincipalAccess {
				t.Errorf("graph gained %d relationships, Stats counts %d", after-before, st.Trusts+st.IdentityAllows+st.PrincipalAccess)
			}
			sum := dumpSummary{Stats: st, Relationships: map[string]int{}, Entities: map[string]int{}}
			for _, r := range g.Relationships() {
				if r.Class != "TRUSTS" && r.Class != "ALLOWS" {
					continue
				}
				to := g.Entity(r.To).Type
				if sc, ok := r.Get("scope").(string); ok {
					to = "(" + sc + ")"
				}
				sum.Relationships[g.Entity(r.From).Type+" "+r.Type+" "+to]++
			}
			for _, e := range g.Entities() {
				if e.String("_source") == placeholderSource {
					sum.Entities[e.Type]++
				}
			}
			got[name] = sum
			checkTrustsCoverRoles(t, g)
			checkAccessAgainstGraphSource(t, g, cat)
		})
	}
	golden := filepath.Join("testdata", "authz.golden.json")
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *update {
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(b)); diff != "" {
		t.Errorf("summary differs from %s (-want +got; -update to accept):\n%s", golden, diff)
	}
}

// checkTrustsCoverRoles: every role whose trust policy has an Allow of
// sts:AssumeRole* for a principal has at least one TRUSTS relationship.
func checkTrustsCoverRoles(t *testing.T, g *graph.Graph) {
	t.Helper()
	trusted := map[string]bool{}
	for _, r := range g.Relationships() {
		if r.Class == "TRUSTS" {
			trusted[r.From] = true
		}
	}
	for _, role := range g.EntitiesOfType("aws_iam_role") {
		doc, err := parseDocument(role.Key, role.Get("assumeRolePolicyDocument"))
		if err != nil {
			continue
		}
		for _, st := range doc.stmts {
			if st.effect == iam.Allow && len(stsActions(st)) > 0 && len(st.principals) > 0 && !trusted[role.Key] {
				t.Errorf("role %s trusts %v but has no TRUSTS relationship", role.Key, st.principals)
			}
		}
	}
}

// checkAccessAgainstGraphSource re-derives every aws_principal_access
// relationship through the other path analyze/iam offers (GraphSource +
// Gather, the strict documents) and the action catalog: for each listed
// level, some action of that level matching one of the listed patterns
// must be allowed on the target. Levels only conditional statements grant
// are skipped (the strict documents keep Allow conditions, which an empty
// request context fails).
func checkAccessAgainstGraphSource(t *testing.T, g *graph.Graph, cat *actions.Catalog) {
	t.Helper()
	src := iam.NewGraphSource(g)
	ev := iam.NewEvaluator(iam.WithClock(zeroTime))
	checked := 0
	for _, r := range g.Relationships() {
		if r.Type != AccessType || r.Get("actionsTruncated") == true {
			continue
		}
		// Access a resource policy (or trust policy) gives only to named
		// sessions of a role is asked as each of those sessions.
		for _, w := range accessCallers(r) {
			pr, err := iam.ParsePrincipal(w)
			if err != nil {
				t.Fatalf("%s: %v", r.Key(), err)
			}
			target := g.Entity(r.To)
			// The resources to ask about: the target's ARN, or for service and
			// account scope the granting Resource patterns taken literally.
			var resources []string
			if arn := target.String("arn"); arn != "" && target.Type != "aws_account" {
				resources = []string{arn}
			} else {
				for _, p := range stringList(r.Get("resources")) {
					resources = append(resources, actions.VariablesAsWildcards(p))
				}
			}
			if len(resources) == 0 {
				resources = []string{"*"}
			}
			pols := map[string]*iam.Policies{}
			for _, res := range resources {
				pol, err := iam.Gather(context.Background(), src, pr, res)
				if err != nil {
					t.Fatalf("%s: gather: %v", r.Key(), err)
				}
				pols[res] = pol
			}
			granted := cat.ExpandAll(stringList(r.Get("actions")))
			if na := stringList(r.Get("notActions")); len(na) > 0 {
				granted = append(granted, cat.Complement(na)...)
			}
			svc := ""
			if l := stringList(r.Get("actions")); target.Type != "aws_account" && len(l) > 0 {
				svc, _ = splitAction(l[0])
			}
			for _, level := range stringList(r.Get("accessLevels")) {
				if slices.Contains(stringList(r.Get("conditionalLevels")), level) {
					continue
				}
				ok := false
				for _, a := range granted {
					if (svc != "" && a.Service != svc) || !hasLevel(a, level) {
						continue
					}
					for res, pol := range pols {
						ok = ok || ev.Evaluate(&iam.Request{Principal: pr, Action: a.String(), Resource: res, ResourceAccount: accountOf(target)}, pol).Decision == iam.Allowed
					}
					if ok {
						break
					}
				}
				if !ok {
					t.Errorf("%s: level %s listed, but no %s action of %v is allowed to %s through GraphSource", r.Key(), level, level, r.Get("actions"), w)
				}
			}
		}
		checked++
	}
	if checked == 0 {
		t.Error("no unconditional access relationship to check")
	}
}

func hasLevel(a actions.Action, level string) bool {
	for _, l := range a.Levels() {
		if string(l) == level {
			return true
		}
	}
	return false
}

// TestAuthorizationDetailsDeterministic: two derivations of the same dump
// give byte-identical graphs.
func TestAuthorizationDetailsDeterministic(t *testing.T) {
	f := filepath.Join(authzDir, "example.json")
	if _, err := os.Stat(f); err != nil {
		t.Fatalf("authz-details dumps missing from %s", authzDir)
	}
	var docs [2][]byte
	for i := range docs {
		g := dumpGraph(t, f)
		if _, err := Derive(context.Background(), g); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(g.Document())
		if err != nil {
			t.Fatal(err)
		}
		docs[i] = b
	}
	if !bytes.Equal(docs[0], docs[1]) {
		t.Error("two derivations of the same dump differ")
	}
}

// TestShortcutExact: the evaluations effective access skips (shortcut)
// would have given the same answers: deriving the dumps with and without
// the shortcut gives identical graphs.
func TestShortcutExact(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(authzDir, "*.json"))
	if len(files) == 0 {
		t.Fatalf("authz-details dumps missing from %s", authzDir)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			var docs [2][]byte
			var evals [2]int
			for i, exact := range []bool{false, true} {
				g := dumpGraph(t, f)
				st, err := Derive(context.Background(), g, func(c *config) { c.exact, c.workers = exact, 1 }) // one worker: exact counts
				if err != nil {
					t.Fatal(err)
				}
				evals[i] = st.Evaluations
				if docs[i], err = json.Marshal(g.Document()); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(docs[0], docs[1]) {
				t.Error("the shortcut changes the derived graph")
			}
			if evals[0] >= evals[1] {
				t.Errorf("the shortcut saved no evaluation (%d with, %d without)", evals[0], evals[1])
			}
		})
	}
}
