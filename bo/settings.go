package bo

import (
	"fmt"
	"slices"
)

// SettingsError is a resume refused because the journal was recorded under
// other settings (StudyOptions.Settings): the first that differs, by name,
// with its value in the journal and now ("(none)" when absent).
type SettingsError struct {
	Journal       string
	Name          string
	Recorded, Now string
}

func (e *SettingsError) Error() string {
	return fmt.Sprintf("bo: journal %s was recorded with %s %s, not %s", e.Journal, e.Name, e.Recorded, e.Now)
}

func orNone(v string) string {
	if v == "" {
		return "(none)"
	}
	return v
}

// compareSettings returns a *SettingsError for the first setting, in name
// order, that differs between the journal's and the study's.
func compareSettings(journal string, recorded, now map[string]string) error {
	var names []string
	for n := range recorded {
		names = append(names, n)
	}
	for n := range now {
		if _, ok := recorded[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		if recorded[n] != now[n] {
			return &SettingsError{Journal: journal, Name: n, Recorded: orNone(recorded[n]), Now: orNone(now[n])}
		}
	}
	return nil
}
