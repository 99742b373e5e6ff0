package bench

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/milp-lite/milp-lite/kernels"
	"github.com/milp-lite/milp-lite/quant"
)

// Progress is told what Run is doing: step describes the step under way and
// done of total steps are finished. It is called when a step starts, and
// again with the same done and a new description while a long step (writing
// a large model) advances; last with done == total. Calls never overlap.
type Progress func(step string, done, total int)

// Run measures what opts ask for and returns the results. progress may be nil.
func Run(opts Options, progress Progress) (*Result, error) {
	if err := useKernels(opts); err != nil {
		return nil, err
	}
	if opts.PPTokens <= 0 || opts.TGTokens <= 0 {
		return nil, fmt.Errorf("bench: prompt and generation lengths must be positive, got %d and %d", opts.PPTokens, opts.TGTokens)
	}
	if opts.Depth < 0 {
		return nil, fmt.Errorf("bench: depth must be at least 0, got %d", opts.Depth)
	}
	if need := opts.Depth + max(opts.PPTokens, opts.TGTokens); opts.Depth > 0 && len(opts.ModelFiles) == 0 {
		for _, s := range opts.Shapes {
			if s.Context < need {
				return nil, fmt.Errorf("bench: %s holds %d positions, and a depth of %d with pp%d needs %d (leave it out with --shapes)",
					s.Name, s.Context, opts.Depth, opts.PPTokens, need)
			}
		}
	}
	for _, path := range opts.ModelFiles { // fail before minutes of measuring, not after
		if _, err := os.Stat(path); err != nil {
			return nil, err
		}
	}
	if opts.CacheDir == "" && len(opts.ModelFiles) == 0 {
		dir, err := DefaultCacheDir()
		if err != nil {
			return nil, err
		}
		opts.CacheDir = dir
	}
	res := newResult(opts)
	// Steps: machine, one kernel step per shape×type, one per model, machine.
	models := len(opts.ModelFiles)
	if models == 0 {
		models = len(opts.Shapes) * len(opts.Types)
	}
	total := models
	if !opts.SkipMachine {
		total += 2
	}
	if !opts.SkipKernels && len(opts.ModelFiles) == 0 {
		total += len(opts.Shapes) * len(opts.Types)
	}
	p := &progressState{fn: progress, total: total}

	// The machine is measured before and after the rest, briefly after
	// every model, and between a model's own passes (measureModel), and the
	// best of all kept for the machine table and the run-wide percentages:
	// on a shared machine a burst of other work during one measurement
	// would otherwise make every roofline percentage too high, and on a VM
	// whose vCPUs move between dies the bandwidth itself changes during a
	// run (probed only at the start and the end, generation could read more
	// than its "roofline"). Generation and the matvec are
	// held to the bandwidth probed between their own passes
	// (measureModel), the run-wide best beside it.
	var pr *prober
	if !opts.SkipMachine {
		pr = newProber()
	}
	probeMachine := func(seconds float64) {
		bw, bwMethod := pr.bandwidth(seconds)
		peak, peakMethod := pr.peakFLOPS(seconds)
		if bw > res.BandwidthGBs {
			res.BandwidthGBs, res.BandwidthMethod = bw, bwMethod
		}
		if peak > res.PeakGFLOPS {
			res.PeakGFLOPS, res.PeakMethod = peak, peakMethod
		}
	}
	// keepBandwidth makes a bandwidth probe run between a measurement's
	// passes count towards the run's best too (only generation and the
	// matvec are probed that way; see measureModel).
	keepBandwidth := func(v float64) { res.BandwidthGBs = max(res.BandwidthGBs, v) }
	measureMachine := func(step string) {
		p.step(step)
		probeMachine(opts.MachineTime)
	}
	probeAfterModel := func() {
		if !opts.SkipMachine {
			p.update("memory bandwidth and FMA peak")
			probeMachine(opts.MachineTime / 4)
		}
	}
	if !opts.SkipMachine {
		measureMachine("memory bandwidth and FMA peak")
	}
	if !opts.SkipKernels && len(opts.ModelFiles) == 0 {
		for _, s := range opts.Shapes {
			for _, t := range opts.Types {
				p.step(fmt.Sprintf("kernels on %s %s", s.Name, t))
				rows, err := kernelRows(s, t, opts.KernelTime, opts.MachineTime, pr)
				if err != nil {
					return nil, err
				}
				for _, k := range rows {
					if k.Roofline == "bandwidth" {
						keepBandwidth(k.Probed)
					}
				}
				res.KernelRows = append(res.KernelRows, rows...)
			}
		}
	}

	measure := func(path, label string) (ModelRow, error) {
		row, err := measureModel(path, opts.PPTokens, opts.TGTokens, opts.Depth, opts.KV, opts.Reps, opts.ModelTime, pr, func(phase string) {
			p.update(fmt.Sprintf("%s %s", phase, label))
		})
		keepBandwidth(row.TGBandwidthGBs)
		return row, err
	}
	if len(opts.ModelFiles) > 0 {
		for _, path := range opts.ModelFiles {
			p.step("measuring " + filepath.Base(path))
			row, err := measure(path, filepath.Base(path))
			if err != nil {
				return nil, err
			}
			res.Models = append(res.Models, row)
			probeAfterModel()
		}
		if len(res.Models) == 1 {
			res.PPTokensPerS = &res.Models[0].PPTokensPerS
			res.TGTokensPerS = &res.Models[0].TGTokensPerS
		}
	} else {
		cache := &ModelCache{Dir: opts.CacheDir, Seed: opts.Seed}
		for _, s := range opts.Shapes {
			for _, t := range opts.Types {
				label := fmt.Sprintf("%s %s", s.Name, t)
				p.step(label)
				path, err := p.during(func(status func(string)) (string, error) {
					path, _, err := cache.Ensure(s, t, status)
					return path, err
				}, cache.Path(s, t), estimateFileBytes(s, t))
				if err != nil {
					return nil, err
				}
				row, err := measure(path, label)
				if err != nil {
					return nil, err
				}
				row.Model, row.Type = s.Name, t.String()
				res.Models = append(res.Models, row)
				probeAfterModel()
				if !opts.SkipTraining && (t == quant.F32 || t == quant.Q8_0) {
					p.update("LoRA training on " + label)
					tr, err := MeasureTraining(path, opts.TrainRank, opts.TrainSeq, opts.TrainSteps)
					if err != nil {
						return nil, err
					}
					tr.Model = s.Name
					res.Training = append(res.Training, tr)
				}
			}
		}
	}
	if !opts.SkipMachine {
		measureMachine("memory bandwidth and FMA peak, again")
	}
	res.fillShares()
	if pr != nil {
		res.PeakMedianGFLOPS, res.PeakProbes = pr.peakMedian()
	}
	p.finish()
	if err := checkFinite(res); err != nil {
		return nil, err
	}
	return res, nil
}

