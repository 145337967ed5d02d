package snapshot

// Writer design (bounded-memory external sort).
//
// The collector calls Write from many goroutines in no particular order, yet
// every data file must come out sorted and byte-identical for the same set of
// rows. Rows are buffered per partition; the writer accounts their size
// against one global budget. When a row would push the total over the budget
// the largest in-memory buffer is detached, sorted and written as a sorted
// run under <dir>/.tmp/ (outside the lock, so other partitions keep
// buffering; bytes being spilled still count until the run is on disk, and a
// writer that finds nothing left to spill waits). Commit k-way merges each
// partition's runs and its in-memory remainder into Parquet parts, merging at
// most 64 runs at a time, and no more than the rows of half the budget (a
// merge holds one row per run, and one API page can be megabytes: a
// partition's largest row decides; more runs are first merged into bigger
// runs), so peak memory is the budget plus, per open run, one 64 KiB read
// buffer and one row (together at most half the budget), plus one row group
// being encoded.
//
// Commit protocol: data files are written and fsynced, spill runs removed,
// manifest.json is written to .tmp/manifest.json, fsynced, renamed into place
// (the commit point), .tmp/ removed and the directory fsynced.

import (
	"bufio"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parquet-go/parquet-go"
)

// Defaults of the writer options.
const (
	DefaultMemoryBudget  = 64 << 20  // bytes of buffered rows before spilling
	DefaultMaxFileBytes  = 128 << 20 // soft size limit of one data file
	DefaultRowGroupBytes = 8 << 20   // uncompressed row bytes per row group
)

// ErrClosed is returned by Write and Commit after Commit or Abort.
var ErrClosed = errors.New("snapshot writer is closed")

// WriterOption configures a Writer.
type WriterOption func(*writerConfig)

type writerConfig struct {
	budget        int64
	maxFileBytes  int64
	rowGroupBytes int64
	fanIn         int // most runs merged at once (open files, read buffers)
	logger        *slog.Logger
	journal       *JournalInfo // WithJournal
}

// defaultFanIn bounds the runs open during a merge: each costs a file
// descriptor, a read buffer and one row.
const defaultFanIn = 64

// withFanIn lowers the merge fan-in (tests).
func withFanIn(n int) WriterOption {
	return func(c *writerConfig) { c.fanIn = n }
}

// WithMemoryBudget sets how many bytes of rows the Writer buffers in memory
// (all partitions together) before it spills sorted runs to disk.
func WithMemoryBudget(bytes int64) WriterOption {
	return func(c *writerConfig) { c.budget = bytes }
}

// WithMaxFileBytes sets the soft size limit of one data file; a partition
// larger than this is split into part-00000, part-00001, ...
func WithMaxFileBytes(bytes int64) WriterOption {
	return func(c *writerConfig) { c.maxFileBytes = bytes }
}

// WithRowGroupBytes sets the uncompressed row bytes per Parquet row group.
func WithRowGroupBytes(bytes int64) WriterOption {
	return func(c *writerConfig) { c.rowGroupBytes = bytes }
}

// WithLogger sets the logger for debug messages (spills, files written).
func WithLogger(l *slog.Logger) WriterOption {
	return func(c *writerConfig) { c.logger = l }
}

type writerState int

const (
	stateOpen writerState = iota
	stateCommitting
	stateCommitted
	stateAborted
)

// Writer writes one snapshot. Write is safe for concurrent use; Commit and
// Abort end it.
type Writer struct {
	dir     string
	created bool // Create made dir, so Abort removes it
	cfg     writerConfig

	mu       sync.Mutex
	cond     *sync.Cond
	state    writerState
	err      error // sticky spill error
	used     int64 // accounted bytes: buffered rows + rows being spilled
	peak     int64 // highest used seen (tests check the bound)
	spilling int
	runSeq   int
	merges   int // intermediate run merges at Commit (tests check the fan-in)
	parts    map[Partition]*partBuf
	calls    map[callKey]*callAgg
	journal  *Journal // resume journal (journal.go); nil without
}

type partBuf struct {
	rows   []fileRow
	bytes  int64
	maxRow int64    // the largest row's size, buffered or spilled
	runs   []string // spill run files
}

