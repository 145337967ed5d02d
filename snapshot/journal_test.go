package snapshot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// unitsOf groups rows into call units (service, operation, account,
// region, parent key), in first-seen order.
func unitsOf(rows []Row) ([]UnitID, map[UnitID][]Row) {
	var ids []UnitID
	by := map[UnitID][]Row{}
	for _, r := range rows {
		id := UnitID{Service: r.Service, Operation: r.Operation, AccountID: r.AccountID, Region: r.Region, ParentKey: r.ParentKey}
		if _, ok := by[id]; !ok {
			ids = append(ids, id)
		}
		by[id] = append(by[id], r)
	}
	return ids, by
}

var testJournal = JournalInfo{StartedAt: baseTime, Settings: json.RawMessage(`{"regions":["us-east-1"]}`), Secret: []byte("k3y")}

// commitUnits writes and commits the given units through w's journal and
// writer.
func commitUnits(t *testing.T, w *Writer, ids []UnitID, by map[UnitID][]Row) {
	t.Helper()
	for _, id := range ids {
		u := w.Journal().Begin()
		for _, r := range by[id] {
			if err := u.Add(r); err != nil {
				t.Fatal(err)
			}
			if err := w.Write(context.Background(), r); err != nil {
				t.Fatal(err)
			}
		}
		if err := u.Commit(id, json.RawMessage(`{"n":1}`)); err != nil {
			t.Fatal(err)
		}
	}
}

// finish resumes dir, replays the journaled units, writes the others and
// commits; it returns the IDs the journal offered.
func finish(t *testing.T, dir string, ids []UnitID, by map[UnitID][]Row) []UnitID {
	t.Helper()
	w, err := Resume(dir)
	if err != nil {
		t.Fatalf("Resume: %v", err)
	}
	if got := w.Journal().Info(); !got.StartedAt.Equal(baseTime) || string(got.Secret) != "k3y" ||
		!bytes.Equal(got.Settings, testJournal.Settings) {
		t.Errorf("journal info %+v", got)
	}
	var reused []UnitID
	done := map[UnitID]bool{}
	for _, u := range w.Journal().Units() {
		reused = append(reused, u.ID)
		done[u.ID] = true
		if string(u.Note) != `{"n":1}` {
			t.Errorf("unit %v note %s", u.ID, u.Note)
		}
		if err := w.Journal().ReadUnit(u, func(r Row) error { return w.Write(context.Background(), r) }); err != nil {
			t.Fatal(err)
		}
	}
	var rest []UnitID
	for _, id := range ids {
		if !done[id] {
			rest = append(rest, id)
		}
	}
	commitUnits(t, w, rest, by)
	if _, err := w.Commit(context.Background(), fixedMeta); err != nil {
		t.Fatalf("Commit after resume: %v", err)
	}
	return reused
}