// newResult is a result without measurements: when, where and with which
// kernels it is being measured.
func newResult(opts Options) *Result {
	return &Result{
		Date:    time.Now().UTC().Format(time.RFC3339),
		CPU:     cpuInfo(),
		Kernels: kernels.CurrentLevel().String(),
		Quick:   opts.Quick,
		Seed:    opts.Seed,
	}
}

// useKernels sizes the kernel pool and sets the kernel level as opts ask.
func useKernels(opts Options) error {
	if opts.Threads > 0 && opts.Threads != kernels.Default().Size() {
		kernels.SetDefaultSize(opts.Threads)
	}
	if opts.Kernels == "" {
		return nil
	}
	l, err := kernels.ParseLevel(opts.Kernels)
	if err == nil {
		err = kernels.SetLevel(l)
	}
	return err
}

// checkFinite refuses a result with a NaN or infinite number (a timer that
// read zero, say), which JSON could not even encode.
func checkFinite(r *Result) error {
	bad := func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }
	if bad(r.BandwidthGBs) || bad(r.PeakGFLOPS) {
		return fmt.Errorf("bench: machine measurement is not a finite number")
	}
	for _, k := range r.KernelRows {
		if bad(k.GFLOPS) || bad(k.GBs) || bad(k.Pct) {
			return fmt.Errorf("bench: %s %s %s measured a non-finite rate", k.Kernel, k.Shape, k.Type)
		}
	}
	for _, m := range r.Models {
		for _, x := range []float64{m.PPTokensPerS, m.TGTokensPerS, m.PPGFLOPS, m.PPPctPeak, m.TGGBs, m.TGPctBW} {
			if bad(x) {
				return fmt.Errorf("bench: %s %s measured a non-finite rate", m.Model, m.Type)
			}
		}
	}
	return nil
}

