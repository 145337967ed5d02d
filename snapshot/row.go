package snapshot

import "time"

// ErrorClass classifies a failed AWS call. Expected failures (a region that
// is not enabled, a bucket with no policy) are data, recorded with a class,
// never dropped.
type ErrorClass string

// The error classes. The zero value means "no error".
const (
	ClassNone        ErrorClass = ""
	ClassDenied      ErrorClass = "denied"      // AccessDenied, UnauthorizedOperation, AuthFailure, SCP denies
	ClassNotFound    ErrorClass = "not_found"   // NoSuchBucketPolicy, NoSuchEntity, ResourceNotFoundException ...
	ClassUnsupported ErrorClass = "unsupported" // region/service not enabled or not offered: OptInRequired, UnrecognizedClientException ...
	ClassThrottled   ErrorClass = "throttled"   // still throttled after the SDK's retries
	ClassOther       ErrorClass = "other"       // everything else (5xx, decode errors, cancelled ...)
)

// Status values of a row.
const (
	StatusOK    = "ok"
	StatusError = "error"
)

// Row is one page of one AWS API call as stored in a snapshot: the raw
// response (the SDK output struct marshalled to JSON after redaction) or the
// error the call ended with. See FORMAT.md for the column-level contract.
type Row struct {
	AccountID string // 12-digit account the call ran against
	Region    string // region the request was sent to; "global" for global-scope calls
	Service   string // aws-sdk-go-v2 service package name: ec2, iam, s3, configservice, ...
	Operation string // API operation name: DescribeInstances, GetBucketPolicy, ...
	// ParentKey identifies the parent item for per-item calls (bucket name,
	// role name, function name ...); "" for top-level calls.
	ParentKey string
	Params    string // request input as JSON (after redaction); "{}" when empty
	Page      int32  // 0-based page number within the call

	Status       string     // StatusOK or StatusError
	ErrorClass   ErrorClass // "" when Status is ok
	ErrorCode    string     // AWS error code (AccessDenied, NoSuchBucketPolicy ...)
	ErrorMessage string

	Response    string    // JSON of the SDK output struct, ResultMetadata removed; "" on error
	CollectedAt time.Time // when the page was received, UTC, millisecond precision
}
