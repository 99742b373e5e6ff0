package main

import (
	"fmt"
	"time"
)

// overallProgress counts the main job's or eval's work in trials, users ×
// trials per user, for a line that says how far the whole run is and how
// long the rest should take. A search cut short (--time) counts its user's
// remaining trials as done when the user is.
type overallProgress struct {
	trialsPerUser, total int
	done                 int
	start                time.Time
	now                  func() time.Time
}

func newOverallProgress(users, trialsPerUser int) *overallProgress {
	return &overallProgress{trialsPerUser: trialsPerUser, total: users * trialsPerUser, start: time.Now(), now: time.Now}
}

// trial records one more trial of user (0-based) and returns the line.
func (p *overallProgress) trial(user int) string {
	p.done = min(p.done+1, (user+1)*p.trialsPerUser)
	return p.line()
}

// userDone records that user's search ended (all its trials, or its time).
func (p *overallProgress) userDone(user int) string {
	p.done = (user + 1) * p.trialsPerUser
	return p.line()
}

func (p *overallProgress) line() string {
	elapsed := p.now().Sub(p.start)
	return fmt.Sprintf("[overall] %d/%d trials (%.0f%%), %s elapsed, %s", p.done, p.total, 100*float64(p.done)/float64(p.total),
		elapsed.Round(time.Second), eta(elapsed, p.done, p.total))
}
