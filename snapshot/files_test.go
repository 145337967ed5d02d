//go:build unix

package snapshot

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSpecialFilesRefused replaces a member of a valid snapshot (the data
// directory, a partition directory, a data file, the manifest) by a symbolic
// link, a FIFO, a device or a socket. Verify and Open (or Rows) must refuse
// it with an error naming the path and what it is - never follow it, block
// on it or read it without bound.
func TestSpecialFilesRefused(t *testing.T) {
	// moveAway moves rel out of the snapshot and puts a symlink to it in its
	// place, so following the link would find intact content.
	moveAway := func(t *testing.T, dir, rel string) {
		t.Helper()
		path := filepath.Join(dir, filepath.FromSlash(rel))
		elsewhere := filepath.Join(t.TempDir(), filepath.Base(path))
		if err := os.Rename(path, elsewhere); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(elsewhere, path); err != nil {
			t.Fatal(err)
		}
	}
	replace := func(t *testing.T, dir, rel string, make func(path string) error) {
		t.Helper()
		path := filepath.Join(dir, filepath.FromSlash(rel))
		mustRemove(t, path)
		if err := make(path); err != nil {
			t.Fatal(err)
		}
	}
	firstPart := func(t *testing.T, dir string) string { return mustOpen(t, dir).Manifest().Files[0].Path }
	partDir := func(p string) string { return p[:strings.LastIndexByte(p, '/')] }

	tests := []struct {
		name string
		// setup damages dir and returns the path a problem must name and
		// what the message must say.
		setup     func(t *testing.T, dir string) (path, what string)
		openFails bool // Open (manifest) fails; otherwise Rows of the first partition fails
	}{
		{name: "symlinked data directory", setup: func(t *testing.T, dir string) (string, string) {
			moveAway(t, dir, DataDir)
			return DataDir, "symbolic link"
		}},
		{name: "symlinked partition directory", setup: func(t *testing.T, dir string) (string, string) {
			d := partDir(firstPart(t, dir))
			moveAway(t, dir, d)
			return d, "symbolic link"
		}},
		{name: "symlinked service directory", setup: func(t *testing.T, dir string) (string, string) {
			d := partDir(partDir(firstPart(t, dir)))
			moveAway(t, dir, d)
			return d, "symbolic link"
		}},
		{name: "symlinked data file", setup: func(t *testing.T, dir string) (string, string) {
			f := firstPart(t, dir)
			moveAway(t, dir, f)
			return f, "symbolic link"
		}},
		{name: "symlinked manifest", setup: func(t *testing.T, dir string) (string, string) {
			moveAway(t, dir, ManifestName)
			return ManifestName, "symbolic link"
		}, openFails: true},
		{name: "manifest linked to /dev/zero", setup: func(t *testing.T, dir string) (string, string) {
			replace(t, dir, ManifestName, func(p string) error { return os.Symlink("/dev/zero", p) })
			return ManifestName, "symbolic link"
		}, openFails: true},
		{name: "FIFO manifest", setup: func(t *testing.T, dir string) (string, string) {
			replace(t, dir, ManifestName, func(p string) error { return syscall.Mkfifo(p, 0o600) })
			return ManifestName, "named pipe"
		}, openFails: true},
		{name: "FIFO data file", setup: func(t *testing.T, dir string) (string, string) {
			f := firstPart(t, dir)
			replace(t, dir, f, func(p string) error { return syscall.Mkfifo(p, 0o600) })
			return f, "named pipe"
		}},
		{name: "socket manifest", setup: func(t *testing.T, dir string) (string, string) {
			replace(t, dir, ManifestName, func(p string) error {
				l, err := net.Listen("unix", p)
				if err != nil {
					return err
				}
				t.Cleanup(func() { l.Close() })
				return nil
			})
			return ManifestName, "socket"
		}, openFails: true},
		{name: "device data file", setup: func(t *testing.T, dir string) (string, string) {
			f := firstPart(t, dir)
			replace(t, dir, f, func(p string) error {
				// /dev/null's device number; needs CAP_MKNOD.
				err := syscall.Mknod(p, syscall.S_IFCHR|0o600, 1<<8|3)
				if err != nil {
					t.Skipf("mknod: %v", err)
				}
				return nil
			})
			return f, "device"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := goodSnapshot(t, 30)
			part := mustOpen(t, dir).Manifest().Files[0]
			path, what := tt.setup(t, dir)

			rep, err := Verify(context.Background(), dir)
			if err == nil || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Verify = %v, want a *VerifyError", err)
			}
			if !hasProblem(rep, path, what) {
				t.Errorf("Verify: no problem for %s saying %q; got %v", path, what, rep.Problems)
			}

			s, err := Open(dir)
			if tt.openFails {
				if err == nil || !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), what) {
					t.Fatalf("Open = %v, want ErrCorrupt naming %s and %q", err, path, what)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			err = s.Rows(context.Background(), part.Service, part.Operation, func(Row) error { return nil })
			if err == nil || !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), what) {
				t.Fatalf("Rows = %v, want ErrCorrupt naming %s and %q", err, path, what)
			}
		})
	}
}

