/* juesuan.read.native: the PDF reader's compiled helper (built in place by `pip install -e .`, setup.py).

   Why: through ctypes every character costs a dozen foreign calls (box, loose box, origin, text object...)
   and a Python loop, and the layout loops run once per glyph. Here, in C: a page's characters from pdfium
   in one call, turned into Glyphs (read/pdf.py: _chars, _effective_size, _glyphs); the page's rulings and
   picture area (_drawn); and the hot layout loops (read/layout.py: baseline_rows, join_glyphs, the grid's
   merged cells, the glyphs of each cell). Nothing links against pdfium: setup() receives the addresses of
   pypdfium2's own pdfium functions. The arithmetic is the Python code's, operation for operation (built
   without fused multiply-add), so both give the same floats; the Python code stays as the reference and
   the fallback, and tests/test_compiled.py compares the two. Every index is bounded by the counts pdfium
   returns or by the lists' own lengths; anything not plain (a field that is not a number) is handed back
   to the Python code (None). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

typedef struct { float left, top, right, bottom; } RectF;     /* FS_RECTF */
typedef struct { float a, b, c, d, e, f; } MatrixF;          /* FS_MATRIX */

typedef int (*count_chars_fn)(void *);
typedef int (*get_text_fn)(void *, int, int, unsigned short *);
typedef int (*text_index_fn)(void *, int);
typedef unsigned int (*get_unicode_fn)(void *, int);
typedef int (*is_generated_fn)(void *, int);
typedef int (*char_box_fn)(void *, int, double *, double *, double *, double *);
typedef int (*loose_box_fn)(void *, int, RectF *);
typedef int (*char_origin_fn)(void *, int, double *, double *);
typedef void *(*text_object_fn)(void *, int);
typedef double (*font_size_fn)(void *, int);
typedef int (*matrix_fn)(void *, int, MatrixF *);

static struct {
    count_chars_fn count_chars;
    get_text_fn get_text;
    text_index_fn text_index;
    get_unicode_fn get_unicode;
    is_generated_fn is_generated;
    char_box_fn char_box;
    loose_box_fn loose_box;
    char_origin_fn char_origin;
    text_object_fn text_object;
    font_size_fn font_size;
    matrix_fn matrix;
} pdfium;

static PyObject *kind_func = NULL;        /* read.pdf._char_kind: the character kept (str) or None */
static PyObject *kind_cache[0x10000];     /* its answers for the BMP, filled as characters are met */
static PyTypeObject *glyph_type = NULL;   /* read.layout.Glyph (slots) */
static Py_ssize_t off_ch, off_x0, off_x1, off_top, off_bottom, off_base, off_size, off_line_no,
    off_generated, off_conf;
static PyObject *zero = NULL;             /* Glyph.line_no's default, 0 */
static int have_pdfium = 0;

#define CAPSULE "juesuan.read.native.chars"

typedef struct {
    PyObject *ch; /* owned: the kept character (" " for any space) */
    double bl, bb, br, bt, ll, lb, lr, lt, ox, oy, size;
    int generated;
} Char;

typedef struct {
    Py_ssize_t n;
    Char items[];
} Chars;

static void chars_free(PyObject *capsule) {
    Chars *cs = (Chars *)PyCapsule_GetPointer(capsule, CAPSULE);
    if (!cs) { PyErr_Clear(); return; }
    for (Py_ssize_t i = 0; i < cs->n; i++) Py_XDECREF(cs->items[i].ch);
    PyMem_Free(cs);
}

/* ---------------------------------------------------------------- setup */

static int slot_offset(PyObject *type, const char *name, Py_ssize_t *out) {
    PyObject *d = PyObject_GetAttrString(type, name);
    if (!d) return -1;
    if (!Py_IS_TYPE(d, &PyMemberDescr_Type)) {
        Py_DECREF(d);
        PyErr_Format(PyExc_TypeError, "Glyph.%s is not a slot", name);
        return -1;
    }
    PyMemberDef *m = ((PyMemberDescrObject *)d)->d_member;
    if (m->type != T_OBJECT_EX && m->type != T_OBJECT) {
        Py_DECREF(d);
        PyErr_Format(PyExc_TypeError, "Glyph.%s is not an object slot", name);
        return -1;
    }
    *out = m->offset;
    Py_DECREF(d);
    return 0;
}

static PyTypeObject *edge_type = NULL;
static Py_ssize_t off_pos, off_lo, off_hi;

/* types(Glyph, Edge): the slots Glyphs and Edges are read and written through (read.layout, at import). */
static PyObject *py_types(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *type, *edge;
    if (!PyArg_ParseTuple(args, "O!O!", &PyType_Type, &type, &PyType_Type, &edge)) return NULL;
    if (slot_offset(edge, "pos", &off_pos) || slot_offset(edge, "lo", &off_lo) || slot_offset(edge, "hi", &off_hi))
        return NULL;
    Py_INCREF(edge);
    Py_XSETREF(edge_type, (PyTypeObject *)edge);
    if (slot_offset(type, "ch", &off_ch) || slot_offset(type, "x0", &off_x0) ||
        slot_offset(type, "x1", &off_x1) || slot_offset(type, "top", &off_top) ||
        slot_offset(type, "bottom", &off_bottom) || slot_offset(type, "base", &off_base) ||
        slot_offset(type, "size", &off_size) || slot_offset(type, "line_no", &off_line_no) ||
        slot_offset(type, "generated", &off_generated) || slot_offset(type, "conf", &off_conf))
        return NULL;
    if (((PyTypeObject *)type)->tp_dictoffset != 0) {
        PyErr_SetString(PyExc_TypeError, "Glyph must use slots only");
        return NULL;
    }
    Py_INCREF(type);
    Py_XSETREF(glyph_type, (PyTypeObject *)type);
    if (!zero) zero = PyLong_FromLong(0);
    Py_RETURN_NONE;
}

/* The n pdfium function addresses of a setup tuple into p; 0 with an error set when the tuple is not n
   non-null addresses. (setup and setup_paths share it.) */
static int read_addresses(PyObject *addrs, void **p, Py_ssize_t n) {
    if (PyTuple_GET_SIZE(addrs) != n) {
        PyErr_Format(PyExc_ValueError, "%zd pdfium function addresses expected", n);
        return 0;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        p[i] = PyLong_AsVoidPtr(PyTuple_GET_ITEM(addrs, i));
        if (!p[i]) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "null pdfium function address");
            return 0;
        }
    }
    return 1;
}

/* setup(char_kind, pdfium function addresses): once, at read.pdf's import. */
static PyObject *py_setup(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *func, *addrs;
    if (!PyArg_ParseTuple(args, "OO!", &func, &PyTuple_Type, &addrs)) return NULL;
    void *p[11];
    if (!read_addresses(addrs, p, 11)) return NULL;
    pdfium.count_chars = (count_chars_fn)p[0];
    pdfium.get_text = (get_text_fn)p[1];
    pdfium.text_index = (text_index_fn)p[2];
    pdfium.get_unicode = (get_unicode_fn)p[3];
    pdfium.is_generated = (is_generated_fn)p[4];
    pdfium.char_box = (char_box_fn)p[5];
    pdfium.loose_box = (loose_box_fn)p[6];
    pdfium.char_origin = (char_origin_fn)p[7];
    pdfium.text_object = (text_object_fn)p[8];
    pdfium.font_size = (font_size_fn)p[9];
    pdfium.matrix = (matrix_fn)p[10];
    Py_INCREF(func);
    Py_XSETREF(kind_func, func);
    for (int i = 0; i < 0x10000; i++) Py_CLEAR(kind_cache[i]);
    have_pdfium = 1;
    Py_RETURN_NONE;
}

