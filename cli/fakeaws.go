package cli

import (
	"fmt"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
)

// fakeawsCommand serves the loopback fake AWS endpoint as a process of its
// own (hidden: a benchmark tool), so that a measured `collect` process
// holds only the collector's memory.
func fakeawsCommand(s streams) *ucli.Command {
	return &ucli.Command{
		Name:            "fakeaws",
		Hidden:          true,
		Usage:           "serve the loopback fake AWS endpoint (benchmarks)",
		HideHelpCommand: true,
		Subcommands:     []*ucli.Command{fakeawsServeCommand(s)},
		Action:          unknownCommand("fakeaws"),
	}
}

func fakeawsServeCommand(s streams) *ucli.Command {
	return &ucli.Command{
		Name:      "serve",
		Usage:     "serve a synthetic account of N resources, or a world directory, until interrupted",
		ArgsUsage: "--resources N | --world DIR [--latency 20ms] [--addr 127.0.0.1:0]",
		Description: "Serves the fake AWS endpoint of collect/fakeaws on a loopback address and prints its URL on\n" +
			"stdout (one line, then the world on stderr). --resources N serves a synthetic account of about N\n" +
			"resources rendered per request (account " + fakeaws.SynthAccountID + "); --world DIR a world directory\n" +
			"(testdata/fakeaws/...). --latency delays every answer, concurrently. Point collect at it with\n" +
			"--endpoint-url URL and any static keys (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY). Ctrl-C or SIGTERM\n" +
			"stops it and prints the request count. See docs/performance.md \"Collect under latency\".",
		Flags: []ucli.Flag{
			&ucli.IntFlag{Name: "resources", Usage: "serve a synthetic account of about `N` resources"},
			&ucli.StringFlag{Name: "world", Usage: "serve the world in `DIR` instead"},
			&ucli.StringSliceFlag{Name: "regions", Usage: "enabled regions of the synthetic account (default eu-west-1,us-east-1,us-west-2)"},
			&ucli.DurationFlag{Name: "latency", Usage: "delay every answer by `D` (e.g. 20ms)"},
			&ucli.StringFlag{Name: "addr", Value: "127.0.0.1:0", Usage: "loopback listen `ADDRESS` (port 0: a free one)"},
		},
		Action: func(c *ucli.Context) error {
			n, dir := c.Int("resources"), c.String("world")
			switch {
			case c.NArg() > 0:
				return usagef("fakeaws serve: unexpected argument %q (flags only)", c.Args().First())
			case (n > 0) == (dir != ""):
				return usagef("fakeaws serve: give one of --resources N or --world DIR")
			case c.IsSet("resources") && (n < 1 || n > fakeaws.MaxSynthResources):
				return usagef("fakeaws serve: --resources must be between 1 and %d (got %d)", fakeaws.MaxSynthResources, n)
			case c.Duration("latency") < 0:
				return usagef("fakeaws serve: --latency must not be negative")
			}
			var w *fakeaws.World
			var err error
			if dir != "" {
				w, err = fakeaws.ReadWorld(dir)
			} else {
				w, err = fakeaws.SyntheticWorld(fakeaws.SynthOptions{Resources: n, Regions: splitList(c.StringSlice("regions"))})
			}
			if err != nil {
				return err
			}
			srv, err := fakeaws.NewServerWith(w, fakeaws.Options{Latency: c.Duration("latency"), Addr: c.String("addr"), Unrecorded: true})
			if err != nil {
				return err
			}
			defer srv.Close()
			fmt.Fprintln(s.out, srv.URL())
			what := "world " + dir
			if dir == "" {
				what = fmt.Sprintf("synthetic account %s: %d resources", w.AccountID, w.Resources())
			}
			fmt.Fprintf(s.err, "fakeaws: serving %s in %s, latency %s\n", what, strings.Join(w.Regions, ","), c.Duration("latency"))
			start := time.Now()
			<-c.Context.Done()
			st := srv.Stats()
			fmt.Fprintf(s.err, "fakeaws: %d requests in %s, at most %d at once\n", st.Requests, time.Since(start).Round(time.Second), st.PeakInFlight)
			return nil
		},
	}
}
