// A mixed CPU workload in the spirit of CoreMark, written for this project: each iteration
// runs a linked-list pass (build, find, reverse, insertion-sort), an int16 matrix pass
// (multiply by a matrix and by a constant, bit extraction), a state machine scanning a text
// for numbers, and folds every partial result into a CRC-16. Exports `run(iterations) -> crc`.
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;

// ---- CRC-16/CCITT, bit by bit (as CoreMark does, the CRC is itself part of the work) ----
static u16 crc16_byte(u16 crc, u8 b) {
    crc ^= (u16)b << 8;
    for (int i = 0; i < 8; i++) crc = (crc & 0x8000) ? (u16)((crc << 1) ^ 0x1021) : (u16)(crc << 1);
    return crc;
}
static u16 crc16_u32(u16 crc, u32 v) {
    for (int i = 0; i < 4; i++) crc = crc16_byte(crc, (u8)(v >> (8 * i)));
    return crc;
}

// ---- linked list over a static node pool ----
#define NODES 256
struct node {
    struct node *next;
    int key;
    int value;
};
static struct node pool[NODES];

static struct node *list_build(u32 seed) {
    struct node *head = 0;
    for (int i = 0; i < NODES; i++) {
        seed = seed * 1103515245u + 12345u;
        pool[i].key = (int)((seed >> 16) & 0x3ff);
        pool[i].value = i;
        pool[i].next = head;
        head = &pool[i];
    }
    return head;
}

static struct node *list_find(struct node *list, int key) {
    while (list && list->key != key) list = list->next;
    return list;
}

static struct node *list_reverse(struct node *list) {
    struct node *prev = 0;
    while (list) {
        struct node *next = list->next;
        list->next = prev;
        prev = list;
        list = next;
    }
    return prev;
}

/// Insertion sort of the list by key (stable).
static struct node *list_sort(struct node *list) {
    struct node *sorted = 0;
    while (list) {
        struct node *next = list->next, **p = &sorted;
        while (*p && (*p)->key <= list->key) p = &(*p)->next;
        list->next = *p;
        *p = list;
        list = next;
    }
    return sorted;
}

static u32 list_pass(u32 seed) {
    struct node *list = list_reverse(list_build(seed));
    u32 found = 0;
    for (int k = 0; k < 32; k++) {
        struct node *n = list_find(list, (int)((seed >> k) & 0x3ff));
        found = found * 3 + (n ? (u32)n->value : 0xffu);
    }
    list = list_sort(list);
    u32 walk = 0;
    for (int i = 0; list; list = list->next, i++) walk += (u32)list->key * (u32)(i & 7);
    return found ^ walk;
}

// ---- int16 matrix ----
#define DIM 16
static short ma[DIM * DIM], mb[DIM * DIM];
static int mc[DIM * DIM];

static u32 matrix_pass(u32 seed) {
    for (int i = 0; i < DIM * DIM; i++) {
        seed = seed * 1664525u + 1013904223u;
        ma[i] = (short)(seed >> 20);
        mb[i] = (short)((seed >> 8) & 0xfff);
    }
    for (int i = 0; i < DIM; i++)
        for (int j = 0; j < DIM; j++) {
            int s = 0;
            for (int k = 0; k < DIM; k++) s += ma[i * DIM + k] * mb[k * DIM + j];
            mc[i * DIM + j] = s;
        }
    u32 acc = 0;
    for (int i = 0; i < DIM * DIM; i++) {
        int scaled = mc[i] * 3 + ma[i];
        acc += (u32)((scaled >> 4) & 0xff) ^ (u32)(scaled >> 12);
    }
    return acc;
}

// ---- state machine: classifies the tokens of a text (integers, decimals, hex, others) ----
enum state { START, INT, DOT, FRACTION, HEX_PREFIX, HEX, OTHER };
static const char text[] =
    "12 0x1f 3.25 abc 77 0x 4. 5e 999 0xdead .5 12a 65536 0.001 x42 8 0xC0FFEE 31.4159 ?? 7";

static u32 state_pass(u32 seed) {
    u32 counts[7] = {0};
    u32 value = seed & 0xff;
    enum state s = START;
    for (int i = 0;; i++) {
        char ch = text[i];
        if (ch == ' ' || ch == 0) {
            counts[s]++;
            s = START;
            if (ch == 0) break;
            continue;
        }
        int digit = ch >= '0' && ch <= '9';
        int hexdigit = digit || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
        switch (s) {
        case START: s = ch == '0' ? HEX_PREFIX : digit ? INT : ch == '.' ? DOT : OTHER; break;
        case INT: s = digit ? INT : ch == '.' ? DOT : OTHER; break;
        case DOT: s = digit ? FRACTION : OTHER; break;
        case FRACTION: s = digit ? FRACTION : OTHER; break;
        case HEX_PREFIX: s = (ch == 'x' || ch == 'X') ? HEX : digit ? INT : ch == '.' ? DOT : OTHER; break;
        case HEX: s = hexdigit ? HEX : OTHER; break;
        default: break;
        }
        value = value * 33 + (u32)ch + (u32)s;
    }
    for (int i = 0; i < 7; i++) value ^= counts[i] << (4 * i);
    return value;
}

long long run(int iterations) {
    u16 crc = 0xffff;
    for (int it = 0; it < iterations; it++) {
        u32 seed = (u32)it * 2654435761u;
        crc = crc16_u32(crc, list_pass(seed));
        crc = crc16_u32(crc, matrix_pass(seed));
        crc = crc16_u32(crc, state_pass(seed));
    }
    return (long long)crc;
}
