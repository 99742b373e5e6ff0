package bench

import (
	"fmt"
	"strings"
	"time"
)

// Markdown is the serving benchmark's table: each figure beside its limit.
func (r *ServeResult) Markdown() string {
	return withOverLimitNote(r.markdown())
}

func (r *ServeResult) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s), %d users, each with a rank-%d LoRA on every FFN site of every layer; prompts of %d–%d tokens, replies of %d",
		r.Model, r.Type, r.Users, r.Rank, r.PromptMin, r.PromptMax, r.ReplyTokens)
	if r.JoinPrompt > 0 {
		fmt.Fprintf(&b, "; a %d-token prompt joins once all have arrived", r.JoinPrompt)
	}
	if r.StepTimeMs > 0 {
		fmt.Fprintf(&b, "; steps paced to %v while replies stream", time.Duration(r.StepTimeMs*float64(time.Millisecond)))
	}
	b.WriteString(".\n\n| measure | value | limit |\n|---|---:|---|\n")
	row := func(name, value, limit string) { fmt.Fprintf(&b, "| %s | %s | %s |\n", name, value, limit) }
	row("one user alone (two runs, pooled)", fmt.Sprintf("%.1f tokens/s", r.SingleUserTokensPerS),
		fmt.Sprintf("%.1f tokens/s (%.1f GB/s ÷ %s of weights a token): %s", r.SingleUserLimit, r.BandwidthGBs,
			humanBytes(r.WeightBytesPerStep), pctOf(percent(r.SingleUserTokensPerS, r.SingleUserLimit), "")))
	row("all users batched, own adapters", fmt.Sprintf("%.1f tokens/s (%.2f× one user)", r.AggregateTokensPerS, r.AggregateTokensPerS/r.SingleUserTokensPerS),
		fmt.Sprintf("%.0f tokens/s (FMA peak %.0f GFLOP/s ÷ 2 FLOPs a weight): %s", r.BatchLimit, r.PeakGFLOPS, pctOf(percent(r.AggregateTokensPerS, r.BatchLimit), "")))
	row("while only replies run (no prompt in the step)", fmt.Sprintf("%.1f tokens/s (%.2f× one user)", r.DecodeTokensPerS, r.DecodeTokensPerS/r.SingleUserTokensPerS),
		fmt.Sprintf("the aggregate also reads %d prompt tokens beside its %d generated", r.PromptTokens, r.GeneratedTokens))
	row("all users generating at once (arrived together)", fmt.Sprintf("%.1f tokens/s (%.2f× one user)", r.TogetherTokensPerS, r.TogetherTokensPerS/r.SingleUserTokensPerS),
		fmt.Sprintf("the batch at its full size, every step drawing a token for each user (medians of 3); %.1f tokens/s without adapters (adapters cost %.1f%%)",
			r.TogetherNoAdapter, 100*(1-r.TogetherTokensPerS/r.TogetherNoAdapter)))
	row("all users batched, no adapters", fmt.Sprintf("%.1f tokens/s", r.NoAdapterAggregate),
		fmt.Sprintf("adapters cost %.1f%%", 100*(1-r.AggregateTokensPerS/r.NoAdapterAggregate)))
	row("the users one after another", fmt.Sprintf("%.1f tokens/s", r.SequentialTokensPerS), "")
	row("per user while batched (median)", fmt.Sprintf("%.1f tokens/s", r.PerUserTokensPerS), "")
	row("time to first token p50 / p99", fmt.Sprintf("%.0f / %.0f ms", r.TTFTP50ms, r.TTFTP99ms), "")
	row("inter-token latency p50 / p99", fmt.Sprintf("%.1f / %.1f ms", r.ITLP50ms, r.ITLP99ms),
		fmt.Sprintf("one user alone: p99 %.1f ms (%.1f×)", r.SingleUserITLP99ms, r.ITLP99ms/r.SingleUserITLP99ms))
	row("a step", fmt.Sprintf("%.1f rows on average; LoRA %.0f%%, attention %.0f%% of its time", r.MeanRowsPerStep, 100*r.LoRAShare, 100*r.AttentionShare),
		fmt.Sprintf("weights %s a step, each user's adapter %s", humanBytes(r.WeightBytesPerStep), humanBytes(r.AdapterBytesPerUser)))
	return b.String()
}
