package rules

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/snapaudit/snapaudit/analyze/access"
	"github.com/snapaudit/snapaudit/analyze/graph"
	"github.com/snapaudit/snapaudit/analyze/model"
	"github.com/snapaudit/snapaudit/collect/synth/synthtest"
	"github.com/snapaudit/snapaudit/snapshot"
)

// eagerEngine is eng with every check reading the fully converted input:
// the reference the lazy input must agree with.
func eagerEngine(eng *Engine) *Engine {
	cp := *eng
	cp.checks = slices.Clone(eng.checks)
	for i := range cp.checks {
		cp.checks[i].eager = true
	}
	return &cp
}

// wholeDirs are the test policy directories that read every entry of the
// input (whole_lazy) or use a lazy object whole (whole_eager).
var wholeDirs = []Option{
	WithPolicyDir(filepath.Join("testdata", "whole_lazy")),
	WithPolicyDir(filepath.Join("testdata", "whole_eager")),
}

// evalBoth evaluates in with eng and with its eager twin and fails the
// test when the results differ.
func evalBoth(t *testing.T, eng *Engine, in Input) *Result {
	t.Helper()
	ctx := context.Background()
	lazy, err := eng.Evaluate(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	eager, err := eagerEngine(eng).Evaluate(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(lazy.Findings) == 0 {
		t.Fatal("no findings")
	}
	if diff := cmp.Diff(eager, lazy); diff != "" {
		t.Errorf("lazy input gives other results than the converted one (-eager +lazy):\n%s", diff)
	}
	return lazy
}

func TestLazyInputSeesEverything(t *testing.T) {
	g := testGraph(t)
	eng := builtinEngine(t, wholeDirs...)
	res := evalBoth(t, eng, Input{Graph: g})
	ne, nr := g.Len()
	msgs := map[string][]string{}
	for _, f := range res.Findings {
		msgs[f.RuleID] = append(msgs[f.RuleID], f.Message)
	}
	count := func(id, prefix string) int {
		n := 0
		for _, m := range msgs[id] {
			if strings.HasPrefix(m, prefix) {
				n++
			}
		}
		return n
	}
	edges := count("ACME-WHOLE-001", "out ") + count("ACME-WHOLE-001", "in ") // each relationship twice
	tests := []struct {
		name      string
		got, want int
	}{
		{name: "entities iterated", got: count("ACME-WHOLE-001", "entity "), want: ne},
		{name: "relationships iterated", got: count("ACME-WHOLE-001", "relationship "), want: nr},
		{name: "adjacency iterated", got: edges, want: 2 * nr},
		{name: "entities serialised (eager)", got: count("ACME-WHOLE-002", "entity "), want: ne},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want || tc.want == 0 {
				t.Errorf("%d findings, want %d (> 0)", tc.got, tc.want)
			}
		})
	}
	want := fmt.Sprintf("%d entities, %d relationships, 3 with edges out, 2 with edges in, 3 out keys", ne, nr)
	if !slices.Contains(msgs["ACME-WHOLE-001"], want) {
		t.Errorf("no finding %q among %q", want, msgs["ACME-WHOLE-001"])
	}
	if !slices.Contains(msgs["ACME-WHOLE-002"], "entity arn:aws:s3:::tagged, 8 in the JSON") {
		t.Errorf("ACME-WHOLE-002 did not serialise the entities: %q", msgs["ACME-WHOLE-002"])
	}
}

// TestLazyGuard checks which checks read the fully converted input: none of
// the built-in pack, and a user check only when a module compiled with it
// uses a lazy object whole.
func TestLazyGuard(t *testing.T) {
	eng := builtinEngine(t, append(wholeDirs, WithPolicyDir(filepath.Join("testdata", "auditor")))...)
	for _, c := range eng.checks {
		want := !strings.HasPrefix(c.info.File, "builtin:")
		if c.eager != want {
			t.Errorf("%s (%s) eager = %v, want %v", c.info.ID, c.info.File, c.eager, want)
		}
	}
	lazy := builtinEngine(t, WithPolicyDir(filepath.Join("testdata", "whole_lazy")), WithPolicyDir(filepath.Join("testdata", "bench")))
	for _, c := range lazy.checks {
		if c.eager {
			t.Errorf("%s (%s) reads the converted input, want the lazy one", c.info.ID, c.info.File)
		}
	}
}