// TestJournalResume interrupts a journaled write in several ways and checks
// that resuming reuses exactly the units whose rows are intact, and that
// the result is byte-for-byte the snapshot of an uninterrupted write.
func TestJournalResume(t *testing.T) {
	rows := genRows(300, 200, 11)
	ids, by := unitsOf(rows)
	want := filepath.Join(t.TempDir(), "want")
	writeAll(t, want, rows, 3)
	wantFiles := map[string][]byte{}
	for _, f := range snapshotFiles(t, want) {
		wantFiles[f] = mustRead(t, filepath.Join(want, f))
	}
	const done = 20 // units completed before the interruption

	tests := []struct {
		name string
		// crash ends the first Writer (after done units) and damages the
		// journal; it returns the units that must be reused.
		crash func(t *testing.T, w *Writer) []UnitID
	}{
		{name: "suspended (Ctrl-C)", crash: func(t *testing.T, w *Writer) []UnitID {
			if err := w.Suspend(); err != nil {
				t.Fatal(err)
			}
			return ids[:done]
		}},
		{name: "killed: rows of an unfinished unit without its line", crash: func(t *testing.T, w *Writer) []UnitID {
			// The unit's rows reach the disk (the next commit flushes
			// them) but its line is never written.
			u := w.Journal().Begin()
			for _, r := range by[ids[done]] {
				if err := u.Add(r); err != nil {
					t.Fatal(err)
				}
			}
			commitUnits(t, w, ids[done+1:done+2], by)
			return append(slices.Clone(ids[:done]), ids[done+1])
		}},
		{name: "killed: line of a unit whose rows are not all on disk", crash: func(t *testing.T, w *Writer) []UnitID {
			// As if the rows' fsync had not happened: the last record is
			// cut short, though the unit's line is there.
			w.Journal().closeFiles()
			path := filepath.Join(w.Dir(), tmpDir, journalDir, journalRows)
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, st.Size()-3); err != nil {
				t.Fatal(err)
			}
			return ids[:done-1]
		}},
		{name: "killed: a unit's row damaged, a torn line", crash: func(t *testing.T, w *Writer) []UnitID {
			j := w.Journal()
			rec := j.unitsCommitted(t)[3].recs[0]
			j.closeFiles()
			dir := filepath.Join(w.Dir(), tmpDir, journalDir)
			flipByte(t, filepath.Join(dir, journalRows), rec.off+int64(rec.n)/2)
			appendBytes(t, filepath.Join(dir, journalUnits), []byte(`0badf00d {"seq":99,"service":"ec2"`))
			return slices.Delete(slices.Clone(ids[:done]), 3, 4)
		}},
		{name: "killed during commit", crash: func(t *testing.T, w *Writer) []UnitID {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if _, err := w.Commit(ctx, fixedMeta); err == nil {
				t.Fatal("Commit with a cancelled context succeeded")
			}
			// Leftovers of an unfinished commit.
			mustMkdir(t, filepath.Join(w.Dir(), DataDir, "service=ec2"))
			appendBytes(t, filepath.Join(w.Dir(), tmpDir, ManifestName), []byte("{"))
			return ids[:done]
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "snap")
			w, err := Create(dir, WithJournal(testJournal), WithMemoryBudget(8<<10))
			if err != nil {
				t.Fatal(err)
			}
			commitUnits(t, w, ids[:done], by)
			wantReused := tt.crash(t, w)

			var pe *PartialError
			if _, err := Create(dir); !errors.As(err, &pe) || !pe.Resumable || !pe.StartedAt.Equal(baseTime) {
				t.Fatalf("Create over the interrupted write: %v, want a resumable PartialError", err)
			}
			if !strings.Contains(pe.Error(), "interrupted collection (started 2025-03-14T09:26:53Z") {
				t.Errorf("message %q", pe.Error())
			}

			reused := finish(t, dir, ids, by)
			if !slices.Equal(reused, wantReused) {
				t.Errorf("reused units\n%v\nwant\n%v", reused, wantReused)
			}
			got := snapshotFiles(t, dir)
			if !slices.Equal(got, slices.Sorted(maps.Keys(wantFiles))) {
				t.Fatalf("files %v, want %v", got, slices.Sorted(maps.Keys(wantFiles)))
			}
			for _, f := range got {
				if !bytes.Equal(mustRead(t, filepath.Join(dir, f)), wantFiles[f]) {
					t.Errorf("%s differs from the uninterrupted write's", f)
				}
			}
			if _, err := Verify(context.Background(), dir); err != nil {
				t.Errorf("verify: %v", err)
			}
		})
	}
}

