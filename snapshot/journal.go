package snapshot

// Resume journal design (see FORMAT.md section 6.1).
//
// A journaled Writer also records, in <dir>/.tmp/journal/, every completed
// call unit (one invocation: service, operation, account, region, parent key)
// with its rows, so that an interrupted write can be resumed without
// repeating the units already done:
//
//	header.json  format, version, start time and the caller's settings
//	             (written to a temporary name, fsynced, renamed)
//	secret       optional caller secret (a random redaction key), mode 0600
//	rows.bin     row records, appended as pages arrive, of every unit
//	units.log    one line per completed unit, appended after its rows
//
// A row record is uvarint(len) + CRC-32C(payload) + payload, the payload
// being uvarint(unit sequence number), service, operation and the row in the
// spill-run encoding. A unit line is "<CRC-32C of the JSON, 8 hex> <JSON>\n".
//
// Ordering is the whole point: a unit's line is written only after rows.bin
// has been flushed and fsynced past the unit's last record, and the line is
// fsynced before the unit counts as done. On open, rows.bin is scanned
// (records whose CRC fails are skipped; a torn tail ends the scan) and a line
// is trusted only when its own CRC holds and exactly the number of rows it
// claims were found intact for its sequence number. Anything else - rows
// without a line (a crash between the two writes), a line without all its
// rows, a torn line - means the unit is redone: a unit is reused completely
// or not at all. Both files are truncated to their valid prefix before new
// records are appended.
//
// Many units finish at once, so fsyncs are shared (group commit): a unit
// waits until some fsync started after its last write has finished.

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Journal file names inside <dir>/.tmp/journal/.
const (
	journalDir    = "journal"
	journalHeader = "header.json"
	journalSecret = "secret"
	journalRows   = "rows.bin"
	journalUnits  = "units.log"

	// JournalFormat is the header's "format" value.
	JournalFormat  = "snapaudit-journal"
	journalVersion = 1

	maxJournalRecord = 1 << 31 // a row larger than this is refused
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// JournalInfo is what the caller records when a journaled write starts.
type JournalInfo struct {
	// StartedAt is when the collection started (kept across resumes).
	StartedAt time.Time
	// Settings are the caller's settings (JSON), compared on resume.
	Settings json.RawMessage
	// Secret, when set, is kept in a file of its own (mode 0600) until the
	// snapshot is committed or discarded (the collector keeps its random
	// redaction key there, so resumed rows carry the same markers).
	Secret []byte
}

type journalHeaderJSON struct {
	Format    string          `json:"format"`
	Version   int             `json:"version"`
	StartedAt time.Time       `json:"started_at"`
	Settings  json.RawMessage `json:"settings"`
}

// UnitID names one call unit: one invocation of one operation against one
// account, region and parent key.
type UnitID struct {
	Service   string `json:"service"`
	Operation string `json:"operation"`
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
	ParentKey string `json:"parent_key"`
}

// JournalUnit is a completed unit whose rows are durable and intact.
type JournalUnit struct {
	ID   UnitID
	Rows int
	// Note is the caller's JSON about the unit (the collector: the child
	// invocations the unit's pages asked for).
	Note json.RawMessage
	recs []recLoc
}

// recLoc locates one row payload in rows.bin.
type recLoc struct {
	off int64 // of the payload
	n   int
}

type unitLine struct {
	Seq uint64 `json:"seq"`
	UnitID
	Rows int             `json:"rows"`
	Note json.RawMessage `json:"note,omitempty"`
}

// Journal is the resume journal of a Writer (see Writer.Journal). Its
// methods are safe for concurrent use.
type Journal struct {
	dir   string
	info  JournalInfo
	units []JournalUnit // completed before this Writer
	rowsF *os.File      // for reading journaled rows
	rows  *appendFile
	log   *appendFile
	seq   atomic.Uint64
	done  atomic.Int64 // units committed by this Writer
}

// createJournal starts a journal in dir (which must not exist).
func createJournal(dir string, info JournalInfo) (j *Journal, err error) {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, err
	}
	settings := info.Settings
	if len(settings) == 0 {
		settings = json.RawMessage("{}")
	}
	raw, err := json.Marshal(journalHeaderJSON{Format: JournalFormat, Version: journalVersion,
		StartedAt: info.StartedAt.UTC(), Settings: settings})
	if err != nil {
		return nil, err
	}
	if len(info.Secret) > 0 {
		if err := writePrivate(filepath.Join(dir, journalSecret), info.Secret); err != nil {
			return nil, err
		}
	}
	staged := filepath.Join(dir, journalHeader+".new")
	if err := writePrivate(staged, append(raw, '\n')); err != nil {
		return nil, err
	}
	if err := os.Rename(staged, filepath.Join(dir, journalHeader)); err != nil {
		return nil, err
	}
	// The header, and the directories naming it, are durable before the
	// first unit is.
	for _, d := range []string{dir, filepath.Dir(dir), filepath.Dir(filepath.Dir(dir))} {
		if err := syncPath(d); err != nil {
			return nil, err
		}
	}
	return openJournal(dir, true)
}

