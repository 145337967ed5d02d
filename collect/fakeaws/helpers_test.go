package fakeaws

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
)

const basicWorld = "../../testdata/fakeaws/basic"

// noBackoff makes SDK retries immediate so tests never sleep.
type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

// sdkConfig is an SDK config pointing every client at srv with static
// credentials and immediate retries.
func sdkConfig(srv *Server, region string) aws.Config {
	return aws.Config{
		Region:       region,
		BaseEndpoint: aws.String(srv.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDFAKEAWSTEST00001", "fake-secret", ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.Backoff = noBackoff{}
				o.MaxAttempts = 3
			})
		},
	}
}

// apiErr asserts err is an AWS API error and returns its code and HTTP status.
func apiErr(t *testing.T, err error) (code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatal("want an error, got nil")
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not a smithy.APIError", err, err)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return ae.ErrorCode(), status
}
