package snapshot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// fuzzSnapshot is a small committed snapshot held in memory: its manifest
// and data files, written afresh into a directory for each fuzz input.
type fuzzSnapshot struct {
	manifest *Manifest
	raw      []byte            // manifest.json
	files    map[string][]byte // data files by manifest path
}

func newFuzzSnapshot(f *testing.F, rows int) *fuzzSnapshot {
	f.Helper()
	dir := goodSnapshot(f, rows)
	s := mustOpen(f, dir)
	fs := &fuzzSnapshot{manifest: s.Manifest(), files: map[string][]byte{}}
	var err error
	if fs.raw, err = os.ReadFile(filepath.Join(dir, ManifestName)); err != nil {
		f.Fatal(err)
	}
	for _, mf := range fs.manifest.Files {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(mf.Path)))
		if err != nil {
			f.Fatal(err)
		}
		fs.files[mf.Path] = b
	}
	return fs
}

// writeData writes the data files into dir.
func (fs *fuzzSnapshot) writeData(t *testing.T, dir string) {
	t.Helper()
	for path, b := range fs.files {
		p := filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// withValidHash returns raw with its recorded self-hash replaced by the
// hash of its bytes (so mutations reach the checks behind the hash), or
// raw itself when it has no well-formed hash field.
func withValidHash(raw []byte) []byte {
	at, err := hashSpan(raw)
	if err != nil {
		return raw
	}
	_, sum, err := selfHash(raw)
	if err != nil {
		return raw
	}
	out := bytes.Clone(raw)
	copy(out[at:], sum)
	return out
}

// readEverything reads every partition of s, returning the number of rows
// and the first error.
func readEverything(s *Snapshot) (int64, error) {
	var n int64
	for _, p := range s.Partitions() {
		err := s.Rows(context.Background(), p.Service, p.Operation, func(r Row) error {
			if r.Service != p.Service || r.Operation != p.Operation {
				return errors.New("row of another partition: " + r.Service + ":" + r.Operation)
			}
			n++
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// FuzzManifest feeds arbitrary manifest.json bytes (as given, and with the
// self-hash made valid) to the decoder, Open, Rows and Verify next to the
// data files of a good snapshot. Invariants: no panic; decode errors are
// ErrCorrupt or ErrUnsupportedVersion; a manifest without structural
// problems survives encode→decode unchanged; Open accepts exactly the
// decoded manifests without problems; a snapshot that Verify passes reads
// completely, with as many rows as the manifest says.
func FuzzManifest(f *testing.F) {
	fs := newFuzzSnapshot(f, 12)
	f.Add(fs.raw)
	if golden, err := os.ReadFile(filepath.Join("testdata", "manifest.golden.json")); err == nil {
		f.Add(golden)
	}
	f.Add([]byte(`{"format":"snapaudit-snapshot","format_version":2}`))
	f.Add([]byte(`{"format":"snapaudit-snapshot","format_version":1,"files":[{"path":"data/service=s3/operation=X/../../x.parquet","rows":1}],"manifest_sha256":"` + zeroHash + `"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if _, err := decodeManifest(raw); err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupportedVersion) {
			t.Fatalf("decode error %v is neither ErrCorrupt nor ErrUnsupportedVersion", err)
		}
		raw = withValidHash(raw)
		m, err := decodeManifest(raw)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupportedVersion) {
				t.Fatalf("decode error %v is neither ErrCorrupt nor ErrUnsupportedVersion", err)
			}
			return
		}
		ps := m.problems()
		for _, p := range m.Partitions() {
			_ = m.FilesOf(p.Service, p.Operation)
			_ = m.CallsOf(p.Service, p.Operation)
		}
		_, _ = m.TotalRows(), m.TotalBytes()
		if len(ps) == 0 {
			again, err := encodeManifest(m)
			if err != nil {
				t.Fatalf("encode a valid manifest: %v", err)
			}
			m2, err := decodeManifest(again)
			if err != nil {
				t.Fatalf("re-decode: %v", err)
			}
			if !reflect.DeepEqual(m, m2) {
				t.Fatalf("encode→decode changed the manifest:\n%+v\n%+v", m, m2)
			}
			if ps2 := m2.problems(); len(ps2) > 0 {
				t.Fatalf("re-encoded manifest has problems: %v", ps2)
			}
		}

		dir := t.TempDir()
		fs.writeData(t, dir)
		if err := os.WriteFile(filepath.Join(dir, ManifestName), raw, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Open(dir)
		if (err == nil) != (len(ps) == 0) {
			t.Fatalf("Open: %v, but the manifest's problems are %q", err, ps)
		}
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open error %v is not ErrCorrupt", err)
			}
			return
		}
		n, rerr := readEverything(s)
		if rerr != nil && !strings.Contains(rerr.Error(), "read snapshot data/") {
			t.Fatalf("Rows error %q does not name the data file", rerr)
		}
		if _, verr := Verify(context.Background(), dir); verr == nil {
			if rerr != nil {
				t.Fatalf("Verify passes but Rows fails: %v", rerr)
			}
			if n != m.TotalRows() {
				t.Fatalf("Verify passes but Rows read %d rows, the manifest says %d", n, m.TotalRows())
			}
		}
	})
}

// FuzzReader replaces one data file of a good snapshot with arbitrary bytes
// and a manifest whose size and hash match them (so only the Parquet
// content is wrong). Invariants: Open succeeds (the manifest is
// consistent) unless the file is empty; Rows never panics, returns ErrCorrupt naming the file or
// exactly the manifest's row count; Verify never panics and reports
// ErrCorrupt problems of that file.
func FuzzReader(f *testing.F) {
	fs := newFuzzSnapshot(f, 12)
	// The smallest data file keeps inputs short.
	target := slices.MinFunc(fs.manifest.Files, func(a, b File) int { return int(a.Bytes - b.Bytes) })
	orig := fs.files[target.Path]
	f.Add(orig)
	f.Add([]byte("PAR1PAR1"))
	trunc := bytes.Clone(orig[len(orig)/2:])
	f.Add(append([]byte("PAR1"), trunc...))

	// The manifest lists only the target's partition.
	m := *fs.manifest
	m.Files = []File{target}
	m.Calls = slices.DeleteFunc(slices.Clone(m.Calls), func(c CallStatus) bool {
		return c.Service != target.Service || c.Operation != target.Operation
	})
	only := &fuzzSnapshot{manifest: &m, files: map[string][]byte{}}
	f.Fuzz(func(t *testing.T, data []byte) {
		sum := sha256.Sum256(data)
		mm := m
		mm.Files = []File{target}
		mm.Files[0].Bytes = int64(len(data))
		mm.Files[0].SHA256 = hex.EncodeToString(sum[:])
		raw, err := encodeManifest(&mm)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		only.files[target.Path] = data
		only.writeData(t, dir)
		if err := os.WriteFile(filepath.Join(dir, ManifestName), raw, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Open(dir)
		if len(data) == 0 {
			// A data file has at least one byte: the manifest says 0.
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open with an empty data file: %v, want ErrCorrupt", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Open (consistent manifest): %v", err)
		}
		n, rerr := readEverything(s)
		switch {
		case rerr != nil && (!errors.Is(rerr, ErrCorrupt) || !strings.Contains(rerr.Error(), target.Path)):
			t.Fatalf("Rows error %q is not ErrCorrupt naming %s", rerr, target.Path)
		case rerr == nil && n != target.Rows:
			t.Fatalf("Rows read %d rows without error, the manifest says %d", n, target.Rows)
		}
		// Verify does not decode pages (and the hash matches by
		// construction), so it may pass where Rows fails; it must not
		// panic, and a failure is ErrCorrupt naming the file.
		if rep, verr := Verify(context.Background(), dir); verr != nil {
			if !errors.Is(verr, ErrCorrupt) || rep == nil || len(rep.Problems) == 0 || rep.Problems[0].Path != target.Path {
				t.Fatalf("Verify: %v, report %+v", verr, rep)
			}
		}
	})
}