func TestWholeInputUses(t *testing.T) {
	tests := []struct {
		name  string
		rego  string
		whole string // a substring of the first use reported; "" for none
	}{
		{name: "lookup", rego: `r := input.entities["k"]`},
		{name: "lookup by a variable", rego: `r contains x if { some k in input.types.t; x := input.entities[k]._type }`},
		{name: "iteration", rego: `r contains k if { some k, v in input.relationships; v._class == "HAS" }`},
		{name: "iteration of every input field", rego: `r contains k if { some f; input[f][k][_] }`},
		{name: "verbs iterated", rego: `r contains x if { some k, verbs in input.out; x := verbs.HAS[_].key }`},
		{name: "verbs through locals", rego: `r := count(v) if { o := input.out; v := o.k }`},
		{name: "object.get below the verbs", rego: `r := [object.get(input.out, ["k", "HAS"], []), object.get(input["in"].k, "HAS", [])]`},
		{name: "in over a verb object", rego: `r if { [] in input.out.k }`},
		{name: "truth of a verb object", rego: `r contains k if { some f; input[f][k] }`},
		{name: "no edges out", rego: `r contains k if { some k in input.types.t; not input.out[k] }`},
		{name: "truth of a local", rego: `r if { o := input.entities; o }`},
		{name: "object.get of a verb object", rego: `r := object.get(input.out, ["k"], {})`, whole: "input.out used whole"},
		{name: "object.get of a verb object by key", rego: `r := object.get(input.out, "k", {})`, whole: "input.out used whole"},
		{name: "in over the verb objects", rego: `r if { {} in input.out }`, whole: "input.out used whole"},
		{name: "verb object as a value", rego: `r := verbs if { some k, verbs in input["in"] }`, whole: "used whole"},
		{name: "verb object compared through locals", rego: `r if { o := input.out; v := o.k; v == {} }`, whole: "used whole"},
		{name: "count", rego: `r := count(input["in"])`},
		{name: "object.keys", rego: `r := object.keys(input.out)`},
		{name: "object.get with a path", rego: `r := object.get(input.out, ["k", "HAS"], [])`},
		{name: "object.get with a key", rego: `r := object.get(input.entities, "k", null)`},
		{name: "in", rego: `r if { {"a": 1} in input.entities }`},
		{name: "in with a key", rego: `r if { "k", {"a": 1} in input.entities }`},
		{name: "local lookup", rego: `r := x if { es := input.entities; x := es.k }`},
		{name: "small objects whole", rego: `r := [input.types, input.classes, input.snapshot, input.gaps]`},
		{name: "object.get with an empty path", rego: `r := object.get(input.out, [], {})`, whole: "input.out used whole"},
		{name: "object.get with a computed path", rego: `r := object.get(input.out, p, {}) if { p := [] }`, whole: "used whole"},
		{name: "input whole", rego: `r := json.marshal(input)`, whole: "input used whole"},
		{name: "input bound", rego: `r := x.entities if { x := input }`, whole: "input used whole"},
		{name: "input field by a variable", rego: `r contains x if { some f; x := input[f] }`, whole: "used whole"},
		{name: "comparison", rego: `r if { input.entities == {} }`, whole: "input.entities used whole"},
		{name: "comparison of a local", rego: `r if { es := input.entities; {} == es }`, whole: "a local bound to input.entities used whole"},
		{name: "rule value", rego: `r := input.relationships`, whole: "used whole"},
		{name: "function argument", rego: "f(x) := count(x)\nr := f(input.entities)", whole: "used whole"},
		{name: "array element", rego: `r := [input.entities]`, whole: "used whole"},
		{name: "every", rego: `r if { every _, e in input.entities { e._type != "" } }`, whole: "used whole"},
		{name: "with", rego: "s := input.entities.k\nr if { s with input.entities.k as 1 }", whole: "with input.entities.k"},
		{name: "else branch", rego: "r := 1 if { false } else := input.out", whole: "used whole"},
		{name: "comprehension", rego: `r := [x | x := input.out]`, whole: "used whole"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := "package x\n\n" + tc.rego + "\n"
			m, err := ast.ParseModuleWithOpts("x.rego", src, ast.ParserOptions{RegoVersion: ast.RegoV1})
			if err != nil {
				t.Fatal(err)
			}
			c := ast.NewCompiler().WithDefaultRegoVersion(ast.RegoV1)
			if c.Compile(map[string]*ast.Module{"x.rego": m}); c.Failed() {
				t.Fatal(c.Errors)
			}
			uses := wholeInputUses(c.Modules)
			switch {
			case tc.whole == "" && len(uses) > 0:
				t.Errorf("uses %q, want none", uses)
			case tc.whole != "" && len(uses) == 0:
				t.Errorf("no use found, want %q", tc.whole)
			case tc.whole != "" && !strings.Contains(uses[0], tc.whole):
				t.Errorf("uses %q, want the first to contain %q", uses, tc.whole)
			case tc.whole != "" && !strings.HasPrefix(uses[0], "x.rego:"):
				t.Errorf("use %q does not name the file and line", uses[0])
			}
		})
	}
}