// TestManifestSizeCap: a manifest larger than MaxManifestBytes is refused
// from its size, before it is read (a sparse file costs no disk).
func TestManifestSizeCap(t *testing.T) {
	dir := goodSnapshot(t, 30)
	if err := os.Truncate(filepath.Join(dir, ManifestName), MaxManifestBytes+1); err != nil {
		t.Fatal(err)
	}
	const want = "larger than the"
	rep, err := Verify(context.Background(), dir)
	if err == nil || !hasProblem(rep, ManifestName, want) {
		t.Errorf("Verify = %v, want a problem for %s containing %q", err, ManifestName, want)
	}
	if _, err := Open(dir); err == nil || !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), want) {
		t.Errorf("Open = %v, want ErrCorrupt containing %q", err, want)
	}
}

// TestDataFileReadBounded: bytes appended past a data file's manifest size
// are reported as a size problem and never read: the hash covers exactly the
// manifest's byte count, so the intact prefix still hashes right.
func TestDataFileReadBounded(t *testing.T) {
	dir := goodSnapshot(t, 30)
	f := mustOpen(t, dir).Manifest().Files[0]
	path := filepath.Join(dir, filepath.FromSlash(f.Path))
	if err := os.Truncate(path, f.Bytes+1<<30); err != nil { // sparse: 1 GiB of zeros past the end
		t.Fatal(err)
	}
	rep, err := Verify(context.Background(), dir)
	if err == nil || !hasProblem(rep, f.Path, "size is") {
		t.Fatalf("Verify = %v, want a size problem for %s; got %v", err, f.Path, rep.Problems)
	}
	if hasProblem(rep, f.Path, "sha256") {
		t.Errorf("Verify hashed past the manifest's byte count: %v", rep.Problems)
	}
}

// TestWrittenModes: a snapshot is private to its owner whatever the umask:
// files 0600, directories 0700 (umask 0 shows the modes asked for).
func TestWrittenModes(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "snap")
	writeAll(t, dir, genRows(30, 120, 21), 2)
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		st, err := os.Lstat(path)
		if err != nil {
			return err
		}
		want := os.FileMode(0o600)
		if d.IsDir() {
			want = os.ModeDir | 0o700
		}
		if st.Mode() != want {
			t.Errorf("%s: mode %v, want %v", relSlash(dir, path), st.Mode(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestUnlistedSpecialFiles: a link or FIFO the manifest does not list is
// reported as unexpected, saying what it is, and never opened.
func TestUnlistedSpecialFiles(t *testing.T) {
	dir := goodSnapshot(t, 12)
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, DataDir, "zero")); err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(context.Background(), dir)
	if err == nil || !hasProblem(rep, "pipe", "unexpected file (a named pipe (FIFO)") ||
		!hasProblem(rep, DataDir+"/zero", "unexpected file (a symbolic link") {
		t.Fatalf("Verify = %v; problems %v", err, rep.Problems)
	}
}
