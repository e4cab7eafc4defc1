/* hookgate-client: the thin client of the decision server for command hooks (ADR 0025).
 *
 *     hookgate-client hook --platform P      (what `hookgate install` wires)
 *     hookgate-client serve start [ARGS…]    (wired on SessionStart/UserPromptSubmit)
 *     hookgate-client <anything else>        (the Python launcher `hookgate` beside it)
 *
 * Built into the wheel (a static binary: nothing to compile on the user's machine), installed
 * next to the Python launcher `hookgate` in the same bin/ directory. For a hook call it asks the
 * user's decision server, if one of this user's is up, and prints its answer; in every other
 * case it runs the one-shot path (execs `hookgate` with the same arguments), so a server that
 * is down, slow, not ours or lying never means "allow":
 *
 *  - the server is asked only when the runtime dir is 0700 and it and the socket are owned by
 *    this user (the squatting checks of bin/hookgate);
 *  - its answer is believed only with a valid proof: HMAC-SHA256, keyed with the per-user
 *    secret (0600, in the runtime dir; agents may not read it), over a fresh random nonce and
 *    the whole answer. A same-user fake server that cannot read the secret cannot forge it;
 *  - stdin is read within DECIDE_S (4 s) as the one-shot path does; the server's answer is
 *    awaited at most ANSWER_S; after stdin was read, the one-shot path gets the same bytes
 *    (a memfd on fd 0), so a failure mid-call is decided there, never allowed;
 *  - anything unexpected with no way to run the one-shot path: exit 2 with a line on stderr,
 *    which denies on every platform.
 *
 * `serve start` runs before every prompt (UserPromptSubmit): when this user's server is up —
 * its socket answers `GET /v1/health` with 200 within HEALTH_MS — it says so and exits 0
 * without starting Python; in every other case it execs the launcher with the same arguments,
 * which starts the server. It never exits 2 (that would block the user's prompt): a launcher
 * it cannot run is a line on stderr and exit 1, a non-blocking error.
 *
 * Must compute the socket path exactly as hookgate.server.runtime.paths() does (tested).
 * Only libc and raw syscalls: builds with `cc -O2 -static`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_STDIN (32u * 1024u * 1024u)
#define DECIDE_MS 4000
#define ANSWER_MS 5500 /* the server answers within its DEADLINE_S (5 s) of having the request */
#define MAX_HEAD 65536
#define HEALTH_MS 200 /* as `hookgate serve start`'s own health check (cli/serve.py) */

extern char **environ;

static char launcher[PATH_MAX];
static char **g_argv;
static int g_argc;

/* ---- the one-shot path --------------------------------------------------------------------- */

static void deny(const char *why) {
    dprintf(2, "hookgate: denied: %s; denied to be safe (ADR 0025)\n", why);
    _exit(2);
}

/* exec the Python launcher with our argv; stdin as it is. Never returns. A hook call runs it
 * as `<its interpreter> -ES hookgate hook --platform P` (no site.py, no PYTHON* variables: the
 * launcher sets up the venv's paths itself; pip drops flags from a shebang, so they are
 * given here). */
static void one_shot(void) {
    setenv("HOOKGATE_SERVE", "off", 1); /* it decides here, it does not ask the server again */
    g_argv[0] = launcher;
    if (g_argc == 4 && !strcmp(g_argv[1], "hook")) {
        char line[PATH_MAX + 8];
        int fd = open(launcher, O_RDONLY | O_CLOEXEC);
        ssize_t r = fd >= 0 ? read(fd, line, sizeof line - 1) : -1;
        if (fd >= 0) close(fd);
        if (r > 3 && line[0] == '#' && line[1] == '!' && line[2] == '/') {
            line[r] = 0;
            char *end = line + 2;
            while (*end && *end != '\n' && *end != ' ' && *end != '\t') end++;
            if (*end == '\n') { /* the interpreter alone on the line (as pip writes it) */
                *end = 0;
                char *av[] = {line + 2, "-ES", launcher, g_argv[1], g_argv[2], g_argv[3], NULL};
                execv(line + 2, av);
            }
        }
    }
    execv(launcher, g_argv);
    deny("cannot run the hookgate launcher beside hookgate-client");
}