// TestLazyConcurrentReads reads the same entries from many goroutines (run
// with -race): every reader gets the same term, equal to the converted
// document's.
func TestLazyConcurrentReads(t *testing.T) {
	g := testGraph(t)
	doc, err := newInputDoc(context.Background(), Input{Graph: g})
	if err != nil {
		t.Fatal(err)
	}
	want, err := inputValue(Input{Graph: g})
	if err != nil {
		t.Fatal(err)
	}
	var paths []ast.Ref
	for _, e := range g.Entities() {
		paths = append(paths, ast.Ref{ast.StringTerm("entities"), ast.StringTerm(e.Key)},
			ast.Ref{ast.StringTerm("out"), ast.StringTerm(e.Key)}, ast.Ref{ast.StringTerm("in"), ast.StringTerm(e.Key)})
	}
	for _, r := range g.Relationships() {
		paths = append(paths, ast.Ref{ast.StringTerm("relationships"), ast.StringTerm(r.Key())})
	}
	const readers = 8
	got := make([][]ast.Value, readers)
	var wg sync.WaitGroup
	for i := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range paths {
				p := paths[(j+i*7)%len(paths)] // each reader starts elsewhere
				v, err := doc.lazy.Find(p)
				if err != nil {
					v = nil
				}
				got[i] = append(got[i], v)
			}
		}()
	}
	wg.Wait()
	found := 0
	same := map[string]ast.Value{}
	for i := range readers {
		for j, v := range got[i] {
			p := paths[(j+i*7)%len(paths)]
			w, err := want.Find(p)
			if err != nil {
				if v != nil {
					t.Errorf("reader %d: %v = %v, want absent", i, p, v)
				}
				continue
			}
			found++
			if v == nil || v.Compare(w) != 0 {
				t.Errorf("reader %d: %v = %v, want %v", i, p, v, w)
			}
			if first := same[p.String()]; first == nil {
				same[p.String()] = v
			} else if first != v {
				t.Errorf("reader %d: %v is another value than another reader's: the entry was not cached once", i, p)
			}
		}
	}
	if found == 0 {
		t.Fatal("no entry found")
	}
	if err := doc.buildErr(); err != nil {
		t.Fatal(err)
	}
}

// TestLazyParallelEvaluate runs the checks four at a time on one lazy
// input (run with -race), against the converted input.
func TestLazyParallelEvaluate(t *testing.T) {
	eng := builtinEngine(t, append(wholeDirs, WithParallelism(4), WithPolicyDir(filepath.Join("testdata", "auditor")))...)
	evalBoth(t, eng, Input{Graph: testGraph(t), Gaps: []Gap{{ResourceType: "aws_s3_bucket", AccountID: acct, Region: "us-east-1", Service: "s3", Operation: "GetBucketTagging", Reason: "denied"}}})
}

// TestLazyBadEntry: a property without a Rego form fails Evaluate when a
// check reads it, the entity whole (json.marshal, whole_eager) or the
// property alone (whole_lazy reads cpu), with the entity and property named;
// a property no check reads fails nothing.
func TestLazyBadEntry(t *testing.T) {
	tests := []struct {
		dir, prop string
		fails     bool
	}{
		{dir: "whole_eager", prop: "memory", fails: true},
		{dir: "whole_lazy", prop: "cpu", fails: true},
		{dir: "whole_lazy", prop: "memory"},
	}
	for _, tc := range tests {
		t.Run(tc.dir+" "+tc.prop, func(t *testing.T) {
			g := graph.New()
			g.AddEntity(graph.NewEntity("arn:aws:ec2:eu-west-1:111122223333:instance/i-1", "aws_instance", nil, map[string]any{tc.prop: inf()}))
			eng := builtinEngine(t, WithPolicyDir(filepath.Join("testdata", tc.dir)))
			_, err := eng.Evaluate(context.Background(), Input{Graph: g})
			want := fmt.Sprintf(`entity arn:aws:ec2:eu-west-1:111122223333:instance/i-1 property %q: number +Inf has no JSON form`, tc.prop)
			if tc.fails != (err != nil) || err != nil && !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v, want %v (naming the entity and property)", err, map[bool]string{true: want, false: "none"}[tc.fails])
			}
		})
	}
}

