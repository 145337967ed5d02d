package snapshot

import (
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
)

// BuildInfo describes the running binary for the manifest: the tool (main
// module version, VCS revision with "-dirty" when the tree was modified, Go
// version) and the AWS SDK modules it was built with (aws-sdk-go-v2 and its
// service modules, plus smithy-go), sorted by path. A binary built without
// module information (rare) yields Name "snapaudit" and empty fields. The
// CLI may overwrite Tool.Version with its ldflags version.
func BuildInfo() (Tool, []Module) {
	t := Tool{Name: "snapaudit", GoVersion: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return t, []Module{}
	}
	return buildInfoFrom(bi)
}

func buildInfoFrom(bi *debug.BuildInfo) (Tool, []Module) {
	t := Tool{Name: "snapaudit", Version: bi.Main.Version, GoVersion: bi.GoVersion}
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			t.Revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified && t.Revision != "" {
		t.Revision += "-dirty"
	}
	mods := []Module{}
	for _, d := range bi.Deps {
		if d.Path != "github.com/aws/aws-sdk-go-v2" && !strings.HasPrefix(d.Path, "github.com/aws/aws-sdk-go-v2/") &&
			d.Path != "github.com/aws/smithy-go" {
			continue
		}
		m := Module{Path: d.Path, Version: d.Version}
		if d.Replace != nil {
			m.Version = d.Replace.Version + " (replaces " + d.Version + ")"
		}
		mods = append(mods, m)
	}
	slices.SortFunc(mods, func(a, b Module) int { return strings.Compare(a.Path, b.Path) })
	return t, mods
}
