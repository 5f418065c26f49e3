"""Image-only test PDFs made from the bundled text PDFs: the OCR path's inputs, with known answers.

- `scanned`: every page (or the chosen ones) replaced by its picture, as a scanner writes a PDF;
- `pasted`: the table of each chosen page cut out of the text layer and pasted back as a picture, its title
  and 单位 line left as text (how the seed's source was made: tables pasted into a Word file as images);
- both optionally turned by a fraction of a degree and JPEG-compressed, as real scans are.

The pictures are rendered with pdfium at `dpi`; page sizes and page numbers stay the original's, so the
statements' pages must agree with the text-layer parse too.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image


@dataclass(frozen=True)
class Scan:
    """How a page picture is made."""

    dpi: float = 150.0
    turn: float = 0.0  # degrees, counter-clockwise
    jpeg: int | None = None  # JPEG quality; None: lossless (Flate)


def picture(
    page: pdfium.PdfPage, scan: Scan, crop: tuple[float, float, float, float] | None = None
) -> Image.Image:
    """The page (or a crop box in PDF user space: left, bottom, right, top) as a grey picture."""
    scale = scan.dpi / 72.0
    image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
    if crop is not None:
        left, bottom, right, top = crop
        x0, y0, _, _ = page.get_bbox()
        height = page.get_height()
        image = image.crop((int((left - x0) * scale), int((height - (top - y0)) * scale),
                            int((right - x0) * scale), int((height - (bottom - y0)) * scale)))
    if scan.turn:
        image = image.rotate(scan.turn, resample=Image.BICUBIC, expand=False, fillcolor=255)
    return image


def _insert(
    pdf: pdfium.PdfDocument,
    page: pdfium.PdfPage,
    image: Image.Image,
    box: tuple[float, float, float, float],
    scan: Scan,
) -> None:
    obj = pdfium.PdfImage.new(pdf)
    if scan.jpeg is not None:
        buf = io.BytesIO()
        image.save(buf, format="JPEG", quality=scan.jpeg)
        buf.seek(0)
        obj.load_jpeg(buf, pages=[page], inline=False, autoclose=True)
    else:
        bitmap = pdfium.PdfBitmap.from_pil(image.convert("RGB"))
        obj.set_bitmap(bitmap, pages=[page])
        bitmap.close()
    left, bottom, right, top = box
    obj.set_matrix(pdfium.PdfMatrix().scale(right - left, top - bottom).translate(left, bottom))
    page.insert_obj(obj)


def scanned(source: Path, out: Path, scan: Scan = Scan(), pages: Iterable[int] | None = None) -> Path:
    """A PDF whose chosen pages (1-based; default all) are only their pictures; the others are copied."""
    src = pdfium.PdfDocument(source)
    chosen = set(pages) if pages is not None else set(range(1, len(src) + 1))
    pdf = pdfium.PdfDocument.new()
    for no in range(1, len(src) + 1):
        if no not in chosen:
            pdf.import_pages(src, [no - 1])
            continue
        page = src[no - 1]
        image = picture(page, scan)
        width, height = page.get_width(), page.get_height()
        new = pdf.new_page(width, height)
        _insert(pdf, new, image, (0.0, 0.0, width, height), scan)
        new.gen_content()
    pdf.save(out)
    return out


def _ruled_box(page: pdfium.PdfPage) -> tuple[float, float, float, float] | None:
    """The box around the page's path objects (its table rulings), in user space."""
    objects = page.get_objects(max_depth=1)
    boxes = [obj.get_bounds() for obj in objects if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH]
    if not boxes:
        return None
    return (min(b[0] for b in boxes) - 2, min(b[1] for b in boxes) - 2, max(b[2] for b in boxes) + 2,
            max(b[3] for b in boxes) + 2)


def pasted(source: Path, out: Path, scan: Scan = Scan(), pages: Iterable[int] | None = None) -> Path:
    """The text PDF with the ruled table of each chosen page (default all) replaced by its picture, the text
    around it kept."""
    pdf = pdfium.PdfDocument(source)
    for no in pages if pages is not None else range(1, len(pdf) + 1):
        page = pdf[no - 1]
        box = _ruled_box(page)
        if box is None:
            continue
        image = picture(page, scan, box)
        for obj in list(page.get_objects(max_depth=1)):
            left, bottom, right, top = obj.get_bounds()
            cx, cy = (left + right) / 2, (bottom + top) / 2
            if box[0] <= cx <= box[2] and box[1] <= cy <= box[3]:
                page.remove_obj(obj)
        _insert(pdf, page, image, box, scan)
        page.gen_content()
    pdf.save(out)
    return out


def garbled(source: Path, out: Path, pages: Iterable[int]) -> Path:
    """The PDF with the fonts of each chosen page given a ToUnicode map into the private-use area: the page
    looks the same, its text layer extracts as private-use characters (a font without a usable Unicode map,
    as some producers embed them). The fonts are copied for those pages only; the others keep theirs."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter(clone_from=PdfReader(source))
    for no in pages:
        page = writer.pages[no - 1]
        resources = DictionaryObject(page["/Resources"].get_object())
        fonts = DictionaryObject()
        for name, ref in resources["/Font"].get_object().items():
            font = DictionaryObject(ref.get_object())
            two_bytes = font.get("/Subtype") == "/Type0"
            cmap = DecodedStreamObject()
            cmap.set_data(_private_use_cmap(two_bytes).encode("ascii"))
            font[NameObject("/ToUnicode")] = writer._add_object(cmap)
            fonts[NameObject(name)] = writer._add_object(font)
        resources[NameObject("/Font")] = fonts
        page[NameObject("/Resources")] = resources
    writer.write(out)
    return out


def _private_use_cmap(two_bytes: bool) -> str:
    """A ToUnicode CMap sending every code to U+E000 + code (private use)."""
    if two_bytes:
        space = "<0000> <FFFF>"
        ranges = [f"<{hi:02X}00> <{hi:02X}FF> <{0xE000 + 256 * hi:04X}>" for hi in range(0x19)]  # E000–F8FF
    else:
        space = "<00> <FF>"
        ranges = ["<00> <FF> <E000>"]
    return ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Garbled def "
            f"1 begincodespacerange {space} endcodespacerange {len(ranges)} beginbfrange {' '.join(ranges)} "
            "endbfrange endcmap CMapName currentdict /CMap defineresource pop end end")