type callKey struct{ account, region, service, operation string }

type callAgg struct {
	invocations, pages, okPages int64
	errors                      map[ErrorClass]int64
	first                       *fileRow // smallest error row (only error fields kept)
}

// Create starts a snapshot in dir, which must not exist or be an empty
// directory.
func Create(dir string, opts ...WriterOption) (*Writer, error) {
	w, err := newWriter(dir, false, opts)
	if err != nil {
		return nil, err
	}
	switch entries, err := os.ReadDir(dir); {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("snapshot create: %w", err)
		}
		w.created = true
	case err != nil:
		return nil, fmt.Errorf("snapshot create: %w", err)
	case len(entries) > 0:
		return nil, createConflict(dir)
	}
	if err := os.Mkdir(filepath.Join(dir, tmpDir), 0o700); err != nil {
		w.cleanup()
		return nil, fmt.Errorf("snapshot create: %w", err)
	}
	if w.cfg.journal != nil {
		if w.journal, err = createJournal(filepath.Join(dir, tmpDir, journalDir), *w.cfg.journal); err != nil {
			w.cleanup()
			return nil, fmt.Errorf("snapshot create %s: journal: %w", dir, err)
		}
	}
	return w, nil
}

// newWriter checks the options and builds a Writer for dir.
func newWriter(dir string, created bool, opts []WriterOption) (*Writer, error) {
	cfg := writerConfig{
		budget:        DefaultMemoryBudget,
		maxFileBytes:  DefaultMaxFileBytes,
		rowGroupBytes: DefaultRowGroupBytes,
		fanIn:         defaultFanIn,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.budget <= 0 || cfg.maxFileBytes <= 0 || cfg.rowGroupBytes <= 0 || cfg.fanIn < 2 {
		return nil, fmt.Errorf("snapshot create %s: memory budget, max file bytes and row group bytes must be positive (fan-in at least 2)", dir)
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	w := &Writer{
		dir:     dir,
		created: created,
		cfg:     cfg,
		parts:   map[Partition]*partBuf{},
		calls:   map[callKey]*callAgg{},
	}
	w.cond = sync.NewCond(&w.mu)
	return w, nil
}

// Dir is the snapshot directory.
func (w *Writer) Dir() string { return w.dir }

// usableLocked reports why the writer cannot take rows, if it cannot.
func (w *Writer) usableLocked() error {
	if w.state != stateOpen {
		return ErrClosed
	}
	return w.err
}

// Write buffers one row. It validates the row first; an invalid row is
// rejected with an error naming the call and the field and the writer stays
// usable. Errors writing spill files are sticky.
func (w *Writer) Write(ctx context.Context, r Row) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("snapshot write %s:%s: %w", r.Service, r.Operation, err)
	}
	if err := r.validate(); err != nil {
		return err
	}
	fr := r.toFile()
	size := fr.size()
	p := Partition{Service: r.Service, Operation: r.Operation}

	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		if err := w.usableLocked(); err != nil {
			return fmt.Errorf("snapshot write %s: %w", w.dir, err)
		}
		if w.used == 0 || w.used+size <= w.cfg.budget {
			break
		}
		victim := w.largestLocked()
		if victim == nil {
			// Everything buffered is being spilled by other goroutines.
			w.cond.Wait()
			continue
		}
		w.spillLocked(victim)
	}
	pb := w.parts[p]
	if pb == nil {
		pb = &partBuf{}
		w.parts[p] = pb
	}
	pb.rows = append(pb.rows, fr)
	pb.bytes += size
	pb.maxRow = max(pb.maxRow, size)
	w.used += size
	w.peak = max(w.peak, w.used)
	w.countLocked(p, &fr)
	return nil
}

func (w *Writer) largestLocked() *partBuf {
	var best *partBuf
	for _, pb := range w.parts {
		if len(pb.rows) > 0 && (best == nil || pb.bytes > best.bytes) {
			best = pb
		}
	}
	return best
}