/* the one-shot path with the stdin bytes we already consumed */
static void one_shot_with(const unsigned char *data, size_t n, int late) {
    int fd = (int)syscall(SYS_memfd_create, "hookgate-stdin", 0);
    if (fd < 0) {
        char tmpl[] = "/tmp/hookgate-stdin-XXXXXX";
        fd = mkstemp(tmpl);
        if (fd >= 0) unlink(tmpl);
    }
    if (fd < 0) deny("cannot hand stdin to the one-shot path");
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, data + off, n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) deny("cannot hand stdin to the one-shot path");
        off += (size_t)w;
    }
    if (lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, 0) != 0) deny("cannot hand stdin to the one-shot path");
    if (fd != 0) close(fd);
    if (late) setenv("HOOKGATE_STDIN_LATE", "1", 1); /* the launcher denies: stdin not closed in time */
    one_shot();
}

/* ---- SHA-256 / HMAC (FIPS 180-4, RFC 2104) --------------------------------------------------- */

typedef struct { uint32_t h[8]; uint64_t len; unsigned char buf[64]; size_t n; } sha256;

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(sha256 *s, const unsigned char *p) {
    uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3]; e = s->h[4]; f = s->h[5]; g = s->h[6]; h = s->h[7];
    for (int i = 0; i < 64; i++) {
        t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d; s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

static void sha_init(sha256 *s) {
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof iv);
    s->len = 0;
    s->n = 0;
}

static void sha_update(sha256 *s, const void *data, size_t n) {
    const unsigned char *p = data;
    s->len += n;
    while (n) {
        size_t k = 64 - s->n < n ? 64 - s->n : n;
        memcpy(s->buf + s->n, p, k);
        s->n += k; p += k; n -= k;
        if (s->n == 64) { sha_block(s, s->buf); s->n = 0; }
    }
}

static void sha_final(sha256 *s, unsigned char out[32]) {
    uint64_t bits = s->len * 8;
    unsigned char pad = 0x80, z = 0, l[8];
    sha_update(s, &pad, 1);
    while (s->n != 56) sha_update(s, &z, 1);
    for (int i = 0; i < 8; i++) l[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha_update(s, l, 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (unsigned char)(s->h[i] >> 24); out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(s->h[i] >> 8); out[4 * i + 3] = (unsigned char)s->h[i];
    }
}

typedef struct { sha256 in, out; } hmac;

static void hmac_init(hmac *m, const unsigned char *key, size_t klen) {
    unsigned char k[64] = {0}, ip[64], op[64];
    if (klen > 64) { sha256 t; sha_init(&t); sha_update(&t, key, klen); sha_final(&t, k); }
    else memcpy(k, key, klen);
    for (int i = 0; i < 64; i++) { ip[i] = k[i] ^ 0x36; op[i] = k[i] ^ 0x5c; }
    sha_init(&m->in); sha_update(&m->in, ip, 64);
    sha_init(&m->out); sha_update(&m->out, op, 64);
}

static void hmac_final(hmac *m, unsigned char out[32]) {
    unsigned char d[32];
    sha_final(&m->in, d);
    sha_update(&m->out, d, 32);
    sha_final(&m->out, out);
}

/* ---- small helpers ------------------------------------------------------------------------- */

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* crc32 (zlib's polynomial), as runtime.key() */
static uint32_t crc32(const unsigned char *p, size_t n) {
    uint32_t c = 0xffffffffu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
    }
    return c ^ 0xffffffffu;
}

/* *sock*: fd is the server's socket, written with MSG_NOSIGNAL — a server gone mid-request is
 * EPIPE (then the one-shot path decides), never a SIGPIPE that kills the client: a hook dying
 * by a signal is a crash, and every platform fails open on a crash */
static int write_all(int fd, const void *buf, size_t n, long deadline, int sock) {
    const unsigned char *p = buf;
    while (n) {
        ssize_t w = sock ? send(fd, p, n, MSG_NOSIGNAL) : write(fd, p, n);
        if (w > 0) { p += w; n -= (size_t)w; continue; }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) {
            struct pollfd pf = {fd, POLLOUT, 0};
            long left = deadline - now_ms();
            if (left <= 0 || poll(&pf, 1, (int)left) <= 0) return -1;
            continue;
        }
        return -1;
    }
    return 0;
}

static const char HEX[] = "0123456789abcdef";

