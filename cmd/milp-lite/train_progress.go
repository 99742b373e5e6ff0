package main

import (
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// trainProgress shows a training run's steps on standard error: a live bar
// on a terminal; into a file or a pipe, where redrawn bars would leave a
// line of carriage returns, one plain line every tenth of the run (and the
// epoch lines either way).
type trainProgress struct {
	out      *os.File
	terminal bool
	bar      *progressbar.ProgressBar
	total    int
	every    int // steps between plain lines
	start    time.Time
	tokens   int
	first    int // the step before the first this process ran (a resumed run's checkpoint)
}

func newTrainProgress(out *os.File) *trainProgress {
	return &trainProgress{out: out, terminal: term.IsTerminal(int(out.Fd()))}
}

// begin is a train.Control's OnStart.
func (p *trainProgress) begin(total int) {
	p.total, p.every, p.start = total, max(1, total/10), time.Now()
	if p.terminal {
		p.bar = newBar(p.out, total, "training")
	}
}

// newBar is the live bar of a long job on a terminal.
func newBar(out *os.File, total int, what string) *progressbar.ProgressBar {
	return progressbar.NewOptions(total, progressbar.OptionSetWriter(out), progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish())
}

// countProgress shows a job counted in units (a merge's tensors): a live
// bar on a terminal, elsewhere a plain line every tenth of the job.
type countProgress struct {
	out   *os.File
	what  string
	bar   *progressbar.ProgressBar
	start time.Time
	shown int // the last count a plain line showed
}

func newCountProgress(out *os.File, what string) *countProgress {
	return &countProgress{out: out, what: what, start: time.Now(), shown: -1}
}

// set reports done of total units.
func (p *countProgress) set(done, total int) {
	if term.IsTerminal(int(p.out.Fd())) {
		if p.bar == nil {
			p.bar = newBar(p.out, total, p.what)
		}
		p.bar.Set(done)
		return
	}
	if every := max(1, total/10); done != p.shown && (done%every == 0 || done == total) {
		p.shown = done
		fmt.Fprintf(p.out, "%s: %d/%d, %s\n", p.what, done, total, eta(time.Since(p.start), done, total))
	}
}

// finish removes the bar.
func (p *countProgress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}

// step is a train.Control's OnStep.
func (p *trainProgress) step(step int, loss float64, tokens int) {
	if p.tokens == 0 {
		p.first = step - 1
	}
	p.tokens += tokens
	elapsed := time.Since(p.start)
	rate := float64(p.tokens) / elapsed.Seconds()
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("loss %.4f  %.0f tok/s", loss, rate))
		p.bar.Set(step)
		return
	}
	if step%p.every == 0 || step == p.total {
		fmt.Fprintf(p.out, "step %d/%d: loss %.4f, %.0f tok/s, %s\n", step, p.total, loss, rate, eta(elapsed, step-p.first, p.total-p.first))
	}
}

// epoch is a train.Control's OnEpoch.
func (p *trainProgress) epoch(epoch int, trainLoss, valLoss float64) {
	if p.bar != nil {
		p.bar.Clear()
	}
	fmt.Fprintf(p.out, "epoch %d: train loss %.4f, validation loss %.4f\n", epoch+1, trainLoss, valLoss)
}

// finish removes the bar.
func (p *trainProgress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}

// eta says how long the rest of total units takes at the pace of the done
// ones so far: "about 2m10s left".
func eta(elapsed time.Duration, done, total int) string {
	if done <= 0 {
		return "time left unknown"
	}
	left := time.Duration(float64(elapsed) / float64(done) * float64(total-done))
	return "about " + left.Round(time.Second).String() + " left"
}
