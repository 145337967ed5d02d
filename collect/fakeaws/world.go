package fakeaws

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// World is a fake AWS account: the settings in world.json plus every fixture
// file under the world directory. A World is read-only once loaded and can be
// served by several servers at once.
type World struct {
	// Dir is the directory the world was read from.
	Dir string
	// AccountID is the 12-digit account; STS GetCallerIdentity answers it.
	AccountID string
	// CallerARN and CallerUserID are the identity GetCallerIdentity answers for
	// the world's own credentials.
	CallerARN    string
	CallerUserID string
	// Regions are the enabled regions (EC2 DescribeRegions lists them).
	Regions []string
	// DisabledRegions are regions that exist but are not enabled: listed by
	// DescribeRegions only with AllRegions=true, and every call signed for them
	// fails the way AWS fails calls to a region that is not opted in.
	DisabledRegions []string
	// Buckets maps S3 bucket names to their regions. GetBucketLocation answers
	// from it when no fixture does, and per-bucket calls signed for another
	// region are refused like S3 refuses them (AuthorizationHeaderMalformed).
	Buckets map[string]string
	// TokenParams are the request parameter names that carry a pagination
	// token (defaults plus world.json "token_params").
	TokenParams []string

	fixtures map[string][]*fixture // by service/region/operation, sorted by path
	synth    *synthetic            // a synthetic world's generator (synthetic.go); nil for a world from files
}

// worldFile is the JSON shape of world.json.
type worldFile struct {
	AccountID       string            `json:"account_id"`
	CallerARN       string            `json:"caller_arn"`
	CallerUserID    string            `json:"caller_user_id"`
	Regions         []string          `json:"regions"`
	DisabledRegions []string          `json:"disabled_regions"`
	Buckets         map[string]string `json:"buckets"`
	TokenParams     []string          `json:"token_params"`
	Comment         string            `json:"comment"`
}

// defaultTokenParams are the request parameters the SDKs use for pagination
// tokens across protocols (query form fields, JSON members, REST query keys).
var defaultTokenParams = []string{
	"ContinuationToken", "ExclusiveStartTableName", "Marker", "NextToken", "PageToken",
	"PaginationToken", "StartingToken", "continuation-token", "marker", "next-token",
	"nextToken", "position",
}

type fixtureKind int

const (
	kindXML fixtureKind = iota + 1
	kindJSON
	kindError
)

// fixture is one response file.
type fixture struct {
	Path      string // slash-separated, relative to the world directory
	Service   string
	Region    string // a region or "global"
	Operation string
	Match     map[string]string // request params that must be equal
	Token     string            // pagination token selecting this page; "" = first page
	Kind      fixtureKind
	Body      []byte
	Err       *apiError // for kindError
}

// matchKey identifies the group of pages one fixture belongs to.
func (f *fixture) matchKey() string {
	keys := make([]string, 0, len(f.Match))
	for k := range f.Match {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString("@" + k + "=" + f.Match[k])
	}
	return b.String()
}

var (
	reAccount   = regexp.MustCompile(`^[0-9]{12}$`)
	reRegion    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	reOperation = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
	reParamKey  = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
)

// LoadWorld reads the world in dir and fails the test with an error naming the
// offending file when the world is malformed.
func LoadWorld(t testing.TB, dir string) *World {
	t.Helper()
	w, err := ReadWorld(dir)
	if err != nil {
		t.Fatalf("fakeaws: %v", err)
	}
	return w
}

// ReadWorld reads the world in dir (see the package documentation for the
// format). Errors name the file and what is wrong with it.
func ReadWorld(dir string) (*World, error) {
	w, err := readWorldFS(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("world %s: %w", dir, err)
	}
	w.Dir = dir
	return w, nil
}