static void hexify(const unsigned char *in, size_t n, char *out) {
    for (size_t i = 0; i < n; i++) { out[2 * i] = HEX[in[i] >> 4]; out[2 * i + 1] = HEX[in[i] & 15]; }
    out[2 * n] = 0;
}

/* value of header *name* (lower case, with ':') in the head, or NULL */
static const char *header(const char *head, const char *name) {
    size_t n = strlen(name);
    for (const char *p = strstr(head, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
        const char *l = p + 2;
        if (strncasecmp(l, name, n) == 0) {
            l += n;
            while (*l == ' ' || *l == '\t') l++;
            return l;
        }
    }
    return NULL;
}

static int parse_num(const char *v, long *out) {
    if (!v || *v < '0' || *v > '9') return -1;
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || (*end != '\r' && *end != '\n' && *end != ' ' && *end != 0) || x < 0) return -1;
    *out = x;
    return 0;
}

/* ---- this user's server ---------------------------------------------------------------------- */

/* the socket of this installation's server in this user's runtime dir (*dir*), as
 * runtime.paths(); 0 only when the dir is 0700 and it and the socket are owned by this user */
static int find_server(char dir[PATH_MAX], struct sockaddr_un *sa, const char *slash) {
    /* the installation key: crc32 of the venv (bin/..), as runtime.key() of sys.prefix */
    char prefix[PATH_MAX], bindir[PATH_MAX];
    snprintf(bindir, sizeof bindir, "%.*s/..", (int)(slash - launcher), launcher);
    if (!realpath(bindir, prefix)) return -1;
    const char *rd = getenv("HOOKGATE_RUNTIME_DIR"), *xdg = getenv("XDG_RUNTIME_DIR");
    struct stat st;
    uid_t uid = getuid();
    if (rd && *rd) snprintf(dir, PATH_MAX, "%s", rd);
    else if (xdg && xdg[0] == '/' && stat(xdg, &st) == 0 && S_ISDIR(st.st_mode)) snprintf(dir, PATH_MAX, "%s/hookgate", xdg);
    else snprintf(dir, PATH_MAX, "/tmp/hookgate-%u", (unsigned)uid);
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    if (snprintf(sa->sun_path, sizeof sa->sun_path, "%s/%08x.sock", dir,
                 crc32((unsigned char *)prefix, strlen(prefix))) >= (int)sizeof sa->sun_path) return -1;
    if (stat(dir, &st) || !S_ISDIR(st.st_mode) || st.st_uid != uid || (st.st_mode & 077)) return -1;
    if (lstat(sa->sun_path, &st) || !S_ISSOCK(st.st_mode) || st.st_uid != uid) return -1;
    return 0;
}

/* `serve start` when the server is not (known to be) up: the launcher starts it. Never exit 2. */
static void start_with_launcher(void) {
    g_argv[0] = launcher;
    execv(launcher, g_argv);
    dprintf(2, "hookgate: cannot run the hookgate launcher beside hookgate-client (%s): the decision server "
               "was not started; hooks decide one-shot meanwhile (ADR 0025)\n", strerror(errno));
    _exit(1);
}

static void serve_start(const char *slash) {
    char dir[PATH_MAX];
    struct sockaddr_un sa;
    if (find_server(dir, &sa, slash)) start_with_launcher();
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof sa) != 0) start_with_launcher();
    static const char req[] = "GET /v1/health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n"
                              "Connection: close\r\n\r\n";
    long deadline = now_ms() + HEALTH_MS;
    if (write_all(s, req, sizeof req - 1, deadline, 1)) start_with_launcher();
    char got[256];
    size_t n = 0;
    while (n < sizeof got - 1) {
        struct pollfd pf = {s, POLLIN, 0};
        long left = deadline - now_ms();
        int pr = left > 0 ? poll(&pf, 1, (int)left) : 0;
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) start_with_launcher(); /* a stopped or slow server: the launcher decides */
        ssize_t r = read(s, got + n, sizeof got - 1 - n);
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (r <= 0) break;
        n += (size_t)r;
        got[n] = 0;
        if (strstr(got, "\r\n")) break;
    }
    close(s);
    got[n] = 0;
    if (strncmp(got, "HTTP/1.1 200 ", 13)) start_with_launcher();
    dprintf(1, "hookgate serve: already running (%s)\n", sa.sun_path);
    _exit(0);
}

