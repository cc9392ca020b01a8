/* rewind CPU benchmark: a bare-metal mix of integer, branchy, memory and FP work.
 * Every kernel folds its results into a 32-bit checksum that is printed at the end;
 * the checksums are a pure function of the program, so any emulator running this
 * binary must print exactly the same lines. Instructions retired in the measured
 * region are read with rdinstret and printed as "instructions: N". */
#include <stdint.h>
#include <stddef.h>

#ifndef ITERS
#define ITERS 10000
#endif

/* ---------------------------------------------------------------- I/O */
#define UART_BASE 0x10000000UL
#define UART_THR  (*(volatile uint8_t *)(UART_BASE + 0))
#define UART_LSR  (*(volatile uint8_t *)(UART_BASE + 5))

static void putch(char c)
{
    while (!(UART_LSR & 0x20))
        ;
    UART_THR = (uint8_t)c;
}
static void puts_(const char *s)
{
    while (*s) {
        if (*s == '\n')
            putch('\r');
        putch(*s++);
    }
}
static void put_hex(uint64_t v, int digits)
{
    for (int i = digits - 1; i >= 0; i--)
        putch("0123456789abcdef"[(v >> (i * 4)) & 15]);
}
static void put_dec(uint64_t v)
{
    char b[24];
    int n = 0;
    do { b[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n)
        putch(b[--n]);
}

void trap_handler(uint64_t cause, uint64_t epc, uint64_t tval)
{
    puts_("\nTRAP mcause=0x"); put_hex(cause, 16);
    puts_(" mepc=0x");         put_hex(epc, 16);
    puts_(" mtval=0x");        put_hex(tval, 16);
    puts_("\n");
    *(volatile uint32_t *)0x100000UL = (2u << 16) | 0x3333;
    for (;;)
        ;
}

/* gcc may emit calls to these even with -ffreestanding. */
void *memset(void *d, int c, size_t n)
{
    uint8_t *p = d;
    while (n--) *p++ = (uint8_t)c;
    return d;
}
void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *p = d; const uint8_t *q = s;
    while (n--) *p++ = *q++;
    return d;
}

static inline uint64_t rdinstret(void)
{
    uint64_t v;
    __asm__ volatile("rdinstret %0" : "=r"(v));
    return v;
}

/* small deterministic PRNG (xorshift32) */
static uint32_t rng_state = 0x12345678u;
static uint32_t rnd(void)
{
    uint32_t x = rng_state;
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    return rng_state = x;
}
static inline uint32_t mix(uint32_t h, uint32_t v)
{
    h ^= v + 0x9e3779b9u + (h << 6) + (h >> 2);
    return h;
}

/* ------------------------------------------------ 1. linked structures */
#define LN 200
struct node {
    struct node *next;
    int32_t key;
    uint32_t val;
};
static struct node pool[LN];

static struct node *list_sort(struct node *head)
{
    /* bottom-up merge sort on a singly linked list, stable, by key */
    if (!head || !head->next)
        return head;
    for (int width = 1;; width *= 2) {
        struct node *p = head, *tail = NULL;
        int merges = 0;
        head = NULL;
        while (p) {
            merges++;
            struct node *q = p;
            int psize = 0;
            for (int i = 0; i < width && q; i++) { psize++; q = q->next; }
            int qsize = width;
            while (psize > 0 || (qsize > 0 && q)) {
                struct node *e;
                if (psize == 0) { e = q; q = q->next; qsize--; }
                else if (qsize == 0 || !q) { e = p; p = p->next; psize--; }
                else if (p->key <= q->key) { e = p; p = p->next; psize--; }
                else { e = q; q = q->next; qsize--; }
                if (tail) tail->next = e; else head = e;
                tail = e;
            }
            p = q;
        }
        tail->next = NULL;
        if (merges <= 1)
            return head;
    }
}

