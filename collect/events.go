package collect

import (
	"time"

	"github.com/snapaudit/snapaudit/snapshot"
)

// EventKind names a progress event.
type EventKind string

// The event kinds, in the order a run produces them.
const (
	EventCallStarted   EventKind = "call_started"   // one invocation (call × region × parent key) starts
	EventCallFinished  EventKind = "call_finished"  // it ended: Pages ok pages, ErrorClass/ErrorCode when it failed
	EventCallReused    EventKind = "call_reused"    // resume: an invocation done before the interruption, taken from the journal
	EventRegionSkipped EventKind = "region_skipped" // a region is not collected; Message says why
	EventDone          EventKind = "done"           // the run ended; Summary is set
)

// Event is one progress report. The collector never prints: it hands events
// to the function given with WithEvents, one at a time (calls are
// serialized), and the caller renders them.
type Event struct {
	Kind       EventKind           `json:"kind"`
	Time       time.Time           `json:"time"`
	Account    string              `json:"account,omitempty"`
	Region     string              `json:"region,omitempty"`
	Service    string              `json:"service,omitempty"`
	Operation  string              `json:"operation,omitempty"`
	ParentKey  string              `json:"parent_key,omitempty"`
	Pages      int                 `json:"pages,omitempty"`
	Rows       int                 `json:"rows,omitempty"`
	ErrorClass snapshot.ErrorClass `json:"error_class,omitempty"`
	ErrorCode  string              `json:"error_code,omitempty"`
	Message    string              `json:"message,omitempty"`
	Summary    *Summary            `json:"summary,omitempty"`
}

// Summary describes a finished (or failed) run.
type Summary struct {
	AccountID    string `json:"account_id"`
	CallerARN    string `json:"caller_arn"`
	CallerUserID string `json:"caller_user_id"`
	// Regions that were collected, sorted.
	Regions []string `json:"regions"`
	// SkippedRegions maps a region that was not collected to the reason.
	SkippedRegions map[string]string `json:"skipped_regions,omitempty"`
	Calls          int               `json:"calls"` // invocations
	// Reused counts the invocations a resume took from the journal of the
	// interrupted run instead of sending them again (included in Calls).
	Reused int `json:"reused,omitempty"`
	Rows   int `json:"rows"` // rows written (pages + error rows)
	// Errors counts failed invocations by class.
	Errors map[snapshot.ErrorClass]int `json:"errors,omitempty"`
	// Failures lists the failed invocations that leave the snapshot
	// incomplete (see Incomplete), grouped by call and class, sorted.
	Failures   []CallFailure `json:"failures,omitempty"`
	StartedAt  time.Time     `json:"started_at"`
	FinishedAt time.Time     `json:"finished_at"`
}

// Duration is FinishedAt - StartedAt.
func (s Summary) Duration() time.Duration { return s.FinishedAt.Sub(s.StartedAt) }

// CallFailure groups the failed invocations of one call with one error
// class.
type CallFailure struct {
	Call        string              `json:"call"` // "service:Operation"
	Class       snapshot.ErrorClass `json:"class"`
	Codes       []string            `json:"codes,omitempty"` // distinct AWS error codes, sorted
	Regions     []string            `json:"regions"`         // Row.Region values, sorted ("global" for global calls)
	Invocations int                 `json:"invocations"`
	Message     string              `json:"message"` // the message of one of them
}
