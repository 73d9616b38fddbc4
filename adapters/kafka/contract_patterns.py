"""The exported schemas' patterns: what the parser accepts, written as portable regular
expressions (ECMA-262, as JSON Schema reads them; Python's ``re`` reads them alike).

The parser strips identifiers (Python's whitespace) before it checks their length and
characters, and reads times and UUIDs with pydantic; these patterns say the same in the
schema, so an upstream validator refuses what the service would dead-letter.
"""

from __future__ import annotations

# str.isspace() characters: the parser strips these from both ends of an identifier.
_SPACE = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_ALLOWED = r"[^\x00-\x1f\x7f]"  # inside an identifier: no control character
_SOLID = r"[^\x00-\x20\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
IDENTIFIER_PATTERN = f"^[{_SPACE}]*{_SOLID}(?:{_ALLOWED}{{0,198}}{_SOLID})?[{_SPACE}]*$"
IDENTIFIER_RULE = (
    "1 to 200 characters once surrounding white space is stripped, with no control character"
    " inside."
)

_LEAP_YEAR = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
_MONTH_DAY = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
# Years 2000 to 2999, and the day either side: the parser decides those with the offset.
_DATE = rf"(?:(?:2[0-9]{{3}}-{_MONTH_DAY})|(?:{_LEAP_YEAR}-02-29)|1999-12-31|3000-01-01)"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,9})?"
_OFFSET = r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
INSTANT_PATTERN = f"^{_DATE}[Tt]{_TIME}{_OFFSET}$"

_HEX = "[0-9a-fA-F]"
_HYPHENATED = f"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}"
UUID_PATTERN = f"^(?:{_HYPHENATED}|{_HEX}{{32}}|\\{{{_HYPHENATED}\\}}|urn:uuid:{_HYPHENATED})$"
UUID_RULE = "A UUID: hyphenated (optionally in braces or after urn:uuid:) or 32 hex digits."