/* ---------------------------------------------------------------- characters */

/* The kept character for a code point (new reference: str, or Py_None for a dropped one), or NULL on error.
   Code points Python cannot hold are dropped (the pure-Python path fails on them). */
static PyObject *kind_of(unsigned int code) {
    if (code < 32 || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) Py_RETURN_NONE;
    if (code < 0x10000 && kind_cache[code]) {
        Py_INCREF(kind_cache[code]);
        return kind_cache[code];
    }
    PyObject *s = PyUnicode_FromOrdinal((int)code);
    if (!s) return NULL;
    PyObject *k = PyObject_CallOneArg(kind_func, s);
    Py_DECREF(s);
    if (!k) return NULL;
    if (k != Py_None && !PyUnicode_Check(k)) {
        Py_DECREF(k);
        PyErr_SetString(PyExc_TypeError, "_char_kind must return str or None");
        return NULL;
    }
    if (code < 0x10000) {
        Py_INCREF(k);
        kind_cache[code] = k;
    }
    return k;
}

/* As read.pdf._effective_size. */
static double effective_size(double size, double ll, double lb, double lr, double lt, int angle, double confirm) {
    double extent = (angle == 90 || angle == 270) ? (lr - ll) : (lt - lb);
    if (extent <= 0.5) return 1.0 > size ? 1.0 : size; /* max(size, 1.0) */
    if (size <= 1.0 || !(extent / confirm <= size && size <= extent * confirm)) return extent;
    return size;
}

/* Python's round() to an int, then % 4 * 90 (the text object's direction). */
static int quarter_turns(double b, double a) {
    static const double rad_to_deg = 180.0 / 3.14159265358979323846; /* math.degrees */
    double r = nearbyint((atan2(b, a) * rad_to_deg) / 90); /* round half to even, as round() */
    if (!isfinite(r)) return 0;
    double m = fmod(r, 4.0);
    if (m < 0) m += 4.0;
    return (int)m * 90;
}

/* chars(textpage address, size_confirm) -> (capsule of characters, {angle: visible characters}) */
static PyObject *py_chars(PyObject *self, PyObject *args) {
    PyObject *addr;
    double confirm;
    if (!PyArg_ParseTuple(args, "Od", &addr, &confirm)) return NULL;
    (void)self;
    if (!glyph_type || !have_pdfium) {
        PyErr_SetString(PyExc_RuntimeError, "native.types() and setup() were not called");
        return NULL;
    }
    void *tp = PyLong_AsVoidPtr(addr);
    if (!tp) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "null text page");
        return NULL;
    }
    int n = pdfium.count_chars(tp);
    if (n < 0) n = 0;
    Chars *cs = PyMem_Malloc(sizeof(Chars) + sizeof(Char) * (size_t)(n > 0 ? n : 1));
    if (!cs) return PyErr_NoMemory();
    cs->n = 0;
    PyObject *capsule = PyCapsule_New(cs, CAPSULE, chars_free);
    if (!capsule) { PyMem_Free(cs); return NULL; }

    /* one GetText call when it maps one to one onto the characters (as read.pdf._page_text) */
    unsigned short *text = NULL;
    if (n > 0) {
        text = PyMem_Malloc(sizeof(unsigned short) * ((size_t)n + 1));
        if (!text) { Py_DECREF(capsule); return PyErr_NoMemory(); }
        int written = pdfium.get_text(tp, 0, n, text);
        int one_to_one = written == n + 1 && pdfium.text_index(tp, n - 1) == n - 1;
        for (int i = 0; one_to_one && i < n; i++)
            if (text[i] >= 0xD800 && text[i] <= 0xDFFF) one_to_one = 0;
        if (!one_to_one) { PyMem_Free(text); text = NULL; }
    }
    long counts[4] = {0, 0, 0, 0};
    int order[4], n_order = 0;
    double cl = 0, cr = 0, cb = 0, ct = 0, ox = 0, oy = 0; /* kept across characters, as ctypes' are */
    RectF loose = {0, 0, 0, 0};
    MatrixF m;
    void *last_obj = NULL;
    int have_last = 0;
    double nominal = 1.0, scale = 1.0;
    int angle = 0;
    for (int i = 0; i < n; i++) {
        unsigned int code = text ? text[i] : pdfium.get_unicode(tp, i);
        PyObject *ch = kind_of(code);
        if (!ch) goto fail;
        if (ch == Py_None) { Py_DECREF(ch); continue; }
        int generated = code == ' ' && pdfium.is_generated(tp, i) != 0;
        pdfium.char_box(tp, i, &cl, &cr, &cb, &ct);
        pdfium.loose_box(tp, i, &loose);
        pdfium.char_origin(tp, i, &ox, &oy);
        void *obj = pdfium.text_object(tp, i);
        if (!obj || !have_last || obj != last_obj) { /* size and matrix are per object */
            have_last = 1;
            last_obj = obj;
            nominal = pdfium.font_size(tp, i);
            double a = 1.0, b = 0.0, c = 0.0, d = 1.0;
            if (pdfium.matrix(tp, i, &m)) { a = m.a; b = m.b; c = m.c; d = m.d; }
            scale = sqrt(fabs(a * d - b * c));
            if (scale == 0.0) scale = 1.0; /* `or 1.0` */
            angle = quarter_turns(b, a);
        }
        if (!(PyUnicode_GET_LENGTH(ch) == 1 && PyUnicode_READ_CHAR(ch, 0) == ' ')) {
            int k = angle / 90;
            if (counts[k]++ == 0) order[n_order++] = k;
        }
        Char *c = &cs->items[cs->n++];
        c->ch = ch; /* the reference kind_of returned */
        c->bl = cl; c->bb = cb; c->br = cr; c->bt = ct;
        c->ll = loose.left; c->lb = loose.bottom; c->lr = loose.right; c->lt = loose.top;
        c->ox = ox; c->oy = oy;
        c->size = effective_size(nominal * scale, c->ll, c->lb, c->lr, c->lt, angle, confirm);
        c->generated = generated;
    }
    PyMem_Free(text);
    PyObject *angles = PyDict_New();
    if (!angles) { Py_DECREF(capsule); return NULL; }
    for (int j = 0; j < n_order; j++) {
        PyObject *key = PyLong_FromLong(order[j] * 90), *val = PyLong_FromLong(counts[order[j]]);
        if (!key || !val || PyDict_SetItem(angles, key, val) < 0) {
            Py_XDECREF(key); Py_XDECREF(val); Py_DECREF(angles); Py_DECREF(capsule);
            return NULL;
        }
        Py_DECREF(key); Py_DECREF(val);
    }
    PyObject *out = PyTuple_Pack(2, capsule, angles);
    Py_DECREF(capsule);
    Py_DECREF(angles);
    return out;
