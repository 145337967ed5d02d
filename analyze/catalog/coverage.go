package catalog

// Coverage against the specification: every row of the spec tables,
// produced or not, and why. Decisions (decisions.tsv) are data: a row the
// registries produce under other names ("produced-as") or leave out on
// purpose ("not-produced", with the reason). Coverage refuses a decision
// that no longer holds: one naming a row the spec does not have, a kind
// the catalog does not produce, or a row the registries now produce.

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Row is one row of a tab-separated table with a header line.
type Row struct {
	File string
	Line int               // 1-based line number in File
	Cols map[string]string // column name -> trimmed value
}

// ReadTSV reads a tab-separated table whose first line names the columns.
// A row with more cells than the header is an error naming the file and
// line; missing trailing cells are "". Lines starting with '#' and blank
// lines are skipped.
func ReadTSV(r io.Reader, name string) ([]Row, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var header []string
	var rows []Row
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		cells := strings.Split(text, "\t")
		if header == nil {
			header = cells
			continue
		}
		if len(cells) > len(header) {
			return nil, fmt.Errorf("%s:%d: %d cells, the header has %d columns", name, line, len(cells), len(header))
		}
		row := Row{File: name, Line: line, Cols: map[string]string{}}
		for i, h := range header {
			if i < len(cells) {
				row.Cols[h] = strings.TrimSpace(cells[i])
			} else {
				row.Cols[h] = ""
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if header == nil {
		return nil, fmt.Errorf("%s: no header line", name)
	}
	return rows, nil
}

// The decisions.
const (
	ProducedAs  = "produced-as"  // the row is produced under the kinds in As
	NotProduced = "not-produced" // the row is left out on purpose: Reason
)

// Decision is one row of decisions.tsv.
type Decision struct {
	Where    string   // file:line, for errors
	Row      string   // "aws_x" (an entity row) or "from VERB to" (a relationship row)
	Decision string   // ProducedAs or NotProduced
	As       []string // ProducedAs: the kinds, "from VERB to"
	Reason   string
}

// ParseDecisions reads the rows of decisions.tsv (columns row, decision,
// as, reason).
func ParseDecisions(rows []Row) ([]Decision, error) {
	var out []Decision
	seen := map[string]string{}
	for _, r := range rows {
		d := Decision{Where: fmt.Sprintf("%s:%d", r.File, r.Line), Row: r.Cols["row"], Decision: r.Cols["decision"], Reason: r.Cols["reason"]}
		for _, k := range strings.Split(r.Cols["as"], ";") {
			if k = strings.TrimSpace(k); k != "" {
				d.As = append(d.As, k)
			}
		}
		switch {
		case d.Row == "":
			return nil, fmt.Errorf("%s: row: empty", d.Where)
		case seen[d.Row] != "":
			return nil, fmt.Errorf("%s: row %q: decided already at %s", d.Where, d.Row, seen[d.Row])
		case d.Reason == "":
			return nil, fmt.Errorf("%s: row %q: reason: empty", d.Where, d.Row)
		case d.Decision == ProducedAs && len(d.As) == 0:
			return nil, fmt.Errorf("%s: row %q: as: empty for %s", d.Where, d.Row, ProducedAs)
		case d.Decision == NotProduced && len(d.As) > 0:
			return nil, fmt.Errorf("%s: row %q: as: set for %s", d.Where, d.Row, NotProduced)
		case d.Decision != ProducedAs && d.Decision != NotProduced:
			return nil, fmt.Errorf("%s: row %q: decision %q: want %s or %s", d.Where, d.Row, d.Decision, ProducedAs, NotProduced)
		}
		seen[d.Row] = d.Where
		out = append(out, d)
	}
	return out, nil
}

// Spec is the specification's tables.
type Spec struct {
	Entities      []Row // entities.tsv
	Relationships []Row // relationships.tsv, then relationships_implied.tsv
}

// RowCoverage is one spec row's coverage.
type RowCoverage struct {
	Row      Row
	Produced bool
	// As are the produced relationship _types (relationship rows), or the
	// produced _type's classes (entity rows).
	As   []string
	Note string
}

// Coverage is the specification's rows, each produced or not.
type Coverage struct {
	Entities      []RowCoverage
	Relationships []RowCoverage
	// Beyond are the registry's relationship kinds no spec row names.
	Beyond []RelationshipType
	// APIs say, per collected service, whether AWS retired or renamed its
	// API (apis.tsv, checked by CheckAPIs).
	APIs []API
}

// API statuses (apis.tsv).
var apiStatuses = []string{"current", "renamed", "retired"}

// API is one row of apis.tsv: a collected service's API, and whether AWS
// has retired or renamed it.
type API struct {
	Service string // the service placeholder _type, aws_<service>
	SDK     string // the SDK client packages read
	Status  string // current, renamed or retired
	Finding string // what changed, and what the collector reads instead; "-" when nothing
}

// CheckAPIs reads the rows of apis.tsv (columns service, sdk, status,
// finding): one row for every service placeholder of the catalog and no
// other, naming the SDK packages its types' source calls use.
func CheckAPIs(cat Catalog, rows []Row) ([]API, error) {
	var want []string
	sdks := map[string][]string{}
	for _, e := range cat.EntityTypes {
		switch {
		case e.Kind == KindService:
			want = append(want, e.Type)
		case e.Kind == KindResource && e.Service != "":
			pkg, _, _ := strings.Cut(e.Source, ":")
			if !slices.Contains(sdks[e.Service], pkg) {
				sdks[e.Service] = append(sdks[e.Service], pkg)
			}
		}
	}
	var out []API
	var got []string
	for _, r := range rows {
		a := API{Service: r.Cols["service"], SDK: r.Cols["sdk"], Status: r.Cols["status"], Finding: r.Cols["finding"]}
		where := fmt.Sprintf("%s:%d: %s", r.File, r.Line, a.Service)
		switch {
		case !slices.Contains(want, a.Service):
			return nil, fmt.Errorf("%s: not a service placeholder of the registries", where)
		case slices.Contains(got, a.Service):
			return nil, fmt.Errorf("%s: listed twice", where)
		case !slices.Contains(apiStatuses, a.Status):
			return nil, fmt.Errorf("%s: status %q: want one of %s", where, a.Status, strings.Join(apiStatuses, ", "))
		case a.SDK == "" || a.Finding == "":
			return nil, fmt.Errorf("%s: sdk and finding must be set (finding \"-\" when nothing changed)", where)
		case a.Status != "current" && a.Finding == "-":
			return nil, fmt.Errorf("%s: status %s needs a finding", where, a.Status)
		}
		pkgs := strings.Split(a.SDK, ", ")
		slices.Sort(pkgs)
		slices.Sort(sdks[a.Service])
		if !slices.Equal(pkgs, sdks[a.Service]) {
			return nil, fmt.Errorf("%s: sdk %q: its types read %s", where, a.SDK, strings.Join(sdks[a.Service], ", "))
		}
		got = append(got, a.Service)
		out = append(out, a)
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			return nil, fmt.Errorf("apis.tsv: no row for the service %s: say whether its API is current, renamed or retired", w)
		}
	}
	return out, nil
}

// Produced counts the produced rows of a list.
func Produced(rows []RowCoverage) int {
	n := 0
	for _, r := range rows {
		if r.Produced {
			n++
		}
	}
	return n
}

// planned is the reason of a row no decision covers and the spec does not flag.
const planned = "not collected yet (planned)"

// Reasons of a relationship row whose ends are both in the registry but
// that is neither built nor decided: TestEveryBuildableRowDecided refuses
// them (issue 6: every row whose both ends are produced is produced, or
// decisions.tsv says why not).
const (
	unbuilt   = "not built yet (planned): both ends are in the registry"
	undecided = "not decided yet: "
)

// Compare computes the coverage of the spec by the catalog.
func Compare(cat Catalog, spec Spec, decisions []Decision) (Coverage, error) {
	dec := map[string]*Decision{}
	used := map[string]bool{}
	for i := range decisions {
		dec[decisions[i].Row] = &decisions[i]
	}
	kinds := map[string][]RelationshipType{}
	for _, r := range cat.RelationshipTypes {
		k := r.From + " " + r.Verb + " " + r.To
		kinds[k] = append(kinds[k], r)
	}
	named := map[string]bool{}
	var cov Coverage

	for _, r := range spec.Entities {
		typ := r.Cols["type"]
		rc := RowCoverage{Row: r}
		e, ok := cat.Entity(typ)
		d := dec[typ]
		if d != nil {
			used[typ] = true
		}
		switch {
		case ok && e.Kind != KindEndpoint:
			rc.Produced, rc.As = true, e.Class
			if want := strings.Split(r.Cols["classes"], ","); !slices.Equal(want, e.Class) {
				rc.Note = "classes differ from the spec's " + strings.Join(want, ", ")
			}
			if d != nil {
				return Coverage{}, fmt.Errorf("%s: %s is produced now: remove the decision", d.Where, typ)
			}
		case d != nil && d.Decision == ProducedAs:
			return Coverage{}, fmt.Errorf("%s: %s: %s is for relationship rows", d.Where, typ, ProducedAs)
		case d != nil:
			rc.Note = d.Reason
		default:
			rc.Note = planned
		}
		cov.Entities = append(cov.Entities, rc)
	}

	for _, r := range spec.Relationships {
		from, verb, to := r.Cols["from_type"], r.Cols["verb"], r.Cols["to_type"]
		key := from + " " + verb + " " + to
		rc := RowCoverage{Row: r}
		d := dec[key]
		if d != nil {
			used[key] = true
		}
		if ks := kinds[key]; len(ks) > 0 {
			if d != nil {
				return Coverage{}, fmt.Errorf("%s: %s is produced now: remove the decision", d.Where, key)
			}
			named[key] = true
			rc.Produced = true
			for _, k := range ks {
				rc.As = append(rc.As, k.Type)
			}
			if want := r.Cols["rel_type_sdk"]; want != "" && !slices.Contains(rc.As, want) {
				rc.Note = "the spec's `_type` is " + want
			}
			cov.Relationships = append(cov.Relationships, rc)
			continue
		}
		switch {
		case d != nil && d.Decision == ProducedAs:
			for _, k := range d.As {
				ks := kinds[k]
				if len(ks) == 0 {
					return Coverage{}, fmt.Errorf("%s: %s: %q is not a relationship kind the catalog has", d.Where, key, k)
				}
				named[k] = true
				for _, x := range ks {
					rc.As = append(rc.As, x.Type)
				}
			}
			rc.Produced, rc.Note = true, "as "+strings.Join(d.As, "; ")+": "+d.Reason
		case d != nil:
			rc.Note = d.Reason
		default:
			rc.Note = missing(cat, from, to)
			if st := r.Cols["status"]; st == "inconsistent" || st == "unclear" || st == "typo" {
				rc.Note += "; the spec's status column says " + st
				if n := r.Cols["notes"]; n != "" {
					rc.Note += ": " + n
				}
			}
		}
		slices.Sort(rc.As)
		rc.As = slices.Compact(rc.As)
		cov.Relationships = append(cov.Relationships, rc)
	}

	for _, d := range decisions {
		if !used[d.Row] {
			return Coverage{}, fmt.Errorf("%s: row %q is in no spec table", d.Where, d.Row)
		}
	}
	for _, r := range cat.RelationshipTypes {
		if r.Origin == OriginRegistry && !named[r.From+" "+r.Verb+" "+r.To] {
			cov.Beyond = append(cov.Beyond, r)
		}
	}
	return cov, nil
}

// missing says why the registries have no relationship between from and to.
func missing(cat Catalog, from, to string) string {
	var absent []string
	for _, end := range []string{from, to} {
		if IsPlaceholder(end) {
			return undecided + "`" + end + "` is a generic end; decisions.tsv says which kinds stand for it"
		}
		if e, ok := cat.Entity(end); !ok || e.Kind == KindEndpoint {
			if q := "`" + end + "`"; !slices.Contains(absent, q) {
				absent = append(absent, q)
			}
		}
	}
	if len(absent) > 0 {
		return planned + ": " + strings.Join(absent, " and ") + " not in the registry"
	}
	return unbuilt
}

// CoverageDoc renders docs/coverage.md.
func CoverageDoc(cov Coverage) string {
	var b strings.Builder
	header(&b, "Coverage against the specification")
	byFile := map[string][]RowCoverage{}
	var files []string
	for _, rc := range cov.Relationships {
		if _, ok := byFile[rc.Row.File]; !ok {
			files = append(files, rc.Row.File)
		}
		byFile[rc.Row.File] = append(byFile[rc.Row.File], rc)
	}
	fmt.Fprintf(&b, "Every row of the specification tables (`testdata/spec/`), produced by the analyzer or not, and why.\n"+
		"Generated from the registries (see [resource-types.md](resource-types.md)) and from the decisions in\n"+
		"`analyze/catalog/decisions.tsv`; a row without a decision that is not produced is planned.\n\n")
	fmt.Fprintf(&b, "- **Entity types: %d of %d** rows of `entities.tsv` are produced.\n", Produced(cov.Entities), len(cov.Entities))
	fmt.Fprintf(&b, "- **Relationships: %d of %d** rows are produced", Produced(cov.Relationships), len(cov.Relationships))
	var parts []string
	for _, f := range files {
		parts = append(parts, fmt.Sprintf("`%s` %d of %d", f, Produced(byFile[f]), len(byFile[f])))
	}
	fmt.Fprintf(&b, " (%s).\n", strings.Join(parts, ", "))

	b.WriteString("\n## Entity types (`entities.tsv`)\n\n| line | `_type` | spec classes | produced | note |\n|---|---|---|---|---|\n")
	for _, rc := range cov.Entities {
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s |\n", rc.Row.Line, code(rc.Row.Cols["type"]), cell(rc.Row.Cols["classes"]),
			yesNo(rc.Produced), cell(rc.Note))
	}
	for _, f := range files {
		fmt.Fprintf(&b, "\n## Relationships (`%s`)\n\n| line | from | verb | to | spec status | produced as | note |\n|---|---|---|---|---|---|---|\n", f)
		for _, rc := range byFile[f] {
			c := rc.Row.Cols
			as := "no"
			if rc.Produced {
				as = codes(rc.As)
			}
			fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s |\n", rc.Row.Line, code(c["from_type"]), c["verb"], code(c["to_type"]),
				cell(c["status"]), as, cell(rc.Note))
		}
	}
	if len(cov.APIs) > 0 {
		n := 0
		for _, a := range cov.APIs {
			if a.Status == "retired" {
				n++
			}
		}
		fmt.Fprintf(&b, "\n## Retired or renamed services\n\nWhere AWS has retired a service's API, the collector reads its successor "+
			"and maps it onto the seed's `_type`; a renamed service keeps its API. From `analyze/catalog/apis.tsv`: "+
			"%d of the %d collected services' APIs are retired.\n\n| service | SDK | status | finding |\n|---|---|---|---|\n", n, len(cov.APIs))
		for _, a := range cov.APIs {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", code(a.Service), cell(a.SDK), a.Status, cell(a.Finding))
		}
	}
	b.WriteString("\n## Produced beyond the specification\n\nRelationship kinds the registries build that no spec row names " +
		"(the IAM derivations' kinds are in [resource-types.md](resource-types.md)).")
	if len(cov.Beyond) == 0 {
		b.WriteString(" None.\n")
		return b.String()
	}
	b.WriteString("\n\n| `_type` | from | verb | to |\n|---|---|---|---|\n")
	for _, r := range cov.Beyond {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", code(r.Type), code(r.From), r.Verb, code(r.To))
	}
	return b.String()
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}
