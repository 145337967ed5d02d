package snapshot

// The manifest is the commit point and the table of contents of a snapshot.
//
// Self-integrity: the manifest carries the SHA-256 of its own bytes. Its last
// top-level field is "manifest_sha256"; the value is the SHA-256 (lowercase
// hex) of the file's exact bytes with those 64 hex digits replaced by 64 '0'
// characters. A checker finds the LAST occurrence of the key, requires that
// only `: "<64 hex>"`, whitespace and the closing brace follow it, zeroes the
// digits and hashes. Because the hash covers the raw bytes (not a
// re-encoding), flipping any byte anywhere - whitespace included - is caught:
// a byte outside the value changes the hash; a byte inside the value either
// stops being hex (structure error) or no longer matches.
//
// This protects against accidents (bit rot, truncation, a careless edit), not
// against someone who rewrites the data files and the manifest consistently;
// sign the snapshot for that (sign.go; FORMAT.md, threat model).

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Errors callers may test for with errors.Is.
var (
	// ErrNotSnapshot: the directory has no manifest.json (it is not a
	// committed snapshot).
	ErrNotSnapshot = errors.New("not a snapshot (no manifest.json)")
	// ErrUnsupportedVersion: the snapshot was written by a newer format.
	ErrUnsupportedVersion = errors.New("unsupported snapshot format version")
	// ErrCorrupt: the manifest or a data file failed an integrity or
	// consistency check.
	ErrCorrupt = errors.New("snapshot is corrupt")
)

// Call status values.
const (
	CallOK      = "ok"      // every invocation succeeded (all pages ok)
	CallPartial = "partial" // some invocations failed, some succeeded
	CallError   = "error"   // every invocation failed
)

// Manifest is the decoded manifest.json. Field order is the JSON order;
// ManifestSHA256 must stay last (see the self-integrity comment above).
type Manifest struct {
	Format        string       `json:"format"`
	FormatVersion int          `json:"format_version"`
	Tool          Tool         `json:"tool"`
	SDKModules    []Module     `json:"sdk_modules"`
	Caller        Caller       `json:"caller"`
	Accounts      []string     `json:"accounts"`
	Regions       []string     `json:"regions"`
	StartedAt     time.Time    `json:"started_at"`
	FinishedAt    time.Time    `json:"finished_at"`
	Files         []File       `json:"files"`
	Calls         []CallStatus `json:"calls"`
	// Plan is the collection plan: every call the collector was set to
	// run, with its scope and parent, whether or not it produced rows
	// (omitted by writers that record none; see Planned).
	Plan []PlannedCall `json:"plan,omitempty"`
	// ManifestSHA256 is the self-hash; see the package design comment.
	ManifestSHA256 string `json:"manifest_sha256"`
}

// Tool identifies the program that wrote the snapshot.
type Tool struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	Revision  string `json:"revision"` // VCS revision, "" when unknown
	GoVersion string `json:"go_version"`
}

// Module is a Go module and version (the AWS SDK modules used to collect).
type Module struct {
	Path    string `json:"path"`
	Version string `json:"version"`
}

// Caller is the identity that collected (sts:GetCallerIdentity).
type Caller struct {
	AccountID string `json:"account_id"`
	ARN       string `json:"arn"`
	UserID    string `json:"user_id"`
}

// File is one data file. Path is slash-separated and relative to the
// snapshot directory.
type File struct {
	Path      string `json:"path"`
	Service   string `json:"service"`
	Operation string `json:"operation"`
	SHA256    string `json:"sha256"`
	Rows      int64  `json:"rows"`
	Bytes     int64  `json:"bytes"`
}

// CallStatus summarises every row of one (account, region, service,
// operation). An invocation is one call of the operation (for per-parent
// calls: one parent), i.e. one row with page 0; it failed when it ended with
// a row of status error. Failed invocations are rows in the data files, never
// dropped.
type CallStatus struct {
	AccountID   string               `json:"account_id"`
	Region      string               `json:"region"`
	Service     string               `json:"service"`
	Operation   string               `json:"operation"`
	Status      string               `json:"status"`      // CallOK, CallPartial or CallError
	Invocations int64                `json:"invocations"` // rows with page 0
	Pages       int64                `json:"pages"`       // all rows
	OKPages     int64                `json:"ok_pages"`    // rows with status ok
	Errors      map[ErrorClass]int64 `json:"errors,omitempty"`
	// FirstError is the first error row in file order (smallest parent_key,
	// page, params), so it does not depend on timing.
	FirstError *FirstError `json:"first_error,omitempty"`
}

