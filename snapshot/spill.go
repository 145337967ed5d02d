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

// writeRun writes sorted rows to a new run file at path.
func writeRun(path string, rows []fileRow) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	bw := bufio.NewWriterSize(f, runBufferSize)
	var scratch [binary.MaxVarintLen64]byte
	putString := func(s string) {
		n := binary.PutUvarint(scratch[:], uint64(len(s)))
		bw.Write(scratch[:n])
		bw.WriteString(s)
	}
	for i := range rows {
		r := &rows[i]
		putString(r.AccountID)
		putString(r.Region)
		putString(r.ParentKey)
		putString(r.Params)
		putString(r.Status)
		putString(r.ErrorClass)
		putString(r.ErrorCode)
		putString(r.ErrorMessage)
		putString(r.Response)
		n := binary.PutVarint(scratch[:], int64(r.Page))
		bw.Write(scratch[:n])
		n = binary.PutVarint(scratch[:], r.CollectedAt.UnixMilli())
		if _, err := bw.Write(scratch[:n]); err != nil { // bufio errors are sticky
			return err
		}
	}
	return bw.Flush()
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

func (s *runSource) readString() (string, error) {
	n, err := binary.ReadUvarint(s.br)
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
	if _, err := io.ReadFull(s.br, b); err != nil {
		return "", err
	}
	// b is fresh and never written again: share it instead of copying.
	return unsafe.String(&b[0], len(b)), nil
}

func (s *runSource) next() (bool, error) {
	var r fileRow
	var err error
	fields := []*string{&r.AccountID, &r.Region, &r.ParentKey, &r.Params, &r.Status,
		&r.ErrorClass, &r.ErrorCode, &r.ErrorMessage, &r.Response}
	for i, p := range fields {
		if *p, err = s.readString(); err != nil {
			if i == 0 && errors.Is(err, io.EOF) {
				return false, nil
			}
			return false, fmt.Errorf("read run %s: %w", s.f.Name(), noEOF(err))
		}
	}
	page, err := binary.ReadVarint(s.br)
	if err != nil {
		return false, fmt.Errorf("read run %s: %w", s.f.Name(), noEOF(err))
	}
	ms, err := binary.ReadVarint(s.br)
	if err != nil {
		return false, fmt.Errorf("read run %s: %w", s.f.Name(), noEOF(err))
	}
	r.Page = int32(page)
	r.CollectedAt = time.UnixMilli(ms).UTC()
	s.cur = r
	return true, nil
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
