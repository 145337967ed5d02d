package snapshot

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goodSnapshot writes a small valid snapshot and returns its directory.
func goodSnapshot(t testing.TB, rows int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "snap")
	writeAll(t, dir, genRows(rows, 120, 21), 3)
	if _, err := Verify(context.Background(), dir); err != nil {
		t.Fatalf("fresh snapshot does not verify: %v", err)
	}
	return dir
}

func TestVerifyGood(t *testing.T) {
	dir := goodSnapshot(t, 60)
	rep, err := Verify(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	m := mustOpen(t, dir).Manifest()
	want := Report{Dir: dir, OK: true, FormatVersion: 1, Files: len(m.Files), Rows: 60, Bytes: m.TotalBytes(), Problems: []Problem{}}
	if rep.Files == 0 || rep.Bytes == 0 {
		t.Fatalf("report counts nothing: %+v", rep)
	}
	if rep.Dir != want.Dir || rep.OK != want.OK || rep.FormatVersion != want.FormatVersion || rep.Files != want.Files ||
		rep.Rows != want.Rows || rep.Bytes != want.Bytes || len(rep.Problems) != 0 {
		t.Fatalf("report = %+v, want %+v", rep, want)
	}
}

// TestVerifyFlippedBytes flips bytes of every file and expects verify to
// fail naming that file. A one-row snapshot gets every byte of every file
// flipped; a six-partition one every byte of the manifest and, per data
// file, the first and last twelve bytes (magic, footer length) plus a stride
// through the pages.
func TestVerifyFlippedBytes(t *testing.T) {
	tests := []struct {
		name      string
		rows      int
		everyByte bool
	}{
		{name: "one row, every byte", rows: 1, everyByte: true},
		{name: "six partitions, sampled", rows: 24},
	}
	masks := []byte{0x01, 0x20, 0xff} // lowest bit, ASCII case/space, all bits
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := goodSnapshot(t, tt.rows)
			for _, rel := range snapshotFiles(t, dir) {
				path := filepath.Join(dir, filepath.FromSlash(rel))
				orig, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				var positions []int
				if tt.everyByte || rel == ManifestName {
					for i := range orig {
						positions = append(positions, i)
					}
				} else {
					for i := 0; i < len(orig); i += len(orig)/40 + 1 {
						positions = append(positions, i)
					}
					for i := 1; i <= 12; i++ {
						positions = append(positions, i, len(orig)-i)
					}
				}
				flipEach(t, dir, rel, orig, positions, masks)
			}
			if _, err := Verify(context.Background(), dir); err != nil {
				t.Fatalf("restored snapshot does not verify: %v", err)
			}
		})
	}
}

