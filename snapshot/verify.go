package snapshot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// Report is the outcome of Verify.
type Report struct {
	Dir           string    `json:"dir"`
	OK            bool      `json:"ok"`
	FormatVersion int       `json:"format_version,omitempty"`
	Files         int       `json:"files"`
	Rows          int64     `json:"rows"`
	Bytes         int64     `json:"bytes"` // data files, as listed in the manifest
	Problems      []Problem `json:"problems"`
}

// Problem is one thing wrong with a snapshot. Path is slash-separated and
// relative to the snapshot directory ("." for the directory itself).
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// String is "path: message"; a problem of the snapshot directory itself
// (Path ".") reads "the directory itself: message".
func (p Problem) String() string {
	if p.Path == "." {
		return "the directory itself: " + p.Message
	}
	return p.Path + ": " + p.Message
}

// VerifyError lists every problem Verify found. errors.Is(err, ErrCorrupt)
// holds for it.
type VerifyError struct {
	Dir      string
	Problems []Problem
}

func (e *VerifyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "snapshot %s failed verification (%d problem(s))", e.Dir, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

func (e *VerifyError) Unwrap() error { return ErrCorrupt }

// Verify checks a snapshot completely: the manifest (parses, format and
// version supported, self-hash, structure), every listed data file (present,
// a regular file, size, SHA-256, Parquet footer readable with the manifest's
// row count and the v1 schema) and that nothing else is in the directory.
// The Report is always returned; the error is a *VerifyError listing every
// problem, or the context's error if ctx ends first.
func Verify(ctx context.Context, dir string) (*Report, error) {
	rep := &Report{Dir: dir, Problems: []Problem{}}
	add := func(path, format string, args ...any) {
		rep.Problems = append(rep.Problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	finish := func() (*Report, error) {
		rep.OK = len(rep.Problems) == 0
		if rep.OK {
			return rep, nil
		}
		return rep, &VerifyError{Dir: dir, Problems: rep.Problems}
	}

	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		add(".", "not a directory: %v", errOr(err, "is a file"))
		return finish()
	}
	raw, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			add(ManifestName, "missing: the directory is not a committed snapshot")
		} else {
			add(ManifestName, "%v", err)
		}
		return finish()
	}
	m, err := decodeManifest(raw)
	if err != nil {
		add(ManifestName, "%v", err)
		return finish()
	}
	for _, p := range m.problems() {
		add(ManifestName, "%s", p)
	}
	rep.FormatVersion = m.FormatVersion
	rep.Files = len(m.Files)
	rep.Rows = m.TotalRows()
	rep.Bytes = m.TotalBytes()

	expected := map[string]bool{ManifestName: true}
	for _, f := range m.Files {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if !partPathRE.MatchString(f.Path) {
			continue // reported by problems; never open a path we cannot trust
		}
		expected[f.Path] = true
		for d := f.Path; d != DataDir; {
			d = d[:strings.LastIndexByte(d, '/')]
			expected[d] = true
		}
		for _, msg := range verifyFile(ctx, dir, f) {
			add(f.Path, "%s", msg)
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
	}

	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			add(relSlash(dir, path), "%v", err)
			return nil
		}
		rel := relSlash(dir, path)
		if rel == "." || expected[rel] {
			return nil
		}
		if d.IsDir() {
			add(rel, "unexpected directory (not part of the snapshot)")
			return fs.SkipDir
		}
		add(rel, "unexpected file (not listed in the manifest)")
		return nil
	})
	if err != nil {
		add(".", "walk: %v", err)
	}
	return finish()
}

// verifyFile returns every problem of one data file.
func verifyFile(ctx context.Context, dir string, f File) []string {
	path := filepath.Join(dir, filepath.FromSlash(f.Path))
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return []string{"missing"}
	case err != nil:
		return []string{err.Error()}
	case !st.Mode().IsRegular():
		return []string{fmt.Sprintf("not a regular file (%s)", st.Mode().Type())}
	}
	var out []string
	if st.Size() != f.Bytes {
		out = append(out, fmt.Sprintf("size is %d bytes, manifest says %d (truncated or altered)", st.Size(), f.Bytes))
	}
	osf, err := os.Open(path)
	if err != nil {
		return append(out, err.Error())
	}
	defer osf.Close()
	sum, err := hashFile(ctx, osf)
	switch {
	case err != nil:
		out = append(out, fmt.Sprintf("read: %v", err))
	case sum != f.SHA256:
		out = append(out, fmt.Sprintf("sha256 is %s, manifest says %s (content altered)", sum, f.SHA256))
	}
	err = recovered(func() error {
		if err := checkTrailer(osf, st.Size()); err != nil {
			return err
		}
		pf, err := parquet.OpenFile(osf, st.Size(), parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true))
		if err != nil {
			return err
		}
		if pf.NumRows() != f.Rows {
			out = append(out, fmt.Sprintf("parquet footer has %d rows, manifest says %d", pf.NumRows(), f.Rows))
		}
		return checkSchema(pf.Schema())
	})
	if err != nil {
		out = append(out, fmt.Sprintf("parquet: %v", err))
	}
	return out
}

func hashFile(ctx context.Context, r io.Reader) (string, error) {
	h := sha256.New()
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, err := r.Read(buf)
		h.Write(buf[:n])
		if errors.Is(err, io.EOF) {
			return hex.EncodeToString(h.Sum(nil)), nil
		}
		if err != nil {
			return "", err
		}
	}
}

func relSlash(dir, path string) string {
	rel, err := filepath.Rel(dir, path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}

func errOr(err error, s string) string {
	if err != nil {
		return err.Error()
	}
	return s
}