fail:
    PyMem_Free(text);
    Py_DECREF(capsule);
    return NULL;
}

/* ---------------------------------------------------------------- glyphs */

#define SET(o, off, v) (*(PyObject **)((char *)(o) + (off)) = (v))

/* A new Glyph with the given fields (line_no 0, conf None): slots written directly, no __init__. */
static PyObject *new_glyph(PyObject *ch, double x0, double x1, double top, double bottom, double base,
                           double size, int generated) {
    PyObject *g = glyph_type->tp_alloc(glyph_type, 0);
    if (!g) return NULL;
    PyObject *v[6] = {PyFloat_FromDouble(x0), PyFloat_FromDouble(x1), PyFloat_FromDouble(top),
                      PyFloat_FromDouble(bottom), PyFloat_FromDouble(base), PyFloat_FromDouble(size)};
    for (int k = 0; k < 6; k++)
        if (!v[k]) {
            for (int j = 0; j < 6; j++) Py_XDECREF(v[j]);
            Py_DECREF(g);
            return NULL;
        }
    Py_INCREF(ch); SET(g, off_ch, ch);
    SET(g, off_x0, v[0]); SET(g, off_x1, v[1]); SET(g, off_top, v[2]); SET(g, off_bottom, v[3]);
    SET(g, off_base, v[4]); SET(g, off_size, v[5]);
    Py_INCREF(zero); SET(g, off_line_no, zero);
    PyObject *gen = generated ? Py_True : Py_False;
    Py_INCREF(gen); SET(g, off_generated, gen);
    Py_INCREF(Py_None); SET(g, off_conf, Py_None);
    return g;
}

/* The fake-bold filter's key (ch, round(x0), round(base)), in an open-addressing set. */
typedef struct { PyObject *ch; double x, y; int used; } Key;

static uint64_t key_hash(PyObject *ch, double x, double y) {
    uint64_t h = (uint64_t)(uintptr_t)ch * 0x9E3779B97F4A7C15ULL;
    int64_t xi = (int64_t)x, yi = (int64_t)y;
    h ^= (uint64_t)xi * 0xC2B2AE3D27D4EB4FULL + (h << 6) + (h >> 2);
    h ^= (uint64_t)yi * 0x165667B19E3779F9ULL + (h << 6) + (h >> 2);
    return h ^ (h >> 29);
}

/* Add the key; 1 when it was new. Characters are compared by value (kind_of returns one object per BMP
   character; astral ones may be distinct objects). */
static int key_add(Key *set, size_t mask, PyObject *ch, double x, double y) {
    Py_UCS4 code = PyUnicode_READ_CHAR(ch, 0);
    PyObject *slot_ch = (PyObject *)(uintptr_t)code; /* hash by code point */
    size_t i = key_hash(slot_ch, (isfinite(x) && fabs(x) < 9e18) ? x : 0, (isfinite(y) && fabs(y) < 9e18) ? y : 0) & mask;
    for (;;) {
        Key *k = &set[i];
        if (!k->used) {
            k->used = 1; k->ch = slot_ch; k->x = x; k->y = y;
            return 1;
        }
        if (k->ch == slot_ch && k->x == x && k->y == y) return 0;
        i = (i + 1) & mask;
    }
}

static inline double py_min(double a, double b) { return b < a ? b : a; }
static inline double py_max(double a, double b) { return b > a ? b : a; }

/* glyphs(capsule, a, b, c, d, e, f) -> [Glyph]: as read.pdf._glyphs (display coordinates, fake-bold
   duplicates dropped). */
static PyObject *py_glyphs(PyObject *self, PyObject *args) {
    PyObject *capsule;
    double a, b, c, d, e, f;
    (void)self;
    if (!PyArg_ParseTuple(args, "Odddddd", &capsule, &a, &b, &c, &d, &e, &f)) return NULL;
    Chars *cs = (Chars *)PyCapsule_GetPointer(capsule, CAPSULE);
    if (!cs) return NULL;
    int upright = a == 1.0 && b == 0.0 && c == 0.0 && d == -1.0;
    size_t cap = 16;
    while (cap < (size_t)cs->n * 2) cap <<= 1;
    Key *set = PyMem_Calloc(cap, sizeof(Key));
    if (!set) return PyErr_NoMemory();
    PyObject *out = PyList_New(0);
    if (!out) { PyMem_Free(set); return NULL; }
    for (Py_ssize_t i = 0; i < cs->n; i++) {
        Char *k = &cs->items[i];
        int space = PyUnicode_GET_LENGTH(k->ch) == 1 && PyUnicode_READ_CHAR(k->ch, 0) == ' ';
        double x0, x1, top, bottom, base, lx0, lx1, ltop, lbottom, x_origin;
        if (upright) {
            lx0 = k->ll + e; lx1 = k->lr + e;
            if (lx1 < lx0) { double t = lx0; lx0 = lx1; lx1 = t; }
            ltop = f - k->lt; lbottom = f - k->lb;
            if (lbottom < ltop) { double t = ltop; ltop = lbottom; lbottom = t; }
            x_origin = k->ox + e; base = f - k->oy;
        } else {
            double xa = a * k->ll + b * k->lb + e, xb = a * k->lr + b * k->lt + e;
            double ya = c * k->ll + d * k->lb + f, yb = c * k->lr + d * k->lt + f;
            if (xa <= xb && ya <= yb) { lx0 = xa; ltop = ya; lx1 = xb; lbottom = yb; }
            else { lx0 = py_min(xa, xb); ltop = py_min(ya, yb); lx1 = py_max(xa, xb); lbottom = py_max(ya, yb); }
            x_origin = a * k->ox + b * k->oy + e; base = c * k->ox + d * k->oy + f;
        }
        if (space) { /* a space may have no ink: its loose box is its advance */
            x0 = py_min(lx0, x_origin); x1 = py_max(lx1, x_origin); top = ltop; bottom = lbottom;
        } else {
            double ix0, ix1, itop, ibottom;
            if (upright) {
                ix0 = k->bl + e; ix1 = k->br + e;
                if (ix1 < ix0) { double t = ix0; ix0 = ix1; ix1 = t; }
                itop = f - k->bt; ibottom = f - k->bb;
                if (ibottom < itop) { double t = itop; itop = ibottom; ibottom = t; }
            } else {
                double xa = a * k->bl + b * k->bb + e, xb = a * k->br + b * k->bt + e;
                double ya = c * k->bl + d * k->bb + f, yb = c * k->br + d * k->bt + f;
                if (xa <= xb && ya <= yb) { ix0 = xa; itop = ya; ix1 = xb; ibottom = yb; }
                else { ix0 = py_min(xa, xb); itop = py_min(ya, yb); ix1 = py_max(xa, xb); ibottom = py_max(ya, yb); }
            }
            if (ibottom - itop < 0.5) { /* flat glyphs (一, —): a nominal height for cell lookup */
                itop = itop - k->size * 0.3; ibottom = ibottom + k->size * 0.3;
            }
            x0 = py_min(lx0, ix0); x1 = py_max(lx1, ix1); top = itop; bottom = ibottom;
        }
        if (!key_add(set, cap - 1, k->ch, nearbyint(x0), nearbyint(base))) continue;
        PyObject *g = new_glyph(k->ch, x0, x1, top, bottom, base, k->size, space && k->generated);
        if (!g || PyList_Append(out, g) < 0) {
            Py_XDECREF(g); Py_DECREF(out); PyMem_Free(set);
            return NULL;
        }
        Py_DECREF(g);
    }
    PyMem_Free(set);
    return out;
}

