package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// moduleVersion is the module's version as the build recorded it: a tag
// for `go install …@v1.2.3`, "(devel)" for a build from a checkout.
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(unknown)"
}

// printVersion is --version: the module version, the commit it was built
// from (with its time, and whether the tree had changes), the Go release
// and target, and the build settings that change the binary (CGO_ENABLED,
// -tags, GOAMD64 …), which is what a bug report needs.
func printVersion(w io.Writer) {
	fmt.Fprintf(w, "milp-lite %s\n", moduleVersion())
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Fprintf(w, "%s %s/%s (no build information)\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return
	}
	settings := map[string]string{}
	var build []string
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
		if !strings.HasPrefix(s.Key, "vcs") && s.Value != "" {
			build = append(build, s.Key+"="+s.Value)
		}
	}
	if rev := settings["vcs.revision"]; rev != "" {
		commit := rev
		if t := settings["vcs.time"]; t != "" {
			commit += " (" + t + ")"
		}
		if settings["vcs.modified"] == "true" {
			commit += " with uncommitted changes"
		}
		fmt.Fprintf(w, "commit: %s\n", commit)
	} else {
		fmt.Fprintf(w, "commit: not recorded (built without version control information)\n")
	}
	fmt.Fprintf(w, "go: %s %s/%s\n", bi.GoVersion, runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(w, "build: %s\n", strings.Join(build, " "))
}