static uint32_t kernel_list(uint32_t seed)
{
    uint32_t h = seed;
    /* build the list in a scrambled pool order so the walk jumps around */
    struct node *head = NULL;
    uint32_t s = seed | 1;
    for (int i = 0; i < LN; i++) {
        int idx = (int)((i * 73u + seed) % LN);
        s = s * 1103515245u + 12345u;
        pool[idx].key = (int32_t)((s >> 8) & 0x3ff) - 512;
        pool[idx].val = (uint32_t)i;
        pool[idx].next = head;
        head = &pool[idx];
    }
    /* find some keys */
    for (int k = 0; k < 8; k++) {
        int32_t want = (int32_t)((seed + k * 37u) & 0x3ff) - 512;
        uint32_t pos = 0;
        struct node *n = head;
        while (n && n->key != want) { n = n->next; pos++; }
        h = mix(h, n ? pos : 0xffffffffu);
    }
    /* reverse in place */
    struct node *prev = NULL;
    while (head) { struct node *nx = head->next; head->next = prev; prev = head; head = nx; }
    head = prev;
    /* remove every node whose val is a multiple of 5 */
    struct node **pp = &head;
    while (*pp) {
        if ((*pp)->val % 5 == 0) *pp = (*pp)->next;
        else pp = &(*pp)->next;
    }
    head = list_sort(head);
    /* verify order and fold */
    int32_t last = -100000;
    uint32_t cnt = 0;
    for (struct node *n = head; n; n = n->next) {
        if (n->key < last) h ^= 0xdeadbeefu;   /* never if sort is right */
        last = n->key;
        h = mix(h, (uint32_t)n->key * 31u + n->val);
        cnt++;
    }
    return mix(h, cnt);
}

/* -------------------------------------------------- 2. integer matrix */
#define MN 14
static int32_t ma[MN][MN], mb[MN][MN], mc[MN][MN];

static uint32_t kernel_matrix(uint32_t seed)
{
    for (int i = 0; i < MN; i++)
        for (int j = 0; j < MN; j++) {
            ma[i][j] = (int32_t)((i * 7 + j * 3 + seed) % 41) - 20;
            mb[i][j] = (int32_t)((i * 5 + j * 11 + (seed >> 3)) % 37) - 18;
        }
    for (int i = 0; i < MN; i++)
        for (int j = 0; j < MN; j++) {
            int32_t acc = 0;
            for (int k = 0; k < MN; k++)
                acc += ma[i][k] * mb[k][j];
            mc[i][j] = acc;
        }
    /* add a scaled constant, then a masked/shifted pass like real integer code */
    uint32_t h = 0;
    int64_t sum = 0;
    int32_t mx = INT32_MIN;
    for (int i = 0; i < MN; i++)
        for (int j = 0; j < MN; j++) {
            int32_t v = mc[i][j] * 3 + (int32_t)seed;
            v = (v >> 2) ^ (v & 0xff);
            if (v > mx) mx = v;
            sum += v;
            h = mix(h, (uint32_t)v);
        }
    return mix(mix(h, (uint32_t)sum), (uint32_t)mx);
}

/* ----------------------------------------- 3. state machine / tokenizer */
#define TB 1024
static uint8_t text[TB];
static const char alphabet[] = "  \t\n0123456789.eE+-*/=();,abcxyzIfor\"#_";

enum { S_START, S_INT, S_FRAC, S_EXP, S_EXPSIGN, S_IDENT, S_STR, S_COMMENT, S_OP, S_NSTATES };

static uint32_t kernel_fsm(uint32_t seed)
{
    /* mutate a few bytes per iteration so no two iterations parse the same text */
    for (int i = 0; i < 8; i++) {
        uint32_t r = rnd();
        text[r % TB] = (uint8_t)alphabet[(r >> 16) % (sizeof(alphabet) - 1)];
    }
    uint32_t counts[S_NSTATES] = {0};
    uint32_t h = seed, numval = 0, idhash = 0;
    int st = S_START;
    for (int i = 0; i < TB; i++) {
        uint8_t c = text[i];
        int isdig = c >= '0' && c <= '9';
        int isalpha_ = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    again:
        switch (st) {
        case S_START:
            if (isdig) { st = S_INT; numval = c - '0'; }
            else if (isalpha_) { st = S_IDENT; idhash = c; }
            else if (c == '"') st = S_STR;
            else if (c == '#') st = S_COMMENT;
            else if (c == ' ' || c == '\t' || c == '\n') { }
            else { st = S_OP; h = mix(h, c); }
            break;
        case S_INT:
            if (isdig) numval = numval * 10 + (c - '0');
            else if (c == '.') st = S_FRAC;
            else if (c == 'e' || c == 'E') st = S_EXP;
            else { counts[S_INT]++; h = mix(h, numval); st = S_START; goto again; }
            break;
        case S_FRAC:
            if (isdig) numval = numval * 3 + (c - '0');
            else if (c == 'e' || c == 'E') st = S_EXP;
            else { counts[S_FRAC]++; h = mix(h, numval ^ 0x55); st = S_START; goto again; }
            break;
        case S_EXP:
            if (c == '+' || c == '-') { st = S_EXPSIGN; break; }
            /* fall through */
        case S_EXPSIGN:
            if (isdig) { numval += c; st = S_EXPSIGN; }
            else { counts[S_EXP]++; h = mix(h, numval ^ 0xaa); st = S_START; goto again; }
            break;
        case S_IDENT:
            if (isalpha_ || isdig) idhash = idhash * 33 + c;
            else { counts[S_IDENT]++; h = mix(h, idhash); st = S_START; goto again; }
            break;
        case S_STR:
            if (c == '"') { counts[S_STR]++; st = S_START; }
            else h += c;
            break;
        case S_COMMENT:
            if (c == '\n') { counts[S_COMMENT]++; st = S_START; }
            break;
        case S_OP:
            counts[S_OP]++;
            if ((c == '=' || c == '*' || c == '/') && (i & 1)) { h = mix(h, c << 8); st = S_START; break; }
            st = S_START;
            goto again;
        }
    }
    for (int s = 0; s < S_NSTATES; s++)
        h = mix(h, counts[s] << s);
    return mix(h, (uint32_t)st);
}

