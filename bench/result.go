package bench

// Result is one run of the suite. Its JSON form is what --out writes and
// --compare reads, so field names are part of the file format.
type Result struct {
	Date    string  `json:"date"` // RFC 3339, when the run started
	CPU     CPUInfo `json:"cpu"`
	Kernels string  `json:"kernels"` // kernel level in use, e.g. "avx512"
	Quick   bool    `json:"quick,omitempty"`
	Seed    uint64  `json:"seed"`

	BandwidthGBs    float64 `json:"bandwidth_gb_s"`             // STREAM-style read, all workers
	PeakGFLOPS      float64 `json:"peak_gflops"`                // independent f32 FMAs, all workers
	BandwidthMethod string  `json:"bandwidth_method,omitempty"` // which loop measured it
	PeakMethod      string  `json:"peak_method,omitempty"`
	// PeakMedianGFLOPS is the median of every FMA probe of the run (each
	// ~16 ms on all workers), PeakProbes how many there were. Far below
	// PeakGFLOPS, it says that other tenants of the host took the cores for
	// much of the run, and that a long measurement (a prompt pass) cannot
	// have run in quiet conditions throughout.
	PeakMedianGFLOPS float64 `json:"peak_median_gflops,omitempty"`
	PeakProbes       int     `json:"peak_probes,omitempty"`
	// OverLimit: some rate beat its roofline (a share above 100%), so that
	// roofline was measured low, on a busy host or in a --quick run's
	// short probes; the shares are of the run's best probe and overstate.
	OverLimit bool `json:"over_limit,omitempty"`

	KernelRows []KernelRow `json:"kernel_rows,omitempty"`
	Models     []ModelRow  `json:"models"`
	Training   []TrainRow  `json:"training,omitempty"`

	// KernelPeers: our f32 kernels beside other libraries' (RunKernelPeers).
	KernelPeers []PeerRow `json:"kernel_peers,omitempty"`

	// For a run on a single model, its two headline numbers at top level,
	// so that scripts need not dig into Models.
	PPTokensPerS *float64 `json:"pp_tokens_per_s,omitempty"`
	TGTokensPerS *float64 `json:"tg_tokens_per_s,omitempty"`
}

// CPUInfo is the machine a Result was measured on.
type CPUInfo struct {
	Brand      string   `json:"brand"`
	Features   []string `json:"features"`
	Cores      int      `json:"cores"` // logical CPUs the OS reports
	GOMAXPROCS int      `json:"gomaxprocs"`
	Threads    int      `json:"threads"` // workers of the kernel pool
	GoVersion  string   `json:"go_version"`
	OS         string   `json:"os"`
	Arch       string   `json:"arch"`
}

// KernelRow is one kernel timed on one model's matrix shape.
type KernelRow struct {
	Kernel string  `json:"kernel"` // "matvec" or "gemm"
	Shape  string  `json:"shape"`  // the model shape the matrix comes from
	Type   string  `json:"type"`   // weight type as stored
	Rows   int     `json:"rows"`
	Cols   int     `json:"cols"`
	N      int     `json:"n"` // activation columns: 1 for matvec
	GFLOPS float64 `json:"gflops"`
	GBs    float64 `json:"gb_s"` // weight bytes read per second
	// Roofline names the kernel's roofline: the bandwidth for matvec, the
	// FMA peak for gemm. Probed is the bandwidth probed between the
	// matvec's own timing batches (0 for the GEMM, or when the machine was
	// not measured), Pct the kernel's share of it (of the run's best peak
	// for the GEMM), and PctRun its share of the run's best probe
	// (Result.BandwidthGBs or PeakGFLOPS).
	Roofline string  `json:"roofline"` // "bandwidth" or "peak"
	Probed   float64 `json:"probed,omitempty"`
	Pct      float64 `json:"pct"`
	PctRun   float64 `json:"pct_run"`
}

// ModelRow is prompt processing and generation on one model file.
type ModelRow struct {
	Model        string         `json:"model"`        // shape name, or the file's base name
	Type         string         `json:"type"`         // the requested type (most matrices'), e.g. "Q8_0"
	MatrixTypes  map[string]int `json:"matrix_types"` // how many matrices each stored type holds
	File         string         `json:"file,omitempty"`
	Params       int64          `json:"params"`          // values in the matrices (embedding counted once)
	WeightBytes  int64          `json:"weight_bytes"`    // bytes of weights read per generated token
	PPTokens     int            `json:"pp_tokens"`       // prompt length
	TGTokens     int            `json:"tg_tokens"`       // tokens generated
	Depth        int            `json:"depth,omitempty"` // tokens in the cache before pp and tg start
	KVBytes      int64          `json:"kv_bytes"`        // bytes of the KV cache read per generated token, on average
	KV           string         `json:"kv,omitempty"`    // the KV cache's type when not f32
	PPTokensPerS float64        `json:"pp_tokens_per_s"` // best of the repetitions
	TGTokensPerS float64        `json:"tg_tokens_per_s"`
	PPGFLOPS     float64        `json:"pp_gflops"`
	TGGBs        float64        `json:"tg_gb_s"`     // (WeightBytes + KVBytes) × TGTokensPerS
	PPPctPeak    float64        `json:"pp_pct_peak"` // PPGFLOPS / Result.PeakGFLOPS, in percent (0 without a peak)
	// The bandwidth probed between this model's generation passes (see
	// measureModel; 0 when the machine was not measured), TGGBs as a
	// percentage of it, and, more cautious when the machine changed during
	// the run, of the best probe of the whole run (Result.BandwidthGBs).
	TGBandwidthGBs float64 `json:"tg_bandwidth_gb_s,omitempty"`
	TGPctBW        float64 `json:"tg_pct_bw"`
	TGPctBWRun     float64 `json:"tg_pct_bw_run"`
}
