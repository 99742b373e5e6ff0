// Package metrics scores generated replies against references and personas:
// ROUGE-1/2/L (F1, sentence level), corpus BLEU-4 with Chen & Cherry
// method-1 smoothing, Persona-F1, and a 95% confidence interval for a mean.
//
// Every definition, with formulas, is in METRICS.md next to this file. All
// metrics share one tokeniser, Tokenize, which is the default tokeniser of
// Google's rouge-score package (lowercase, every character outside [a-z0-9]
// becomes a space, split on whitespace, no stemming).
package metrics
