package collect

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// slowResponseJSON is the reference rendering: through a map, keys sorted.
func slowResponseJSON(out any) (string, error) {
	return objectJSON(out, func(k string, _ json.RawMessage) bool { return k == "ResultMetadata" })
}

// TestResponseJSONFastPath: for every output type of the registry,
// marshalling once and cutting ResultMetadata gives exactly the bytes of
// the map round trip, or the type is not marshalled in order and takes
// the round trip.
func TestResponseJSONFastPath(t *testing.T) {
	fast := 0
	calls := Registry()
	for _, c := range calls {
		out := reflect.New(c.Run.out).Interface()
		got, err := responseJSON(out)
		if err != nil {
			t.Fatal(err)
		}
		want, err := slowResponseJSON(out)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: responseJSON\n%s\nwant\n%s", c.Name(), got, want)
		}
		if marshalsInOrder(reflect.TypeOf(out)) {
			fast++
		}
	}
	t.Logf("%d of %d output types marshal in order", fast, len(calls))
	if fast == 0 {
		t.Error("no output type takes the fast path")
	}
	for _, tc := range []struct {
		name string
		out  any
	}{
		{"instances page", &ec2.DescribeInstancesOutput{NextToken: aws.String("t"), Reservations: []ec2types.Reservation{{
			ReservationId: aws.String("r-1"),
			Instances:     []ec2types.Instance{{InstanceId: aws.String("i-1"), Tags: []ec2types.Tag{{Key: aws.String("<&>"), Value: aws.String("x,")}}}},
		}}}},
		{"only metadata", &s3.GetBucketLocationOutput{}},
		{"not an output struct", &struct{ B, A string }{"b", "a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := responseJSON(tc.out)
			if err != nil {
				t.Fatal(err)
			}
			want, err := slowResponseJSON(tc.out)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("responseJSON\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestCutResultMetadata(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"A":1,"ResultMetadata":{}}`, `{"A":1}`},
		{`{"ResultMetadata":{}}`, `{}`},
		{`{"A":"ResultMetadata":{}}`, ""},
		{`{"A":1}`, ""},
	} {
		got, ok := cutResultMetadata([]byte(tc.in))
		if string(got) != tc.want || ok != (tc.want != "") {
			t.Errorf("cutResultMetadata(%s) = %s, %t; want %q", tc.in, got, ok, tc.want)
		}
	}
}
