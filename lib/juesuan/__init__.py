"""juesuan: parse and audit Chinese departmental final-accounts disclosures (部门决算公开)."""

from .config import PARSER_VERSION as __version__
from .errors import InputError
from .model import Disclosure
from .panel import open_panel as panel  # juesuan.panel(dir): every parsed document of dir, via DuckDB
from .pipeline import parse as load

__all__ = ["Disclosure", "InputError", "load", "panel", "__version__"]
