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
	"slices"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// Report is the outcome of Verify.
type Report struct {
	Dir           string `json:"dir"`
	OK            bool   `json:"ok"`
	FormatVersion int    `json:"format_version,omitempty"`
	Files         int    `json:"files"`
	Rows          int64  `json:"rows"`
	Bytes         int64  `json:"bytes"` // data files, as listed in the manifest
	// Signature: whether manifest.json.sig is present and, when Verify was
	// given a public key, whether it is valid.
	Signature SignatureStatus `json:"signature"`
	Problems  []Problem       `json:"problems"`
}

// VerifyOption configures Verify.
type VerifyOption func(*verifyConfig)

type verifyConfig struct {
	pub *PublicKey
}

// WithPublicKey makes Verify require a valid signature by pub
// (manifest.json.sig): a missing, malformed or foreign signature, or a
// manifest changed after signing, is a problem. Without it an existing
// signature is reported (Report.Signature) but not checked.
func WithPublicKey(pub *PublicKey) VerifyOption {
	return func(c *verifyConfig) { c.pub = pub }
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
// holds for it when any problem is not about the signature, errors.Is(err,
// ErrSignature) when any is.
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

func (e *VerifyError) Unwrap() []error {
	var out []error
	for _, p := range e.Problems {
		kind := ErrCorrupt
		if p.Path == SignatureName {
			kind = ErrSignature
		}
		if !slices.Contains(out, kind) {
			out = append(out, kind)
		}
	}
	return out
}

// Verify checks a snapshot completely: the manifest (parses, format and
// version supported, self-hash, structure), every listed data file (present,
// a regular file, size, SHA-256, Parquet footer readable with the manifest's
// row count and the v1 schema) and that nothing else is in the directory.
// The Report is always returned; the error is a *VerifyError listing every
// problem, or the context's error if ctx ends first. manifest.json.sig is
// the one file the manifest does not list that may be present; see
// WithPublicKey.
func Verify(ctx context.Context, dir string, opts ...VerifyOption) (*Report, error) {
	var cfg verifyConfig
	for _, o := range opts {
		o(&cfg)
	}
	rep := &Report{Dir: dir, Problems: []Problem{}}
	addf := func(path, format string, args ...any) {
		rep.Problems = append(rep.Problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	add := func(path, msg string) { addf(path, "%s", msg) }
	finish := func() (*Report, error) {
		rep.OK = len(rep.Problems) == 0
		if rep.OK {
			return rep, nil
		}
		return rep, &VerifyError{Dir: dir, Problems: rep.Problems}
	}

	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		addf(".", "not a directory: %v", errOr(err, "is a file"))
		return finish()
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	raw, err := readMember(dir, ManifestName, MaxManifestBytes)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			add(ManifestName, "missing: the directory is not a committed snapshot")
		} else {
			add(memberProblem(ManifestName, err))
		}
		return finish()
	}
	// The signature covers the raw bytes, so it is checked (and a change
	// after signing named) even when the manifest itself is damaged.
	sig, sigProblems := checkSignature(dir, raw, cfg.pub)
	rep.Signature = sig
	for _, msg := range sigProblems {
		add(SignatureName, msg)
	}
	m, err := decodeManifest(raw)
	if err != nil {
		add(ManifestName, err.Error())
		return finish()
	}
	for _, p := range m.problems() {
		add(ManifestName, p)
	}
	rep.FormatVersion = m.FormatVersion
	rep.Files = len(m.Files)
	rep.Rows = m.TotalRows()
	rep.Bytes = m.TotalBytes()

	expected := map[string]bool{ManifestName: true, SignatureName: true}
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
		for _, p := range verifyFile(ctx, dir, f) {
			// A bad directory is reported once, not for every file under it.
			if !slices.Contains(rep.Problems, p) {
				rep.Problems = append(rep.Problems, p)
			}
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
	}

	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			add(relSlash(dir, path), err.Error())
			return nil
		}
		rel := relSlash(dir, path)
		switch {
		case rel == "." || expected[rel]:
			return nil // a listed member of the wrong kind was reported above
		case d.IsDir():
			add(rel, "unexpected directory (not part of the snapshot)")
			return fs.SkipDir
		case !d.Type().IsRegular():
			addf(rel, "unexpected file (%s, not listed in the manifest)", kindOf(d.Type()))
		default:
			add(rel, "unexpected file (not listed in the manifest)")
		}
		return nil
	})
	if cerr := ctx.Err(); cerr != nil {
		return rep, cerr
	}
	if err != nil {
		addf(".", "walk: %v", err)
	}
	return finish()
}

// verifyFile returns every problem of one data file. It reads no more than
// the manifest's byte count of it.
func verifyFile(ctx context.Context, dir string, f File) []Problem {
	var out []Problem
	add := func(format string, args ...any) {
		out = append(out, Problem{Path: f.Path, Message: fmt.Sprintf(format, args...)})
	}
	osf, st, err := openMember(dir, f.Path)
	if err != nil {
		path, msg := memberProblem(f.Path, err)
		return []Problem{{Path: path, Message: msg}}
	}
	defer osf.Close()
	if st.Size() != f.Bytes {
		add("size is %d bytes, manifest says %d (truncated or altered)", st.Size(), f.Bytes)
	}
	size := min(st.Size(), f.Bytes)
	r := io.NewSectionReader(osf, 0, size)
	sum, err := hashFile(ctx, r, size)
	switch {
	case err != nil:
		add("read: %v", err)
	case sum != f.SHA256:
		add("sha256 is %s, manifest says %s (content altered)", sum, f.SHA256)
	}
	err = recovered(func() error {
		if err := checkTrailer(r, size); err != nil {
			return err
		}
		pf, err := parquet.OpenFile(r, size, parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true))
		if err != nil {
			return err
		}
		if pf.NumRows() != f.Rows {
			add("parquet footer has %d rows, manifest says %d", pf.NumRows(), f.Rows)
		}
		return checkSchema(pf.Schema())
	})
	if err != nil {
		add("parquet: %v", err)
	}
	return out
}

// hashFile returns the hex SHA-256 of r, which holds size bytes. Its read
// buffer is no larger than the file (at most 1 MiB, at least 4 KiB): a
// snapshot's files average tens of KB, and a 1 MiB buffer each was 7% of
// what an analysis of 100,000 resources allocated.
func hashFile(ctx context.Context, r io.Reader, size int64) (string, error) {
	h := sha256.New()
	buf := make([]byte, max(min(size, 1<<20), 4<<10))
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
