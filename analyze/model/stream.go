package model

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/snapaudit/snapaudit/snapshot"
)

// Streaming a call's rows on both cores.
//
// One goroutine reads the call's rows (the Parquet reader is sequential)
// and hands them on in batches; up to GOMAXPROCS workers decode the
// batches' responses and, for the entity phase, build the entities of
// each row and record their relationships and rules (prep, touching only
// the worker's own caches); the calling
// goroutine receives the batches in the order they were read and does
// everything that touches the builder's state (adding entities,
// recording relationships, enrichments). fn therefore sees the rows in
// order on the calling goroutine, exactly as a sequential read would.

// stream calls fn for every row of a call; ok rows are decoded and checked
// against the call's response shape. A malformed row fails the stream, or,
// with OnMalformed, is reported (once per Build) and handed to fn as a
// failed row of class ClassMalformed.
func (b *builder) stream(ctx context.Context, src Source, c Call, fn func(row snapshot.Row, body any) error) error {
	return b.streamPrep(ctx, src, c, nil, func(row snapshot.Row, body, _ any) error { return fn(row, body) })
}

// prepFunc is the work on an ok row that needs no builder state but the
// worker's own (w): it runs on a stream worker, and its result goes to
// fn with the row.
type prepFunc func(w *worker, row snapshot.Row, body any) any

// streamPrep is stream with prep run on the workers for every ok,
// well-formed row (nil: none).
func (b *builder) streamPrep(ctx context.Context, src Source, c Call, prep prepFunc,
	fn func(row snapshot.Row, body, prepped any) error) error {
	cs, err := shapeOf(c)
	if err != nil {
		return err
	}
	n := needAll
	if tree, ok := b.needs[b.phase][c]; ok && !b.whole {
		n = tree
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := b.streamWorkers()
	jobs := make(chan streamJob, len(workers))
	// order holds each batch's result channel in reading order; its
	// capacity bounds how far reading runs ahead of fn.
	order := make(chan chan []decodedRow, streamAhead*len(workers))
	// free takes the batches fn is done with back to the reader.
	free := make(chan []decodedRow, cap(order)+len(workers))
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dec := decoder{strs: map[string]any{}}
			// Every job taken is answered, so the receiver never waits
			// for a batch that will not come.
			for j := range jobs {
				if ctx.Err() == nil {
					for i := range j.rows {
						d := &j.rows[i]
						if d.row.Status != snapshot.StatusOK {
							continue
						}
						d.body, d.err = dec.decode(d.row.Response, cs.shape, n)
						if d.err == nil && prep != nil {
							d.prep = prep(w, d.row, d.body)
						}
					}
				}
				j.done <- j.rows
			}
		}()
	}
	var srcErr error // written by the reader before it closes order
	go func() {
		defer close(order)
		defer close(jobs)
		batch := make([]decodedRow, 0, streamBatch)
		send := func() error {
			done := make(chan []decodedRow, 1)
			select {
			case jobs <- streamJob{rows: batch, done: done}:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case batch = <-free:
			default:
				batch = make([]decodedRow, 0, streamBatch)
			}
			select {
			case order <- done:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		srcErr = src.Rows(ctx, c.Service, c.Operation, func(row snapshot.Row) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			batch = append(batch, decodedRow{row: row})
			if len(batch) < streamBatch {
				return nil
			}
			return send()
		})
		if srcErr == nil && len(batch) > 0 {
			srcErr = send()
		}
	}()
	var fnErr error
	for done := range order {
		rows := <-done
		if fnErr == nil && ctx.Err() != nil {
			fnErr = ctx.Err() // the caller's context: the batch was not decoded
		}
		for _, d := range rows {
			if fnErr != nil {
				break // drain until the reader has stopped
			}
			if fnErr = b.deliver(c, cs, d, fn); fnErr != nil {
				cancel()
			}
		}
		clear(rows)
		select {
		case free <- rows[:0]:
		default:
		}
	}
	wg.Wait()
	if fnErr != nil {
		return fnErr
	}
	return srcErr
}

// streamWorkers returns the builder's stream workers, one per usable
// core, created on first use and kept for the whole Build (their caches
// serve every call).
func (b *builder) streamWorkers() []*worker {
	if b.workers == nil {
		for range max(1, runtime.GOMAXPROCS(0)) {
			b.workers = append(b.workers, newWorker())
		}
	}
	return b.workers
}

// streamBatch rows go to a worker per hand-over, and reading runs at most
// streamAhead batches per worker ahead of fn.
const (
	streamBatch = 16
	streamAhead = 4
)

// streamJob is a batch of read rows for a worker; done receives it
// decoded.
type streamJob struct {
	rows []decodedRow
	done chan []decodedRow
}

// decodedRow is a row with its decoded response or decoding error, and
// what prep made of it.
type decodedRow struct {
	row  snapshot.Row
	body any
	err  error
	prep any
}

// deliver hands one decoded row to fn (see stream).
func (b *builder) deliver(c Call, cs callShape, d decodedRow, fn func(row snapshot.Row, body, prepped any) error) error {
	row := d.row
	if d.err == nil {
		return fn(row, d.body, d.prep)
	}
	re := &RowError{Call: c, AccountID: row.AccountID, Region: row.Region, ParentKey: row.ParentKey,
		Page: row.Page, Err: fmt.Errorf("malformed response (%s): %w", cs.typ, d.err)}
	if b.onMalformed == nil {
		return re
	}
	k := strings.Join([]string{c.String(), row.AccountID, row.Region, row.ParentKey, fmt.Sprint(row.Page), row.Params}, "\x00")
	if !b.malformed[k] {
		b.malformed[k] = true
		b.log.Warn("malformed response skipped; its call is a coverage gap", "error", re)
		b.onMalformed(re)
	}
	row.Status, row.ErrorClass, row.ErrorMessage, row.Response = snapshot.StatusError, ClassMalformed, re.Error(), ""
	return fn(row, nil, nil)
}
