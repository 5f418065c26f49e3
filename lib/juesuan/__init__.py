"""juesuan: parse and audit Chinese departmental final-accounts disclosures (部门决算公开)."""

from .config import PARSER_VERSION as __version__
from .errors import InputError
from .model import Disclosure, load

__all__ = ["Disclosure", "InputError", "load", "__version__"]