// writePrivate writes a journal file readable by its owner only, and
// fsyncs it.
func writePrivate(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// Bounds on what a resume reads from a journal: the header and the secret
// are small; the units log holds one line per completed call.
const (
	maxJournalHeaderBytes = 1 << 20
	maxJournalUnitsBytes  = 1 << 30
)

// openJournalFile opens a journal data file like openMember: never through a
// symbolic link, never blocking on a FIFO, and only a regular file.
func openJournalFile(path string, flag int) (*os.File, error) {
	f, err := os.OpenFile(path, flag|openNoFollow, 0o600)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = wrongKind(filepath.Base(path), st.Mode(), "a regular file")
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// openJournal reads a journal; with write it truncates both files to their
// valid prefix and opens them for appending.
func openJournal(dir string, write bool) (*Journal, error) {
	raw, err := readMember(dir, journalHeader, maxJournalHeaderBytes)
	if err != nil {
		return nil, fmt.Errorf("journal header: %w", err)
	}
	var h journalHeaderJSON
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("journal header %s: %w", filepath.Join(dir, journalHeader), err)
	}
	if h.Format != JournalFormat {
		return nil, fmt.Errorf("journal header %s: format %q, want %q", filepath.Join(dir, journalHeader), h.Format, JournalFormat)
	}
	if h.Version != journalVersion {
		return nil, fmt.Errorf("journal header %s: version %d, this snapaudit reads version %d",
			filepath.Join(dir, journalHeader), h.Version, journalVersion)
	}
	j := &Journal{dir: dir, info: JournalInfo{StartedAt: h.StartedAt, Settings: h.Settings}}
	switch secret, err := readMember(dir, journalSecret, maxJournalHeaderBytes); {
	case err == nil:
		j.info.Secret = secret
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("journal secret: %w", err)
	}

	flag := os.O_RDONLY
	if write {
		flag = os.O_RDWR | os.O_CREATE
	}
	rowsF, err := openJournalFile(filepath.Join(dir, journalRows), flag)
	if errors.Is(err, os.ErrNotExist) && !write {
		return j, nil // nothing was journaled yet
	}
	if err != nil {
		return nil, fmt.Errorf("journal rows: %w", err)
	}
	recs, rowsEnd, maxSeq, err := scanRows(rowsF)
	if err != nil {
		rowsF.Close()
		return nil, err
	}
	j.rowsF = rowsF
	logPath := filepath.Join(dir, journalUnits)
	logRaw, err := readMember(dir, journalUnits, maxJournalUnitsBytes)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		j.closeFiles()
		return nil, fmt.Errorf("journal units: %w", err)
	}
	logEnd, lineSeq := j.loadUnits(logRaw, recs)
	j.seq.Store(max(maxSeq, lineSeq))
	if !write {
		return j, nil
	}
	if err := rowsF.Truncate(rowsEnd); err != nil {
		j.closeFiles()
		return nil, fmt.Errorf("journal rows: %w", err)
	}
	j.rows = newAppendFile(rowsF, rowsEnd)
	logF, err := openJournalFile(logPath, os.O_RDWR|os.O_CREATE)
	if err == nil {
		err = logF.Truncate(logEnd)
	}
	if err != nil {
		j.closeFiles()
		return nil, fmt.Errorf("journal units: %w", err)
	}
	j.log = newAppendFile(logF, logEnd)
	// The truncations and the files' names are durable before new records.
	for _, p := range []string{filepath.Join(dir, journalRows), logPath, dir} {
		if err := syncPath(p); err != nil {
			j.closeFiles()
			return nil, err
		}
	}
	return j, nil
}

