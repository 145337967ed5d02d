package model

// Fixtures as data: the test account ("the world") is one JSON file per
// collected call in testdata/calls/<service>.<Operation>.json, each a list
// of rows as the collector stores them:
//
//	[{"account": "111122223333", "region": "eu-west-1", "parent": "", "page": 0,
//	  "response": {...the SDK output struct as JSON...}},
//	 {"account": ..., "error": {"class": "not_found", "code": "NoSuchBucketPolicy"}}]
//
// A response is the aws-sdk-go-v2 output struct marshalled with
// encoding/json (Go field names, ResultMetadata removed), exactly what
// `snapaudit collect` writes; Build decodes it with the checked decoder
// against shapes.txt, so a fixture of the wrong shape fails. Every call the
// model reads has a fixture (TestFixturePerCall), and the entities and
// relationships built from them are compared, per _type, with
// testdata/types/<_type>.golden.json (TestTypeGoldens).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/snapshot"
)

type fixtureRow struct {
	Account  string          `json:"account"`
	Region   string          `json:"region"`
	Parent   string          `json:"parent"`
	Page     int32           `json:"page,omitempty"`
	Response json.RawMessage `json:"response,omitempty"`
	Error    *fixtureError   `json:"error,omitempty"`
}

type fixtureError struct {
	Class string `json:"class"`
	Code  string `json:"code"`
}

// fixtureDir holds one fixture file per collected call.
var fixtureDir = filepath.Join("testdata", "calls")

// world loads the test account from the fixtures.
func world(t testing.TB) *memSource {
	t.Helper()
	m := &memSource{}
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in %s: %v", fixtureDir, err)
	}
	for _, f := range files {
		c, err := fixtureCall(f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rows []fixtureRow
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rows); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for i, r := range rows {
			row := snapshot.Row{AccountID: r.Account, Region: r.Region, Service: c.Service, Operation: c.Operation,
				ParentKey: r.Parent, Page: r.Page, Params: "{}"}
			switch {
			case r.Error != nil && r.Response == nil:
				row.Status, row.ErrorClass, row.ErrorCode = snapshot.StatusError, snapshot.ErrorClass(r.Error.Class), r.Error.Code
			case r.Error == nil && r.Response != nil:
				var compact bytes.Buffer
				if err := json.Compact(&compact, r.Response); err != nil {
					t.Fatalf("%s: row %d: %v", f, i, err)
				}
				row.Status, row.Response = snapshot.StatusOK, compact.String()
			default:
				t.Fatalf("%s: row %d: want exactly one of response and error", f, i)
			}
			if r.Account == "" || r.Region == "" {
				t.Fatalf("%s: row %d: account and region are required", f, i)
			}
			m.add(row)
		}
	}
	return m
}

// fixtureCall is the call a fixture file is for: <service>.<Operation>.json.
func fixtureCall(file string) (Call, error) {
	svc, o, ok := strings.Cut(strings.TrimSuffix(filepath.Base(file), ".json"), ".")
	if !ok || svc == "" || o == "" {
		return Call{}, fmt.Errorf("%s: want <service>.<Operation>.json", file)
	}
	return Call{svc, o}, nil
}

// TestFixturePerCall: every call the model reads has a fixture, and every
// fixture is of a collected call.
func TestFixturePerCall(t *testing.T) {
	have := map[Call]bool{}
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "*.json"))
	for _, f := range files {
		c, err := fixtureCall(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := planOf(c); !ok {
			t.Errorf("%s: %s is not collected (not in shapes.txt)", f, c)
		}
		have[c] = true
	}
	for _, c := range readCalls() {
		if !have[c] {
			t.Errorf("%s is read by the model but has no fixture %s", c, filepath.Join(fixtureDir, c.Service+"."+c.Operation+".json"))
		}
	}
}
