package snapshot

// Files the snapshot trusts.
//
// A snapshot directory is untrusted input, and so is the kind of each of its
// members: a member replaced by a symbolic link makes a checker read content
// outside the snapshot (and vouch for it), a FIFO blocks a read forever, a
// device such as /dev/zero is read without end. So only regular files and
// real directories are members. openMember opens one: every directory on the
// member's path is Lstat-ed and must be a directory (not a link to one); the
// file itself is Lstat-ed, then opened with O_NOFOLLOW|O_NONBLOCK where the
// platform has them (a link swapped in after the check is refused by the
// kernel, a FIFO swapped in does not block the open), and the open descriptor
// is fstat-ed and must be a regular file. Callers then read no more than the
// size they expect (the manifest's byte count, MaxManifestBytes).
//
// The snapshot directory itself is the path the user named and may be a
// link. Between the Lstat of a parent directory and the open, a concurrent
// writer could still swap that directory for a link; this guards against
// accidents and careless tools, not against a concurrent attacker (see
// FORMAT.md, threat model).

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MaxManifestBytes bounds the size of manifest.json: readers refuse a larger
// one before reading it, and the writer refuses to commit one. At about 350
// bytes per calls[] entry it allows some 750,000 (account, region, call)
// entries.
const MaxManifestBytes = 256 << 20

// memberError says that a snapshot member is not what the format allows
// there. errors.Is(err, ErrCorrupt) holds for it.
type memberError struct {
	path string // slash-separated, relative to the snapshot directory
	msg  string
}

func (e *memberError) Error() string { return e.path + ": " + e.msg }
func (e *memberError) Unwrap() error { return ErrCorrupt }

// kindOf names a file mode's type for people.
func kindOf(m fs.FileMode) string {
	switch t := m.Type(); {
	case t == 0:
		return "a regular file"
	case t&fs.ModeSymlink != 0:
		return "a symbolic link"
	case t&fs.ModeDir != 0:
		return "a directory"
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeCharDevice != 0:
		return "a character device"
	case t&fs.ModeDevice != 0:
		return "a block device"
	default:
		return "an irregular file (" + t.String() + ")"
	}
}

const membersRule = "a snapshot holds only regular files and real directories, and links are never followed"

// wrongKind is the error for a member of the wrong type.
func wrongKind(rel string, m fs.FileMode, want string) error {
	return &memberError{path: rel, msg: fmt.Sprintf("is %s, not %s (%s)", kindOf(m), want, membersRule)}
}

// openMember opens the regular file at rel (slash-separated, relative to
// dir) without following links or blocking, as the design comment above
// describes. A missing member gives an error for which errors.Is(err,
// fs.ErrNotExist) holds; a member of the wrong kind a *memberError naming
// the offending path (which may be a directory on the way).
func openMember(dir, rel string) (*os.File, fs.FileInfo, error) {
	names := strings.Split(rel, "/")
	p := dir
	for i, name := range names[:len(names)-1] {
		p = filepath.Join(p, name)
		st, err := os.Lstat(p)
		if err != nil {
			return nil, nil, err
		}
		if !st.IsDir() {
			return nil, nil, wrongKind(strings.Join(names[:i+1], "/"), st.Mode(), "a directory")
		}
	}
	path := filepath.Join(dir, filepath.FromSlash(rel))
	st, err := os.Lstat(path)
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, nil, wrongKind(rel, st.Mode(), "a regular file")
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openNoFollow, 0)
	if err != nil {
		return nil, nil, err
	}
	if st, err = f.Stat(); err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, wrongKind(rel, st.Mode(), "a regular file")
	}
	return f, st, nil
}

// readMember reads the whole regular file at rel, refusing one larger than
// limit (checked on the open file's size and again while reading, in case
// it grows).
func readMember(dir, rel string, limit int64) ([]byte, error) {
	f, st, err := openMember(dir, rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tooBig := func(n int64) error {
		return &memberError{path: rel, msg: fmt.Sprintf("is %d bytes, larger than the %s limit", n, sizeText(limit))}
	}
	if st.Size() > limit {
		return nil, tooBig(st.Size())
	}
	raw, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rel, err)
	}
	if int64(len(raw)) > limit {
		return nil, tooBig(int64(len(raw)))
	}
	return raw, nil
}

// sizeText renders a limit: "256 MiB", "64 KiB", "100 bytes".
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// memberProblem turns an openMember or readMember error into the path a
// verify problem concerns and its message.
func memberProblem(rel string, err error) (string, string) {
	var me *memberError
	switch {
	case errors.As(err, &me):
		return me.path, me.msg
	case errors.Is(err, fs.ErrNotExist):
		return rel, "missing"
	}
	return rel, err.Error()
}
