package model

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/snapaudit/snapaudit/snapshot"
)

// TestStreamInOrder: rows decoded by several workers reach fn in the order
// they were read, with what prep made of each ok row; an error of fn, a
// malformed row without OnMalformed or a cancelled context stops the
// stream at that row, and the rows after it are not delivered.
func TestStreamInOrder(t *testing.T) {
	const rows = 203 // several batches per worker, the last one short
	c := op("ec2:DescribeSecurityGroups")
	src := &memSource{}
	for p := range rows {
		r := snapshot.Row{AccountID: acct, Region: region, Service: c.Service, Operation: c.Operation, Page: int32(p),
			Params: "{}", Status: snapshot.StatusOK, Response: fmt.Sprintf(`{"SecurityGroups":[{"GroupId":"sg-%d"}]}`, p)}
		switch {
		case p%50 == 7:
			r.Status, r.ErrorClass, r.Response = snapshot.StatusError, snapshot.ClassDenied, ""
		case p == 150:
			r.Response = `{"SecurityGroups":{}}` // malformed: an object for a list
		}
		src.add(r)
	}
	prep := func(_ *worker, row snapshot.Row, body any) any {
		return lookup(body, "SecurityGroups[].GroupId")
	}
	errStop := errors.New("stop")
	for _, tc := range []struct {
		name      string
		cancelled bool
		stopAt    int32 // fn fails on this page (-1: never)
		malformed bool  // OnMalformed set
		wantPages int   // pages delivered
		wantErr   string
	}{
		{name: "all rows, malformed skipped", stopAt: -1, malformed: true, wantPages: rows},
		{name: "malformed row fails", stopAt: -1, wantPages: 150, wantErr: "page 150: malformed response"},
		{name: "fn error stops", stopAt: 97, malformed: true, wantPages: 98, wantErr: errStop.Error()},
		{name: "cancelled", cancelled: true, stopAt: -1, wantErr: context.Canceled.Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &builder{log: slog.New(slog.DiscardHandler), malformed: map[string]bool{},
				workers: []*worker{newWorker(), newWorker(), newWorker()}}
			if tc.malformed {
				b.onMalformed = func(*RowError) {}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancelled {
				cancel()
			}
			var pages []int32
			err := b.streamPrep(ctx, src, c, prep, func(row snapshot.Row, body, prepped any) error {
				pages = append(pages, row.Page)
				want := any(nil)
				if row.Status == snapshot.StatusOK {
					want = fmt.Sprintf("sg-%d", row.Page)
				}
				if ids, _ := prepped.([]any); (want == nil) != (prepped == nil) || (want != nil && (len(ids) != 1 || ids[0] != want)) {
					t.Errorf("page %d (%s): prep %v, want %v", row.Page, row.Status, prepped, want)
				}
				if row.Page == tc.stopAt {
					return errStop
				}
				return nil
			})
			if got := fmt.Sprint(err); (err == nil) != (tc.wantErr == "") || !strings.Contains(got, tc.wantErr) {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
			if len(pages) != tc.wantPages {
				t.Fatalf("%d pages delivered, want %d", len(pages), tc.wantPages)
			}
			if !slices.IsSorted(pages) || (len(pages) > 0 && pages[len(pages)-1] != int32(len(pages)-1)) {
				t.Errorf("pages out of order: %v", pages)
			}
		})
	}
}
