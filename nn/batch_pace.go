package nn

import "time"

// Pacing steps by time (BatchOptions.StepTime). A step's duration is every
// stream's gap between two tokens, and a prompt row costs about as much as
// a stream's: a count of rows bounds a step's products but not its time,
// which also grows with the caches the streams attend over and varies
// from model to model and machine to machine. So the step measures what
// steps cost and feeds arriving prompts the rows that fit the target, as
// Sarathi-Serve sizes its chunks from a latency goal.

// stepPace estimates a step's time from the steps run: one streaming d
// replies and reading p prompt rows takes about decode(d) + p·row. decode
// is measured on the steps that read no prompt, row on those that do (less
// the streams' share); both are moving averages, so they follow the caches
// growing and streams coming and going.
type stepPace struct {
	decode  float64 // seconds of the last steps that read no prompt,
	streams int     // with this many streams
	row     float64 // seconds of a prompt row; 0 until measured
}

// paceWeight is the newest step's weight in the moving averages: a step's
// time moves with the host's noise, so one step alone does not decide.
const paceWeight = 0.25

// minPacedPromptRows is what prompts get in a paced step however short the
// target: arriving users keep moving while the streams take the rest.
const minPacedPromptRows = 8

// observe records a step that streamed streams replies and read prompt
// prompt rows in took.
func (p *stepPace) observe(streams, prompt int, took time.Duration) {
	t := took.Seconds()
	switch {
	case prompt == 0 && streams > 0:
		p.decode, p.streams = movingAverage(p.decode, t), streams
	case prompt > 0:
		p.row = movingAverage(p.row, max(t-p.decodeCost(streams), 0)/float64(prompt))
	}
}

// decodeCost is the estimated time of streams streams' rows: the last
// decode steps', adjusted by a row's cost for each stream more or fewer,
// or a row's cost each before any step without prompt was measured.
func (p *stepPace) decodeCost(streams int) float64 {
	if p.streams == 0 {
		return float64(streams) * p.row
	}
	return max(p.decode+float64(streams-p.streams)*p.row, 0)
}

// promptRows is how many prompt rows fit with streams streams in target,
// within [minPacedPromptRows, most]; most until a prompt row was measured.
func (p *stepPace) promptRows(streams int, target time.Duration, most int) int {
	if p.row <= 0 {
		return most
	}
	n := int((target.Seconds() - p.decodeCost(streams)) / p.row)
	return min(max(n, minPacedPromptRows), most)
}

func movingAverage(avg, x float64) float64 {
	if avg == 0 {
		return x
	}
	return avg + paceWeight*(x-avg)
}
