package nn

import "time"

// Pacing steps by time (BatchOptions.StepTime). A step's duration is every
// stream's gap between two tokens, and a prompt row costs about as much as
// a stream's: a count of rows bounds a step's products but not its time,
// which also grows with the caches the streams attend over and varies
// from model to model and machine to machine. So the batch sizes the
// prompts' share of a step from the time the steps take, as Sarathi-Serve
// sizes its chunks from a latency goal.
//
// Predicting a step's time from a model of its parts does not hold up: a
// step's fixed part (reading the weights, as long for one row as for a
// dozen) and its part per row cannot be told apart from paced steps, which
// are all small, and the large steps that could tell them apart are rare
// and the first of them slow (it touches its memory). So the pace is a
// feedback loop instead: after each step that read prompts beside streams,
// the prompts' rows move by the time the step missed the target by, over
// the time a row costs on average (fixed part included: an overestimate,
// so each correction falls short of the whole gap and the loop does not
// overshoot on the host's noise).

// stepPace is the feedback loop's state.
type stepPace struct {
	rows float64 // the prompt rows of the next paced step; 0 until one ran
	row  float64 // moving average of a step's time per row, in seconds
}

// paceWeight is the newest step's weight in the moving average: a step's
// time moves with the host's noise, so one step alone does not decide.
const paceWeight = 0.25

// paceGain is the share of a step's miss that the next one corrects.
const paceGain = 0.5

// minPacedPromptRows is what prompts get in a paced step however short the
// target: arriving users keep moving while the streams take the rest.
const minPacedPromptRows = 8

// promptRows is how many prompt rows a paced step with streams streams
// gives the prompts, within [minPacedPromptRows, most]: the loop's count,
// or before any paced step the rows the average row says fit beside the
// streams; most before any step at all.
func (p *stepPace) promptRows(streams int, target time.Duration, most int) int {
	n := p.rows
	if n == 0 {
		if p.row == 0 {
			return most
		}
		n = target.Seconds()/p.row - float64(streams)
	}
	return min(max(int(n), minPacedPromptRows), most)
}

// observe records a step of rows rows, prompt of them prompts' and the
// rest streams', that took took; paced says the prompts' rows were bounded
// by the pace (their count came from promptRows and was taken whole, of at
// most most).
func (p *stepPace) observe(rows, prompt int, paced bool, took, target time.Duration, most int) {
	if rows == 0 {
		return
	}
	p.row = movingAverage(p.row, took.Seconds()/float64(rows))
	if !paced {
		return
	}
	if p.rows == 0 {
		p.rows = float64(prompt)
	}
	p.rows += paceGain * (target - took).Seconds() / p.row
	// Below the floor the rows would wind down without bound while the
	// streams alone overrun the target, and take as long to come back.
	// Above most they would wind up while the prompts are too few to fill
	// a step.
	p.rows = min(max(p.rows, minPacedPromptRows), float64(max(most, minPacedPromptRows)))
}

func movingAverage(avg, x float64) float64 {
	if avg == 0 {
		return x
	}
	return avg + paceWeight*(x-avg)
}
