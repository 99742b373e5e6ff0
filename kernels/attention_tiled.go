package kernels

import "math"

// Attention of a batch of queries (prompt processing) on the GEMM's
// register tiles. Query by query, attention is a few hundred dot products
// and AXPYs of one head's size (64 values), millions of calls a prompt
// whose cost is mostly call overhead. Here a block of MR queries of one head meets the
// keys NR at a time in the GEMM micro-kernel (scores = Q·Kᵀ), is
// soft-maxed row by row, and multiplies V the same way (out = P·V).
//
// Keys and values are packed once per call, per KV head, into the
// micro-kernel's B layout: Kᵀ panels of NR positions (head size rows of NR
// values) and V panels of NR head dimensions (one row of NR values per
// position), zero past the last position. Every query head of a group
// reads its KV head's panels. Where the level's micro-kernel reads B rows
// in place (gemmMicroB16 for halves, widened as they are loaded,
// gemmMicroQ8 for bytes, and gemmMicroLdb), the cache's values are not
// packed at all: each position's row is already a B row; and an F16
// cache's Kᵀ panels stay in halves. An 8-bit cache's keys are dequantised
// panel by panel into the worker's scratch, then packed as float32.
// Packing costs more than its copy: between layers the weights evict the
// panels, so every call writes them to lines fetched from memory first.
//
// A query block sees the positions up to its last query; rows of it that
// see fewer get zero probability for the rest. Zeros add nothing to the
// sums, which run over positions in order, so a query's result does not
// depend on the other queries of its block or batch. A batch shorter than
// MR (a prompt's small chunk beside generating sequences) fills its blocks
// with the group's heads of its queries rather than pad each head's block
// (unit).

// attnTileMinBatch is the batch from which attention runs on tiles. Like
// gemmMinBatch it is 2: every batched attention then sums in the same
// order, so a token's result does not depend on its batch.
const attnTileMinBatch = 2

const (
	attnPack = iota
	attnCompute
)

type attnTileTask struct {
	a                *AttentionArgs
	phase            int
	mr, nr           int
	micro            func(k int, a, b, c []float32, ldc int, accumulate bool)
	transpose        func(k int, src []float32, ld int, dst []float32, n int)
	keyPanels        int  // NR-position panels of the cache in use
	dimPanels        int  // NR-dimension panels of a head
	group            int  // query heads per KV head
	mixed            bool // a block's rows are the group's heads of a few queries (a batch shorter than MR)
	qBlocks          int  // MR-row blocks of a KV head's (query, head) rows
	halves           bool // F16 cache, and a micro-kernel reading B in halves (gemmMicroB16)
	vInPlace         bool // the micro-kernel reads the cache's values in place (gemmMicroB16, gemmMicroQ8, gemmMicroLdb)
	kt, vt           []float32
	kt16             []uint16    // the Kᵀ panels in halves, with halves
	qa, s, pa, tiles [][]float32 // per worker: packed Q, scores, packed P, an edge tile
	wide             [][]float32 // per worker: a panel's keys widened from an F16 cache, or dequantised
}

// attentionTiled is Pool.Attention for a batch of attnTileMinBatch or more.
func (p *Pool) attentionTiled(a *AttentionArgs) {
	t := &p.attnTile
	ks := impl
	t.a, t.mr, t.nr, t.micro, t.transpose = a, ks.gemmMR, ks.gemmNR, ks.gemmMicro, ks.transpose
	mr, nr, hs := t.mr, t.nr, a.HeadSize
	t.keyPanels = (a.Pos0 + a.Batch + nr - 1) / nr
	t.dimPanels = (hs + nr - 1) / nr
	t.group = a.Heads / a.KVHeads
	t.mixed = a.Batch < mr
	if t.mixed {
		t.qBlocks = (a.Batch*t.group + mr - 1) / mr
	} else {
		t.qBlocks = t.group * ((a.Batch + mr - 1) / mr)
	}
	positions := t.keyPanels * nr
	t.halves = a.K16 != nil && impl.gemmMicroB16 != nil
	t.vInPlace = hs%nr == 0 && (t.halves || a.V8 != nil || a.V16 == nil && impl.gemmMicroLdb != nil)
	if t.halves {
		t.kt16 = grow(t.kt16, a.KVHeads*t.keyPanels*hs*nr)
	} else {
		t.kt = grow(t.kt, a.KVHeads*t.keyPanels*hs*nr)
	}
	if !t.vInPlace {
		t.vt = grow(t.vt, a.KVHeads*t.dimPanels*positions*nr)
	}
	t.qa = p.growScratch(t.qa, hs*mr)
	t.s = p.growScratch(t.s, mr*((positions+7)&^7))
	t.pa = p.growScratch(t.pa, positions*mr)
	t.tiles = p.growScratch(t.tiles, mr*nr)
	if a.K16 != nil && !t.halves || a.K8 != nil {
		t.wide = p.growScratch(t.wide, nr*hs)
	}

	packs := a.KVHeads * t.packsPerHead()
	units := a.KVHeads * t.qBlocks
	if work := a.Batch * a.Heads * (a.Pos0 + a.Batch) * hs; work < attnMinWork {
		t.phase = attnPack
		t.Do(0, packs, 0)
		t.phase = attnCompute
		t.Do(0, units, 0)
	} else {
		t.phase = attnPack
		p.For(packs, max(1, packs/(4*p.size)), t)
		t.phase = attnCompute
		p.For(units, 1, t)
	}
	t.a = nil
}

