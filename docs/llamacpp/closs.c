#define _POSIX_C_SOURCE 200809L
// The mean next-token loss llama.cpp gives a fixed text, for the accuracy of its quantised products beside
// milp-lite's (TestIntegerBatchAccuracy writes the models and the token ids; see README.md).
// usage: closs <model.gguf> <tokens.txt> [threads=2] [kv=f16|f32]
// tokens.txt holds the text's token ids, separated by white space; they are evaluated in one batch from an empty
// cache, logits kept for every position, and the mean of -log softmax(logits_i)[token_{i+1}] printed in nats.
#include "llama.h"
#include "ggml-backend.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void quiet_log(enum ggml_log_level level, const char * text, void * ud) { (void) ud; if (level >= GGML_LOG_LEVEL_WARN) fputs(text, stderr); }

int main(int argc, char ** argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s model.gguf tokens.txt [threads]\n", argv[0]); return 2; }
    int threads = argc > 3 ? atoi(argv[3]) : 2;
    int kv32 = argc > 4 && strcmp(argv[4], "f32") == 0;  // llama.cpp's default cache is F16
    FILE * f = fopen(argv[2], "r");
    if (!f) { perror(argv[2]); return 1; }
    int cap = 512, n = 0, t;
    llama_token * toks = malloc(sizeof(llama_token) * cap);
    while (fscanf(f, "%d", &t) == 1) {
        if (n == cap) { fprintf(stderr, "more than %d tokens\n", cap); return 1; }
        toks[n++] = t;
    }
    fclose(f);
    if (n < 2) { fprintf(stderr, "need at least two tokens\n"); return 1; }

    llama_log_set(quiet_log, NULL);
    ggml_backend_load_all_from_path(getenv("LLAMA_LIBDIR"));
    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    struct llama_model * model = llama_model_load_from_file(argv[1], mp);
    if (!model) { fprintf(stderr, "model load failed\n"); return 1; }
    int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));

    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = 512; cp.n_batch = 512; cp.n_ubatch = 512; cp.n_threads = threads; cp.n_threads_batch = threads;
    cp.no_perf = true;
    if (kv32) { cp.type_k = GGML_TYPE_F32; cp.type_v = GGML_TYPE_F32; }
    struct llama_context * ctx = llama_init_from_model(model, cp);
    if (!ctx) { fprintf(stderr, "context init failed\n"); return 1; }

    struct llama_batch b = llama_batch_init(n, 0, 1);
    for (int i = 0; i < n; i++) {
        b.token[i] = toks[i]; b.pos[i] = i; b.n_seq_id[i] = 1; b.seq_id[i][0] = 0; b.logits[i] = 1;
    }
    b.n_tokens = n;
    if (llama_decode(ctx, b)) { fprintf(stderr, "decode failed\n"); return 1; }
    double loss = 0;
    for (int i = 0; i + 1 < n; i++) {
        const float * z = llama_get_logits_ith(ctx, i);
        double mx = -INFINITY, s = 0;
        for (int v = 0; v < n_vocab; v++) if (z[v] > mx) mx = z[v];
        for (int v = 0; v < n_vocab; v++) s += exp(z[v] - mx);
        loss += mx + log(s) - z[toks[i + 1]];
    }
    printf("closs: %s, %d tokens, KV cache %s, %s\nloss %.5f\n", argv[1], n, kv32 ? "F32" : "F16", llama_print_system_info(), loss / (n - 1));
    llama_batch_free(b);
    llama_free(ctx); llama_model_free(model); llama_backend_free();
    return 0;
}