func readWorldFS(fsys fs.FS) (*World, error) {
	raw, err := fs.ReadFile(fsys, "world.json")
	if err != nil {
		return nil, fmt.Errorf("world.json: %w", err)
	}
	var wf worldFile
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&wf); err != nil {
		return nil, fmt.Errorf("world.json: %w", err)
	}
	if err := checkWorldFile(&wf); err != nil {
		return nil, fmt.Errorf("world.json: %w", err)
	}
	w := &World{
		AccountID:       wf.AccountID,
		CallerARN:       wf.CallerARN,
		CallerUserID:    wf.CallerUserID,
		Regions:         wf.Regions,
		DisabledRegions: wf.DisabledRegions,
		Buckets:         wf.Buckets,
		TokenParams:     append(slices.Clone(defaultTokenParams), wf.TokenParams...),
		fixtures:        map[string][]*fixture{},
	}
	if w.CallerUserID == "" {
		w.CallerUserID = "AIDAFAKEAWSCALLER0001"
	}
	if w.Buckets == nil {
		w.Buckets = map[string]string{}
	}

	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	for _, svcEntry := range entries {
		if !svcEntry.IsDir() {
			continue // world.json, README.md, NOTICE ...
		}
		svc := svcEntry.Name()
		if _, ok := serviceByPackage(svc); !ok {
			return nil, fmt.Errorf("%s/: not an aws-sdk-go-v2 service package name the fake knows (e.g. ec2, iam, configservice)", svc)
		}
		regionEntries, err := fs.ReadDir(fsys, svc)
		if err != nil {
			return nil, err
		}
		for _, re := range regionEntries {
			if !re.IsDir() {
				return nil, fmt.Errorf("%s/%s: fixture files go in a region directory (%s/<region>/ or %s/global/)", svc, re.Name(), svc, svc)
			}
			region := re.Name()
			if region != "global" && !reRegion.MatchString(region) {
				return nil, fmt.Errorf("%s/%s/: directory must be a region name (us-east-1) or \"global\"", svc, region)
			}
			files, err := fs.ReadDir(fsys, path.Join(svc, region))
			if err != nil {
				return nil, err
			}
			for _, fe := range files {
				p := path.Join(svc, region, fe.Name())
				if fe.IsDir() {
					return nil, fmt.Errorf("%s/: unexpected directory", p)
				}
				f, err := readFixture(fsys, p, svc, region, fe.Name())
				if err != nil {
					return nil, err
				}
				k := svc + "/" + region + "/" + f.Operation
				w.fixtures[k] = append(w.fixtures[k], f)
			}
		}
	}
	if err := checkPages(w.fixtures); err != nil {
		return nil, err
	}
	return w, nil
}

func checkWorldFile(wf *worldFile) error {
	if !reAccount.MatchString(wf.AccountID) {
		return fmt.Errorf("account_id %q: want 12 digits", wf.AccountID)
	}
	if !strings.HasPrefix(wf.CallerARN, "arn:") {
		return fmt.Errorf("caller_arn %q: want an ARN (arn:aws:iam::%s:user/NAME)", wf.CallerARN, wf.AccountID)
	}
	if len(wf.Regions) == 0 {
		return errors.New("regions: want at least one enabled region")
	}
	seen := map[string]bool{}
	for _, r := range append(slices.Clone(wf.Regions), wf.DisabledRegions...) {
		if !reRegion.MatchString(r) {
			return fmt.Errorf("region %q: not a region name", r)
		}
		if seen[r] {
			return fmt.Errorf("region %q: listed twice (regions and disabled_regions must not overlap)", r)
		}
		seen[r] = true
	}
	for b, r := range wf.Buckets {
		if !slices.Contains(wf.Regions, r) && !slices.Contains(wf.DisabledRegions, r) {
			return fmt.Errorf("buckets[%q]: region %q is not in regions or disabled_regions", b, r)
		}
	}
	for _, p := range wf.TokenParams {
		if !reParamKey.MatchString(p) {
			return fmt.Errorf("token_params: %q is not a parameter name", p)
		}
	}
	return nil
}

// readFixture parses a fixture file name
//
//	<Operation>[@<param>=<value>]...[#<token>].<xml|json|error.json>
//
// (param values and tokens query-escaped) and checks its body is well formed.
func readFixture(fsys fs.FS, p, svc, region, name string) (*fixture, error) {
	f := &fixture{Path: p, Service: svc, Region: region, Match: map[string]string{}}
	stem := name
	switch {
	case strings.HasSuffix(name, ".error.json"):
		f.Kind, stem = kindError, strings.TrimSuffix(name, ".error.json")
	case strings.HasSuffix(name, ".json"):
		f.Kind, stem = kindJSON, strings.TrimSuffix(name, ".json")
	case strings.HasSuffix(name, ".xml"):
		f.Kind, stem = kindXML, strings.TrimSuffix(name, ".xml")
	default:
		return nil, fmt.Errorf("%s: unknown extension (want .xml, .json or .error.json)", p)
	}
	if before, tok, ok := strings.Cut(stem, "#"); ok {
		t, err := url.QueryUnescape(tok)
		if err != nil || t == "" {
			return nil, fmt.Errorf("%s: bad page token %q after '#'", p, tok)
		}
		stem, f.Token = before, t
	}
	parts := strings.Split(stem, "@")
	f.Operation = parts[0]
	if !reOperation.MatchString(f.Operation) {
		return nil, fmt.Errorf("%s: %q is not an operation name (want e.g. DescribeInstances)", p, f.Operation)
	}
	for _, kv := range parts[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !reParamKey.MatchString(k) {
			return nil, fmt.Errorf("%s: match %q: want @<param>=<value>", p, kv)
		}
		uv, err := url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("%s: match %q: %w", p, kv, err)
		}
		if _, dup := f.Match[k]; dup {
			return nil, fmt.Errorf("%s: param %q matched twice", p, k)
		}
		f.Match[k] = uv
	}
	body, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, err
	}
	f.Body = body
	switch f.Kind {
	case kindJSON:
		if !json.Valid(body) {
			var v any
			err := json.Unmarshal(body, &v)
			return nil, fmt.Errorf("%s: invalid JSON: %w", p, err)
		}
	case kindXML:
		if err := checkXML(body); err != nil {
			return nil, fmt.Errorf("%s: invalid XML: %w", p, err)
		}
	case kindError:
		var e struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Status  int    `json:"status"`
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("%s: error fixture: %w (want {\"code\":..., \"message\":..., \"status\":...})", p, err)
		}
		if e.Code == "" {
			return nil, fmt.Errorf("%s: error fixture: \"code\" is required", p)
		}
		if e.Status != 0 && (e.Status < 300 || e.Status > 599) {
			return nil, fmt.Errorf("%s: error fixture: status %d is not an HTTP error status", p, e.Status)
		}
		f.Err = &apiError{Code: e.Code, Message: e.Message, Status: e.Status}
	}
	return f, nil
}