// synthInput is the graph analyze evaluates for a synthetic organisation
// of n resources (seed 1), or for the snapshot at dir when dir is not "".
func synthInput(t testing.TB, dir string, n int) Input {
	t.Helper()
	// The graph is hundreds of MB: collect it when the test ends, so the
	// heap baseline of the memory-limit tests that follow is not inflated
	// (twice: OPA's sync.Pools keep evaluators, which hold the input, for
	// one more collection).
	t.Cleanup(func() { runtime.GC(); runtime.GC() })
	ctx := context.Background()
	if dir == "" {
		dir = synthtest.Snapshot(t, n, 1)
	}
	snap, err := snapshot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := snap.Manifest()
	g, err := model.Build(ctx, snap, model.WithAccounts(m.Accounts...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := access.Derive(ctx, g); err != nil {
		t.Fatal(err)
	}
	return Input{Graph: g, Snapshot: SnapshotInfo{Accounts: m.Accounts, Regions: m.Regions, CollectedAt: m.FinishedAt}}
}

// TestLazyMatchesEagerOnSnapshots: the demo snapshot and a 10,000-resource
// synthetic organisation give the same findings on the lazy input as on
// the converted one.
func TestLazyMatchesEagerOnSnapshots(t *testing.T) {
	tests := []struct {
		name string
		dir  string
		n    int
		opts []Option
	}{
		{name: "demo", dir: filepath.Join("..", "..", "testdata", "snapshots", "demo"), opts: wholeDirs},
		// The built-in checks only: reporting every entry of 10,000
		// resources is the demo's job.
		{name: "synthetic 10k", n: 10000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.n > 0 && testing.Short() {
				t.Skip("builds a 10,000-resource organisation")
			}
			evalBoth(t, builtinEngine(t, tc.opts...), synthInput(t, tc.dir, tc.n))
		})
	}
}

// TestLazyObjectMethods: every ast.Object method of a lazy object answers
// as the real object with the same entries does.
func TestLazyObjectMethods(t *testing.T) {
	g := testGraph(t)
	doc, err := newInputDoc(context.Background(), Input{Graph: g})
	if err != nil {
		t.Fatal(err)
	}
	lazyOf := func(name string) *lazyObject {
		return doc.lazy.(ast.Object).Get(ast.StringTerm(name)).Value.(*lazyObject)
	}
	sgKey := ast.StringTerm("arn:aws:ec2:eu-west-1:111122223333:security-group/sg-open")
	for _, name := range []string{"entities", "relationships", "out", "in"} {
		t.Run(name, func(t *testing.T) {
			o := lazyOf(name)
			real := o.forced()
			if o.Len() != real.Len() || o.Len() == 0 {
				t.Fatalf("Len %d, real %d (want > 0)", o.Len(), real.Len())
			}
			if !slices.EqualFunc(o.Keys(), real.Keys(), (*ast.Term).Equal) {
				t.Errorf("Keys %v, real %v", o.Keys(), real.Keys())
			}
			var iterated []*ast.Term
			it := o.KeysIterator()
			for k, ok := it.Next(); ok; k, ok = it.Next() {
				iterated = append(iterated, k)
			}
			if !slices.EqualFunc(iterated, real.Keys(), (*ast.Term).Equal) {
				t.Errorf("KeysIterator %v, real %v", iterated, real.Keys())
			}
			n := 0
			if err := o.Iter(func(k, v *ast.Term) error {
				n++
				// v first: a verb object of out and in is lazy, and OPA's
				// object cannot compare itself with one (lazyguard.go).
				if w := real.Get(k); w == nil || v.Value.Compare(w.Value) != 0 {
					t.Errorf("Iter %v = %v, real %v", k, v, w)
				}
				return nil
			}); err != nil || n != real.Len() {
				t.Errorf("Iter visited %d (error %v), want %d", n, err, real.Len())
			}
			o.Foreach(func(*ast.Term, *ast.Term) { n-- })
			if n != 0 || o.Until(func(*ast.Term, *ast.Term) bool { return false }) {
				t.Errorf("Foreach visited %d fewer than Iter, or Until stopped", n)
			}
			for _, k := range []*ast.Term{ast.StringTerm("no such key"), ast.IntNumberTerm(1), sgKey} {
				if got, want := o.Get(k), real.Get(k); (got == nil) != (want == nil) || got != nil && got.Value.Compare(want.Value) != 0 {
					t.Errorf("Get(%v) = %v, real %v", k, got, want)
				}
			}
			if o.Compare(real) != 0 || real.Compare(o.forced()) != 0 || o.Compare(o) != 0 || o.Compare(ast.NewObject()) == 0 {
				t.Error("Compare differs from the real object's")
			}
			if c := o.Copy(); c.Compare(real) != 0 {
				t.Error("Copy differs")
			}
			if d := o.Diff(real); d.Len() != 0 {
				t.Errorf("Diff with the real object: %v", d)
			}
			if m, ok := o.Merge(ast.NewObject()); !ok || m.Compare(real) != 0 {
				t.Error("Merge with {} differs")
			}
			if !o.IsGround() || o.String() != real.String() || o.Hash() != o.Hash() {
				t.Error("IsGround, String or Hash")
			}
			if v, err := o.Find(ast.Ref{}); err != nil || v != ast.Value(o) {
				t.Errorf("Find([]) = %v, %v; want the object", v, err)
			}
			if _, err := o.Find(ast.Ref{ast.StringTerm("no such key")}); err == nil {
				t.Error("Find of a missing key: no error")
			}
		})
	}
	t.Run("Insert", func(t *testing.T) {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "read-only") {
				t.Errorf("Insert: recovered %v, want a read-only panic", r)
			}
		}()
		lazyOf("entities").Insert(ast.StringTerm("k"), ast.NullTerm())
	})
}

