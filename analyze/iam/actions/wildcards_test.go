package actions

import "testing"

func TestVariablesAsWildcards(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "none", in: "arn:aws:s3:::b/*", want: "arn:aws:s3:::b/*"},
		{name: "variable", in: "arn:aws:s3:::b/home/${aws:username}/*", want: "arn:aws:s3:::b/home/*/*"},
		{name: "escape", in: "arn:aws:s3:::b/${$}x", want: "arn:aws:s3:::b/$x"},
		{name: "unclosed", in: "arn:aws:s3:::b/${aws", want: "arn:aws:s3:::b/${aws"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := VariablesAsWildcards(tc.in); got != tc.want {
				t.Errorf("VariablesAsWildcards(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
