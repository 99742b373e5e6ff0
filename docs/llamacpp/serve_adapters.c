#define _POSIX_C_SOURCE 200809L
// Serving N users, each with their own LoRA adapter, on llama.cpp's C API the way llama-server schedules them
// (tools/server/server-context.cpp: a step batches only the slots whose adapters equal the first slot's, so with
// distinct adapters one request runs at a time, its prompt and then its tokens); and, for reference, the same users
// batched with no adapter (every sequence one row of each step's batch), which llama-server does for requests that
// share their adapters. Greedy, no sampling cost beyond an argmax. Against the prebuilt node-llama-cpp libs.
// Each round prints its line as it ends; the first of each kind is a warm-up.
// usage: serve_adapters <model.gguf> <threads> <n_prompt> <n_reply> <adapter.gguf>...   (one adapter per user)
#include "llama.h"
#include "ggml-backend.h"
#include "ggml-cpu.h"
#include <stdio.h>
#include <stdlib.h>

#include <time.h>

static double now_s(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return ts.tv_sec + ts.tv_nsec * 1e-9; }
static void quiet_log(enum ggml_log_level level, const char * text, void * ud) { (void) ud; if (level >= GGML_LOG_LEVEL_WARN) fputs(text, stderr); }
static unsigned rs = 12345;
static int rnd_tok(int n_vocab) { rs = rs * 1103515245u + 12345u; return 3 + (int) (rs % (unsigned) (n_vocab - 3)); }

static int argmax(const float * logits, int n) {
    int best = 0;
    for (int i = 1; i < n; i++) if (logits[i] > logits[best]) best = i;
    return best;
}

// decode_or_die runs a batch and stops the program on failure.
static void decode_or_die(struct llama_context * ctx, struct llama_batch b) {
    if (llama_decode(ctx, b) != 0) { fprintf(stderr, "llama_decode failed\n"); exit(1); }
}