/* ---------------------------------------------------------------- layout (read.layout) */

/* A Glyph's fields as C values. 0 when a field is not a plain number or its character not one code point:
   the caller then leaves the work to the pure-Python code (which gives the same result, or the error). */
typedef struct {
    PyObject *obj;
    Py_UCS4 ch;
    double x0, x1, base, size;
    int generated;
} G;

static int number(PyObject *v, double *out) {
    if (PyFloat_Check(v)) { *out = PyFloat_AS_DOUBLE(v); return 1; }
    if (PyLong_CheckExact(v)) {
        int overflow = 0;
        long long i = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (overflow || i > (1LL << 53) || i < -(1LL << 53)) return 0;
        *out = (double)i;
        return 1;
    }
    return 0;
}

#define GET(o, off) (*(PyObject **)((char *)(o) + (off)))

static int read_glyph(PyObject *o, G *g) {
    if (Py_TYPE(o) != glyph_type) return 0;
    PyObject *ch = GET(o, off_ch), *gen = GET(o, off_generated);
    if (!ch || !PyUnicode_Check(ch) || PyUnicode_GET_LENGTH(ch) != 1) return 0;
    PyObject *x0 = GET(o, off_x0), *x1 = GET(o, off_x1), *base = GET(o, off_base), *size = GET(o, off_size);
    if (!x0 || !x1 || !base || !size || !gen) return 0;
    if (!number(x0, &g->x0) || !number(x1, &g->x1) || !number(base, &g->base) || !number(size, &g->size))
        return 0;
    if (gen == Py_True) g->generated = 1;
    else if (gen == Py_False) g->generated = 0;
    else return 0;
    g->obj = o;
    g->ch = PyUnicode_READ_CHAR(ch, 0);
    return 1;
}

/* The list's glyphs as C values; NULL with no error set when one is not plain (fall back). */
static G *read_glyphs(PyObject *list, Py_ssize_t *n) {
    *n = PyList_GET_SIZE(list);
    G *gs = PyMem_Malloc(sizeof(G) * (size_t)(*n > 0 ? *n : 1));
    if (!gs) { PyErr_NoMemory(); return NULL; }
    for (Py_ssize_t i = 0; i < *n; i++)
        if (!read_glyph(PyList_GET_ITEM(list, i), &gs[i])) { PyMem_Free(gs); return NULL; }
    return gs;
}

/* A stable sort of indices by a key (as sorted(..., key=...)): ties keep their order. */
typedef struct { double key; Py_ssize_t at; } Keyed;

static int by_key(const void *pa, const void *pb) {
    const Keyed *a = pa, *b = pb;
    if (a->key < b->key) return -1;
    if (b->key < a->key) return 1;
    return (a->at > b->at) - (a->at < b->at);
}

/* baseline_rows(glyphs, line_tol) -> [[Glyph]] as read.layout.baseline_rows, or None to fall back. */
static PyObject *py_baseline_rows(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *list;
    double tol;
    if (!PyArg_ParseTuple(args, "O!d", &PyList_Type, &list, &tol)) return NULL;
    if (!glyph_type) Py_RETURN_NONE;
    Py_ssize_t n;
    G *gs = read_glyphs(list, &n);
    if (!gs) { if (PyErr_Occurred()) return NULL; Py_RETURN_NONE; }
    Keyed *order = PyMem_Malloc(sizeof(Keyed) * (size_t)(n > 0 ? n : 1));
    Py_ssize_t *row_start = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(n + 1));
    double *anchors = PyMem_Malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    Py_ssize_t *space_row = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(n > 0 ? n : 1));
    double *last_base = PyMem_Malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    Py_ssize_t *n_spaces = PyMem_Calloc((size_t)(n > 0 ? n : 1), sizeof(Py_ssize_t));
    Keyed *row_keys = PyMem_Malloc(sizeof(Keyed) * (size_t)(n > 0 ? n : 1));
    PyObject *out = NULL;
    if (!order || !row_start || !anchors || !space_row || !last_base || !n_spaces || !row_keys) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (gs[i].ch != ' ') { order[m].key = gs[i].base; order[m].at = i; m++; }
    qsort(order, (size_t)m, sizeof(Keyed), by_key);
    Py_ssize_t rows = 0;
    double anchor = 0.0, first_size = 0.0;
    for (Py_ssize_t j = 0; j < m; j++) { /* the rows are runs of the sorted glyphs */
        G *g = &gs[order[j].at];
        double size = g->size;
        if (rows && g->base - anchor <= tol * (first_size > size ? first_size : size)) continue;
        row_start[rows] = j;
        anchor = g->base;
        first_size = size;
        anchors[rows] = anchor;
        rows++;
    }
    row_start[rows] = m;
    for (Py_ssize_t r = 0; r < rows; r++) last_base[r] = gs[order[row_start[r + 1] - 1].at].base;
    for (Py_ssize_t i = 0; i < n; i++) { /* spaces join the line they sit on */
        space_row[i] = -1;
        if (gs[i].ch != ' ' || !rows) continue;
        double base = gs[i].base;
        Py_ssize_t lo = 0, hi = rows; /* bisect_left */
        while (lo < hi) {
            Py_ssize_t mid = (lo + hi) / 2;
            if (anchors[mid] < base) lo = mid + 1; else hi = mid;
        }
        Py_ssize_t k = lo, near;
        if (k > rows - 1) near = rows - 1;
        else if (k == 0) near = 0;
        else near = fabs(anchors[k] - base) < fabs(anchors[k - 1] - base) ? k : k - 1;
        double a = anchors[near];
        if (fabs(a - base) <= tol * gs[order[row_start[near]].at].size + (last_base[near] - a)) {
            space_row[i] = near;
            last_base[near] = base;
            n_spaces[near]++;
        }
    }
    out = PyList_New(rows);
    if (!out) goto done;
    /* each row: its glyphs (base order), then its spaces (input order), sorted stably by x0 */
    Py_ssize_t *fill = n_spaces; /* reused: where the next space of each row goes */
    Py_ssize_t total = m;
    Py_ssize_t *space_at = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(rows + 1));
    Py_ssize_t *spaces = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(n > 0 ? n : 1));
    if (!space_at || !spaces) {
        PyMem_Free(space_at); PyMem_Free(spaces);
        Py_CLEAR(out); PyErr_NoMemory(); goto done;
    }
    for (Py_ssize_t r = 0, at = 0; r < rows; r++) { space_at[r] = at; at += fill[r]; fill[r] = space_at[r]; }
    for (Py_ssize_t i = 0; i < n; i++)
        if (space_row[i] >= 0) { spaces[fill[space_row[i]]++] = i; total++; }
    (void)total;
    for (Py_ssize_t r = 0; r < rows; r++) {
        Py_ssize_t len = 0;
        for (Py_ssize_t j = row_start[r]; j < row_start[r + 1]; j++) {
            row_keys[len].key = gs[order[j].at].x0; row_keys[len].at = len; len++;
        }
        Py_ssize_t first_space = len;
        for (Py_ssize_t j = space_at[r]; j < fill[r]; j++) {
            row_keys[len].key = gs[spaces[j]].x0; row_keys[len].at = len; len++;
        }
        /* `at` is the position in the appended row; map it back to the glyph after sorting */
        Py_ssize_t *who = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(len > 0 ? len : 1));
        if (!who) { PyMem_Free(space_at); PyMem_Free(spaces); Py_CLEAR(out); PyErr_NoMemory(); goto done; }
        for (Py_ssize_t j = 0; j < first_space; j++) who[j] = order[row_start[r] + j].at;
        for (Py_ssize_t j = first_space; j < len; j++) who[j] = spaces[space_at[r] + j - first_space];
        qsort(row_keys, (size_t)len, sizeof(Keyed), by_key);
        PyObject *row = PyList_New(len);
        if (!row) { PyMem_Free(who); PyMem_Free(space_at); PyMem_Free(spaces); Py_CLEAR(out); goto done; }
        for (Py_ssize_t j = 0; j < len; j++) {
            PyObject *o = gs[who[row_keys[j].at]].obj;
            Py_INCREF(o);
            PyList_SET_ITEM(row, j, o);
        }
        PyMem_Free(who);
        PyList_SET_ITEM(out, r, row);
    }
    PyMem_Free(space_at);
    PyMem_Free(spaces);
