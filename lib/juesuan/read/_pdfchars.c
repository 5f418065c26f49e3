/* juesuan.read._pdfchars: a page's characters from pdfium in one call, turned into Glyph objects.

   Why: through ctypes every character costs a dozen foreign calls (box, loose box, origin, text object...)
   and a Python loop; here the same calls run in C. Nothing links against pdfium: `setup()` receives the
   addresses of pypdfium2's own pdfium functions. The arithmetic is that of read/pdf.py's pure-Python path
   (_chars, _effective_size, _glyphs), operation for operation, so that both give the same floats; the tests
   compare them (tests/test_compiled.py). Every index is bounded by the count pdfium returns. */

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

#define CAPSULE "juesuan.read._pdfchars.chars"

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

static PyObject *py_setup(PyObject *self, PyObject *args) {
    PyObject *type, *func, *addrs;
    if (!PyArg_ParseTuple(args, "O!OO!", &PyType_Type, &type, &func, &PyTuple_Type, &addrs)) return NULL;
    if (PyTuple_GET_SIZE(addrs) != 11) {
        PyErr_SetString(PyExc_ValueError, "11 pdfium function addresses expected");
        return NULL;
    }
    void *p[11];
    for (int i = 0; i < 11; i++) {
        p[i] = PyLong_AsVoidPtr(PyTuple_GET_ITEM(addrs, i));
        if (!p[i]) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "null pdfium function address");
            return NULL;
        }
    }
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
    Py_INCREF(type);
    Py_XSETREF(glyph_type, (PyTypeObject *)type);
    Py_INCREF(func);
    Py_XSETREF(kind_func, func);
    for (int i = 0; i < 0x10000; i++) Py_CLEAR(kind_cache[i]);
    if (!zero) zero = PyLong_FromLong(0);
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
    if (!glyph_type) {
        PyErr_SetString(PyExc_RuntimeError, "_pdfchars.setup() was not called");
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

static PyMethodDef methods[] = {
    {"setup", py_setup, METH_VARARGS, "setup(Glyph, char_kind, pdfium function addresses): once, at import."},
    {"chars", py_chars, METH_VARARGS, "chars(textpage address, size_confirm) -> (characters, angles)."},
    {"glyphs", py_glyphs, METH_VARARGS, "glyphs(characters, a, b, c, d, e, f) -> [Glyph] in display space."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pdfchars",
                                    "A page's characters from pdfium in one call (see read/pdf.py).", -1, methods};

PyMODINIT_FUNC PyInit__pdfchars(void) { return PyModule_Create(&module); }
