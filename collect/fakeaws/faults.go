package fakeaws

// Faults beyond API error answers, and expiring assumed-role sessions.
//
// A Fault's Kind says how a matching request fails:
//
//   - FaultError (default): an API error answer in the service's protocol
//     (Code, Status, Message; see renderError). Throttling in every dialect
//     is an API error: ThrottlingException (JSON protocols), Throttling (AWS
//     query: IAM, STS), RequestLimitExceeded (EC2), SlowDown (S3, 503),
//     TooManyRequestsException with Status 429 (REST-JSON).
//   - FaultReset: the connection is reset (TCP RST) before any answer.
//   - FaultStall: nothing is answered until the client gives up and closes
//     the connection (its read timeout), or Fault.Stall has passed; then the
//     connection is closed without an answer.
//   - FaultTruncate: the real answer's status and headers, with a
//     Content-Length for the whole body, then half of the body, then the
//     connection is closed.
//   - FaultMalformed: HTTP 200 with the protocol's content type and a body
//     that is not valid XML or JSON.
//
// Fault.Page narrows a fault to one page of a paged call, so a test can fail
// page 2 while page 1 succeeds.
//
// ExpireSessions makes AssumeRole hand out sessions that expire: a request
// signed with an expired session's key gets the error each protocol gives
// for expired credentials (ExpiredToken; EC2 RequestExpired; JSON protocols
// ExpiredTokenException). The check compares the request's signing time
// (X-Amz-Date, whole seconds) with the session's expiry, which is always at
// half past a second, so a request signed before the expiry is never refused
// because of the time it took to arrive.

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// FaultKind is how a faulted request fails.
type FaultKind string

// The fault kinds.
const (
	FaultError     FaultKind = ""          // API error answer (Code, Status, Message)
	FaultReset     FaultKind = "reset"     // connection reset before any answer
	FaultStall     FaultKind = "stall"     // no answer until the client gives up (or Fault.Stall)
	FaultTruncate  FaultKind = "truncate"  // real status and headers, half of the body, then closed
	FaultMalformed FaultKind = "malformed" // 200 with a body that is not XML/JSON
)

// FirstPage as Fault.Page matches only requests without a pagination token.
const FirstPage = "-"

// defaultStall bounds a FaultStall whose Stall is zero.
const defaultStall = 30 * time.Second

// pageMatches reports whether a request with params is the page a fault
// selects.
func (s *Server) pageMatches(page string, params map[string]string) bool {
	switch page {
	case "":
		return true
	case FirstPage:
		return s.world.token(params) == ""
	}
	return s.world.token(params) == page
}

// injectFault answers a request that fault f matched.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request, reqID string, idx int, c call, f Fault) {
	switch f.Kind {
	case FaultReset:
		closeConn(w, true)
	case FaultStall:
		d := f.Stall
		if d <= 0 {
			d = defaultStall
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-r.Context().Done(): // the client gave up
		case <-t.C:
		}
		closeConn(w, false)
	case FaultTruncate:
		rec := httptest.NewRecorder()
		s.respond(rec, r, reqID, idx, c)
		body := rec.Body.Bytes()
		writeRaw(w, rec.Code, rec.Header(), len(body), body[:len(body)/2])
	case FaultMalformed:
		ct, _ := emptyBody(c.svc.Protocol, c.op, reqID)
		body := "{fakeaws: this is not JSON"
		switch c.svc.Protocol {
		case protoEC2Query, protoQuery, protoRESTXML:
			body = "<fakeaws: this is not XML"
		}
		w.Header().Set("Content-Type", ct)
		_, _ = w.Write([]byte(body))
	default:
		msg := f.Message
		if msg == "" {
			msg = fmt.Sprintf("fakeaws: injected fault %s", f.Code)
		}
		renderError(w, c.svc, reqID, r.Method, apiError{Code: f.Code, Message: msg, Status: f.Status})
	}
}

// closeConn takes the connection over and closes it; with reset, the close
// sends a TCP RST instead of a FIN.
func closeConn(w http.ResponseWriter, reset bool) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // the server closes the connection
	}
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// writeRaw writes an HTTP/1.1 answer whose Content-Length announces length
// bytes but whose body is body, then closes the connection.
func writeRaw(w http.ResponseWriter, status int, header http.Header, length int, body []byte) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	bw := bufio.NewWriter(conn)
	fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	header = header.Clone()
	header.Set("Content-Length", strconv.Itoa(length))
	header.Set("Connection", "close")
	_ = header.Write(bw)
	_, _ = bw.WriteString("\r\n")
	_, _ = bw.Write(body)
	_ = bw.Flush()
}

// ExpireSessions makes every later AssumeRole session expire ttl after it
// was handed out (at the next half second), and the Date header go away
// (so the SDK's clock-skew correction cannot move signing times). Use a
// ttl of at least a second.
func (s *Server) ExpireSessions(ttl time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessionTTL = ttl
}

// Session is one AssumeRole session the server handed out.
type Session struct {
	AccessKeyID string
	Expires     time.Time // zero when sessions do not expire
}

// Sessions lists the AssumeRole sessions handed out so far, in order.
func (s *Server) Sessions() []Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Session, 0, len(s.assumed))
	for i := 1; i <= len(s.assumed); i++ {
		akid := assumedKey(i)
		out = append(out, Session{AccessKeyID: akid, Expires: s.expires[akid]})
	}
	return out
}

// assumedKey is the access key id of the n-th AssumeRole session (1-based).
func assumedKey(n int) string { return fmt.Sprintf("ASIAFAKEAWS%09d", n) }

// sessionExpiry returns the expiry of a session handed out now, and
// records it for akid. s.mu must be held.
func (s *Server) sessionExpiry(akid string) (time.Time, bool) {
	if s.sessionTTL <= 0 {
		return time.Time{}, false
	}
	exp := time.Now().UTC().Add(s.sessionTTL).Truncate(time.Second).Add(500 * time.Millisecond)
	s.expires[akid] = exp
	return exp, true
}

// expiredSession refuses a request signed with an expired session's key.
func (s *Server) expiredSession(c call, r *http.Request) *apiError {
	s.mu.Lock()
	exp, ok := s.expires[c.akid]
	s.mu.Unlock()
	if !ok {
		return nil
	}
	signed, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || signed.Before(exp) {
		return nil
	}
	switch c.svc.Protocol {
	case protoEC2Query:
		return &apiError{Code: "RequestExpired", Message: "Request has expired.", Status: http.StatusBadRequest}
	case protoQuery:
		return &apiError{Code: "ExpiredToken", Message: "The security token included in the request is expired", Status: http.StatusForbidden}
	case protoRESTXML:
		return &apiError{Code: "ExpiredToken", Message: "The provided token has expired.", Status: http.StatusBadRequest}
	}
	return &apiError{Code: "ExpiredTokenException", Message: "The security token included in the request is expired", Status: http.StatusForbidden}
}