/* ---- main ----------------------------------------------------------------------------------- */

int main(int argc, char **argv) {
    g_argv = argv;
    g_argc = argc;
    long t0 = now_ms();
    int starting = argc >= 3 && !strcmp(argv[1], "serve") && !strcmp(argv[2], "start");
    ssize_t ln = readlink("/proc/self/exe", launcher, sizeof launcher - 16);
    char *slash = ln > 0 ? (launcher[ln] = 0, strrchr(launcher, '/')) : NULL;
    if (!slash && starting) {
        dprintf(2, "hookgate: cannot find the hookgate launcher beside hookgate-client: the decision server was "
                   "not started (ADR 0025)\n");
        _exit(1); /* never 2 here: that would block the user's prompt */
    }
    if (ln <= 0) deny("cannot find the hookgate launcher (no /proc/self/exe)");
    if (!slash) deny("cannot find the hookgate launcher");
    strcpy(slash + 1, "hookgate");

    if (starting) serve_start(slash);
    if (argc != 4 || strcmp(argv[1], "hook") || strcmp(argv[2], "--platform")) one_shot();
    const char *sv = getenv("HOOKGATE_SERVE");
    if ((sv && !strcmp(sv, "off")) || getenv("HOOKGATE_FLOOR_BROKER")) one_shot();
    const char *plat = argv[3];
    for (const char *c = plat; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || *c == '-')) one_shot(); /* it says what is wrong */

    /* only a server of this user's: the runtime dir 0700, it and the socket owned by us */
    char dir[PATH_MAX];
    struct sockaddr_un sa;
    struct stat st;
    uid_t uid = getuid();
    if (find_server(dir, &sa, slash)) one_shot();

    /* the per-user secret: what the server proves it knows */
    char spath[PATH_MAX + 16], secret[130];
    snprintf(spath, sizeof spath, "%s/secret", dir);
    int sfd = open(spath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (sfd < 0) one_shot();
    ssize_t sn = fstat(sfd, &st) == 0 && st.st_uid == uid && !(st.st_mode & 077) ? read(sfd, secret, sizeof secret - 1) : -1;
    close(sfd);
    while (sn > 0 && (secret[sn - 1] == '\n' || secret[sn - 1] == ' ')) sn--;
    if (sn < 32) one_shot();
    secret[sn] = 0;

    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof sa) != 0) one_shot(); /* stdin untouched */

    /* read stdin within DECIDE_S, as the one-shot path does */
    size_t cap = 65536, n = 0;
    unsigned char *data = malloc(cap);
    if (!data) one_shot();
    long stdin_deadline = t0 + DECIDE_MS;
    for (;;) {
        if (n == MAX_STDIN + 1) break; /* too large: the server says so, as the one-shot path would */
        if (n == cap) {
            cap = cap * 2 > MAX_STDIN + 1 ? MAX_STDIN + 1 : cap * 2;
            unsigned char *d2 = realloc(data, cap);
            if (!d2) one_shot_with(data, n, 0);
            data = d2;
        }
        struct pollfd pf = {0, POLLIN, 0};
        long left = stdin_deadline - now_ms();
        int pr = left > 0 ? poll(&pf, 1, (int)left) : 0;
        if (pr < 0 && errno == EINTR) continue;
        if (pr == 0) one_shot_with(data, n, 1);
        if (pr < 0) one_shot_with(data, n, 0);
        ssize_t r = read(0, data + n, cap - n);
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (r < 0) one_shot_with(data, n, 0);
        if (r == 0) break;
        n += (size_t)r;
    }

    /* the request: cwd \0 K=V \0 … \0 \0 stdin, with a fresh nonce for the proof */
    unsigned char nonce_raw[16];
    if (syscall(SYS_getrandom, nonce_raw, sizeof nonce_raw, 0) != (long)sizeof nonce_raw) one_shot_with(data, n, 0);
    char nonce[33];
    hexify(nonce_raw, sizeof nonce_raw, nonce);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) strcpy(cwd, "/");
    size_t envlen = 0;
    for (char **e = environ; *e; e++) {
        char *eq = strchr(*e, '=');
        if (!eq || eq == *e) continue;
        envlen += strlen(*e) + 1;
    }
    size_t blen = strlen(cwd) + 1 + envlen + 1 + n;
    /* layout: cwd \0 (K=V \0)* \0 data — exactly hookgate.server.client.client_body() */
    char head[512];
    int hl = snprintf(head, sizeof head,
                      "POST /v1/client/%s HTTP/1.1\r\nHost: localhost\r\nX-Hookgate-Nonce: %s\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\n\r\n", plat, nonce, blen);
    if (hl <= 0 || hl >= (int)sizeof head) one_shot_with(data, n, 0);
    char *req = malloc((size_t)hl + blen);
    if (!req) one_shot_with(data, n, 0);
    char *q = req;
    memcpy(q, head, (size_t)hl); q += hl;
    size_t cl = strlen(cwd) + 1;
    memcpy(q, cwd, cl); q += cl;
    for (char **e = environ; *e; e++) {
        char *eq = strchr(*e, '=');
        if (!eq || eq == *e) continue;
        size_t l = strlen(*e) + 1;
        memcpy(q, *e, l); q += l;
    }
    *q++ = 0;
    memcpy(q, data, n); q += n;
    fcntl(s, F_SETFL, O_NONBLOCK);
    long deadline = now_ms() + ANSWER_MS;
    if (write_all(s, req, (size_t)(q - req), deadline, 1)) one_shot_with(data, n, 0);
    free(req);

    /* the answer: HTTP/1.1 200, X-Hookgate-Code, X-Hookgate-Out, X-Hookgate-Proof, body */
    size_t acap = 65536, an = 0;
    char *ans = malloc(acap + 1);
    if (!ans) one_shot_with(data, n, 0);
    char *body = NULL;
    long clen = -1;
    for (;;) {
        if (an == acap) {
            if (acap > 64u * 1024u * 1024u) one_shot_with(data, n, 0);
            acap *= 2;
            char *a2 = realloc(ans, acap + 1);
            if (!a2) one_shot_with(data, n, 0);
            ans = a2;
        }
        struct pollfd pf = {s, POLLIN, 0};
        long left = deadline - now_ms();
        int pr = left > 0 ? poll(&pf, 1, (int)left) : 0;
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) one_shot_with(data, n, 0); /* slow server: decide here */
        ssize_t r = read(s, ans + an, acap - an);
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (r <= 0) one_shot_with(data, n, 0); /* closed mid-answer (killed): decide here */
        an += (size_t)r;
        ans[an] = 0;
        if (!body) {
            char *e = memmem(ans, an, "\r\n\r\n", 4);
            if (!e) { if (an > MAX_HEAD) one_shot_with(data, n, 0); continue; }
            *e = 0;
            body = e + 4;
            if (strncmp(ans, "HTTP/1.1 200 ", 13) || parse_num(header(ans, "content-length:"), &clen))
                one_shot_with(data, n, 0);
        }
        if (body && (size_t)(ans + an - body) >= (size_t)clen) break;
    }
    close(s);
    long code, outn;
    const char *proof = header(ans, "x-hookgate-proof:");
    if (parse_num(header(ans, "x-hookgate-code:"), &code) || parse_num(header(ans, "x-hookgate-out:"), &outn) ||
        outn > clen || code > 255 || !proof)
        one_shot_with(data, n, 0);
    /* the proof: HMAC-SHA256(secret, nonce \n code \n out \n body), hex */
    hmac m;
    unsigned char mac[32];
    char want[65], line[96];
    hmac_init(&m, (unsigned char *)secret, (size_t)sn);
    int ll = snprintf(line, sizeof line, "%s\n%ld\n%ld\n", nonce, code, outn);
    sha_update(&m.in, line, (size_t)ll);
    sha_update(&m.in, body, (size_t)clen);
    hmac_final(&m, mac);
    hexify(mac, 32, want);
    unsigned diff = strlen(proof) < 64 || (proof[64] != '\r' && proof[64] != 0);
    if (!diff)
        for (int i = 0; i < 64; i++) diff |= (unsigned)(proof[i] ^ want[i]);
    if (diff) one_shot_with(data, n, 0); /* not our server: its answer is not believed */
    if (outn && write_all(1, body, (size_t)outn, now_ms() + 5000, 0)) _exit(2);
    if (clen > outn && write_all(2, body + outn, (size_t)(clen - outn), now_ms() + 5000, 0)) _exit(2);
    _exit((int)code);
}