// spillLocked detaches pb's rows and writes them as a sorted run. It releases
// the lock during sorting and I/O.
func (w *Writer) spillLocked(pb *partBuf) {
	rows, bytes := pb.rows, pb.bytes
	pb.rows, pb.bytes = nil, 0
	w.spilling++
	w.runSeq++
	path := filepath.Join(w.dir, tmpDir, fmt.Sprintf("run-%06d.bin", w.runSeq))

	w.mu.Unlock()
	slices.SortFunc(rows, func(a, b fileRow) int { return compareFileRows(&a, &b) })
	err := writeRun(path, rows)
	w.cfg.logger.Debug("snapshot spill", "run", path, "rows", len(rows), "bytes", bytes, "err", err)
	rows = nil
	w.mu.Lock()

	w.spilling--
	w.used -= bytes
	if err != nil {
		if w.err == nil {
			w.err = fmt.Errorf("snapshot spill %s: %w", path, err)
		}
	} else {
		pb.runs = append(pb.runs, path)
	}
	w.cond.Broadcast()
}

// countLocked updates the per-call counters the manifest's calls come from.
func (w *Writer) countLocked(p Partition, r *fileRow) {
	k := callKey{account: r.AccountID, region: r.Region, service: p.Service, operation: p.Operation}
	a := w.calls[k]
	if a == nil {
		a = &callAgg{}
		w.calls[k] = a
	}
	a.pages++
	if r.Page == 0 {
		a.invocations++
	}
	if r.Status == StatusOK {
		a.okPages++
		return
	}
	if a.errors == nil {
		a.errors = map[ErrorClass]int64{}
	}
	a.errors[ErrorClass(r.ErrorClass)]++
	e := fileRow{ParentKey: r.ParentKey, Page: r.Page, Params: r.Params, ErrorClass: r.ErrorClass,
		ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage}
	if a.first == nil || compareFileRows(&e, a.first) < 0 {
		a.first = &e
	}
}

// Metadata is what the caller knows about the run; the Writer adds files and
// calls from the rows it saw.
type Metadata struct {
	Tool       Tool
	SDKModules []Module
	Caller     Caller
	Accounts   []string
	Regions    []string
	StartedAt  time.Time
	FinishedAt time.Time
	// Plan is the collection plan (Manifest.Plan), in any order; nil
	// records none.
	Plan []PlannedCall
}

// Commit merges the buffered rows and spill runs into the data files, hashes
// them and writes manifest.json last. On failure (including cancellation)
// everything written is removed, as by Abort.
func (w *Writer) Commit(ctx context.Context, meta Metadata) (*Manifest, error) {
	w.mu.Lock()
	if w.state != stateOpen {
		w.mu.Unlock()
		return nil, fmt.Errorf("snapshot commit %s: %w", w.dir, ErrClosed)
	}
	w.state = stateCommitting
	for w.spilling > 0 {
		w.cond.Wait()
	}
	err := w.err
	w.mu.Unlock()

	var m *Manifest
	if err == nil {
		m, err = w.commit(ctx, meta)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		w.state = stateAborted
		cleanup := w.cleanup
		if w.journal != nil {
			cleanup = w.keepJournal // a resume can still commit
		}
		if cerr := cleanup(); cerr != nil {
			err = errors.Join(err, cerr)
		}
		return nil, fmt.Errorf("snapshot commit %s: %w", w.dir, err)
	}
	w.state = stateCommitted
	return m, nil
}