// PlannedCall is one call of the collection plan.
type PlannedCall struct {
	Service   string `json:"service"`
	Operation string `json:"operation"`
	Scope     string `json:"scope"`            // ScopeGlobal, ScopeRegional or ScopePerParent
	Parent    string `json:"parent,omitempty"` // "service:Operation" of a per-parent call's parent
}

// The scopes of a planned call: once per account, once per collected
// region, once per item of the parent call's pages.
const (
	ScopeGlobal    = "global"
	ScopeRegional  = "regional"
	ScopePerParent = "per-parent"
)

// Name is "service:Operation".
func (p PlannedCall) Name() string { return p.Service + ":" + p.Operation }

// Planned returns the plan entry of a call; ok is false when the plan
// does not name it, or when the snapshot records no plan (HasPlan).
func (m *Manifest) Planned(service, operation string) (PlannedCall, bool) {
	i, ok := slices.BinarySearchFunc(m.Plan, service+":"+operation, func(p PlannedCall, name string) int {
		return strings.Compare(p.Name(), name)
	})
	if !ok {
		return PlannedCall{}, false
	}
	return m.Plan[i], true
}

// FirstError describes one failed row.
type FirstError struct {
	Class     ErrorClass `json:"class"`
	Code      string     `json:"code"`
	Message   string     `json:"message"`
	ParentKey string     `json:"parent_key"`
}

// Partition is one (service, operation) pair present in a snapshot.
type Partition struct {
	Service   string
	Operation string
}

// Complete reports whether every invocation of the call succeeded, so an
// absence of items in its rows means "empty", not "unknown".
func (c CallStatus) Complete() bool { return c.Status == CallOK }

// Call returns the status of one (account, region, service, operation). The
// boolean is false when the snapshot has no record of the call: it was not
// collected, so its data is unknown (not empty).
func (m *Manifest) Call(account, region, service, operation string) (CallStatus, bool) {
	key := CallStatus{AccountID: account, Region: region, Service: service, Operation: operation}
	i, ok := slices.BinarySearchFunc(m.Calls, key, compareCalls)
	if !ok {
		return CallStatus{}, false
	}
	return m.Calls[i], true
}

// CallsOf returns the statuses of one (service, operation) across all
// accounts and regions, sorted by account and region.
func (m *Manifest) CallsOf(service, operation string) []CallStatus {
	var out []CallStatus
	for _, c := range m.Calls {
		if c.Service == service && c.Operation == operation {
			out = append(out, c)
		}
	}
	return out
}

// FilesOf returns the data files of one partition in read order.
func (m *Manifest) FilesOf(service, operation string) []File {
	var out []File
	for _, f := range m.Files {
		if f.Service == service && f.Operation == operation {
			out = append(out, f)
		}
	}
	return out
}

// Partitions lists the partitions that have data files, sorted.
func (m *Manifest) Partitions() []Partition {
	var out []Partition
	for _, f := range m.Files {
		p := Partition{Service: f.Service, Operation: f.Operation}
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Partition) int {
		return cmp.Or(strings.Compare(a.Service, b.Service), strings.Compare(a.Operation, b.Operation))
	})
	return slices.Compact(out)
}

// TotalRows is the number of rows across all data files.
func (m *Manifest) TotalRows() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Rows
	}
	return n
}

// TotalBytes is the size of all data files.
func (m *Manifest) TotalBytes() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Bytes
	}
	return n
}

func compareCalls(a, b CallStatus) int {
	return cmp.Or(
		strings.Compare(a.AccountID, b.AccountID),
		strings.Compare(a.Region, b.Region),
		strings.Compare(a.Service, b.Service),
		strings.Compare(a.Operation, b.Operation),
	)
}

// callStatusOf derives the status from the counters.
func callStatusOf(invocations, pages, okPages int64) string {
	failed := pages - okPages
	switch {
	case failed == 0:
		return CallOK
	case failed >= invocations:
		return CallError
	default:
		return CallPartial
	}
}

const zeroHash = "0000000000000000000000000000000000000000000000000000000000000000"

