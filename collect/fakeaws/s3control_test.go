package fakeaws

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestS3ControlAccountHost: S3 Control names the account twice on AWS, in
// the host's first label and in x-amz-account-id. The fake answers a
// request whose host carries no label (a collector that drops it for a
// custom endpoint) or the header's account, and refuses one whose label
// names another account, rather than answering for either.
func TestS3ControlAccountHost(t *testing.T) {
	w := LoadWorld(t, basicWorld)
	srv := New(t, w)
	addr := strings.TrimPrefix(srv.URL(), "http://")
	tests := []struct {
		name, host, header string
		wantStatus         int
		wantBody           string
	}{
		{"no label", addr, w.AccountID, http.StatusNotFound, "NoSuchPublicAccessBlockConfiguration"},
		{"label of the header's account", w.AccountID + "." + addr, w.AccountID, http.StatusNotFound, "NoSuchPublicAccessBlockConfiguration"},
		{"label of another account", "999988887777." + addr, w.AccountID, http.StatusBadRequest, "InvalidRequest"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL()+"/v20180820/configuration/publicAccessBlock", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Host = tc.host
			req.Header.Set("X-Amz-Account-Id", tc.header)
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDFAKE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.wantStatus || !strings.Contains(string(body), tc.wantBody) {
				t.Errorf("%d %s, want %d with %s", resp.StatusCode, body, tc.wantStatus, tc.wantBody)
			}
		})
	}
}