func (t *attnTileTask) Do(lo, hi, worker int) {
	a := t.a
	for i := lo; i < hi; i++ {
		if t.phase == attnPack {
			g, j := i/t.packsPerHead(), i%t.packsPerHead()
			if j < t.keyPanels {
				t.packKeys(g, j, worker)
			} else {
				t.packValues(g)
			}
			continue
		}
		// The last query blocks see the most keys: hand them out first so
		// that the loop ends on short units.
		qb := t.qBlocks - 1 - i/a.KVHeads
		t.unit(i%a.KVHeads, qb, worker)
	}
}

// packsPerHead is the pack loop's items for one KV head: its key panels,
// then its values unless they are read in place.
func (t *attnTileTask) packsPerHead() int {
	if t.vInPlace {
		return t.keyPanels
	}
	return t.keyPanels + 1
}

// packKeys writes the Kᵀ panel of KV head g, positions [NR·kp, NR·kp+NR):
// head-size rows of NR values, zero past the last position. With halves the
// panel stays in halves; else from an F16 cache the panel's keys are
// widened into the worker's scratch first.
func (t *attnTileTask) packKeys(g, kp, worker int) {
	a, nr, hs := t.a, t.nr, t.a.HeadSize
	p0 := kp * nr
	n := min(nr, a.Pos0+a.Batch-p0)
	head, _ := a.headRows(g, a.Pos0+a.Batch)
	at := (g*t.keyPanels + kp) * hs * nr
	if t.halves {
		packPanel(t.kt16[at:at+hs*nr], a.K16[head+p0*hs:head+(p0+n)*hs], n, nr, hs, impl.transposeHalves)
		return
	}
	src := keyRows(a, head+p0*hs, head+(p0+n)*hs, t.wide, worker) // the panel's keys
	packPanel(t.kt[at:at+hs*nr], src, n, nr, hs, t.transpose)
}

// packPanel writes n rows of hs values (src) as the hs rows of nr values of
// dst, zero past n.
func packPanel[T float32 | uint16](dst, src []T, n, nr, hs int, transpose func(k int, src []T, ld int, dst []T, n int)) {
	if n == nr {
		transpose(hs, src, hs, dst, nr)
		return
	}
	clear(dst)
	for j := 0; j < n; j++ {
		for d, v := range src[j*hs : (j+1)*hs] {
			dst[d*nr+j] = v
		}
	}
}

// packValues writes the V panels of KV head g, NR dimensions each: one row
// of NR values per position, zero past the head size and past the last
// position. From an F16 cache the rows are widened straight into the panel.
func (t *attnTileTask) packValues(g int) {
	a, nr, hs := t.a, t.nr, t.a.HeadSize
	positions := t.keyPanels * nr
	n := a.Pos0 + a.Batch
	lo, hi := a.headRows(g, n)
	for dp := 0; dp < t.dimPanels; dp++ {
		dst := t.vt[(g*t.dimPanels+dp)*positions*nr : (g*t.dimPanels+dp+1)*positions*nr]
		d0 := dp * nr
		cols := min(nr, hs-d0)
		if a.V16 != nil {
			impl.widenF16Rows(a.V16[lo+d0:hi], hs, dst, nr, n, cols)
		} else {
			for p := 0; p < n; p++ {
				copy(dst[p*nr:p*nr+cols], a.V[lo+p*hs+d0:])
			}
		}
		if cols < nr {
			for p := 0; p < n; p++ {
				clear(dst[p*nr+cols : (p+1)*nr])
			}
		}
		clear(dst[n*nr:])
	}
}

// keyRows is a's keys [lo, hi) as float32: an F16 cache's widened, or an
// 8-bit cache's dequantised, into the worker's scratch (which only those
// have); a float32 cache's own.
func keyRows(a *AttentionArgs, lo, hi int, scratch [][]float32, worker int) []float32 {
	switch {
	case a.K16 != nil:
		wide := scratch[worker][:hi-lo]
		impl.widenF16(a.K16[lo:hi], wide)
		return wide
	case a.K8 != nil:
		wide, hs := scratch[worker][:hi-lo], a.HeadSize
		impl.dequantQ8Rows(a.K8[lo:hi], a.KS[lo/hs:hi/hs], hs, wide)
		return wide
	}
	return a.K[lo:hi]
}