// flipEach flips each position of one file in place, runs Verify, and
// restores the byte.
func flipEach(t *testing.T, dir, rel string, orig []byte, positions []int, masks []byte) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, filepath.FromSlash(rel)), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, pos := range positions {
		mask := masks[pos%len(masks)]
		flipped := orig[pos] ^ mask
		if _, err := f.WriteAt([]byte{flipped}, int64(pos)); err != nil {
			t.Fatal(err)
		}
		rep, err := Verify(context.Background(), dir)
		if err == nil {
			t.Errorf("byte %d of %s flipped (^%#02x, %q -> %q): verify passed", pos, rel, mask, orig[pos], flipped)
		} else if !hasProblem(rep, rel, "") {
			t.Errorf("byte %d of %s flipped: no problem names the file: %v", pos, rel, rep.Problems)
		}
		if _, err := f.WriteAt(orig[pos:pos+1], int64(pos)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestVerifyCorrupt(t *testing.T) {
	type want struct{ path, contains string }
	firstFile := func(t *testing.T, dir string) string {
		return mustOpen(t, dir).Manifest().Files[0].Path
	}
	tests := []struct {
		name    string
		corrupt func(t *testing.T, dir string) []want
	}{
		{name: "truncated data file", corrupt: func(t *testing.T, dir string) []want {
			f := firstFile(t, dir)
			truncate(t, filepath.Join(dir, f), 10)
			return []want{{f, "size is"}, {f, "sha256"}}
		}},
		{name: "data file emptied", corrupt: func(t *testing.T, dir string) []want {
			f := firstFile(t, dir)
			truncate(t, filepath.Join(dir, f), -1)
			return []want{{f, "size is 0"}}
		}},
		{name: "truncated manifest", corrupt: func(t *testing.T, dir string) []want {
			truncate(t, filepath.Join(dir, ManifestName), 3)
			return []want{{ManifestName, ""}}
		}},
		{name: "missing data file", corrupt: func(t *testing.T, dir string) []want {
			f := firstFile(t, dir)
			mustRemove(t, filepath.Join(dir, f))
			return []want{{f, "missing"}}
		}},
		{name: "missing manifest", corrupt: func(t *testing.T, dir string) []want {
			mustRemove(t, filepath.Join(dir, ManifestName))
			return []want{{ManifestName, "missing"}}
		}},
		{name: "extra file beside a part", corrupt: func(t *testing.T, dir string) []want {
			f := strings.Replace(firstFile(t, dir), "part-00000", "part-00001", 1)
			mustWrite(t, filepath.Join(dir, f), "PAR1")
			return []want{{f, "unexpected file"}}
		}},
		{name: "extra file at top", corrupt: func(t *testing.T, dir string) []want {
			mustWrite(t, filepath.Join(dir, "notes.txt"), "hello")
			return []want{{"notes.txt", "unexpected file"}}
		}},
		{name: "extra empty dir", corrupt: func(t *testing.T, dir string) []want {
			mustMkdir(t, filepath.Join(dir, "data", "service=ec2", "operation=DescribeVpcs"))
			return []want{{"data/service=ec2/operation=DescribeVpcs", "unexpected directory"}}
		}},
		{name: "leftover temp area", corrupt: func(t *testing.T, dir string) []want {
			mustMkdir(t, filepath.Join(dir, tmpDir))
			return []want{{tmpDir, "unexpected directory"}}
		}},
		{name: "data file replaced by a directory", corrupt: func(t *testing.T, dir string) []want {
			f := firstFile(t, dir)
			mustRemove(t, filepath.Join(dir, f))
			mustMkdir(t, filepath.Join(dir, f))
			return []want{{f, "not a regular file"}}
		}},
		{name: "manifest row count edited", corrupt: func(t *testing.T, dir string) []want {
			editManifestText(t, dir, `"rows": `, `"rows": 1`)
			return []want{{ManifestName, "manifest_sha256"}}
		}},
		{name: "manifest row count edited and rehashed", corrupt: func(t *testing.T, dir string) []want {
			f := firstFile(t, dir)
			rehash(t, dir, func(m map[string]any) { fileEntry(m, 0)["rows"] = 999.0 })
			return []want{{f, "footer has"}, {ManifestName, "files hold"}}
		}},
		{name: "manifest file hash edited", corrupt: func(t *testing.T, dir string) []want {
			editManifestText(t, dir, `"sha256": "`, `"sha256": "f`)
			return []want{{ManifestName, "manifest_sha256"}}
		}},
		{name: "manifest file hash edited and rehashed", corrupt: func(t *testing.T, dir string) []want {
			f := firstFile(t, dir)
			rehash(t, dir, func(m map[string]any) {
				fileEntry(m, 0)["sha256"] = strings.Repeat("ab", 32)
			})
			return []want{{f, "sha256 is"}}
		}},
		{name: "manifest self-hash edited", corrupt: func(t *testing.T, dir string) []want {
			editManifestText(t, dir, `"manifest_sha256": "`, `"manifest_sha256": "0`)
			return []want{{ManifestName, "manifest_sha256"}}
		}},
		{name: "unsupported version", corrupt: func(t *testing.T, dir string) []want {
			rehash(t, dir, func(m map[string]any) { m["format_version"] = 2.0 })
			return []want{{ManifestName, "snapshot format v2 is newer than this snapaudit (supports v1); upgrade"}}
		}},
		{name: "wrong format name", corrupt: func(t *testing.T, dir string) []want {
			rehash(t, dir, func(m map[string]any) { m["format"] = "something-else" })
			return []want{{ManifestName, "format is"}}
		}},
		{name: "invalid JSON", corrupt: func(t *testing.T, dir string) []want {
			mustWrite(t, filepath.Join(dir, ManifestName), `{"format": "snapaudit-snapshot", `)
			return []want{{ManifestName, "invalid JSON"}}
		}},
		{name: "path traversal in manifest", corrupt: func(t *testing.T, dir string) []want {
			rehash(t, dir, func(m map[string]any) { fileEntry(m, 0)["path"] = "../../etc/passwd" })
			return []want{{ManifestName, "is not data/service="}}
		}},
		{name: "hash field not last", corrupt: func(t *testing.T, dir string) []want {
			editManifestText(t, dir, "\n}", ",\n  \"extra\": 1\n}")
			return []want{{ManifestName, "must be the last field"}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := goodSnapshot(t, 30)
			wants := tt.corrupt(t, dir)
			rep, err := Verify(context.Background(), dir)
			if err == nil {
				t.Fatalf("verify passed a corrupt snapshot")
			}
			var ve *VerifyError
			if !errors.As(err, &ve) || !errors.Is(err, ErrCorrupt) {
				t.Errorf("error %T is not a *VerifyError wrapping ErrCorrupt", err)
			}
			for _, w := range wants {
				if !hasProblem(rep, w.path, w.contains) {
					t.Errorf("no problem for %s containing %q; got %v", w.path, w.contains, rep.Problems)
				}
				if !strings.Contains(err.Error(), w.path) {
					t.Errorf("error message does not name %s: %v", w.path, err)
				}
			}
			if rep.OK {
				t.Errorf("report says OK")
			}
		})
	}
}

func TestVerifyNotADirectory(t *testing.T) {
	tests := []struct {
		name string
		path func(t *testing.T) string
	}{
		{name: "missing", path: func(t *testing.T) string { return filepath.Join(t.TempDir(), "nope") }},
		{name: "a file", path: func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "f")
			mustWrite(t, p, "x")
			return p
		}},
		{name: "empty dir", path: func(t *testing.T) string { return t.TempDir() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Verify(context.Background(), tt.path(t))
			if err == nil || rep == nil || rep.OK || len(rep.Problems) == 0 {
				t.Fatalf("Verify = %+v, %v; want problems", rep, err)
			}
		})
	}
}

func TestVerifyCancelled(t *testing.T) {
	dir := goodSnapshot(t, 30)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Verify(ctx, dir); !errors.Is(err, context.Canceled) {
		t.Fatalf("Verify with cancelled context: err = %v, want context.Canceled", err)
	}
}

func hasProblem(rep *Report, path, contains string) bool {
	if rep == nil {
		return false
	}
	for _, p := range rep.Problems {
		if p.Path == path && strings.Contains(p.Message, contains) {
			return true
		}
	}
	return false
}

func fileEntry(m map[string]any, i int) map[string]any {
	return m["files"].([]any)[i].(map[string]any)
}

// editManifestText replaces the first occurrence of old in manifest.json
// without fixing the self-hash.
func editManifestText(t *testing.T, dir, old, new string) {
	t.Helper()
	path := filepath.Join(dir, ManifestName)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.Contains(s, old) {
		t.Fatalf("manifest has no %q", old)
	}
	mustWrite(t, path, strings.Replace(s, old, new, 1))
}

// truncate cuts n bytes off the end of a file (n < 0: to zero length).
func truncate(t *testing.T, path string, n int64) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	size := st.Size() - n
	if n < 0 {
		size = 0
	}
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

func mustOpen(t testing.TB, dir string) *Snapshot {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func mustWrite(t testing.TB, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustMkdir(t testing.TB, path string) {
	t.Helper()
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
}

func mustRemove(t testing.TB, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}
