package snapshot

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestFanInFor: a merge opens no more sources than the configured fan-in,
// nor more than half the budget holds of the partition's largest rows.
func TestFanInFor(t *testing.T) {
	w := &Writer{cfg: writerConfig{budget: 64 << 20, fanIn: 64}}
	for _, tc := range []struct {
		maxRow int64
		want   int
	}{
		{0, 64},
		{300, 64},
		{512 << 10, 64},
		{1 << 20, 32},
		{4 << 20, 8},
		{40 << 20, 2},
	} {
		if got := w.fanInFor(&partBuf{maxRow: tc.maxRow}); got != tc.want {
			t.Errorf("largest row %d bytes: fan-in %d, want %d", tc.maxRow, got, tc.want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name       string
		rows       int
		respBytes  int
		goroutines int
		opts       []WriterOption
		wantSpill  bool // the budget forces spill runs
		wantSplit  bool // the file limit forces part-00001
		wantMerge  bool // the fan-in forces intermediate merges
	}{
		{name: "in memory, one goroutine", rows: 300, respBytes: 200, goroutines: 1},
		{name: "in memory, eight goroutines", rows: 600, respBytes: 300, goroutines: 8},
		// A merge holds one row per run and at most half the budget: with
		// a tiny budget even these rows shrink the fan-in to merge first.
		{name: "tiny budget spills", rows: 800, respBytes: 400, goroutines: 6,
			opts: []WriterOption{WithMemoryBudget(16 << 10)}, wantSpill: true, wantMerge: true},
		{name: "many runs, multi-level merge", rows: 900, respBytes: 300, goroutines: 5,
			opts: []WriterOption{WithMemoryBudget(6 << 10), withFanIn(3)}, wantSpill: true, wantMerge: true},
		{name: "small files split", rows: 800, respBytes: 2000, goroutines: 4,
			opts:      []WriterOption{WithMemoryBudget(64 << 10), WithRowGroupBytes(8 << 10), WithMaxFileBytes(16 << 10)},
			wantSpill: true, wantSplit: true, wantMerge: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := genRows(tt.rows, tt.respBytes, 1)
			dir := filepath.Join(t.TempDir(), "snap")
			w, m := writeAll(t, dir, shuffled(rows, 2), tt.goroutines, tt.opts...)
			if got := w.runSeq > 0; got != tt.wantSpill {
				t.Errorf("spilled = %v (runs %d), want %v", got, w.runSeq, tt.wantSpill)
			}
			if got := w.merges > 0; got != tt.wantMerge {
				t.Errorf("intermediate merges = %d, want some: %v", w.merges, tt.wantMerge)
			}
			split := false
			for _, f := range m.Files {
				split = split || strings.HasSuffix(f.Path, "part-00001.parquet")
			}
			if split != tt.wantSplit {
				t.Errorf("split into several parts = %v, want %v", split, tt.wantSplit)
			}

			s, err := Open(dir)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if diff := cmp.Diff(sortedRows(rows), readAll(t, s)); diff != "" {
				t.Errorf("rows read back differ (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantCalls(rows), m.Calls); diff != "" {
				t.Errorf("manifest calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(m, s.Manifest()); diff != "" {
				t.Errorf("Commit's manifest differs from Open's (-commit +open):\n%s", diff)
			}
			if m.TotalRows() != int64(len(rows)) {
				t.Errorf("TotalRows = %d, want %d", m.TotalRows(), len(rows))
			}
			if _, err := Verify(context.Background(), dir); err != nil {
				t.Errorf("Verify: %v", err)
			}
			if _, err := os.Stat(filepath.Join(dir, tmpDir)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("temp area still present after Commit: %v", err)
			}
		})
	}
}

// wantCalls computes the manifest's calls independently of the Writer.
func wantCalls(rows []Row) []CallStatus {
	byKey := map[[4]string]*CallStatus{}
	var keys [][4]string
	for _, r := range sortedRows(rows) {
		k := [4]string{r.AccountID, r.Region, r.Service, r.Operation}
		c := byKey[k]
		if c == nil {
			c = &CallStatus{AccountID: r.AccountID, Region: r.Region, Service: r.Service, Operation: r.Operation}
			byKey[k] = c
			keys = append(keys, k)
		}
		c.Pages++
		if r.Page == 0 {
			c.Invocations++
		}
		if r.Status == StatusOK {
			c.OKPages++
			continue
		}
		if c.Errors == nil {
			c.Errors = map[ErrorClass]int64{}
			// sortedRows puts the smallest (parent, page, params) first.
			c.FirstError = &FirstError{Class: r.ErrorClass, Code: r.ErrorCode, Message: r.ErrorMessage, ParentKey: r.ParentKey}
		}
		c.Errors[r.ErrorClass]++
	}
	out := make([]CallStatus, 0, len(keys))
	for _, k := range keys {
		c := byKey[k]
		failed := c.Pages - c.OKPages
		switch {
		case failed == 0:
			c.Status = CallOK
		case failed == c.Invocations:
			c.Status = CallError
		default:
			c.Status = CallPartial
		}
		out = append(out, *c)
	}
	// Calls sort by account, region, service, operation; sortedRows sorted by
	// service first, so re-sort.
	slicesSortCalls(out)
	return out
}

func slicesSortCalls(cs []CallStatus) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && compareCalls(cs[j-1], cs[j]) > 0; j-- {
			cs[j-1], cs[j] = cs[j], cs[j-1]
		}
	}
}

func TestDeterministicBytes(t *testing.T) {
	rows := genRows(700, 500, 3)
	tests := []struct {
		name string
		seed uint64
		g    int
		opts []WriterOption
	}{
		{name: "shuffle A, in memory", seed: 10, g: 1},
		{name: "shuffle B, concurrent, spilling", seed: 11, g: 7, opts: []WriterOption{WithMemoryBudget(20 << 10)}},
		{name: "shuffle C, concurrent, other budget", seed: 12, g: 3, opts: []WriterOption{WithMemoryBudget(70 << 10)}},
		{name: "shuffle D, multi-level merge", seed: 13, g: 4, opts: []WriterOption{WithMemoryBudget(6 << 10), withFanIn(2)}},
	}
	var ref map[string][]byte
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "snap")
			writeAll(t, dir, shuffled(rows, tt.seed), tt.g, tt.opts...)
			got := map[string][]byte{}
			for _, p := range snapshotFiles(t, dir) {
				b, err := os.ReadFile(filepath.Join(dir, p))
				if err != nil {
					t.Fatal(err)
				}
				got[p] = b
			}
			if ref == nil {
				ref = got
				return
			}
			if len(got) != len(ref) {
				t.Fatalf("got %d files, want %d", len(got), len(ref))
			}
			for p, b := range ref {
				if !bytes.Equal(got[p], b) {
					t.Errorf("%s differs from the first run (%d vs %d bytes)", p, len(got[p]), len(b))
				}
			}
		})
	}
}