// hashTailRE matches the manifest from the last "manifest_sha256" key to the
// end of the file.
var hashTailRE = regexp.MustCompile(`\A"manifest_sha256"[ \t\r\n]*:[ \t\r\n]*"([0-9a-f]{64})"[ \t\r\n]*\}[ \t\r\n]*\z`)

// hashSpan locates the 64 hex digits of the self-hash in raw.
func hashSpan(raw []byte) (int, error) {
	i := bytes.LastIndex(raw, []byte(`"manifest_sha256"`))
	if i < 0 {
		return 0, errors.New(`no "manifest_sha256" field`)
	}
	m := hashTailRE.FindSubmatchIndex(raw[i:])
	if m == nil {
		return 0, errors.New(`"manifest_sha256" must be the last field and hold 64 lowercase hex digits`)
	}
	return i + m[2], nil
}

// selfHash returns the recorded and the recomputed self-hash of raw.
func selfHash(raw []byte) (recorded, computed string, err error) {
	at, err := hashSpan(raw)
	if err != nil {
		return "", "", err
	}
	recorded = string(raw[at : at+64])
	h := sha256.New()
	h.Write(raw[:at])
	h.Write([]byte(zeroHash))
	h.Write(raw[at+64:])
	return recorded, hex.EncodeToString(h.Sum(nil)), nil
}

// encodeManifest renders m (setting m.ManifestSHA256) as the bytes of
// manifest.json.
func encodeManifest(m *Manifest) ([]byte, error) {
	m.ManifestSHA256 = zeroHash
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	raw := buf.Bytes()
	if int64(len(raw)) > MaxManifestBytes {
		return nil, fmt.Errorf("encode manifest: %d bytes is more than readers accept (%s); collect fewer accounts or regions per snapshot",
			len(raw), sizeText(MaxManifestBytes))
	}
	at, err := hashSpan(raw)
	if err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	sum := sha256.Sum256(raw)
	m.ManifestSHA256 = hex.EncodeToString(sum[:])
	copy(raw[at:], m.ManifestSHA256)
	return raw, nil
}

