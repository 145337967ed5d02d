package synth

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"
)

// ManagedPolicy is one AWS managed policy of the corpus
// (testdata/aws-managed-policies/policies.jsonl.gz: one JSON object a
// line; only these fields are read). Entries without an ARN (mostly
// retired policies) are skipped.
type ManagedPolicy struct {
	Name       string          `json:"name"`
	ARN        string          `json:"arn"`
	Document   json.RawMessage `json:"document"`
	Version    string          `json:"version"`
	CreateDate string          `json:"createdate"`
	UpdateDate string          `json:"updatedate"`
	Deprecated bool            `json:"deprecated"`
}

// LoadPolicies reads the gzipped JSON-lines managed policy corpus. name
// labels errors (the file path).
func LoadPolicies(r io.Reader, name string) ([]ManagedPolicy, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var out []ManagedPolicy
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for line := 1; sc.Scan(); line++ {
		var p ManagedPolicy
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, line, err)
		}
		if p.ARN == "" {
			continue // the corpus keeps some (mostly retired) policies without an ARN: not attachable
		}
		if !strings.HasPrefix(p.ARN, "arn:aws:iam::aws:policy/") || len(p.Document) == 0 || p.Document[0] != '{' {
			return nil, fmt.Errorf("%s line %d: field arn %q or document is not an AWS managed policy", name, line, p.ARN)
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no policies", name)
	}
	return out, nil
}

// policyRef is a pool policy, ready to attach and to list.
type policyRef struct {
	arn, name, path, id, version string
	doc                          string // URL-encoded JSON, as IAM returns documents
	created, updated             time.Time
}

// poolSize is how many distinct AWS managed policies the organisation uses.
const poolSize = 64

// policyPool picks poolSize non-deprecated policies from the corpus
// (sorted by ARN, then drawn with the seed), so the choice depends only on
// the corpus and the seed.
func policyPool(corpus []ManagedPolicy, seed uint64) ([]policyRef, error) {
	ps := slices.Clone(corpus)
	ps = slices.DeleteFunc(ps, func(p ManagedPolicy) bool { return p.Deprecated })
	slices.SortFunc(ps, func(a, b ManagedPolicy) int { return strings.Compare(a.ARN, b.ARN) })
	ps = slices.CompactFunc(ps, func(a, b ManagedPolicy) bool { return a.ARN == b.ARN })
	if len(ps) == 0 {
		return nil, fmt.Errorf("synth: the managed policy corpus has no current policy")
	}
	r := newRand(seed, 1<<40)
	r.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
	ps = ps[:min(poolSize, len(ps))]
	out := make([]policyRef, 0, len(ps))
	for _, p := range ps {
		var compact bytes.Buffer
		if err := json.Compact(&compact, p.Document); err != nil {
			return nil, fmt.Errorf("synth: managed policy %s: document: %w", p.ARN, err)
		}
		rest := strings.TrimPrefix(p.ARN, "arn:aws:iam::aws:policy")
		i := strings.LastIndex(rest, "/")
		ref := policyRef{
			arn: p.ARN, name: rest[i+1:], path: rest[:i+1], version: p.Version,
			id:  fmt.Sprintf("ANPA%016X", mix(hashString(p.ARN))),
			doc: url.QueryEscape(compact.String()),
		}
		if ref.version == "" {
			ref.version = "v1"
		}
		ref.created = parseTime(p.CreateDate)
		ref.updated = parseTime(p.UpdateDate)
		out = append(out, ref)
	}
	return out, nil
}

// parseTime reads a corpus date; a missing or odd one is the epoch.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return epoch.AddDate(-5, 0, 0)
	}
	return t.UTC()
}