/* --------------------------------------------------------------- 4. CRC */
static uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        crc_table[i] = c;
    }
}
static uint32_t crc32_tab(const uint8_t *p, size_t n, uint32_t crc)
{
    crc = ~crc;
    while (n--)
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}
static uint16_t crc16_bit(const uint8_t *p, size_t n, uint16_t crc)
{
    /* CRC-16/CCITT, bit at a time, MSB first */
    while (n--) {
        crc ^= (uint16_t)(*p++ << 8);
        for (int k = 0; k < 8; k++)
            crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc;
}
static uint32_t kernel_crc(uint32_t seed)
{
    uint32_t c = crc32_tab(text, TB, seed);
    uint16_t c16 = crc16_bit(text + (seed & 255), 192, (uint16_t)seed);
    return mix(c, c16);
}

/* ---------------------------------------------------- 5. copy / compare */
#define MB 1536
static uint8_t src[MB + 16], dst[MB + 16];

static void copy_bytes(uint8_t *d, const uint8_t *s, size_t n)
{
    while (n--) *d++ = *s++;
}
static void copy_words(uint8_t *d, const uint8_t *s, size_t n)
{
    /* word copy when both are 8-aligned, else byte copy of head/tail */
    while (n && (((uintptr_t)d | (uintptr_t)s) & 7)) { *d++ = *s++; n--; }
    uint64_t *dw = (uint64_t *)d; const uint64_t *sw = (const uint64_t *)s;
    for (; n >= 32; n -= 32, dw += 4, sw += 4) {
        uint64_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];
        dw[0] = a; dw[1] = b; dw[2] = c; dw[3] = e;
    }
    for (; n >= 8; n -= 8) *dw++ = *sw++;
    d = (uint8_t *)dw; s = (const uint8_t *)sw;
    while (n--) *d++ = *s++;
}
static int compare(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return (int)a[i] - (int)b[i] + (int)(i & 0xff) * 512;
    return 0;
}
static uint32_t kernel_mem(uint32_t seed)
{
    uint32_t h = 0;
    unsigned so = seed & 7, doff = (seed >> 3) & 7;
    size_t n = MB - ((seed >> 6) & 63);
    /* refresh a slice of the source so it changes every iteration */
    for (int i = 0; i < 64; i++)
        src[(seed * 17 + i) % MB] = (uint8_t)(seed + i * 7);
    copy_words(dst + doff, src + so, n);
    h = mix(h, (uint32_t)compare(dst + doff, src + so, n));
    dst[doff + (seed % n)] ^= 0x40;
    h = mix(h, (uint32_t)compare(dst + doff, src + so, n));
    copy_bytes(dst, src + 8, 256 + (seed & 15));
    h = mix(h, (uint32_t)compare(dst, src + 8, 256 + (seed & 15)));
    copy_words(dst, src, MB);   /* aligned fast path */
    h = mix(h, (uint32_t)compare(src, dst, MB));
    h = mix(h, dst[seed % MB]);
    return h;
}

/* ------------------------------------------------------ 6. FP: n-body */
#define NB 5
#define VN 96
struct body { double x, y, z, vx, vy, vz, m; };
static struct body bodies[NB];
static double va[VN], vb[VN];