done:
    PyMem_Free(gs); PyMem_Free(order); PyMem_Free(row_start); PyMem_Free(anchors); PyMem_Free(space_row);
    PyMem_Free(last_base); PyMem_Free(n_spaces); PyMem_Free(row_keys);
    return out;
}

static int by_value(const void *pa, const void *pb) {
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* As read.layout._usual_gap. */
static double usual_gap(G *gs, Py_ssize_t n, double *gaps) {
    Py_ssize_t k = 0;
    G *prev = NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        G *g = &gs[i];
        if (g->ch == ' ') continue;
        if (prev && g->ch >= 0x2E80 && prev->ch >= 0x2E80) {
            double gap = g->x0 - prev->x1;
            double size = g->size > prev->size ? g->size : prev->size;
            gaps[k++] = (0.0 > gap ? 0.0 : gap) / (1.0 > size ? 1.0 : size);
        }
        prev = g;
    }
    if (k < 3) return 0.0;
    qsort(gaps, (size_t)k, sizeof(double), by_value);
    return gaps[k / 2];
}

/* join_glyphs(row, vedges, generated_space, cjk_gap, latin_gap) -> str as read.layout.join_glyphs, or None
   to fall back. vedges: Edge objects sorted by pos. */
static PyObject *py_join_glyphs(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *list, *vedges;
    double generated_space, cjk_setting, latin_gap;
    if (!PyArg_ParseTuple(args, "O!O!ddd", &PyList_Type, &list, &PyList_Type, &vedges, &generated_space,
                          &cjk_setting, &latin_gap))
        return NULL;
    if (!glyph_type) Py_RETURN_NONE;
    Py_ssize_t n;
    G *gs = read_glyphs(list, &n);
    if (!gs) { if (PyErr_Occurred()) return NULL; Py_RETURN_NONE; }
    PyObject *out = NULL;
    double *gaps = PyMem_Malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    Py_UCS4 *text = PyMem_Malloc(sizeof(Py_UCS4) * (size_t)(2 * n + 1));
    double *pos = NULL, *lo_e = NULL, *hi_e = NULL; /* the rulings, read when first needed */
    Py_ssize_t n_edges = PyList_GET_SIZE(vedges);
    if (!gaps || !text) { PyErr_NoMemory(); goto done; }
    double usual = usual_gap(gs, n, gaps);
    double weak_gap = generated_space + usual, cjk_gap = cjk_setting + usual;
    Py_ssize_t len = 0;
    G *prev = NULL;
    int prev_cjk = 0, spaced = 0, weak = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        G *g = &gs[i];
        if (g->ch == ' ') {
            if (g->generated) weak = 1;
            else spaced = prev != NULL;
            continue;
        }
        int cjk = g->ch >= 0x2E80;
        if (prev) {
            double gap = g->x0 - prev->x1;
            double size = prev->size > g->size ? prev->size : g->size;
            if (weak && gap > weak_gap * size) spaced = 1;
            if (spaced || gap > ((cjk && prev_cjk) ? cjk_gap : latin_gap) * size) {
                text[len++] = ' ';
            } else if (!(gap <= -1.0) && n_edges) { /* a ruling between the two glyphs */
                if (!pos) {
                    pos = PyMem_Malloc(sizeof(double) * (size_t)n_edges);
                    lo_e = PyMem_Malloc(sizeof(double) * (size_t)n_edges);
                    hi_e = PyMem_Malloc(sizeof(double) * (size_t)n_edges);
                    if (!pos || !lo_e || !hi_e) { PyErr_NoMemory(); goto done; }
                    for (Py_ssize_t k = 0; k < n_edges; k++) {
                        PyObject *e = PyList_GET_ITEM(vedges, k);
                        PyObject *v[3] = {PyObject_GetAttrString(e, "pos"), PyObject_GetAttrString(e, "lo"),
                                          PyObject_GetAttrString(e, "hi")};
                        int ok = v[0] && v[1] && v[2] && number(v[0], &pos[k]) && number(v[1], &lo_e[k]) &&
                                 number(v[2], &hi_e[k]);
                        Py_XDECREF(v[0]); Py_XDECREF(v[1]); Py_XDECREF(v[2]);
                        if (!ok) {
                            if (!PyErr_Occurred()) { Py_INCREF(Py_None); out = Py_None; }
                            goto done;
                        }
                    }
                }
                double pcx = (prev->x0 + prev->x1) / 2, gcx = (g->x0 + g->x1) / 2;
                Py_ssize_t lo = 0, hi = n_edges; /* bisect_right(positions, prev.cx) */
                while (lo < hi) { Py_ssize_t mid = (lo + hi) / 2; if (pcx < pos[mid]) hi = mid; else lo = mid + 1; }
                Py_ssize_t first = lo;
                lo = 0; hi = n_edges; /* bisect_left(positions, g.cx) */
                while (lo < hi) { Py_ssize_t mid = (lo + hi) / 2; if (pos[mid] < gcx) lo = mid + 1; else hi = mid; }
                for (Py_ssize_t k = first; k < lo; k++)
                    if (lo_e[k] - 1 <= prev->base && prev->base <= hi_e[k] + 1) { text[len++] = ' '; break; }
            }
        }
        weak = 0;
        text[len++] = g->ch;
        prev = g;
        prev_cjk = cjk;
        spaced = 0;
    }
    out = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, text, len);