// TestLazyTruthConvertsNothing: OPA decides whether an expression holds by
// comparing its value with false; a lazy object answers without converting.
func TestLazyTruthConvertsNothing(t *testing.T) {
	doc, err := newInputDoc(context.Background(), Input{Graph: testGraph(t)})
	if err != nil {
		t.Fatal(err)
	}
	o := doc.lazy.(ast.Object).Get(ast.StringTerm("entities")).Value.(*lazyObject)
	if ast.NewTerm(o).Equal(ast.InternedTerm(false)) || o.Compare(ast.Boolean(false)) <= 0 || o.Compare(ast.NewSet()) >= 0 {
		t.Error("a lazy object compares with false or a set as another type would not")
	}
	if n, _ := doc.converted(); n != 0 || o.whole != nil {
		t.Errorf("%d entries converted (whole object: %v), want none", n, o.whole != nil)
	}
}

// TestLazyRecordRerun: a check that uses an entity or relationship whole (copies,
// compares with another object, serialises or iterates it) gets the
// answers of whole entities, by an evaluation again on them; the
// built-in checks, which read entities property by property, never need
// one.
func TestLazyRecordRerun(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		in     Input
		opts   []Option
		reruns int64
	}{
		{name: "entity used whole", in: Input{Graph: testGraph(t)}, reruns: 5,
			opts: []Option{WithPolicyDir(filepath.Join("testdata", "whole_entity"))}},
		{name: "built-in checks on the demo", in: synthInput(t, filepath.Join("..", "..", "testdata", "snapshots", "demo"), 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eng := builtinEngine(t, append(tc.opts, WithParallelism(1))...)
			res := evalBoth(t, eng, tc.in)
			doc, err := newInputDoc(ctx, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			again, err := eng.evaluate(ctx, doc, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(res, again); diff != "" {
				t.Errorf("a second evaluation differs:\n%s", diff)
			}
			if got := doc.reruns.Load(); got != tc.reruns {
				t.Errorf("%d checks evaluated again on whole entities, want %d", got, tc.reruns)
			}
			for _, f := range res.Findings {
				if strings.HasPrefix(f.RuleID, "ACME-ENTITY-") && f.Status != StatusPass {
					t.Errorf("%s: %s %s", f.RuleID, f.Status, f.Message)
				}
			}
		})
	}
}