// checkXML reports whether body is one well-formed XML document.
func checkXML(body []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(body))
	roots := 0
	depth := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if roots != 1 {
		return fmt.Errorf("want exactly one root element, got %d", roots)
	}
	return nil
}

// checkPages sorts each operation's fixtures and checks page groups: no two
// files answer the same request, a paged group has a first page, and every
// page's token appears in another page of the group (so it can be reached).
func checkPages(all map[string][]*fixture) error {
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fs := all[k]
		sort.Slice(fs, func(i, j int) bool { return fs[i].Path < fs[j].Path })
		groups := map[string][]*fixture{}
		for _, f := range fs {
			groups[f.matchKey()] = append(groups[f.matchKey()], f)
		}
		for _, g := range groups {
			byToken := map[string]*fixture{}
			for _, f := range g {
				if other, dup := byToken[f.Token]; dup {
					return fmt.Errorf("%s: answers the same requests as %s", f.Path, other.Path)
				}
				byToken[f.Token] = f
			}
			if len(g) == 1 {
				continue
			}
			if byToken[""] == nil {
				return fmt.Errorf("%s: paged fixture without a first page (a file with no #token)", g[0].Path)
			}
			for _, f := range g {
				if f.Token == "" {
					continue
				}
				reachable := false
				for _, o := range g {
					if o != f && bytes.Contains(o.Body, []byte(f.Token)) {
						reachable = true
						break
					}
				}
				if !reachable {
					return fmt.Errorf("%s: page token %q appears in no other page of the operation, so no request can reach it", f.Path, f.Token)
				}
			}
		}
	}
	return nil
}

// lookup finds the fixture answering a request: the region's directory first,
// then global/; among files whose matches all hold, the one with the most
// matches; within that group the page named by the request's token.
// It returns nil, nil when nothing matches.
func (w *World) lookup(service, region, op string, params map[string]string) (*fixture, *apiError) {
	token := w.token(params)
	for _, reg := range []string{region, "global"} {
		var best []*fixture
		bestN := -1
		bestKey := ""
		for _, f := range w.fixtures[service+"/"+reg+"/"+op] {
			if !matches(f.Match, params) {
				continue
			}
			n := len(f.Match)
			switch {
			case n > bestN:
				best, bestN, bestKey = []*fixture{f}, n, f.matchKey()
			case n == bestN && f.matchKey() == bestKey:
				best = append(best, f)
			}
		}
		if best == nil {
			continue
		}
		for _, f := range best {
			if f.Token == token {
				return f, nil
			}
		}
		return nil, &apiError{
			Code:    "InvalidNextToken",
			Message: fmt.Sprintf("fakeaws: no page of %s has token %q", best[0].Path, token),
		}
	}
	if w.synth != nil {
		return w.synth.answer(service, region, op, params, token), nil
	}
	return nil, nil
}

// bucketRegion is the region of an S3 bucket the world knows: world.json
// "buckets", or a synthetic world's bucket.
func (w *World) bucketRegion(name string) (string, bool) {
	if r, ok := w.Buckets[name]; ok {
		return r, true
	}
	if w.synth != nil {
		return w.synth.bucketRegion(name)
	}
	return "", false
}

// token returns the request's pagination token; "" for a first page.
func (w *World) token(params map[string]string) string {
	for _, tp := range w.TokenParams {
		if v := params[tp]; v != "" {
			return v
		}
	}
	return ""
}

func matches(want, got map[string]string) bool {
	for k, v := range want {
		if gv, ok := got[k]; !ok || gv != v {
			return false
		}
	}
	return true
}

// Fixtures lists the world's fixture files (slash paths relative to the world
// directory), sorted. Tests use it to check every file is reachable.
func (w *World) Fixtures() []string {
	var out []string
	for _, fs := range w.fixtures {
		for _, f := range fs {
			out = append(out, f.Path)
		}
	}
	sort.Strings(out)
	return out
}