done:
    PyMem_Free(gs); PyMem_Free(gaps); PyMem_Free(text); PyMem_Free(pos); PyMem_Free(lo_e); PyMem_Free(hi_e);
    return out;
}

/* ---------------------------------------------------------------- rulings and pictures (read.pdf) */

typedef int (*count_objects_fn)(void *);
typedef void *(*get_object_fn)(void *, int);
typedef int (*obj_type_fn)(void *);
typedef int (*obj_bounds_fn)(void *, float *, float *, float *, float *);
typedef int (*draw_mode_fn)(void *, int *, int *);
typedef int (*obj_matrix_fn)(void *, MatrixF *);
typedef int (*count_segments_fn)(void *);
typedef void *(*get_segment_fn)(void *, int);
typedef int (*segment_point_fn)(void *, float *, float *);
typedef int (*segment_type_fn)(void *);
typedef int (*segment_close_fn)(void *);

static struct {
    count_objects_fn page_count, form_count;
    get_object_fn page_get, form_get;
    obj_type_fn type;
    obj_bounds_fn bounds;
    draw_mode_fn draw_mode;
    obj_matrix_fn matrix;
    count_segments_fn count_segments;
    get_segment_fn segment;
    segment_point_fn point;
    segment_type_fn segment_type;
    segment_close_fn close;
    int path, image, form, moveto, lineto, max_depth;
    int ready;
} paths;

/* setup_paths(pdfium function addresses, (PATH, IMAGE, FORM, MOVETO, LINETO, max form depth)) */
static PyObject *py_setup_paths(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *addrs, *consts;
    if (!PyArg_ParseTuple(args, "O!O!", &PyTuple_Type, &addrs, &PyTuple_Type, &consts)) return NULL;
    if (PyTuple_GET_SIZE(consts) != 6) {
        PyErr_SetString(PyExc_ValueError, "6 constants expected");
        return NULL;
    }
    if (!edge_type) {
        PyErr_SetString(PyExc_RuntimeError, "native.types() was not called");
        return NULL;
    }
    void *p[13];
    if (!read_addresses(addrs, p, 13)) return NULL;
    int c[6];
    for (int i = 0; i < 6; i++) {
        c[i] = (int)PyLong_AsLong(PyTuple_GET_ITEM(consts, i));
        if (c[i] == -1 && PyErr_Occurred()) return NULL;
    }
    paths.page_count = (count_objects_fn)p[0];
    paths.page_get = (get_object_fn)p[1];
    paths.form_count = (count_objects_fn)p[2];
    paths.form_get = (get_object_fn)p[3];
    paths.type = (obj_type_fn)p[4];
    paths.bounds = (obj_bounds_fn)p[5];
    paths.draw_mode = (draw_mode_fn)p[6];
    paths.matrix = (obj_matrix_fn)p[7];
    paths.count_segments = (count_segments_fn)p[8];
    paths.segment = (get_segment_fn)p[9];
    paths.point = (segment_point_fn)p[10];
    paths.segment_type = (segment_type_fn)p[11];
    paths.close = (segment_close_fn)p[12];
    paths.path = c[0]; paths.image = c[1]; paths.form = c[2]; paths.moveto = c[3]; paths.lineto = c[4];
    paths.max_depth = c[5];
    paths.ready = 1;
    Py_RETURN_NONE;
}

typedef struct {
    double a, b, c, d, e, f; /* user space -> display (read.pdf._View.affine) */
    double thin, left, bottom, right, top;
    double image_area;
    PyObject *hedges, *vedges;
    int failed; /* a pdfium call the Python path raises on: it decides */
} Walk;

static int add_edge(PyObject *list, double pos, double lo, double hi) {
    PyObject *e = edge_type->tp_alloc(edge_type, 0);
    if (!e) return -1;
    PyObject *v[3] = {PyFloat_FromDouble(pos), PyFloat_FromDouble(lo), PyFloat_FromDouble(hi)};
    if (!v[0] || !v[1] || !v[2]) {
        Py_XDECREF(v[0]); Py_XDECREF(v[1]); Py_XDECREF(v[2]); Py_DECREF(e);
        return -1;
    }
    SET(e, off_pos, v[0]); SET(e, off_lo, v[1]); SET(e, off_hi, v[2]);
    int r = PyList_Append(list, e);
    Py_DECREF(e);
    return r;
}

/* A segment in page space: a ruling when it is (nearly) vertical or horizontal (as read.pdf._path_edges). */
static int segment_edge(Walk *w, double ax, double ay, double bx, double by) {
    double xa = w->a * ax + w->b * ay + w->e, ya = w->c * ax + w->d * ay + w->f;
    double xb = w->a * bx + w->b * by + w->e, yb = w->c * bx + w->d * by + w->f;
    if (fabs(xa - xb) < 1.0 && fabs(ya - yb) > w->thin)
        return add_edge(w->vedges, (xa + xb) / 2, py_min(ya, yb), py_max(ya, yb));
    if (fabs(ya - yb) < 1.0 && fabs(xa - xb) > w->thin)
        return add_edge(w->hedges, (ya + yb) / 2, py_min(xa, xb), py_max(xa, xb));
    return 0;
}

static int path_edges(Walk *w, void *obj) {
    float l, b, r, t;
    if (!paths.bounds(obj, &l, &b, &r, &t)) { w->failed = 1; return 0; }
    /* _View.box: both corners through the affine turn, then min/max */
    double ua = w->a * l + w->b * b + w->e, va = w->c * l + w->d * b + w->f;
    double ub = w->a * r + w->b * t + w->e, vb = w->c * r + w->d * t + w->f;
    double x0 = py_min(ua, ub), top = py_min(va, vb), x1 = py_max(ua, ub), bottom = py_max(va, vb);
    double width = x1 - x0, height = bottom - top;
    if (width <= w->thin && height <= w->thin) return 0;
    if (width <= w->thin) return add_edge(w->vedges, (x0 + x1) / 2, top, bottom);
    if (height <= w->thin) return add_edge(w->hedges, (top + bottom) / 2, x0, x1);
    int fill = 0, stroke = 0;
    if (paths.draw_mode(obj, &fill, &stroke) && !stroke) return 0; /* a filled box: not a ruling */
    MatrixF m;
    if (!paths.matrix(obj, &m)) { w->failed = 1; return 0; }
    double ma = m.a, mb = m.b, mc = m.c, md = m.d, me = m.e, mf = m.f;
    int n = paths.count_segments(obj);
    int have_start = 0, have_prev = 0;
    double sx = 0, sy = 0, px_ = 0, py_ = 0;
    for (int i = 0; i < n; i++) {
        void *seg = paths.segment(obj, i);
        float x, y;
        if (!seg || !paths.point(seg, &x, &y)) continue;
        double qx = x, qy = y;
        double ptx = ma * qx + mc * qy + me, pty = mb * qx + md * qy + mf;
        int kind = paths.segment_type(seg);
        if (kind == paths.moveto || !have_prev) { sx = ptx; sy = pty; have_start = 1; }
        else if (kind == paths.lineto) { if (segment_edge(w, px_, py_, ptx, pty) < 0) return -1; }
        px_ = ptx; py_ = pty; have_prev = 1;
        if (paths.close(seg) && have_start && !(sx == ptx && sy == pty)) {
            if (segment_edge(w, ptx, pty, sx, sy) < 0) return -1;
            px_ = sx; py_ = sy;
        }
    }
    return 0;
}

