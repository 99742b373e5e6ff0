#define _POSIX_C_SOURCE 200809L
// Minimal llama-bench-style pp/tg harness against the prebuilt node-llama-cpp libs (llama.cpp v0.5.0).
// Persistent ggml threadpool attached like llama-bench (poll default 50). No sampling in tg (like llama-bench).
// usage: cbench <model.gguf> [threads=2] [reps=5] [poll=50] [fa=0] [n_pp=128] [n_tg=64] [depth=0]
// With depth > 0 the cache is filled with that many tokens once, and every repetition starts from it (the tokens
// after it removed), as llama-bench's -d and milp-lite bench --depth.
#include "llama.h"
#include "ggml-backend.h"
#include "ggml-cpu.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return ts.tv_sec + ts.tv_nsec * 1e-9; }
static void quiet_log(enum ggml_log_level level, const char * text, void * ud) { (void) ud; if (level >= GGML_LOG_LEVEL_WARN) fputs(text, stderr); }
static unsigned rs = 12345;
static int rnd_tok(int n_vocab) { rs = rs * 1103515245u + 12345u; return 3 + (int) (rs % (unsigned) (n_vocab - 3)); }
static int cmp_d(const void * a, const void * b) { double x = *(const double *) a, y = *(const double *) b; return (x > y) - (x < y); }

int main(int argc, char ** argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s model.gguf [threads] [reps] [poll] [fa] [n_pp] [n_tg] [depth]\n", argv[0]); return 2; }
    const char * path = argv[1];
    int threads = argc > 2 ? atoi(argv[2]) : 2, reps = argc > 3 ? atoi(argv[3]) : 5, poll = argc > 4 ? atoi(argv[4]) : 50;
    int fa = argc > 5 ? atoi(argv[5]) : 0, n_pp = argc > 6 ? atoi(argv[6]) : 128, n_tg = argc > 7 ? atoi(argv[7]) : 64;
    int depth = argc > 8 ? atoi(argv[8]) : 0;
    const char * libdir = getenv("LLAMA_LIBDIR");

    llama_log_set(quiet_log, NULL);
    ggml_backend_load_all_from_path(libdir);
    llama_backend_init();
    ggml_backend_reg_t cpu_reg = ggml_backend_reg_by_name("CPU");
    ggml_threadpool_t (*tp_new)(struct ggml_threadpool_params *) = ggml_backend_reg_get_proc_address(cpu_reg, "ggml_threadpool_new");
    void (*tp_free)(ggml_threadpool_t) = ggml_backend_reg_get_proc_address(cpu_reg, "ggml_threadpool_free");

    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;  // load mode left at default
    struct llama_model * model = llama_model_load_from_file(path, mp);
    if (!model) { fprintf(stderr, "model load failed\n"); return 1; }
    int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));

    struct llama_context_params cp = llama_context_default_params();
    int need = depth + (n_pp > n_tg ? n_pp : n_tg);
    cp.n_ctx = need > 512 ? (need + 255) / 256 * 256 : 512;
    cp.n_batch = 512; cp.n_ubatch = 512; cp.n_threads = threads; cp.n_threads_batch = threads;
    cp.flash_attn_type = fa < 0 ? LLAMA_FLASH_ATTN_TYPE_AUTO : (fa ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED);
    cp.no_perf = true;
    struct llama_context * ctx = llama_init_from_model(model, cp);
    if (!ctx) { fprintf(stderr, "context init failed\n"); return 1; }

    struct ggml_threadpool_params tpp = ggml_threadpool_params_default(threads);
    tpp.poll = poll;
    ggml_threadpool_t tp = tp_new(&tpp);
    llama_attach_threadpool(ctx, tp, NULL);

    char sysinfo[512]; snprintf(sysinfo, sizeof sysinfo, "%s", llama_print_system_info());
    printf("cbench: model=%s n_vocab=%d threads=%d poll=%d fa=%d n_ctx=%u depth=%d\nsystem_info: %s\n", path, n_vocab, threads, poll, fa, llama_n_ctx(ctx), depth, sysinfo);

    // The history the tests start after: filled once, untimed.
    llama_memory_t mem = llama_get_memory(ctx);
    llama_memory_clear(mem, false);
    llama_token * hist = malloc(sizeof(llama_token) * (depth > 0 ? depth : 1));
    for (int i = 0; i < depth; i++) hist[i] = rnd_tok(n_vocab);
    for (int p = 0; p < depth; p += 512) {
        int n = depth - p < 512 ? depth - p : 512;
        if (llama_decode(ctx, llama_batch_get_one(hist + p, n))) { fprintf(stderr, "history decode failed\n"); return 1; }
    }
    llama_synchronize(ctx);

    llama_token * pp = malloc(sizeof(llama_token) * n_pp);
    llama_token * tg = malloc(sizeof(llama_token) * n_tg);
    for (int i = 0; i < n_pp; i++) pp[i] = rnd_tok(n_vocab);
    for (int i = 0; i < n_tg; i++) tg[i] = rnd_tok(n_vocab);

    double * r_pp = malloc(sizeof(double) * reps), * r_tg = malloc(sizeof(double) * reps);
    for (int rep = -1; rep < reps; rep++) {  // rep -1 = warm-up
        llama_memory_seq_rm(mem, 0, depth, -1);  // back to the history (to empty at depth 0)
        double t0 = now_s();
        if (llama_decode(ctx, llama_batch_get_one(pp, n_pp))) { fprintf(stderr, "pp decode failed\n"); return 1; }
        llama_synchronize(ctx);
        double dt = now_s() - t0;
        if (rep >= 0) r_pp[rep] = n_pp / dt;
    }
    for (int rep = -1; rep < reps; rep++) {
        llama_memory_seq_rm(mem, 0, depth, -1);
        double t0 = now_s();
        for (int i = 0; i < n_tg; i++) {
            if (llama_decode(ctx, llama_batch_get_one(&tg[i], 1))) { fprintf(stderr, "tg decode failed\n"); return 1; }
            llama_synchronize(ctx);
        }
        double dt = now_s() - t0;
        if (rep >= 0) r_tg[rep] = n_tg / dt;
    }
    const char * names[2] = {"pp", "tg"}; int ns[2] = {n_pp, n_tg}; double * rr[2] = {r_pp, r_tg};
    for (int k = 0; k < 2; k++) {
        printf("%s%d: all [", names[k], ns[k]);
        for (int i = 0; i < reps; i++) printf("%s%.2f", i ? ", " : "", rr[k][i]);
        qsort(rr[k], reps, sizeof(double), cmp_d);
        double med = (rr[k][(reps - 1) / 2] + rr[k][reps / 2]) / 2;
        printf("]  best %.2f t/s  median %.2f t/s\n", rr[k][reps - 1], med);
    }
    llama_detach_threadpool(ctx); tp_free(tp);
    llama_free(ctx); llama_model_free(model); llama_backend_free();
    return 0;
}