// unit computes block qb of KV head g's (query, head) rows. A batch of MR
// queries or more goes head by head, a block MR consecutive queries of one
// head (block qb: head qb % group, queries from MR·(qb / group)). A shorter
// batch would pad each head's block to MR rows, so its rows are the group's
// heads of a few queries instead (row r: query r / group, head r % group),
// and a block sees only the positions up to its last query. Each row's
// scores and sums are the micro-kernel's over its own values, in position
// order, zero weights past its query: its result does not depend on its
// block.
func (t *attnTileTask) unit(g, qb, worker int) {
	a, mr, nr, hs := t.a, t.mr, t.nr, t.a.HeadSize
	qDim, group := a.Heads*hs, t.group
	var rows, b0, h0 int // h0: the block's one head, when it has one
	var query, head func(i int) int
	if t.mixed {
		r0 := qb * mr
		rows = min(mr, a.Batch*group-r0)
		query = func(i int) int { return (r0 + i) / group }
		head = func(i int) int { return g*group + (r0+i)%group }
	} else {
		b0, h0 = (qb/group)*mr, g*group+qb%group
		rows = min(mr, a.Batch-b0)
		query = func(i int) int { return b0 + i }
		head = func(int) int { return h0 }
	}
	whole := !t.mixed && rows == mr // one head's MR queries: rows qDim apart in Q and Out
	panels := (a.Pos0 + query(rows-1) + 1 + nr - 1) / nr
	kTot := panels * nr   // positions this block scores, a whole number of panels
	ld := (kTot + 7) &^ 7 // the scores' row stride: room to pad a row to 8

	// The block's queries, scaled by 1/√d, as an A panel: head-size rows of
	// MR values.
	qa := t.qa[worker][:hs*mr]
	if whole {
		t.transpose(hs, a.Q[b0*qDim+h0*hs:], qDim, qa, mr)
	} else {
		clear(qa)
		for i := 0; i < rows; i++ {
			at := query(i)*qDim + head(i)*hs
			for d, v := range a.Q[at : at+hs] {
				qa[d*mr+i] = v
			}
		}
	}
	impl.scale(float32(1/math.Sqrt(float64(hs))), qa)

	// Scores, MR rows of ld positions.
	s := t.s[worker][:mr*ld]
	for kp := 0; kp < panels; kp++ {
		at, c := (g*t.keyPanels+kp)*hs*nr, s[kp*nr:(mr-1)*ld+kp*nr+nr]
		if t.halves {
			impl.gemmMicroB16(hs, qa, t.kt16[at:at+hs*nr], nr, c, ld)
		} else {
			t.micro(hs, qa, t.kt[at:at+hs*nr], c, ld, false)
		}
	}
	for i := 0; i < mr; i++ {
		row := s[i*ld : (i+1)*ld]
		if i >= rows {
			clear(row) // padding rows past the batch get no weight at all
			continue
		}
		softmaxPadded(row, a.Pos0+query(i)+1)
	}

	// out = P·V: P as an A panel (kTot rows of MR), V panel by panel, or
	// in place up to the last position the block sees (past it P is zero,
	// and the packed panels' zeros add nothing to the sums).
	pa := t.pa[worker][:kTot*mr]
	t.transpose(kTot, s, ld, pa, mr)
	positions := t.keyPanels * nr
	seen := a.Pos0 + query(rows-1) + 1
	vRows, _ := a.headRows(g, seen)
	tile := t.tiles[worker]
	for dp := 0; dp < t.dimPanels; dp++ {
		d0 := dp * nr
		cols := min(nr, hs-d0)
		mul := func(c []float32, ldc int) {
			switch {
			case t.vInPlace && a.V16 != nil:
				impl.gemmMicroB16(seen, pa, a.V16[vRows+d0:vRows+(seen-1)*hs+d0+nr], hs, c, ldc)
				return
			case t.vInPlace && a.V8 != nil:
				impl.gemmMicroQ8(seen, pa, a.V8[vRows+d0:vRows+(seen-1)*hs+d0+nr], hs, c, ldc, a.VS[vRows/hs:vRows/hs+seen])
				return
			case t.vInPlace:
				impl.gemmMicroLdb(seen, pa, a.V[vRows+d0:vRows+(seen-1)*hs+d0+nr], hs, c, ldc)
				return
			}
			vt := t.vt[(g*t.dimPanels+dp)*positions*nr:]
			t.micro(kTot, pa, vt[:kTot*nr], c, ldc, false)
		}
		if whole && cols == nr {
			out := a.Out[b0*qDim+h0*hs+d0:]
			mul(out[:(mr-1)*qDim+nr], qDim)
			continue
		}
		mul(tile, nr)
		for i := 0; i < rows; i++ {
			at := query(i)*qDim + head(i)*hs + d0
			copy(a.Out[at:at+cols], tile[i*nr:i*nr+cols])
		}
	}
}

// softmaxPadded soft-maxes row[:seen] and zeroes the rest of row. The
// exponentials run over seen rounded up to 8, the extra entries set so low
// that their exponential is exactly zero, so the SIMD exp needs no scalar
// tail (a row ends anywhere); the sum is unchanged, and it depends on seen
// alone, so a query's weights do not depend on its block.
func softmaxPadded(row []float32, seen int) {
	m := impl.max(row[:seen])
	pad := min(len(row), (seen+7)&^7)
	for j := seen; j < pad; j++ {
		row[j] = -1e30
	}
	sum := impl.expShift(row[:pad], m)
	clear(row[seen:])
	ScaleNormal(1/sum, row[:seen])
}
