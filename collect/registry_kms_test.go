package collect

import (
	"slices"
	"testing"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

// TestKMSKeys: ListKeys is followed across pages (NextMarker/Truncated,
// the next request's Marker); every key is described and its policy
// ("default") and aliases read; only customer-managed keys are asked
// their rotation status and tags, and their refusals are recorded as the
// calls' failures (AccessDenied: denied; a key pending deletion,
// KMSInvalidStateException: unsupported), never dropped.
func TestKMSKeys(t *testing.T) {
	const (
		managed = "0c0ffee1-2345-4000-8000-0000000000a1"
		cust    = "0c0ffee1-2345-4000-8000-0000000000c1"
		pending = "0c0ffee1-2345-4000-8000-0000000000c2"
		arn     = "arn:aws:kms:us-east-1:123456789012:key/"
	)
	meta := func(id, manager, state string) string {
		return `{"KeyMetadata": {"KeyId": "` + id + `", "Arn": "` + arn + id + `", "KeyManager": "` + manager +
			`", "KeyState": "` + state + `", "KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "ENCRYPT_DECRYPT", "Origin": "AWS_KMS", "Enabled": ` +
			map[bool]string{true: "true", false: "false"}[state == "Enabled"] + `, "CreationDate": 1709200000}}`
	}
	policy := `{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}", "PolicyName": "default"}`
	files := map[string]string{
		"world.json": `{"account_id": "123456789012", "caller_arn": "arn:aws:iam::123456789012:user/auditor", "regions": ["us-east-1"]}`,
		"kms/us-east-1/ListKeys.json": `{"Keys": [{"KeyId": "` + managed + `", "KeyArn": "` + arn + managed + `"}],
			"NextMarker": "m1", "Truncated": true}`,
		"kms/us-east-1/ListKeys#m1.json": `{"Keys": [{"KeyId": "` + cust + `", "KeyArn": "` + arn + cust + `"},
			{"KeyId": "` + pending + `", "KeyArn": "` + arn + pending + `"}], "Truncated": false}`,
		"kms/us-east-1/DescribeKey@KeyId=" + managed + ".json":  meta(managed, "AWS", "Enabled"),
		"kms/us-east-1/DescribeKey@KeyId=" + cust + ".json":     meta(cust, "CUSTOMER", "Enabled"),
		"kms/us-east-1/DescribeKey@KeyId=" + pending + ".json":  meta(pending, "CUSTOMER", "PendingDeletion"),
		"kms/us-east-1/GetKeyPolicy@KeyId=" + managed + ".json": policy,
		"kms/us-east-1/GetKeyPolicy@KeyId=" + cust + ".json":    policy,
		"kms/us-east-1/GetKeyPolicy@KeyId=" + pending + ".json": policy,
		"kms/us-east-1/GetKeyRotationStatus@KeyId=" + pending + ".error.json": `{"code": "KMSInvalidStateException",
			"message": "` + arn + pending + ` is pending deletion."}`,
	}
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, writeWorld(t, files)))
	srv.Fail(fakeaws.Fault{Service: "kms", Operation: "GetKeyRotationStatus", Code: "AccessDeniedException",
		Match: map[string]string{"KeyId": cust}})
	calls := slices.DeleteFunc(Registry(), func(c Call) bool {
		return c.Service != "kms" && c.Name() != callerIdentityCall && c.Name() != regionsCall
	})
	w := &memWriter{}
	if _, err := New(fakeConfig(t, srv, nil), testOpts(WithCalls(calls))...).Run(t.Context(), w); err != nil {
		t.Fatal(err)
	}
	if n := len(findRows(w.rows, "kms", "ListKeys", "us-east-1")); n != 2 {
		t.Errorf("%d ListKeys rows, want 2 pages", n)
	}
	asked := map[string][]string{} // operation -> key ids asked
	for _, r := range srv.Requests() {
		if r.Service != "kms" {
			continue
		}
		asked[r.Operation] = append(asked[r.Operation], r.Params["KeyId"])
		switch r.Operation {
		case "ListKeys":
			if len(asked["ListKeys"]) == 2 && r.Params["Marker"] != "m1" {
				t.Errorf("second ListKeys request %v, want Marker m1", r.Params)
			}
		case "GetKeyPolicy":
			if r.Params["PolicyName"] != "default" {
				t.Errorf("GetKeyPolicy request %v, want PolicyName default", r.Params)
			}
		case "ListAliases":
			if r.Params["Limit"] != "100" {
				t.Errorf("ListAliases request %v, want Limit 100", r.Params)
			}
		}
	}
	all, customer := []string{managed, cust, pending}, []string{cust, pending} // sorted
	for op, want := range map[string][]string{"DescribeKey": all, "GetKeyPolicy": all, "ListAliases": all,
		"GetKeyRotationStatus": customer, "ListResourceTags": customer} {
		got := slices.Sorted(slices.Values(asked[op]))
		if !slices.Equal(got, want) {
			t.Errorf("%s asked for keys %v, want %v", op, got, want)
		}
	}
	classes := map[string]snapshot.ErrorClass{}
	for _, r := range findRows(w.rows, "kms", "GetKeyRotationStatus", "us-east-1") {
		classes[r.ParentKey] = r.ErrorClass
	}
	if classes[cust] != snapshot.ClassDenied || classes[pending] != snapshot.ClassUnsupported || len(classes) != 2 {
		t.Errorf("GetKeyRotationStatus rows by key: %v, want %s denied and %s unsupported", classes, cust, pending)
	}
}