// progressState serialises calls to a Progress and counts the steps.
type progressState struct {
	mu    sync.Mutex
	fn    Progress
	total int
	done  int // steps finished
	cur   string
	begun bool
}

// step starts the next step (finishing the current one).
func (p *progressState) step(desc string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.begun {
		p.done++
	}
	p.begun, p.cur = true, desc
	p.call()
}

// update re-describes the step under way.
func (p *progressState) update(desc string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cur = desc
	p.call()
}

func (p *progressState) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.cur = p.total, "done"
	p.call()
}

func (p *progressState) call() {
	if p.fn != nil {
		p.fn(p.cur, p.done, p.total)
	}
}

// during runs work (which may report a status), and meanwhile, twice a
// second, re-describes the step with the status, the time spent and, while a
// file is being written to path's temporary name, how much of the expected
// size is written: synthesising and writing a large model takes minutes, and
// neither nn.Synthesize nor gguf's WriteFile reports progress itself.
func (p *progressState) during(work func(status func(string)) (string, error), path string, expect int64) (string, error) {
	var mu sync.Mutex
	status := ""
	setStatus := func(s string) {
		mu.Lock()
		status = s
		mu.Unlock()
		p.update(s)
	}
	stop := make(chan struct{})
	ticker := time.NewTicker(500 * time.Millisecond)
	start := time.Now()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer ticker.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ticker.C:
				mu.Lock()
				s := status
				mu.Unlock()
				if s == "" {
					continue // nothing to do: the file is cached
				}
				desc := fmt.Sprintf("%s, %.0f s", s, time.Since(start).Seconds())
				if n := tempFileBytes(path); n > 0 {
					desc += fmt.Sprintf(", %s of ~%s written", humanBytes(n), humanBytes(expect))
				}
				p.update(desc)
			}
		}
	}()
	out, err := work(setStatus)
	close(stop)
	wg.Wait()
	return out, err
}

// fillShares sets each rate's share of its roofline: of the probe run
// between its own passes where there is one, and of the run's best probe.
// A rate above a paired probe shows that probe read low, so the run's best
// replaces it; a share still above 100% sets OverLimit (see overLimitNote).
func (res *Result) fillShares() {
	for i := range res.KernelRows {
		k := &res.KernelRows[i]
		rate, run := k.GFLOPS, res.PeakGFLOPS
		if k.Roofline == "bandwidth" {
			rate, run = k.GBs, res.BandwidthGBs
		}
		k.Pct, k.PctRun = percent(rate, k.Probed), percent(rate, run)
		if k.Pct > 100 && k.PctRun < k.Pct {
			// The rate beat the probe paired with it, so that probe read
			// low: it is dropped for the run's best.
			k.Probed = 0
		}
		if k.Probed == 0 {
			k.Pct = k.PctRun
		}
	}
	for i := range res.Training {
		res.Training[i].PctPeak = percent(res.Training[i].GFLOPS, res.PeakGFLOPS)
	}
	for i := range res.Models {
		m := &res.Models[i]
		m.PPPctPeak = percent(m.PPGFLOPS, res.PeakGFLOPS)
		m.TGPctBW, m.TGPctBWRun = percent(m.TGGBs, m.TGBandwidthGBs), percent(m.TGGBs, res.BandwidthGBs)
		if m.TGPctBW > 100 && m.TGPctBWRun < m.TGPctBW { // the paired probe read low (see the kernels')
			m.TGPctBW, m.TGBandwidthGBs = m.TGPctBWRun, 0
		}
	}
	res.OverLimit = false
	for _, k := range res.KernelRows {
		res.OverLimit = res.OverLimit || k.Pct > 100 || k.PctRun > 100
	}
	for _, m := range res.Models {
		res.OverLimit = res.OverLimit || m.PPPctPeak > 100 || m.TGPctBW > 100 || m.TGPctBWRun > 100
	}
	for _, t := range res.Training {
		res.OverLimit = res.OverLimit || t.PctPeak > 100
	}
}