static inline double fsqrt(double x)
{
    double r;
    __asm__("fsqrt.d %0, %1" : "=f"(r) : "f"(x));
    return r;
}
static void nbody_init(void)
{
    for (int i = 0; i < NB; i++) {
        bodies[i].x = (double)(i * 3 - 5) * 0.7;
        bodies[i].y = (double)(i * i - 4) * 0.3;
        bodies[i].z = (double)(2 - i) * 0.5;
        bodies[i].vx = 0.01 * i;
        bodies[i].vy = -0.02 * i;
        bodies[i].vz = 0.005;
        bodies[i].m = 1.0 + 0.25 * i;
    }
    for (int i = 0; i < VN; i++) {
        va[i] = 1.0 / (double)(i + 1);
        vb[i] = (double)(i % 7) - 3.0;
    }
}
static void nbody_step(double dt)
{
    for (int i = 0; i < NB; i++)
        for (int j = i + 1; j < NB; j++) {
            double dx = bodies[i].x - bodies[j].x;
            double dy = bodies[i].y - bodies[j].y;
            double dz = bodies[i].z - bodies[j].z;
            double d2 = dx * dx + dy * dy + dz * dz + 0.01;
            double mag = dt / (d2 * fsqrt(d2));
            bodies[i].vx -= dx * bodies[j].m * mag;
            bodies[i].vy -= dy * bodies[j].m * mag;
            bodies[i].vz -= dz * bodies[j].m * mag;
            bodies[j].vx += dx * bodies[i].m * mag;
            bodies[j].vy += dy * bodies[i].m * mag;
            bodies[j].vz += dz * bodies[i].m * mag;
        }
    for (int i = 0; i < NB; i++) {
        bodies[i].x += dt * bodies[i].vx;
        bodies[i].y += dt * bodies[i].vy;
        bodies[i].z += dt * bodies[i].vz;
    }
}
static double nbody_energy(void)
{
    double e = 0.0;
    for (int i = 0; i < NB; i++) {
        const struct body *b = &bodies[i];
        e += 0.5 * b->m * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
        for (int j = i + 1; j < NB; j++) {
            double dx = b->x - bodies[j].x, dy = b->y - bodies[j].y, dz = b->z - bodies[j].z;
            e -= b->m * bodies[j].m / fsqrt(dx * dx + dy * dy + dz * dz + 0.01);
        }
    }
    return e;
}
static inline uint64_t dbits(double d)
{
    union { double d; uint64_t u; } u = { d };
    return u.u;
}
static uint32_t kernel_fp(uint32_t seed)
{
    for (int s = 0; s < 6; s++)
        nbody_step(0.001);
    double e = nbody_energy();
    /* axpy + dot + a division / conversion mix */
    double a = 1.0 + (double)(seed & 15) * 0.0625;
    for (int i = 0; i < VN; i++)
        vb[i] = vb[i] * 0.5 + a * va[i];
    double dot = 0.0, mx = -1e300;
    for (int i = 0; i < VN; i++) {
        dot += va[i] * vb[i];
        if (vb[i] > mx) mx = vb[i];
    }
    int64_t q = (int64_t)(dot * 1000.0 / (mx + 3.0));
    uint64_t be = dbits(e), bd = dbits(dot);
    return mix(mix((uint32_t)(be ^ (be >> 32)), (uint32_t)(bd ^ (bd >> 32))), (uint32_t)q);
}

/* --------------------------------------------------------------- main */
int main(void)
{
    puts_("rewind-bench cpu: iterations ");
    put_dec(ITERS);
    puts_("\n");

    /* setup (not measured) */
    for (int i = 0; i < TB; i++)
        text[i] = (uint8_t)alphabet[rnd() % (sizeof(alphabet) - 1)];
    for (int i = 0; i < MB + 16; i++)
        src[i] = (uint8_t)(rnd() >> 11);
    crc_init();
    nbody_init();

    uint32_t ck[6] = { 0, 0, 0, 0, 0, 0 };
    uint64_t t0 = rdinstret();
    for (uint32_t it = 0; it < ITERS; it++) {
        uint32_t seed = it * 2654435761u;
        seed ^= seed >> 15;
        ck[0] = mix(ck[0], kernel_list(seed));
        ck[1] = mix(ck[1], kernel_matrix(seed));
        ck[2] = mix(ck[2], kernel_fsm(seed));
        ck[3] = mix(ck[3], kernel_crc(seed));
        ck[4] = mix(ck[4], kernel_mem(seed));
        ck[5] = mix(ck[5], kernel_fp(seed));
    }
    uint64_t t1 = rdinstret();

    static const char *const names[6] = { "list", "matrix", "fsm", "crc", "mem", "fp" };
    uint32_t all = 0;
    for (int k = 0; k < 6; k++) {
        puts_("checksum ");
        puts_(names[k]);
        puts_(": 0x");
        put_hex(ck[k], 8);
        puts_("\n");
        all = mix(all, ck[k]);
    }
    puts_("checksum all: 0x");
    put_hex(all, 8);
    puts_("\ninstructions: ");
    put_dec(t1 - t0);
    puts_("\n");
    return 0;
}