func (w *Writer) commit(ctx context.Context, meta Metadata) (*Manifest, error) {
	parts := make([]Partition, 0, len(w.parts))
	for p := range w.parts {
		parts = append(parts, p)
	}
	slices.SortFunc(parts, func(a, b Partition) int {
		return cmp.Or(strings.Compare(a.Service, b.Service), strings.Compare(a.Operation, b.Operation))
	})
	var files []File
	for _, p := range parts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fs, err := w.writePartition(ctx, p, w.parts[p])
		if err != nil {
			return nil, fmt.Errorf("%s:%s: %w", p.Service, p.Operation, err)
		}
		files = append(files, fs...)
		delete(w.parts, p)
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := syncTree(w.dir, files); err != nil {
		return nil, err
	}

	m := &Manifest{
		Format:        FormatName,
		FormatVersion: FormatVersion,
		Tool:          meta.Tool,
		SDKModules:    slices.Clone(meta.SDKModules),
		Caller:        meta.Caller,
		Accounts:      sortedSet(meta.Accounts),
		Regions:       sortedSet(meta.Regions),
		StartedAt:     meta.StartedAt.UTC(),
		FinishedAt:    meta.FinishedAt.UTC(),
		Files:         files,
		Calls:         w.callStatuses(),
		Plan:          slices.Clone(meta.Plan),
	}
	slices.SortFunc(m.Plan, func(a, b PlannedCall) int { return strings.Compare(a.Name(), b.Name()) })
	if m.SDKModules == nil {
		m.SDKModules = []Module{}
	}
	if m.Files == nil {
		m.Files = []File{}
	}
	slices.SortFunc(m.SDKModules, func(a, b Module) int { return strings.Compare(a.Path, b.Path) })
	if ps := m.problems(); len(ps) > 0 {
		// A writer bug, never the rows' fault: refuse to commit a snapshot
		// Open would reject.
		return nil, fmt.Errorf("internal error: inconsistent manifest: %s", summarize(ps, 5))
	}
	raw, err := encodeManifest(m)
	if err != nil {
		return nil, err
	}

	tmp := filepath.Join(w.dir, tmpDir)
	if err := removeRuns(tmp); err != nil {
		return nil, err
	}
	staged := filepath.Join(tmp, ManifestName)
	if err := writeFileSync(staged, raw); err != nil {
		return nil, fmt.Errorf("write manifest: %w", err)
	}
	if err := os.Rename(staged, filepath.Join(w.dir, ManifestName)); err != nil {
		return nil, fmt.Errorf("commit manifest: %w", err)
	}
	if w.journal != nil {
		if err := w.journal.closeFiles(); err != nil {
			return nil, fmt.Errorf("close journal: %w", err)
		}
	}
	if err := os.RemoveAll(tmp); err != nil {
		return nil, fmt.Errorf("remove temp area: %w", err)
	}
	if err := syncPath(w.dir); err != nil {
		return nil, err
	}
	return m, nil
}

func (w *Writer) callStatuses() []CallStatus {
	out := make([]CallStatus, 0, len(w.calls))
	for k, a := range w.calls {
		c := CallStatus{
			AccountID:   k.account,
			Region:      k.region,
			Service:     k.service,
			Operation:   k.operation,
			Status:      callStatusOf(a.invocations, a.pages, a.okPages),
			Invocations: a.invocations,
			Pages:       a.pages,
			OKPages:     a.okPages,
			Errors:      a.errors,
		}
		if a.first != nil {
			c.FirstError = &FirstError{Class: ErrorClass(a.first.ErrorClass), Code: a.first.ErrorCode,
				Message: a.first.ErrorMessage, ParentKey: a.first.ParentKey}
		}
		out = append(out, c)
	}
	slices.SortFunc(out, compareCalls)
	return out
}

// fanInFor is how many of pb's sources a merge opens at once: the
// configured fan-in, fewer when that many of the partition's largest rows
// (a merge holds one row per source) would take more than half the budget,
// and at least 2.
func (w *Writer) fanInFor(pb *partBuf) int {
	n := w.cfg.fanIn
	if pb.maxRow > 0 {
		n = int(min(int64(n), w.cfg.budget/2/pb.maxRow))
	}
	return max(n, 2)
}

