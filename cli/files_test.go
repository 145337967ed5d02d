//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/snapaudit/snapaudit/snapshot"
)

// TestCommandsRefuseSpecialFiles: a FIFO or a link to /dev/zero in place of
// manifest.json made verify and analyze hang (deaf to Ctrl-C) or die out of
// memory; now each fails at once naming the file and what it is.
func TestCommandsRefuseSpecialFiles(t *testing.T) {
	tests := []struct {
		name    string
		replace func(path string) error
		want    string
	}{
		{name: "FIFO", replace: func(p string) error { return syscall.Mkfifo(p, 0o600) }, want: "is a named pipe (FIFO)"},
		{name: "link to /dev/zero", replace: func(p string) error { return os.Symlink("/dev/zero", p) }, want: "is a symbolic link"},
	}
	for _, tt := range tests {
		for _, cmd := range []string{"verify", "analyze"} {
			t.Run(tt.name+" "+cmd, func(t *testing.T) {
				dir := newTestSnapshot(t)
				path := filepath.Join(dir, snapshot.ManifestName)
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
				if err := tt.replace(path); err != nil {
					t.Fatal(err)
				}
				code, out, errw := runCLI(t, cmd, dir)
				if code != ExitError || !strings.Contains(out+errw, "manifest.json: "+tt.want) {
					t.Errorf("exit %d, want %d and %q\nstdout: %s\nstderr: %s", code, ExitError, tt.want, out, errw)
				}
			})
		}
	}
}