// unitsCommitted reads back the units committed so far (test helper).
func (j *Journal) unitsCommitted(t *testing.T) []JournalUnit {
	t.Helper()
	if err := j.rows.sync(1 << 62); err != nil {
		t.Fatal(err)
	}
	o, err := openJournal(j.dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer o.closeFiles()
	return o.units
}

func TestLeftover(t *testing.T) {
	tmp := t.TempDir()
	committed := filepath.Join(tmp, "committed")
	writeAll(t, committed, genRows(20, 50, 3), 1)
	stale := filepath.Join(tmp, "stale")
	mustMkdir(t, filepath.Join(stale, tmpDir))
	appendBytes(t, filepath.Join(stale, tmpDir, "run-000001.bin"), []byte("x"))
	other := filepath.Join(tmp, "other")
	mustMkdir(t, filepath.Join(other, "notes"))
	partial := filepath.Join(tmp, "partial")
	w, err := Create(partial, WithJournal(testJournal))
	if err != nil {
		t.Fatal(err)
	}
	ids, by := unitsOf(genRows(30, 50, 4))
	commitUnits(t, w, ids[:2], by)
	if err := w.Suspend(); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name       string
		dir        string
		committed  bool
		resumable  bool
		units      int
		notPartial string // error text when it is neither partial nor committed
		discarded  bool
	}{
		{name: "missing", dir: filepath.Join(tmp, "missing")},
		{name: "committed", dir: committed, committed: true},
		{name: "journaled partial", dir: partial, resumable: true, units: 2, discarded: true},
		{name: "partial without journal", dir: stale, discarded: true},
		{name: "something else", dir: other, notPartial: "not empty and is not a snapshot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Leftover(tt.dir)
			var pe *PartialError
			switch {
			case tt.committed:
				if !errors.Is(err, ErrCommitted) {
					t.Fatalf("Leftover: %v, want ErrCommitted", err)
				}
				if err := Discard(tt.dir); !errors.Is(err, ErrCommitted) {
					t.Errorf("Discard of a committed snapshot: %v", err)
				}
				if _, err := Verify(context.Background(), tt.dir); err != nil {
					t.Errorf("committed snapshot damaged: %v", err)
				}
				return
			case tt.notPartial != "":
				if err == nil || !strings.Contains(err.Error(), tt.notPartial) {
					t.Fatalf("Leftover: %v, want %q", err, tt.notPartial)
				}
				if Discard(tt.dir) == nil {
					t.Error("Discard removed a directory that is not a snapshot")
				}
				return
			case tt.discarded:
				if !errors.As(err, &pe) || pe.Resumable != tt.resumable || pe.Units != tt.units {
					t.Fatalf("Leftover: %#v, want partial resumable=%v units=%d", err, tt.resumable, tt.units)
				}
				if !tt.resumable {
					if _, err := Resume(tt.dir); err == nil || !strings.Contains(err.Error(), "cannot be resumed") {
						t.Errorf("Resume: %v", err)
					}
				}
				if err := Discard(tt.dir); err != nil {
					t.Fatal(err)
				}
				if entries, _ := os.ReadDir(tt.dir); len(entries) != 0 {
					t.Errorf("after Discard: %v", entries)
				}
			default:
				if err != nil {
					t.Fatalf("Leftover: %v", err)
				}
				if _, err := Resume(tt.dir); err == nil || !strings.Contains(err.Error(), "nothing to resume") {
					t.Errorf("Resume: %v", err)
				}
			}
		})
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func flipByte(t testing.TB, path string, off int64) {
	t.Helper()
	b := mustRead(t, path)
	b[off] ^= 0x40
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func appendBytes(t testing.TB, path string, p []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(p); err != nil {
		t.Fatal(err)
	}
}

// TestJournalPrivate: the journal holds account configuration and maybe a
// redaction key; only its owner may read it.
func TestJournalPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "snap")
	w, err := Create(dir, WithJournal(testJournal))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	ids, by := unitsOf(genRows(5, 50, 9))
	commitUnits(t, w, ids[:1], by)
	jdir := filepath.Join(dir, tmpDir, journalDir)
	for _, name := range []string{"", journalHeader, journalSecret, journalRows, journalUnits} {
		st, err := os.Stat(filepath.Join(jdir, name))
		if err != nil {
			t.Fatal(err)
		}
		if perm := st.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s: mode %v, want no access for group and others", filepath.Join(jdir, name), perm)
		}
	}
}

// TestJournalSpecialFiles: a resume reads its journal as verify reads a
// snapshot — a journal file replaced by a link, a FIFO or /dev/zero is an
// error naming it, never followed, never a hang or an unbounded read.
func TestJournalSpecialFiles(t *testing.T) {
	tests := []struct {
		name string
		file string
		make func(path string) error
	}{
		{name: "header linked to /dev/zero", file: journalHeader, make: func(p string) error { return os.Symlink("/dev/zero", p) }},
		{name: "units log a FIFO", file: journalUnits, make: func(p string) error { return syscall.Mkfifo(p, 0o600) }},
		{name: "rows a FIFO", file: journalRows, make: func(p string) error { return syscall.Mkfifo(p, 0o600) }},
		{name: "secret linked elsewhere", file: journalSecret, make: func(p string) error {
			return os.Symlink(filepath.Join(filepath.Dir(p), journalHeader), p)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "snap")
			w, err := Create(dir, WithJournal(testJournal))
			if err != nil {
				t.Fatal(err)
			}
			ids, by := unitsOf(genRows(5, 50, 9))
			commitUnits(t, w, ids[:1], by)
			if err := w.Suspend(); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, tmpDir, journalDir, tt.file)
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			if err := tt.make(p); err != nil {
				t.Fatal(err)
			}
			w, err = Resume(dir)
			if err == nil {
				w.Abort()
				t.Fatal("Resume accepted the journal")
			}
			if !strings.Contains(err.Error(), tt.file) {
				t.Errorf("error %q does not name %s", err, tt.file)
			}
		})
	}
}