func TestMemoryBudgetBound(t *testing.T) {
	rows := genRows(1500, 1500, 4)
	var maxRow int64
	for _, r := range rows {
		f := r.toFile()
		maxRow = max(maxRow, f.size())
	}
	tests := []struct {
		name   string
		budget int64
		g      int
	}{
		{name: "32 KiB, one writer", budget: 32 << 10, g: 1},
		{name: "32 KiB, eight writers", budget: 32 << 10, g: 8},
		{name: "256 KiB, four writers", budget: 256 << 10, g: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, _ := writeAll(t, filepath.Join(t.TempDir(), "snap"), rows, tt.g, WithMemoryBudget(tt.budget))
			if w.runSeq == 0 {
				t.Fatalf("no spill runs with a %d byte budget for %d rows", tt.budget, len(rows))
			}
			if w.peak > tt.budget+maxRow {
				t.Errorf("peak buffered bytes %d exceed budget %d + largest row %d", w.peak, tt.budget, maxRow)
			}
		})
	}
}

func TestAbortAndCancel(t *testing.T) {
	ctx := context.Background()
	rows := genRows(200, 300, 5)
	tests := []struct {
		name        string
		precreate   bool // dir exists (empty) before Create
		budget      int64
		end         func(w *Writer) error // ends the writer
		wantDirGone bool
	}{
		{name: "abort without writes", end: func(w *Writer) error { return w.Abort() }, wantDirGone: true},
		{name: "abort after spills", budget: 8 << 10, end: func(w *Writer) error { return w.Abort() }, wantDirGone: true},
		{name: "abort keeps a pre-existing dir", precreate: true, end: func(w *Writer) error { return w.Abort() }},
		{name: "cancelled commit", budget: 8 << 10, wantDirGone: true, end: func(w *Writer) error {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := w.Commit(cctx, fixedMeta); !errors.Is(err, context.Canceled) {
				t.Errorf("Commit with a cancelled context: err = %v, want context.Canceled", err)
			}
			return w.Abort() // after a failed commit: a no-op
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "snap")
			if tt.precreate {
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			opts := []WriterOption{}
			if tt.budget > 0 {
				opts = append(opts, WithMemoryBudget(tt.budget))
			}
			w, err := Create(dir, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if tt.name != "abort without writes" {
				for _, r := range rows {
					if err := w.Write(ctx, r); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := tt.end(w); err != nil {
				t.Fatalf("end: %v", err)
			}
			_, statErr := os.Stat(dir)
			if gone := errors.Is(statErr, os.ErrNotExist); gone != tt.wantDirGone {
				t.Errorf("dir gone = %v (stat: %v), want %v", gone, statErr, tt.wantDirGone)
			}
			if !tt.wantDirGone {
				if left := snapshotFiles(t, dir); len(left) > 0 {
					t.Errorf("files left after abort: %v", left)
				}
			}
			if _, err := Open(dir); !errors.Is(err, ErrNotSnapshot) {
				t.Errorf("Open after abort: err = %v, want ErrNotSnapshot", err)
			}
			if err := w.Write(ctx, rows[0]); !errors.Is(err, ErrClosed) {
				t.Errorf("Write after end: err = %v, want ErrClosed", err)
			}
			if _, err := w.Commit(ctx, fixedMeta); !errors.Is(err, ErrClosed) {
				t.Errorf("Commit after end: err = %v, want ErrClosed", err)
			}
		})
	}
}

func TestAbortAfterCommitIsNoop(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "snap")
	w, _ := writeAll(t, dir, genRows(50, 100, 6), 2)
	if err := w.Abort(); err != nil {
		t.Fatalf("Abort after Commit: %v", err)
	}
	if _, err := Verify(context.Background(), dir); err != nil {
		t.Fatalf("snapshot damaged by Abort after Commit: %v", err)
	}
}

func TestCreateErrors(t *testing.T) {
	tmp := t.TempDir()
	nonEmpty := filepath.Join(tmp, "full")
	if err := os.MkdirAll(filepath.Join(nonEmpty, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(tmp, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		dir  string
		opts []WriterOption
		want string
	}{
		{name: "non-empty dir", dir: nonEmpty, want: "not empty"},
		{name: "a file", dir: file, want: "not a directory"},
		{name: "zero budget", dir: filepath.Join(tmp, "new"), opts: []WriterOption{WithMemoryBudget(0)}, want: "must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Create(tt.dir, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Create(%s): err = %v, want one containing %q", tt.dir, err, tt.want)
			}
		})
	}
}

func TestWriteValidation(t *testing.T) {
	good := Row{AccountID: "111122223333", Region: "us-east-1", Service: "ec2", Operation: "DescribeInstances",
		Params: "{}", Status: StatusOK, Response: `{"Reservations":[]}`, CollectedAt: baseTime}
	tests := []struct {
		name string
		edit func(r *Row)
		want string // substring of the error; "" = accepted
	}{
		{name: "good row", edit: func(*Row) {}},
		{name: "good error row", edit: func(r *Row) {
			r.Status, r.ErrorClass, r.ErrorCode, r.Response = StatusError, ClassThrottled, "Throttling", ""
		}},
		{name: "empty service", edit: func(r *Row) { r.Service = "" }, want: "service"},
		{name: "service with slash", edit: func(r *Row) { r.Service = "ec2/../x" }, want: "service"},
		{name: "operation with equals", edit: func(r *Row) { r.Operation = "a=b" }, want: "operation"},
		{name: "empty account", edit: func(r *Row) { r.AccountID = "" }, want: "account_id"},
		{name: "empty region", edit: func(r *Row) { r.Region = "" }, want: "region"},
		{name: "negative page", edit: func(r *Row) { r.Page = -1 }, want: "page"},
		{name: "params not JSON", edit: func(r *Row) { r.Params = "" }, want: "params"},
		{name: "bad status", edit: func(r *Row) { r.Status = "maybe" }, want: "status"},
		{name: "ok with error class", edit: func(r *Row) { r.ErrorClass = ClassDenied }, want: "error fields"},
		{name: "ok with bad response", edit: func(r *Row) { r.Response = "{" }, want: "response"},
		{name: "error without class", edit: func(r *Row) { r.Status, r.Response = StatusError, "" }, want: "error_class"},
		{name: "unknown class", edit: func(r *Row) { r.Status, r.ErrorClass = StatusError, "weird" }, want: "error_class"},
		{name: "zero time", edit: func(r *Row) { r.CollectedAt = time.Time{} }, want: "collected_at"},
		{name: "invalid utf-8", edit: func(r *Row) { r.ParentKey = "\xff" }, want: "parent_key"},
	}
	w, err := Create(filepath.Join(t.TempDir(), "snap"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.edit(&r)
			err := w.Write(context.Background(), r)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Write: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Write: err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	// Rejected rows do not poison the writer.
	if err := w.Write(context.Background(), good); err != nil {
		t.Fatalf("Write after rejected rows: %v", err)
	}
}

func TestWriteCancelled(t *testing.T) {
	w, err := Create(filepath.Join(t.TempDir(), "snap"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.Write(ctx, genRows(1, 10, 1)[0]); !errors.Is(err, context.Canceled) {
		t.Fatalf("Write with cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestEmptySnapshot(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "snap")
	_, m := writeAll(t, dir, nil, 1)
	if len(m.Files) != 0 || len(m.Calls) != 0 {
		t.Fatalf("empty snapshot lists files %v calls %v", m.Files, m.Calls)
	}
	s := mustOpen(t, dir)
	if ps := s.Partitions(); len(ps) != 0 {
		t.Errorf("Partitions = %v, want none", ps)
	}
	if _, ok := s.Manifest().Call("111122223333", "us-east-1", "ec2", "DescribeInstances"); ok {
		t.Errorf("Call found in an empty snapshot")
	}
	if _, err := Verify(context.Background(), dir); err != nil {
		t.Errorf("Verify: %v", err)
	}
	if got := snapshotFiles(t, dir); !cmp.Equal(got, []string{ManifestName}) {
		t.Errorf("files = %v, want only the manifest", got)
	}
}
