package suggest

import "testing"

func TestClosest(t *testing.T) {
	regions := []string{"eu-west-1", "us-east-1", "us-east-2"}
	tests := []struct {
		s    string
		max  int
		want string
	}{
		{s: "us-east1", max: 2, want: "us-east-1"},
		{s: "eu-wset-1", max: 2, want: "eu-west-1"},
		{s: "ap-south-1", max: 2, want: ""},
		{s: "us-east-1", max: 0, want: "us-east-1"},
	}
	for _, tt := range tests {
		if got := Closest(tt.s, regions, tt.max); got != tt.want {
			t.Errorf("Closest(%q, %d) = %q, want %q", tt.s, tt.max, got, tt.want)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"admin_port", "admin_ports", 1}} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
