package snapshot

// External sort support: sorted runs spilled to .tmp/ and the k-way merge
// that turns a partition's runs (plus its in-memory remainder) into one
// sorted stream.
//
// Run file encoding (private, never outlives the Writer): a sequence of
// records, each the nine string columns in fileRow order as uvarint length +
// bytes (account_id, region, parent_key, params, status, error_class,
// error_code, error_message, response), then page as a varint and
// collected_at as a varint of Unix milliseconds.

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
	"unsafe"
)

const runBufferSize = 64 << 10 // per run, on write and on read

// runWriter streams sorted rows into a new run file.
type runWriter struct {
	f   *os.File
	bw  *bufio.Writer
	buf []byte // one encoded row
}

func createRun(path string) (*runWriter, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	return &runWriter{f: f, bw: bufio.NewWriterSize(f, runBufferSize)}, nil
}

// add appends one row. bufio errors are sticky, so checking the write of
// the row is enough.
func (w *runWriter) add(r *fileRow) error {
	w.buf = appendFileRow(w.buf[:0], r)
	_, err := w.bw.Write(w.buf)
	return err
}

// appendFileRow appends the run encoding of r to b (the journal uses it
// too).
func appendFileRow(b []byte, r *fileRow) []byte {
	for _, s := range []string{r.AccountID, r.Region, r.ParentKey, r.Params, r.Status, r.ErrorClass,
		r.ErrorCode, r.ErrorMessage, r.Response} {
		b = appendString(b, s)
	}
	b = binary.AppendVarint(b, int64(r.Page))
	return binary.AppendVarint(b, r.CollectedAt.UnixMilli())
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func (w *runWriter) close() error {
	err := w.bw.Flush()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeRun writes sorted rows to a new run file at path.
func writeRun(path string, rows []fileRow) error {
	w, err := createRun(path)
	if err != nil {
		return err
	}
	for i := range rows {
		if err := w.add(&rows[i]); err != nil {
			w.close()
			return err
		}
	}
	return w.close()
}

// mergeRuns merges sorted run files into one new run file at out and
// removes the inputs.
func mergeRuns(out string, runs []string) error {
	var srcs []source
	for _, path := range runs {
		rs, err := openRun(path)
		if err != nil {
			for _, s := range srcs {
				s.close()
			}
			return err
		}
		srcs = append(srcs, rs)
	}
	m, err := newMerger(srcs)
	if err != nil {
		return err
	}
	defer m.close()
	w, err := createRun(out)
	if err != nil {
		return err
	}
	for {
		r, err := m.next()
		if err == nil && r != nil {
			err = w.add(r)
		}
		if err != nil {
			w.close()
			return err
		}
		if r == nil {
			break
		}
	}
	if err := w.close(); err != nil {
		return err
	}
	for _, path := range runs {
		if err := os.Remove(path); err != nil {
			return err
		}
	}
	return nil
}

// source yields sorted rows; cur is valid after next returned true.
type source interface {
	next() (bool, error)
	current() *fileRow
	close() error
}

// sliceSource yields an already sorted slice.
type sliceSource struct {
	rows []fileRow
	i    int
}

func (s *sliceSource) next() (bool, error) {
	if s.i >= len(s.rows) {
		return false, nil
	}
	s.i++
	return true, nil
}
func (s *sliceSource) current() *fileRow { return &s.rows[s.i-1] }
func (s *sliceSource) close() error      { s.rows = nil; return nil }

// runSource reads a run file written by writeRun.
type runSource struct {
	f   *os.File
	br  *bufio.Reader
	cur fileRow
}

func openRun(path string) (*runSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return &runSource{f: f, br: bufio.NewReaderSize(f, runBufferSize)}, nil
}

func (s *runSource) next() (bool, error) {
	r, err := decodeFileRow(s.br)
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read run %s: %w", s.f.Name(), err)
	}
	s.cur = r
	return true, nil
}

// byteReader is what decoding reads from (a bufio.Reader, a bytes.Reader).
type byteReader interface {
	io.Reader
	io.ByteReader
}

// decodeFileRow reads one row written by appendFileRow. It returns io.EOF
// only when br ends before the row's first byte.
func decodeFileRow(br byteReader) (fileRow, error) {
	var r fileRow
	var err error
	fields := []*string{&r.AccountID, &r.Region, &r.ParentKey, &r.Params, &r.Status,
		&r.ErrorClass, &r.ErrorCode, &r.ErrorMessage, &r.Response}
	for i, p := range fields {
		if *p, err = readString(br); err != nil {
			if i == 0 && errors.Is(err, io.EOF) {
				return r, io.EOF
			}
			return r, noEOF(err)
		}
	}
	page, err := binary.ReadVarint(br)
	if err != nil {
		return r, noEOF(err)
	}
	ms, err := binary.ReadVarint(br)
	if err != nil {
		return r, noEOF(err)
	}
	r.Page = int32(page)
	r.CollectedAt = time.UnixMilli(ms).UTC()
	return r, nil
}

func readString(br byteReader) (string, error) {
	n, err := binary.ReadUvarint(br)
	if err != nil {
		return "", err
	}
	if n > 1<<32 {
		return "", fmt.Errorf("field length %d out of range", n)
	}
	if n == 0 {
		return "", nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(br, b); err != nil {
		return "", err
	}
	// b is fresh and never written again: share it instead of copying.
	return unsafe.String(&b[0], len(b)), nil
}

func (s *runSource) current() *fileRow { return &s.cur }
func (s *runSource) close() error      { return s.f.Close() }

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// merger is a k-way merge over sorted sources (a min-heap on the current
// row of each source).
type merger struct {
	h    sourceHeap
	last source // the source whose row next returned last; advanced lazily
}

type sourceHeap []source

func (h sourceHeap) Len() int           { return len(h) }
func (h sourceHeap) Less(i, j int) bool { return compareFileRows(h[i].current(), h[j].current()) < 0 }
func (h sourceHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *sourceHeap) Push(x any)        { *h = append(*h, x.(source)) }
func (h *sourceHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// newMerger primes every source. On error the sources are closed.
func newMerger(srcs []source) (*merger, error) {
	m := &merger{}
	for i, s := range srcs {
		ok, err := s.next()
		if err != nil {
			for _, o := range srcs[i:] {
				o.close()
			}
			m.close()
			return nil, err
		}
		if ok {
			m.h = append(m.h, s)
		} else {
			s.close()
		}
	}
	heap.Init(&m.h)
	return m, nil
}

// next returns the smallest remaining row, or nil at the end. The returned
// row is only valid until the following call.
func (m *merger) next() (*fileRow, error) {
	if m.last != nil {
		// Advance the source whose row was returned last time.
		ok, err := m.last.next()
		if err != nil {
			return nil, err
		}
		if ok {
			heap.Fix(&m.h, 0)
		} else {
			heap.Pop(&m.h)
			m.last.close()
		}
		m.last = nil
	}
	if len(m.h) == 0 {
		return nil, nil
	}
	m.last = m.h[0]
	return m.h[0].current(), nil
}

func (m *merger) close() {
	for _, s := range m.h {
		s.close()
	}
	m.h = nil
}