// writePartition merges one partition into its part files.
func (w *Writer) writePartition(ctx context.Context, p Partition, pb *partBuf) (files []File, err error) {
	// Too many runs to open at once: merge them in groups first (the
	// in-memory rows take one slot of the final merge).
	fanIn := w.fanInFor(pb)
	for len(pb.runs) >= fanIn {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		w.runSeq++
		out := filepath.Join(w.dir, tmpDir, fmt.Sprintf("run-%06d.bin", w.runSeq))
		group := pb.runs[:fanIn]
		if err := mergeRuns(out, group); err != nil {
			return nil, fmt.Errorf("merge spill runs: %w", err)
		}
		pb.runs = append(pb.runs[fanIn:], out)
		w.merges++
	}
	slices.SortFunc(pb.rows, func(a, b fileRow) int { return compareFileRows(&a, &b) })
	srcs := []source{&sliceSource{rows: pb.rows}}
	for _, path := range pb.runs {
		rs, err := openRun(path)
		if err != nil {
			for _, s := range srcs {
				s.close()
			}
			return nil, err
		}
		srcs = append(srcs, rs)
	}
	m, err := newMerger(srcs)
	if err != nil {
		return nil, err
	}
	defer m.close()
	if err := os.MkdirAll(filepath.Join(w.dir, filepath.FromSlash(partitionDir(p.Service, p.Operation))), 0o700); err != nil {
		return nil, err
	}

	var pw *partWriter
	defer func() {
		if pw != nil {
			pw.discard()
		}
	}()
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		r, err := m.next()
		if err != nil {
			return nil, err
		}
		if r == nil {
			break
		}
		if pw == nil {
			if len(files) > maxPartNumber {
				return nil, fmt.Errorf("more than %d parts", maxPartNumber+1)
			}
			if pw, err = newPartWriter(w.dir, p, len(files)); err != nil {
				return nil, err
			}
		}
		if err := pw.add(r); err != nil {
			return nil, err
		}
		if pw.rgBytes < w.cfg.rowGroupBytes {
			continue
		}
		if err := pw.flushRowGroup(); err != nil {
			return nil, err
		}
		// Start a new part when the next row group might take this one
		// past the limit.
		if pw.out.n+w.cfg.rowGroupBytes > w.cfg.maxFileBytes {
			f, err := pw.finish()
			pw = nil
			if err != nil {
				return nil, err
			}
			files = append(files, f)
		}
	}
	if pw != nil {
		f, err := pw.finish()
		pw = nil
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	for _, f := range files {
		w.cfg.logger.Debug("snapshot file", "path", f.Path, "rows", f.Rows, "bytes", f.Bytes)
	}
	m.close()
	for _, path := range pb.runs { // free disk space early; cleanup would get them anyway
		if err := os.Remove(path); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// Abort removes everything the Writer wrote; the directory is left without a
// manifest (and removed if Create made it). Abort after a successful Commit
// does nothing and returns nil, so `defer w.Abort()` is safe.
func (w *Writer) Abort() error { return w.end("abort", w.cleanup) }

// end stops an open Writer and removes what remove removes (Abort,
// Suspend).
func (w *Writer) end(verb string, remove func() error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch w.state {
	case stateCommitted, stateAborted:
		return nil
	case stateCommitting:
		return fmt.Errorf("snapshot %s %s: commit in progress (cancel its context instead)", verb, w.dir)
	}
	w.state = stateAborted
	for w.spilling > 0 {
		w.cond.Wait()
	}
	w.parts = nil
	if err := remove(); err != nil {
		return fmt.Errorf("snapshot %s %s: %w", verb, w.dir, err)
	}
	return nil
}

// cleanup removes the temp area, data files and manifest, then the directory
// if Create made it.
func (w *Writer) cleanup() error {
	var errs []error
	if w.journal != nil {
		if err := w.journal.closeFiles(); err != nil {
			errs = append(errs, err)
		}
	}
	for _, name := range []string{tmpDir, DataDir, ManifestName} {
		if err := os.RemoveAll(filepath.Join(w.dir, name)); err != nil {
			errs = append(errs, err)
		}
	}
	if w.created && len(errs) == 0 {
		if err := os.Remove(w.dir); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// partWriter writes one part file and hashes and counts its bytes as they
// are written.
type partWriter struct {
	path    string // slash-separated, relative to the snapshot
	p       Partition
	f       *os.File
	out     *hashCounter
	pw      *parquet.GenericWriter[fileRow]
	batch   []fileRow
	batchB  int64
	rgBytes int64
	rows    int64
}

const (
	batchRows  = 256
	batchBytes = 1 << 20
)

func newPartWriter(dir string, p Partition, n int) (*partWriter, error) {
	rel := partPath(p.Service, p.Operation, n)
	f, err := os.OpenFile(filepath.Join(dir, filepath.FromSlash(rel)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	out := &hashCounter{w: bufio.NewWriterSize(f, 1<<20), h: sha256.New()}
	sorting := make([]parquet.SortingColumn, len(sortingColumnNames))
	for i, c := range sortingColumnNames {
		sorting[i] = parquet.Ascending(c)
	}
	opts := []parquet.WriterOption{
		parquet.Compression(&parquet.Zstd),
		parquet.KeyValueMetadata(keyValueVersion, fmt.Sprint(FormatVersion)),
		parquet.SortingWriterConfig(parquet.SortingColumns(sorting...)),
	}
	for _, c := range blobColumns {
		// Min/max of JSON blobs prune nothing and would copy whole
		// responses into page headers and the footer.
		opts = append(opts, parquet.SkipPageBounds(c), parquet.SkipPageStatistics(c))
	}
	pw := parquet.NewGenericWriter[fileRow](out, opts...)
	return &partWriter{path: rel, p: p, f: f, out: out, pw: pw}, nil
}

func (w *partWriter) add(r *fileRow) error {
	w.batch = append(w.batch, *r)
	s := r.size()
	w.batchB += s
	w.rgBytes += s
	w.rows++
	if len(w.batch) >= batchRows || w.batchB >= batchBytes {
		return w.writeBatch()
	}
	return nil
}

func (w *partWriter) writeBatch() error {
	if len(w.batch) == 0 {
		return nil
	}
	if _, err := w.pw.Write(w.batch); err != nil {
		return fmt.Errorf("%s: %w", w.path, err)
	}
	clear(w.batch)
	w.batch, w.batchB = w.batch[:0], 0
	return nil
}

func (w *partWriter) flushRowGroup() error {
	if err := w.writeBatch(); err != nil {
		return err
	}
	if err := w.pw.Flush(); err != nil {
		return fmt.Errorf("%s: %w", w.path, err)
	}
	w.rgBytes = 0
	return nil
}

// finish closes the file and returns its manifest entry.
func (w *partWriter) finish() (File, error) {
	err := w.writeBatch()
	if err == nil {
		err = w.pw.Close()
	}
	if err == nil {
		err = w.out.w.Flush()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", w.path, err)
	}
	return File{
		Path:      w.path,
		Service:   w.p.Service,
		Operation: w.p.Operation,
		SHA256:    hex.EncodeToString(w.out.h.Sum(nil)),
		Rows:      w.rows,
		Bytes:     w.out.n,
	}, nil
}

// discard closes a part abandoned by an error (cleanup removes the file).
func (w *partWriter) discard() { w.f.Close() }

// hashCounter passes writes through while hashing and counting them.
type hashCounter struct {
	w *bufio.Writer
	h hash.Hash
	n int64
}

func (c *hashCounter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}

var _ io.Writer = (*hashCounter)(nil)

func sortedSet(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	out = slices.Compact(out)
	if out == nil {
		out = []string{}
	}
	return out
}

// removeRuns deletes the spill runs (and a staged manifest) in the temp
// area; the resume journal stays.
func removeRuns(tmp string) error {
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return fmt.Errorf("remove spill runs: %w", err)
	}
	for _, e := range entries {
		if e.Name() == journalDir {
			continue
		}
		if err := os.Remove(filepath.Join(tmp, e.Name())); err != nil {
			return fmt.Errorf("remove spill runs: %w", err)
		}
	}
	return nil
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncTree makes the data files and the directory entries naming them
// durable before the manifest refers to them. fsync costs milliseconds per
// call on real disks, so the calls run in parallel.
func syncTree(dir string, files []File) error {
	var paths []string
	seen := map[string]bool{}
	for _, f := range files {
		paths = append(paths, filepath.Join(dir, filepath.FromSlash(f.Path)))
		for d := f.Path; strings.Contains(d, "/"); {
			d = d[:strings.LastIndexByte(d, '/')]
			if !seen[d] {
				seen[d] = true
				paths = append(paths, filepath.Join(dir, filepath.FromSlash(d)))
			}
		}
	}
	const workers = 16
	jobs := make(chan string)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			for p := range jobs {
				if err := syncPath(p); err != nil && errs[i] == nil {
					errs[i] = err
				}
			}
		})
	}
	for _, p := range paths {
		jobs <- p
	}
	close(jobs)
	wg.Wait()
	return errors.Join(errs...)
}

func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}