// decodeManifest parses manifest bytes and checks format, version and
// self-hash, in that order (a newer version may hash differently). It does
// not check structure; see (*Manifest).problems.
func decodeManifest(raw []byte) (*Manifest, error) {
	var head struct {
		Format        string          `json:"format"`
		FormatVersion json.RawMessage `json:"format_version"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, fmt.Errorf("%w: invalid JSON: %v", ErrCorrupt, err)
	}
	if head.Format != FormatName {
		return nil, fmt.Errorf("%w: format is %q, want %q", ErrCorrupt, head.Format, FormatName)
	}
	var version int
	if err := json.Unmarshal(head.FormatVersion, &version); err != nil || version < 1 {
		return nil, fmt.Errorf("%w: format_version %s is not a positive integer", ErrCorrupt, head.FormatVersion)
	}
	if version > FormatVersion {
		return nil, fmt.Errorf("%w: snapshot format v%d is newer than this snapaudit (supports v%d); upgrade",
			ErrUnsupportedVersion, version, FormatVersion)
	}
	recorded, computed, err := selfHash(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if recorded != computed {
		return nil, fmt.Errorf("%w: manifest_sha256 is %s but the manifest hashes to %s (the manifest was modified or damaged)",
			ErrCorrupt, recorded, computed)
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if m.ManifestSHA256 != recorded {
		return nil, fmt.Errorf("%w: top-level manifest_sha256 %q is not the last field's value", ErrCorrupt, m.ManifestSHA256)
	}
	return &m, nil
}

// problems lists every structural inconsistency of a decoded manifest.
func (m *Manifest) problems() []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }

	rowsByPart := map[Partition]int64{}
	for i, f := range m.Files {
		if i > 0 && m.Files[i-1].Path >= f.Path {
			add("files[%d] %q is not sorted after %q or is a duplicate", i, f.Path, m.Files[i-1].Path)
		}
		g := partPathRE.FindStringSubmatch(f.Path)
		switch {
		case g == nil:
			add("files[%d] path %q is not data/service=<svc>/operation=<Op>/part-NNNNN.parquet", i, f.Path)
		case g[1] != f.Service || g[2] != f.Operation:
			add("files[%d] %q is listed as service %q operation %q", i, f.Path, f.Service, f.Operation)
		}
		if len(f.SHA256) != 64 || strings.Trim(f.SHA256, "0123456789abcdef") != "" {
			add("files[%d] %q sha256 %q is not 64 lowercase hex digits", i, f.Path, f.SHA256)
		}
		if f.Rows <= 0 || f.Bytes <= 0 {
			add("files[%d] %q has rows %d bytes %d (both must be positive)", i, f.Path, f.Rows, f.Bytes)
		}
		rowsByPart[Partition{Service: f.Service, Operation: f.Operation}] += f.Rows
	}

	pagesByPart := map[Partition]int64{}
	for i, c := range m.Calls {
		if i > 0 && compareCalls(m.Calls[i-1], c) >= 0 {
			add("calls[%d] %s/%s %s:%s is not sorted or is a duplicate", i, c.AccountID, c.Region, c.Service, c.Operation)
		}
		var errs int64
		for _, n := range c.Errors {
			errs += n
		}
		switch {
		case c.Pages <= 0 || c.OKPages < 0 || c.OKPages > c.Pages || c.Invocations < 0 || c.Invocations > c.Pages:
			add("calls[%d] %s/%s %s:%s has inconsistent counts (invocations %d, pages %d, ok_pages %d)",
				i, c.AccountID, c.Region, c.Service, c.Operation, c.Invocations, c.Pages, c.OKPages)
		case errs != c.Pages-c.OKPages:
			add("calls[%d] %s/%s %s:%s errors add up to %d, want pages-ok_pages = %d",
				i, c.AccountID, c.Region, c.Service, c.Operation, errs, c.Pages-c.OKPages)
		case c.Status != callStatusOf(c.Invocations, c.Pages, c.OKPages):
			add("calls[%d] %s/%s %s:%s status %q does not match its counts (want %q)",
				i, c.AccountID, c.Region, c.Service, c.Operation, c.Status, callStatusOf(c.Invocations, c.Pages, c.OKPages))
		}
		pagesByPart[Partition{Service: c.Service, Operation: c.Operation}] += c.Pages
	}
	for _, p := range sortedParts(rowsByPart, pagesByPart) {
		if rowsByPart[p] != pagesByPart[p] {
			add("%s:%s: calls count %d pages but files hold %d rows", p.Service, p.Operation, pagesByPart[p], rowsByPart[p])
		}
	}
	out = append(out, m.planProblems()...)
	return out
}

// planProblems checks the plan: sorted by name and unique, a known scope,
// a per-parent call's parent planned and no parent otherwise, and (when
// there is a plan) every call with rows planned.
func (m *Manifest) planProblems() []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	names := map[string]bool{}
	for i, p := range m.Plan {
		if i > 0 && m.Plan[i-1].Name() >= p.Name() {
			add("plan[%d] %s is not sorted or is a duplicate", i, p.Name())
		}
		names[p.Name()] = true
	}
	for i, p := range m.Plan {
		switch {
		case p.Service == "" || p.Operation == "":
			add("plan[%d] %q: service and operation are required", i, p.Name())
		case p.Scope == ScopePerParent && !names[p.Parent]:
			add("plan[%d] %s: parent %q is not planned", i, p.Name(), p.Parent)
		case p.Scope == ScopePerParent && p.Parent == p.Name():
			add("plan[%d] %s is its own parent", i, p.Name())
		case (p.Scope == ScopeGlobal || p.Scope == ScopeRegional) && p.Parent != "":
			add("plan[%d] %s: a %s call has no parent (%q)", i, p.Name(), p.Scope, p.Parent)
		case p.Scope != ScopeGlobal && p.Scope != ScopeRegional && p.Scope != ScopePerParent:
			add("plan[%d] %s: scope %q is not global, regional or per-parent", i, p.Name(), p.Scope)
		}
	}
	if len(m.Plan) == 0 {
		return out
	}
	for i, c := range m.Calls {
		if !names[c.Service+":"+c.Operation] {
			add("calls[%d] %s:%s has rows but is not in the plan", i, c.Service, c.Operation)
		}
	}
	return out
}

func sortedParts(ms ...map[Partition]int64) []Partition {
	var out []Partition
	for _, m := range ms {
		for p := range m {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Partition) int {
		return cmp.Or(strings.Compare(a.Service, b.Service), strings.Compare(a.Operation, b.Operation))
	})
	return slices.Compact(out)
}
