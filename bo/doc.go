// Package bo is a small Gaussian-process Bayesian optimiser for mixed search
// spaces (continuous, integer, categorical and boolean-vector parameters).
//
// It is pure numerical Go. Of the rest of milp-lite it uses only the kernels'
// worker pool (kernels.Default), which fits the GP's hyper-parameters from
// several starts in parallel; nothing of models, training or MiLP.
//   - linalg.go: Cholesky with escalating jitter and triangular solves;
//   - kernel.go, lml.go, gp.go: an ARD Matérn-5/2 or RBF Gaussian process with
//     a constant mean and Gaussian noise, fitted by maximising the log marginal
//     likelihood (with priors) from several starts;
//   - optimize.go: a bounded L-BFGS used for hyper-parameters and acquisition;
//   - acquisition.go: log expected improvement, UCB and q-batches;
//   - space.go, sobol.go: search spaces, their unit-cube encoding, neighbour
//     moves, constraints, and the scrambled Sobol initial design;
//   - study.go, journal.go: the ask/tell Study with its crash-safe JSONL journal;
//   - testfuncs.go, benchmark.go, plot.go: the benchmark against random search.
package bo
