package snapshot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// Snapshot is an opened, committed snapshot. It is safe for concurrent use.
type Snapshot struct {
	dir      string
	manifest *Manifest
}

// Open reads and checks manifest.json: format, version, self-hash and
// structure. It does not hash the data files (Verify does).
func Open(dir string) (*Snapshot, error) {
	path := filepath.Join(dir, ManifestName)
	raw, err := readMember(dir, ManifestName, MaxManifestBytes)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("open snapshot %s: %w", dir, ErrNotSnapshot)
	}
	if err != nil {
		return nil, fmt.Errorf("open snapshot %s: %w", dir, err)
	}
	m, err := decodeManifest(raw)
	if err != nil {
		return nil, fmt.Errorf("open snapshot %s: %w", path, err)
	}
	if ps := m.problems(); len(ps) > 0 {
		return nil, fmt.Errorf("open snapshot %s: %w: %s", path, ErrCorrupt, summarize(ps, 5))
	}
	return &Snapshot{dir: dir, manifest: m}, nil
}

// Manifest returns the decoded manifest. Callers must not modify it.
func (s *Snapshot) Manifest() *Manifest { return s.manifest }

// Dir is the snapshot directory.
func (s *Snapshot) Dir() string { return s.dir }

// Partitions lists the (service, operation) pairs with data, sorted.
func (s *Snapshot) Partitions() []Partition { return s.manifest.Partitions() }

// readBatch is how many rows Rows decodes at a time.
const readBatch = 64

// Rows streams the rows of one partition to fn in file order (sorted by
// account, region, parent key, page, params). A partition absent from the
// snapshot yields no rows and no error. An error from fn stops the scan and
// is returned as is.
func (s *Snapshot) Rows(ctx context.Context, service, operation string, fn func(Row) error) error {
	for _, f := range s.manifest.FilesOf(service, operation) {
		if err := s.readFile(ctx, f, fn); err != nil {
			return err
		}
	}
	return nil
}

// fnError marks an error returned by the caller's callback so it is passed
// through unwrapped.
type fnError struct{ err error }

func (e fnError) Error() string { return e.err.Error() }

func (s *Snapshot) readFile(ctx context.Context, mf File, fn func(Row) error) (err error) {
	osf, st, err := openMember(s.dir, mf.Path)
	if err != nil {
		return fmt.Errorf("read snapshot %s: %w", mf.Path, err)
	}
	defer osf.Close()
	err = scanFile(ctx, osf, st.Size(), mf, func(r *fileRow) error {
		if err := fn(r.toRow(mf.Service, mf.Operation)); err != nil {
			return fnError{err}
		}
		return nil
	})
	var fe fnError
	if errors.As(err, &fe) {
		return fe.err
	}
	if err != nil {
		return fmt.Errorf("read snapshot %s: %w", mf.Path, err)
	}
	return nil
}

// scanFile decodes a data file and checks it against its manifest entry
// (size, footer row count, schema, rows actually decoded). Panics inside the
// Parquet library on malformed input are turned into errors; fn runs outside
// that guard. It reads no more than the manifest's byte count, even if the
// file grows while it is read.
func scanFile(ctx context.Context, osf io.ReaderAt, size int64, mf File, fn func(*fileRow) error) error {
	if size != mf.Bytes {
		return fmt.Errorf("%w: size %d, manifest says %d", ErrCorrupt, size, mf.Bytes)
	}
	r := io.NewSectionReader(osf, 0, mf.Bytes)
	var pf *parquet.File
	var rd *parquet.GenericReader[fileRow]
	err := guard(func() error {
		if err := checkTrailer(r, mf.Bytes); err != nil {
			return err
		}
		var err error
		if pf, err = parquet.OpenFile(r, mf.Bytes, parquet.SkipBloomFilters(true)); err != nil {
			return err
		}
		if pf.NumRows() != mf.Rows {
			return fmt.Errorf("footer has %d rows, manifest says %d", pf.NumRows(), mf.Rows)
		}
		if err := checkSchema(pf.Schema()); err != nil {
			return err
		}
		rd = parquet.NewGenericReader[fileRow](pf)
		return nil
	})
	if err != nil {
		return err
	}
	defer rd.Close()
	buf := make([]fileRow, readBatch)
	var seen int64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var n int
		rerr := guard(func() error {
			var err error
			n, err = rd.Read(buf)
			if errors.Is(err, io.EOF) {
				return io.EOF
			}
			return err
		})
		for i := range buf[:n] {
			if err := fn(&buf[i]); err != nil {
				return err
			}
		}
		seen += int64(n)
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	if seen != mf.Rows {
		return fmt.Errorf("%w: decoded %d rows, manifest says %d", ErrCorrupt, seen, mf.Rows)
	}
	return nil
}

// guard runs a Parquet library call, turning its errors and panics on
// malformed input into ErrCorrupt errors. Only the bare io.EOF that ends a
// read passes through: a wrapped one ("reading parquet file metadata: EOF"
// for an empty footer) is damage.
func guard(f func() error) error {
	err := recovered(f)
	if err != nil && err != io.EOF && !errors.Is(err, ErrCorrupt) {
		err = fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return err
}

// recovered runs f and turns a panic into an error.
func recovered(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("malformed parquet: %v", p)
		}
	}()
	return f()
}

// summarize joins the first n problems and counts the rest.
func summarize(ps []string, n int) string {
	if len(ps) <= n {
		return strings.Join(ps, "; ")
	}
	return fmt.Sprintf("%s; and %d more (run snapaudit verify)", strings.Join(ps[:n], "; "), len(ps)-n)
}