// scanRows indexes the intact row records of rows.bin by unit sequence
// number. It returns the end of the last readable record.
func scanRows(f *os.File) (map[uint64][]recLoc, int64, uint64, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, 0, 0, fmt.Errorf("journal rows: %w", err)
	}
	br := bufio.NewReaderSize(f, 1<<20)
	recs := map[uint64][]recLoc{}
	var off int64
	var maxSeq uint64
	var payload []byte
	for {
		n, err := binary.ReadUvarint(br)
		if err != nil || n == 0 || n > maxJournalRecord {
			return recs, off, maxSeq, nil // end, or a torn or garbled tail
		}
		head := int64(uvarintLen(n)) + 4
		var sum [4]byte
		if _, err := io.ReadFull(br, sum[:]); err != nil {
			return recs, off, maxSeq, nil
		}
		payload = slices.Grow(payload[:0], int(n))[:n]
		if _, err := io.ReadFull(br, payload); err != nil {
			return recs, off, maxSeq, nil
		}
		if crc32.Checksum(payload, crcTable) == binary.LittleEndian.Uint32(sum[:]) {
			if seq, k := binary.Uvarint(payload); k > 0 {
				recs[seq] = append(recs[seq], recLoc{off: off + head, n: int(n)})
				maxSeq = max(maxSeq, seq)
			}
		}
		// A record whose checksum fails is skipped: its unit never reaches
		// its row count, so it is redone.
		off += head + int64(n)
	}
}

func uvarintLen(n uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], n)
}

// loadUnits keeps the lines whose rows are all intact. It returns the end
// of the last complete line and the highest sequence number seen.
func (j *Journal) loadUnits(raw []byte, recs map[uint64][]recLoc) (int64, uint64) {
	var end int64
	var maxSeq uint64
	seen := map[uint64]bool{}
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '\n')
		if i < 0 {
			break // torn last line
		}
		line := raw[:i]
		raw = raw[i+1:]
		end += int64(i + 1)
		sum, body, ok := bytes.Cut(line, []byte(" "))
		if !ok || len(sum) != 8 {
			continue
		}
		var want [4]byte
		if _, err := hex.Decode(want[:], sum); err != nil || crc32.Checksum(body, crcTable) != binary.BigEndian.Uint32(want[:]) {
			continue
		}
		var ul unitLine
		if err := json.Unmarshal(body, &ul); err != nil {
			continue
		}
		maxSeq = max(maxSeq, ul.Seq)
		if seen[ul.Seq] || ul.Rows <= 0 || len(recs[ul.Seq]) != ul.Rows {
			continue // its rows are not all there: redo the unit
		}
		seen[ul.Seq] = true
		j.units = append(j.units, JournalUnit{ID: ul.UnitID, Rows: ul.Rows, Note: ul.Note, recs: recs[ul.Seq]})
	}
	return end, maxSeq
}

// Info is what the journal was started with.
func (j *Journal) Info() JournalInfo { return j.info }