/* The page's path and image objects, in form XObjects too, depth first (as read.pdf._raw_drawings). */
static int walk(Walk *w, void *parent, int form, int level) {
    int n = form ? paths.form_count(parent) : paths.page_count(parent);
    for (int i = 0; i < n && !w->failed; i++) {
        void *obj = form ? paths.form_get(parent, i) : paths.page_get(parent, i);
        if (!obj) continue;
        int kind = paths.type(obj);
        if (kind == paths.image) {
            float l, b, r, t;
            if (!paths.bounds(obj, &l, &b, &r, &t)) { w->failed = 1; return 0; }
            double ol = l, ob = b, orr = r, ot = t;
            double wide = py_min(orr, w->right) - py_max(ol, w->left);
            double high = py_min(ot, w->top) - py_max(ob, w->bottom);
            w->image_area += py_max(0.0, wide) * py_max(0.0, high);
        } else if (kind == paths.path) {
            if (path_edges(w, obj) < 0) return -1;
        } else if (kind == paths.form && level < paths.max_depth) {
            if (walk(w, obj, 1, level + 1) < 0) return -1;
        }
    }
    return 0;
}

/* drawings(page address, (a, b, c, d, e, f), thin, (left, bottom, right, top)) -> (hedges, vedges, image
   area), or None when a pdfium call fails that the Python path raises on. */
static PyObject *py_drawings(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *addr;
    Walk w;
    memset(&w, 0, sizeof w);
    if (!PyArg_ParseTuple(args, "O(dddddd)d(dddd)", &addr, &w.a, &w.b, &w.c, &w.d, &w.e, &w.f, &w.thin,
                          &w.left, &w.bottom, &w.right, &w.top))
        return NULL;
    if (!paths.ready) {
        PyErr_SetString(PyExc_RuntimeError, "native.setup_paths() was not called");
        return NULL;
    }
    void *page = PyLong_AsVoidPtr(addr);
    if (!page) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "null page");
        return NULL;
    }
    w.hedges = PyList_New(0);
    w.vedges = PyList_New(0);
    PyObject *out = NULL;
    if (!w.hedges || !w.vedges) goto done;
    if (walk(&w, page, 0, 0) < 0) goto done;
    if (w.failed) { Py_INCREF(Py_None); out = Py_None; goto done; }
    out = Py_BuildValue("(OOd)", w.hedges, w.vedges, w.image_area);
done:
    Py_XDECREF(w.hedges);
    Py_XDECREF(w.vedges);
    return out;
}

/* ---------------------------------------------------------------- grids (read.layout._grid) */

typedef struct { double *pos, *lo, *hi; Py_ssize_t n; } Rulings;

static void rulings_free(Rulings *r) { PyMem_Free(r->pos); PyMem_Free(r->lo); PyMem_Free(r->hi); }

/* Edges (sorted by pos) as arrays; 0 with no error when one is not plain numbers (fall back). */
static int read_rulings(PyObject *list, Rulings *r) {
    r->n = PyList_GET_SIZE(list);
    size_t m = (size_t)(r->n > 0 ? r->n : 1);
    r->pos = PyMem_Malloc(sizeof(double) * m);
    r->lo = PyMem_Malloc(sizeof(double) * m);
    r->hi = PyMem_Malloc(sizeof(double) * m);
    if (!r->pos || !r->lo || !r->hi) { PyErr_NoMemory(); return 0; }
    for (Py_ssize_t k = 0; k < r->n; k++) {
        PyObject *e = PyList_GET_ITEM(list, k);
        if (!edge_type || Py_TYPE(e) != edge_type) return 0;
        PyObject *p = GET(e, off_pos), *lo = GET(e, off_lo), *hi = GET(e, off_hi);
        if (!p || !lo || !hi || !number(p, &r->pos[k]) || !number(lo, &r->lo[k]) || !number(hi, &r->hi[k]))
            return 0;
        if (k && r->pos[k] < r->pos[k - 1]) return 0; /* not sorted: the Python code sorts */
    }
    return 1;
}

/* As read.layout._Rulings.covers: a ruling at pos covering `cover` of lo..hi. */
static int covers(const Rulings *r, double snap, double cover, double pos, double lo, double hi) {
    double need = (hi - lo) * cover;
    double a = pos - snap - 1.0, b = pos + snap + 1.0;
    Py_ssize_t first = 0, last = r->n, l = 0, h = r->n;
    while (l < h) { Py_ssize_t mid = (l + h) / 2; if (r->pos[mid] < a) l = mid + 1; else h = mid; } /* bisect_left */
    first = l;
    l = 0; h = r->n;
    while (l < h) { Py_ssize_t mid = (l + h) / 2; if (b < r->pos[mid]) h = mid; else l = mid + 1; } /* bisect_right */
    last = l;
    for (Py_ssize_t k = first; k < last; k++)
        if (fabs(r->pos[k] - pos) <= snap && py_min(r->hi[k], hi) - py_max(r->lo[k], lo) >= need) return 1;
    return 0;
}

static Py_ssize_t find(Py_ssize_t *parent, Py_ssize_t i) {
    while (parent[i] != i) { parent[i] = parent[parent[i]]; i = parent[i]; }
    return i;
}

static int read_floats(PyObject *list, double **out, Py_ssize_t *n) {
    *n = PyList_GET_SIZE(list);
    *out = PyMem_Malloc(sizeof(double) * (size_t)(*n > 0 ? *n : 1));
    if (!*out) { PyErr_NoMemory(); return 0; }
    for (Py_ssize_t i = 0; i < *n; i++)
        if (!number(PyList_GET_ITEM(list, i), &(*out)[i])) return 0;
    return 1;
}

/* grid_spans(xs, ys, vedges, hedges, snap, cover) -> [(row, row_end, col, col_end)] of the merged cells,
   in the order read.layout._grid first meets them, or None to fall back. */
