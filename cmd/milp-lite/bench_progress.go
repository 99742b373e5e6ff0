package main

import (
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// benchProgress shows the benchmark's progress on standard error: a live bar
// on a terminal; otherwise (a log file, CI) one plain line per step, since
// redrawn bars would fill a log with carriage returns.
type benchProgress struct {
	out      *os.File
	terminal bool
	bar      *progressbar.ProgressBar
	lastDone int
}

func newBenchProgress(out *os.File) *benchProgress {
	return &benchProgress{out: out, terminal: term.IsTerminal(int(out.Fd())), lastDone: -1}
}

// report is a bench.Progress.
func (p *benchProgress) report(step string, done, total int) {
	if !p.terminal {
		if done != p.lastDone && done < total {
			fmt.Fprintf(p.out, "milp-lite bench: [%d/%d] %s\n", done+1, total, step)
		}
		p.lastDone = done
		return
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(p.out),
			progressbar.OptionSetDescription(step),
			progressbar.OptionShowCount(),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionSetWidth(20),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetRenderBlankState(true),
		)
	}
	p.bar.Describe(step)
	p.bar.Set(done)
}

// close removes the bar, so that the results print on a clean line.
func (p *benchProgress) close() {
	if p.bar != nil {
		p.bar.Finish()
		p.bar.Clear()
		p.bar = nil
	}
}