// Units returns the units completed before this Writer opened the journal,
// in the order they completed.
func (j *Journal) Units() []JournalUnit { return slices.Clone(j.units) }

// Completed counts the units completed so far: before this Writer and by it.
func (j *Journal) Completed() int { return len(j.units) + int(j.done.Load()) }

// ReadUnit hands the rows of a completed unit to fn, in the order they were
// written.
func (j *Journal) ReadUnit(u JournalUnit, fn func(Row) error) error {
	if len(u.recs) > 0 && j.rowsF == nil {
		return fmt.Errorf("journal %s: rows are not open", j.dir)
	}
	var buf []byte
	for _, rec := range u.recs {
		buf = slices.Grow(buf[:0], rec.n)[:rec.n]
		if _, err := j.rowsF.ReadAt(buf, rec.off); err != nil {
			return fmt.Errorf("journal %s: read %s:%s row: %w", j.dir, u.ID.Service, u.ID.Operation, err)
		}
		r, err := decodeRecord(buf)
		if err != nil {
			return fmt.Errorf("journal %s: %s:%s row at %d: %w", j.dir, u.ID.Service, u.ID.Operation, rec.off, err)
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func decodeRecord(payload []byte) (Row, error) {
	br := bytes.NewReader(payload)
	if _, err := binary.ReadUvarint(br); err != nil {
		return Row{}, noEOF(err)
	}
	service, err := readString(br)
	if err != nil {
		return Row{}, noEOF(err)
	}
	operation, err := readString(br)
	if err != nil {
		return Row{}, noEOF(err)
	}
	fr, err := decodeFileRow(br)
	if err != nil {
		return Row{}, noEOF(err)
	}
	return fr.toRow(service, operation), nil
}

// Begin starts recording one unit. Add its rows as they arrive, then
// Commit it once it is complete; a unit never committed is redone on
// resume.
func (j *Journal) Begin() *UnitWriter {
	return &UnitWriter{j: j, seq: j.seq.Add(1)}
}

// UnitWriter records the rows of one unit. It is not safe for concurrent
// use (one invocation produces its pages in order).
type UnitWriter struct {
	j   *Journal
	seq uint64
	n   int
	end int64
	buf []byte
}

// Add appends a row of the unit to the journal (not yet durable).
func (u *UnitWriter) Add(r Row) error {
	fr := r.toFile()
	u.buf = binary.AppendUvarint(u.buf[:0], u.seq)
	u.buf = appendString(u.buf, r.Service)
	u.buf = appendString(u.buf, r.Operation)
	u.buf = appendFileRow(u.buf, &fr)
	if len(u.buf) > maxJournalRecord {
		return fmt.Errorf("journal %s: %s:%s row of %d bytes is too large", u.j.dir, r.Service, r.Operation, len(u.buf))
	}
	head := binary.AppendUvarint(nil, uint64(len(u.buf)))
	head = binary.LittleEndian.AppendUint32(head, crc32.Checksum(u.buf, crcTable))
	end, err := u.j.rows.append(head, u.buf)
	if err != nil {
		return fmt.Errorf("journal %s: %w", u.j.dir, err)
	}
	u.n++
	u.end = end
	return nil
}

// Commit makes the unit durable: its rows first, then its line. After it
// returns nil a resume reuses the unit. A unit without rows is not
// recorded (there is nothing to reuse).
func (u *UnitWriter) Commit(id UnitID, note json.RawMessage) error {
	if u.n == 0 {
		return nil
	}
	if err := u.j.rows.sync(u.end); err != nil {
		return fmt.Errorf("journal %s: sync rows: %w", u.j.dir, err)
	}
	body, err := json.Marshal(unitLine{Seq: u.seq, UnitID: id, Rows: u.n, Note: note})
	if err != nil {
		return fmt.Errorf("journal %s: %w", u.j.dir, err)
	}
	line := fmt.Appendf(nil, "%08x ", crc32.Checksum(body, crcTable))
	line = append(append(line, body...), '\n')
	end, err := u.j.log.append(line)
	if err == nil {
		err = u.j.log.sync(end)
	}
	if err != nil {
		return fmt.Errorf("journal %s: %w", u.j.dir, err)
	}
	u.j.done.Add(1)
	return nil
}

func (j *Journal) closeFiles() error {
	var errs []error
	for _, a := range []*appendFile{j.rows, j.log} {
		if a != nil {
			errs = append(errs, a.close())
		}
	}
	if j.rows == nil && j.rowsF != nil {
		errs = append(errs, j.rowsF.Close())
	}
	j.rows, j.log, j.rowsF = nil, nil, nil
	return errors.Join(errs...)
}

// appendFile is an append-only file with shared fsyncs.
type appendFile struct {
	mu  sync.Mutex // guards bw, end, err
	f   *os.File
	bw  *bufio.Writer
	end int64 // bytes appended
	err error // sticky write error

	syncMu sync.Mutex   // one fsync at a time
	synced atomic.Int64 // bytes known durable
}

func newAppendFile(f *os.File, end int64) *appendFile {
	a := &appendFile{f: f, end: end}
	a.bw = bufio.NewWriterSize(io.NewOffsetWriter(f, end), 1<<20)
	a.synced.Store(end)
	return a
}

// append writes the parts as one record and returns the offset after it.
func (a *appendFile) append(parts ...[]byte) (int64, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil {
		return 0, a.err
	}
	for _, p := range parts {
		n, err := a.bw.Write(p)
		a.end += int64(n)
		if err != nil {
			a.err = err
			return 0, err
		}
	}
	return a.end, nil
}

// sync makes the bytes up to offset upto durable. A caller whose bytes were
// covered by another caller's fsync returns without one of its own.
func (a *appendFile) sync(upto int64) error {
	if a.synced.Load() >= upto {
		return nil
	}
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	if a.synced.Load() >= upto {
		return nil
	}
	a.mu.Lock()
	err := a.err
	if err == nil {
		err = a.bw.Flush()
		a.err = err
	}
	end := a.end
	a.mu.Unlock()
	if err == nil {
		err = a.f.Sync()
	}
	if err != nil {
		return err
	}
	a.synced.Store(end)
	return nil
}

func (a *appendFile) close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	err := a.bw.Flush()
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// PartialError reports that a directory holds an interrupted write rather
// than a snapshot. Create returns it for such a directory.
type PartialError struct {
	Dir string
	// Resumable is true when the directory has a readable journal; then
	// StartedAt and Units describe it. Otherwise Reason says why not.
	Resumable bool
	StartedAt time.Time
	Units     int // completed call units in the journal
	Reason    string
}

func (e *PartialError) Error() string {
	if e.Resumable {
		return fmt.Sprintf("%s holds an interrupted collection (started %s, %d calls done), not a snapshot",
			e.Dir, e.StartedAt.UTC().Format(time.RFC3339), e.Units)
	}
	return fmt.Sprintf("%s holds the remains of an interrupted write that cannot be resumed (%s), not a snapshot",
		e.Dir, e.Reason)
}

// ErrCommitted is wrapped by Create, Resume and Discard for a directory
// that already holds a committed snapshot (which is never overwritten).
var ErrCommitted = errors.New("directory holds a committed snapshot (it is never overwritten)")

// Leftover describes what dir holds: nil, nil when it does not exist or is
// empty; a *PartialError (as the error) for an interrupted write; an error
// wrapping ErrCommitted for a committed snapshot; another error when it
// holds something else.
func Leftover(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return err
	case len(entries) == 0:
		return nil
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if slices.Contains(names, ManifestName) {
		return fmt.Errorf("%s: %w", dir, ErrCommitted)
	}
	for _, n := range names {
		if n != tmpDir && n != DataDir {
			return fmt.Errorf("%s: directory is not empty and is not a snapshot (found %s)", dir, strings.Join(names, ", "))
		}
	}
	pe := &PartialError{Dir: dir}
	j, err := openJournal(filepath.Join(dir, tmpDir, journalDir), false)
	if err != nil {
		pe.Reason = "no journal: " + err.Error()
		return pe
	}
	defer j.closeFiles()
	pe.Resumable, pe.StartedAt, pe.Units = true, j.info.StartedAt, len(j.units)
	return pe
}

// Discard removes the interrupted write in dir (its staging area and any
// data files), leaving the directory empty. It refuses a committed snapshot
// and a directory holding anything else.
func Discard(dir string) error {
	var pe *PartialError
	switch err := Leftover(dir); {
	case err == nil:
		return nil
	case !errors.As(err, &pe):
		return fmt.Errorf("snapshot discard: %w", err)
	}
	for _, name := range []string{tmpDir, DataDir} {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("snapshot discard: %w", err)
		}
	}
	return nil
}

// Resume reopens the interrupted journaled write in dir: leftovers of the
// interrupted Writer (spill runs, data files of an unfinished commit) are
// removed, and Journal().Units() lists the units already done. The caller
// writes their rows again (ReadUnit) together with the rows of the units
// it still has to do, then commits as usual.
func Resume(dir string, opts ...WriterOption) (*Writer, error) {
	var pe *PartialError
	switch err := Leftover(dir); {
	case err == nil:
		return nil, fmt.Errorf("snapshot resume %s: nothing to resume (no interrupted collection there)", dir)
	case !errors.As(err, &pe):
		return nil, fmt.Errorf("snapshot resume: %w", err)
	case !pe.Resumable:
		return nil, fmt.Errorf("snapshot resume: %w", pe)
	}
	w, err := newWriter(dir, false, opts)
	if err != nil {
		return nil, err
	}
	tmp := filepath.Join(dir, tmpDir)
	if err := os.RemoveAll(filepath.Join(dir, DataDir)); err != nil {
		return nil, fmt.Errorf("snapshot resume: %w", err)
	}
	if err := removeRuns(tmp); err != nil {
		return nil, fmt.Errorf("snapshot resume: %w", err)
	}
	if w.journal, err = openJournal(filepath.Join(tmp, journalDir), true); err != nil {
		return nil, fmt.Errorf("snapshot resume %s: %w", dir, err)
	}
	return w, nil
}

// WithJournal makes Create keep a resume journal (see Journal) in the
// staging area, so an interrupted write can be finished by Resume.
func WithJournal(info JournalInfo) WriterOption {
	return func(c *writerConfig) { c.journal = &info }
}

// Journal is the Writer's resume journal; nil without WithJournal or Resume.
func (w *Writer) Journal() *Journal { return w.journal }

// Suspend ends an interrupted journaled write: it removes the Writer's own
// leftovers (spill runs, data files) and keeps the journal so Resume can
// finish the snapshot later. Without a journal it is Abort.
func (w *Writer) Suspend() error {
	if w.journal == nil {
		return w.Abort()
	}
	return w.end("suspend", w.keepJournal)
}

// keepJournal removes what cleanup removes except the journal, which it
// closes.
func (w *Writer) keepJournal() error {
	errs := []error{w.journal.closeFiles()}
	for _, name := range []string{DataDir, ManifestName} {
		errs = append(errs, os.RemoveAll(filepath.Join(w.dir, name)))
	}
	errs = append(errs, removeRuns(filepath.Join(w.dir, tmpDir)))
	return errors.Join(errs...)
}

// createConflict is Create's error for a non-empty directory.
func createConflict(dir string) error {
	var pe *PartialError
	switch err := Leftover(dir); {
	case errors.As(err, &pe), errors.Is(err, ErrCommitted):
		return fmt.Errorf("snapshot create: %w", err)
	}
	return fmt.Errorf("snapshot create %s: directory is not empty", dir)
}