static PyObject *py_grid_spans(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *xs_l, *ys_l, *v_l, *h_l;
    double snap, cover;
    if (!PyArg_ParseTuple(args, "O!O!O!O!dd", &PyList_Type, &xs_l, &PyList_Type, &ys_l, &PyList_Type, &v_l,
                          &PyList_Type, &h_l, &snap, &cover))
        return NULL;
    double *xs = NULL, *ys = NULL;
    Py_ssize_t nx, ny, *parent = NULL, *slot = NULL;
    Rulings v = {0}, h = {0};
    long *box = NULL;
    PyObject *out = NULL;
    int plain = read_floats(xs_l, &xs, &nx) && read_floats(ys_l, &ys, &ny) && read_rulings(v_l, &v) &&
                read_rulings(h_l, &h);
    if (!plain || nx < 2 || ny < 2) {
        if (!PyErr_Occurred()) { Py_INCREF(Py_None); out = Py_None; }
        goto done;
    }
    Py_ssize_t rows = ny - 1, cols = nx - 1, cells = rows * cols;
    parent = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)cells);
    slot = PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)cells);
    box = PyMem_Malloc(sizeof(long) * 4 * (size_t)cells);
    if (!parent || !slot || !box) { PyErr_NoMemory(); goto done; }
    for (Py_ssize_t i = 0; i < cells; i++) { parent[i] = i; slot[i] = -1; }
    for (Py_ssize_t r = 0; r < rows; r++)
        for (Py_ssize_t c = 0; c < cols; c++) {
            Py_ssize_t i = r * cols + c;
            if (c + 1 < cols && !covers(&v, snap, cover, xs[c + 1], ys[r], ys[r + 1]))
                parent[find(parent, i)] = find(parent, i + 1);
            if (r + 1 < rows && !covers(&h, snap, cover, ys[r + 1], xs[c], xs[c + 1]))
                parent[find(parent, i)] = find(parent, i + cols);
        }
    Py_ssize_t n_spans = 0;
    for (Py_ssize_t r = 0; r < rows; r++)
        for (Py_ssize_t c = 0; c < cols; c++) {
            Py_ssize_t root = find(parent, r * cols + c);
            if (slot[root] < 0) {
                slot[root] = n_spans;
                long *b = &box[4 * n_spans++];
                b[0] = (long)r; b[1] = (long)r + 1; b[2] = (long)c; b[3] = (long)c + 1;
            }
            long *b = &box[4 * slot[root]];
            if ((long)r < b[0]) b[0] = (long)r;
            if ((long)r + 1 > b[1]) b[1] = (long)r + 1;
            if ((long)c < b[2]) b[2] = (long)c;
            if ((long)c + 1 > b[3]) b[3] = (long)c + 1;
        }
    out = PyList_New(n_spans);
    if (!out) goto done;
    for (Py_ssize_t k = 0; k < n_spans; k++) {
        long *b = &box[4 * k];
        PyObject *t = Py_BuildValue("(llll)", b[0], b[1], b[2], b[3]);
        if (!t) { Py_CLEAR(out); goto done; }
        PyList_SET_ITEM(out, k, t);
    }
done:
    PyMem_Free(xs); PyMem_Free(ys); PyMem_Free(parent); PyMem_Free(slot); PyMem_Free(box);
    rulings_free(&v); rulings_free(&h);
    return out;
}

/* cell_members(glyphs, xs, ys, owner) -> {cell index: [Glyph]} as read.layout._fill_cells places them (the
   cell under each glyph's centre; owner: the cell of each atomic box, row by row), or None to fall back. */
static PyObject *py_cell_members(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *list, *xs_l, *ys_l, *owner;
    if (!PyArg_ParseTuple(args, "O!O!O!O!", &PyList_Type, &list, &PyList_Type, &xs_l, &PyList_Type, &ys_l,
                          &PyList_Type, &owner))
        return NULL;
    double *xs = NULL, *ys = NULL;
    Py_ssize_t nx, ny;
    PyObject *out = NULL;
    if (!glyph_type || !read_floats(xs_l, &xs, &nx) || !read_floats(ys_l, &ys, &ny) || nx < 2 || ny < 2 ||
        PyList_GET_SIZE(owner) != (nx - 1) * (ny - 1)) {
        if (!PyErr_Occurred()) { Py_INCREF(Py_None); out = Py_None; }
        goto done;
    }
    Py_ssize_t n = PyList_GET_SIZE(list), cols = nx - 1;
    double left = xs[0], right = xs[nx - 1], top = ys[0], bottom = ys[ny - 1];
    out = PyDict_New();
    if (!out) goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *o = PyList_GET_ITEM(list, i);
        double x0, x1, t, b;
        if (Py_TYPE(o) != glyph_type || !GET(o, off_x0) || !GET(o, off_x1) || !GET(o, off_top) ||
            !GET(o, off_bottom) || !number(GET(o, off_x0), &x0) || !number(GET(o, off_x1), &x1) ||
            !number(GET(o, off_top), &t) || !number(GET(o, off_bottom), &b)) {
            Py_DECREF(out);
            Py_INCREF(Py_None);
            out = Py_None;
            goto done;
        }
        double cx = (x0 + x1) / 2, cy = (t + b) / 2;
        if (!(left <= cx && cx < right && top <= cy && cy < bottom)) continue;
        Py_ssize_t lo = 0, hi = nx; /* bisect_right(xs, cx) - 1 */
        while (lo < hi) { Py_ssize_t mid = (lo + hi) / 2; if (cx < xs[mid]) hi = mid; else lo = mid + 1; }
        Py_ssize_t c = lo - 1;
        lo = 0; hi = ny;
        while (lo < hi) { Py_ssize_t mid = (lo + hi) / 2; if (cy < ys[mid]) hi = mid; else lo = mid + 1; }
        Py_ssize_t r = lo - 1;
        if (c < 0 || c >= cols || r < 0 || r >= ny - 1) continue; /* cannot happen inside the grid */
        PyObject *key = PyList_GET_ITEM(owner, r * cols + c);
        PyObject *members = PyDict_GetItemWithError(out, key);
        if (!members) {
            if (PyErr_Occurred()) { Py_CLEAR(out); goto done; }
            members = PyList_New(0);
            if (!members || PyDict_SetItem(out, key, members) < 0) { Py_XDECREF(members); Py_CLEAR(out); goto done; }
            Py_DECREF(members); /* the dict holds it */
        }
        if (PyList_Append(members, o) < 0) { Py_CLEAR(out); goto done; }
    }
done:
    PyMem_Free(xs); PyMem_Free(ys);
    return out;
}

static PyMethodDef methods[] = {
    {"types", py_types, METH_VARARGS, "types(Glyph, Edge): once, at read.layout's import."},
    {"setup", py_setup, METH_VARARGS, "setup(char_kind, pdfium function addresses): once, at import."},
    {"setup_paths", py_setup_paths, METH_VARARGS, "setup_paths(pdfium function addresses, constants)."},
    {"drawings", py_drawings, METH_VARARGS, "drawings(page, affine, thin, bbox) -> (hedges, vedges, image area)."},
    {"grid_spans", py_grid_spans, METH_VARARGS, "grid_spans(xs, ys, vedges, hedges, snap, cover) -> spans."},
    {"cell_members", py_cell_members, METH_VARARGS, "cell_members(glyphs, xs, ys, owner) -> {cell: glyphs}."},
    {"baseline_rows", py_baseline_rows, METH_VARARGS, "baseline_rows(glyphs, line_tol) -> rows, or None."},
    {"join_glyphs", py_join_glyphs, METH_VARARGS,
     "join_glyphs(row, vedges, generated_space, cjk_gap, latin_gap) -> str, or None."},
    {"chars", py_chars, METH_VARARGS, "chars(textpage address, size_confirm) -> (characters, angles)."},
    {"glyphs", py_glyphs, METH_VARARGS, "glyphs(characters, a, b, c, d, e, f) -> [Glyph] in display space."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "native", "The PDF reader's compiled helper (see read/pdf.py, read/layout.py).", -1,
    methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_native(void) { return PyModule_Create(&module); }