int main(int argc, char ** argv) {
    if (argc < 6) { fprintf(stderr, "usage: %s model.gguf threads n_prompt n_reply adapter.gguf...\n", argv[0]); return 2; }
    const char * path = argv[1];
    int threads = atoi(argv[2]), n_prompt = atoi(argv[3]), n_reply = atoi(argv[4]), n_users = argc - 5;
    setvbuf(stdout, NULL, _IONBF, 0);  // each round's line as it ends, into files too
    llama_log_set(quiet_log, NULL);
    ggml_backend_load_all_from_path(getenv("LLAMA_LIBDIR"));
    llama_backend_init();
    ggml_backend_reg_t cpu_reg = ggml_backend_reg_by_name("CPU");
    ggml_threadpool_t (*tp_new)(struct ggml_threadpool_params *) = ggml_backend_reg_get_proc_address(cpu_reg, "ggml_threadpool_new");

    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    struct llama_model * model = llama_model_load_from_file(path, mp);
    if (!model) { fprintf(stderr, "model load failed\n"); return 1; }
    int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    struct llama_adapter_lora ** adapters = calloc(n_users, sizeof *adapters);
    for (int u = 0; u < n_users; u++) {
        adapters[u] = llama_adapter_lora_init(model, argv[5 + u]);
        if (!adapters[u]) { fprintf(stderr, "adapter %s failed to load\n", argv[5 + u]); return 1; }
    }

    struct llama_context_params cp = llama_context_default_params();
    int per_seq = (n_prompt + n_reply + 255) / 256 * 256;
    cp.n_ctx = per_seq * n_users; cp.n_seq_max = n_users; cp.kv_unified = true;
    cp.n_batch = 512; cp.n_ubatch = 512; cp.n_threads = threads; cp.n_threads_batch = threads;
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED; cp.type_k = GGML_TYPE_F16; cp.type_v = GGML_TYPE_F16;
    cp.no_perf = true;
    struct llama_context * ctx = llama_init_from_model(model, cp);
    if (!ctx) { fprintf(stderr, "context init failed\n"); return 1; }
    struct ggml_threadpool_params tpp = ggml_threadpool_params_default(threads);
    llama_attach_threadpool(ctx, tp_new(&tpp), NULL);
    llama_memory_t mem = llama_get_memory(ctx);
    printf("serve_adapters: %d users, prompts %d, replies %d, threads %d, n_ctx %u\nsystem_info: %s\n", n_users, n_prompt, n_reply,
        threads, llama_n_ctx(ctx), llama_print_system_info());

    int ** prompts = calloc(n_users, sizeof *prompts);
    for (int u = 0; u < n_users; u++) {
        prompts[u] = calloc(n_prompt, sizeof(int));
        for (int i = 0; i < n_prompt; i++) prompts[u][i] = rnd_tok(n_vocab);
    }
    struct llama_batch b = llama_batch_init(n_prompt > n_users ? n_prompt : n_users, 0, 1);

    // One request after another, each with its adapter: llama-server with distinct adapters.
    for (int round = 0; round < 2; round++) {  // the first round warms up
        llama_memory_clear(mem, true);
        double start = now_s(), ttft_sum = 0;
        for (int u = 0; u < n_users; u++) {
            double t0 = now_s();
            llama_set_adapters_lora(ctx, &adapters[u], 1, (float[]){1.0f});
            b.n_tokens = 0;
            for (int i = 0; i < n_prompt; i++) {
                b.token[i] = prompts[u][i]; b.pos[i] = i; b.n_seq_id[i] = 1; b.seq_id[i][0] = u; b.logits[i] = i == n_prompt - 1;
            }
            b.n_tokens = n_prompt;
            decode_or_die(ctx, b);
            int tok = argmax(llama_get_logits_ith(ctx, -1), n_vocab);
            ttft_sum += now_s() - t0;
            for (int k = 1; k < n_reply; k++) {
                b.token[0] = tok; b.pos[0] = n_prompt + k - 1; b.n_seq_id[0] = 1; b.seq_id[0][0] = u; b.logits[0] = 1; b.n_tokens = 1;
                decode_or_die(ctx, b);
                tok = argmax(llama_get_logits_ith(ctx, -1), n_vocab);
            }
        }
        double wall = now_s() - start;
        printf("%s", round == 0 ? "warm-up: " : "");
        printf("distinct adapters, one request at a time: %.1f tokens/s aggregate (%d x %d tokens in %.2f s), mean time to first token %.0f ms\n",
                n_users * n_reply / wall, n_users, n_reply, wall, 1e3 * ttft_sum / n_users);
    }

    // The same users batched, no adapter: every prompt, then one row per user per step.
    llama_set_adapters_lora(ctx, NULL, 0, NULL);
    for (int round = 0; round < 2; round++) {
        llama_memory_clear(mem, true);
        double start = now_s();
        int * last = calloc(n_users, sizeof(int));
        for (int u = 0; u < n_users; u++) {
            for (int i = 0; i < n_prompt; i++) {
                b.token[i] = prompts[u][i]; b.pos[i] = i; b.n_seq_id[i] = 1; b.seq_id[i][0] = u; b.logits[i] = i == n_prompt - 1;
            }
            b.n_tokens = n_prompt;
            decode_or_die(ctx, b);
            last[u] = argmax(llama_get_logits_ith(ctx, -1), n_vocab);
        }
        for (int k = 1; k < n_reply; k++) {
            for (int u = 0; u < n_users; u++) {
                b.token[u] = last[u]; b.pos[u] = n_prompt + k - 1; b.n_seq_id[u] = 1; b.seq_id[u][0] = u; b.logits[u] = 1;
            }
            b.n_tokens = n_users;
            decode_or_die(ctx, b);
            for (int u = 0; u < n_users; u++) last[u] = argmax(llama_get_logits_ith(ctx, u), n_vocab);
        }
        double wall = now_s() - start;
        printf("%s", round == 0 ? "warm-up: " : "");
        printf("no adapter, batched: %.1f tokens/s aggregate (%d x %d tokens in %.2f s)\n", n_users * n_reply / wall, n_users, n_reply, wall);
        free(last);
    }
    return 0;
}
