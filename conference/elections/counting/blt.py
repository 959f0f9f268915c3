"""BLT ballot files: read (tolerant of the real files' quirks, strict about structure) and write.

The BLT format (from ERS, used by OpenSTV, Droop, eSTV and the Scottish
council "preference profiles" collected in ../shared/elections)::

    4 3                 candidates, seats
    -2                  optional: withdrawn candidates, negative numbers
    423 1 0             papers, preferences (1-based), 0 ends the ballot
    55 1 2 0
    0                   end of the ballots
    "Douglas LUMSDEN"   one name per line, in candidate order
    ...
    "Ward 11"           the title

Tolerated, because the real files do it (see ../shared/elections/README.md):

* names and title without quotes, or with quote marks left over from CSV
  exports in several styles; a name is read as CSV fields separated by spaces
  and written back as ``Name "Party"``: a CSV-quoted name with its party in doubled quotes,
  ``"Jamie COLE-HAMILTON" "Scottish Green Party"`` and the same wrapped in
  a further pair of quotes with every inner quote doubled, all become
  ``First LAST "Party"``; plain names are kept, runs of spaces made single;
* full-line ``#`` comments and blank lines anywhere; the Glasgow 2007 files,
  which give the names only as ``# ALTERNATIVE NAME n: ...`` comments;
* U+FFFD replacement characters in names (kept as they are).

Rejected with a ``BltError`` naming the line: anything but whole numbers in the
header or a ballot (the trailing commas of the malformed Perth and Kinross
file), a preference outside 1..candidates, a candidate ranked twice, a ballot
without its 0 terminator, equal rankings, no end-of-ballots ``0``, too few
names, two candidates with the same name, text after the title.

``write_blt`` writes an anonymised file: identical ballots merged and sorted,
so neither the order of casting nor anything else about a voter survives.
``read_blt(write_blt(e)) == e.anonymised()``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

_WHITESPACE = re.compile(r"\s+")
_ALTERNATIVE_NAME = re.compile(r"#\s*ALTERNATIVE NAME\s+(\d+)\s*:(.*)$", re.IGNORECASE)
_NUMBER = re.compile(r"-?[0-9]+")


class BltError(ValueError):
    """A BLT file that cannot be read; ``line`` is 1-based, or None for the file as a whole."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line is not None else message)


@dataclass(frozen=True)
class BltElection:
    """An election as a BLT file gives it: candidates, seats, ballots (0-based), title, withdrawn."""

    candidates: tuple[str, ...]
    seats: int
    ballots: tuple[tuple[tuple[int, ...], int], ...]
    title: str = ""
    withdrawn: tuple[int, ...] = ()

    def anonymised(self) -> BltElection:
        """Identical ballots merged, zero counts dropped, sorted by preferences."""
        merged: dict[tuple[int, ...], int] = {}
        for preferences, papers in self.ballots:
            if papers:
                merged[tuple(preferences)] = merged.get(tuple(preferences), 0) + papers
        return BltElection(
            candidates=self.candidates,
            seats=self.seats,
            ballots=tuple(sorted(merged.items())),
            title=self.title,
            withdrawn=tuple(sorted(set(self.withdrawn))),
        )


def clean_text(raw: str) -> str:
    """A name or title as shown: CSV quoting undone, ``"Name" "Party"`` as ``Name "Party"``, spaces single."""
    text = raw.strip()
    for _ in range(2):  # a CSV-quoted line of two quoted fields needs a second pass
        if not text.startswith('"'):
            break
        fields = [f.strip() for f in next(csv.reader([text], delimiter=" ", quotechar='"')) if f.strip()]
        if not fields:
            return ""
        text = " ".join([fields[0], *(f'"{f}"' for f in fields[1:])])
    return _WHITESPACE.sub(" ", text).strip()


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _numbers(line: int, text: str, what: str) -> list[int]:
    tokens = text.split()
    for token in tokens:
        if not _NUMBER.fullmatch(token):
            if "=" in token:
                raise BltError(line, f"equal rankings ({token!r}) are not supported")
            raise BltError(line, f"{what}: {token!r} is not a whole number")
    return [int(token) for token in tokens]


def _ballot(number: int, line: str, n: int) -> tuple[tuple[int, ...], int]:
    """A ballot line read_blt's fast path did not take: read number by number, or say what is wrong."""
    values = _numbers(number, line, "a ballot must be whole numbers")
    if values == [0]:
        raise BltError(number, "the end of the ballots must be a line holding only 0")
    if len(values) < 2 or values[-1] != 0:
        raise BltError(number, "the ballot does not end with 0")
    papers, preferences = values[0], values[1:-1]
    if papers < 0:
        raise BltError(number, "the number of papers cannot be negative")
    seen: set[int] = set()
    for preference in preferences:
        if preference == 0:
            raise BltError(number, "the ballot goes on after its terminating 0")
        if not 1 <= preference <= n:
            raise BltError(number, f"preference {preference} is not one of the {n} candidates")
        if preference in seen:
            raise BltError(number, f"candidate {preference} is ranked more than once")
        seen.add(preference)
    return tuple(p - 1 for p in preferences), papers


def read_blt(text: str) -> BltElection:
    """Read a BLT file's text; a ``BltError`` names the line of the first fault found."""
    lines = text.splitlines()
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    total = len(lines)

    def next_content(index: int) -> tuple[int, str]:
        """The 1-based number and text of the next line from ``index`` not blank or a comment."""
        while index < total:
            line = lines[index].strip()
            index += 1
            if line and not line.startswith("#"):
                return index, line
        return total, ""

    number, header = next_content(0)
    if not header:
        raise BltError(None, "the file is empty")
    values = _numbers(number, header, "the first line must give the numbers of candidates and seats")
    if len(values) != 2:
        raise BltError(number, "the first line must give two numbers: candidates and seats")
    n, seats = values
    if n < 1:
        raise BltError(number, "there must be at least one candidate")
    if seats < 1:
        raise BltError(number, "there must be at least one seat")

    withdrawn: list[int] = []
    following, line = next_content(number)
    if line.startswith("-"):
        for value in _numbers(following, line, "withdrawn candidates"):
            if not -n <= value <= -1:
                raise BltError(following, f"withdrawn candidate {-value} is not one of the {n} candidates")
            withdrawn.append(-value - 1)
        number = following

    ballots: list[tuple[tuple[int, ...], int]] = []
    candidate_index = {str(k): k - 1 for k in range(1, n + 1)}.__getitem__
    index = number  # the 0-based index of the line after the header (or the withdrawn line)
    while index < total:
        line = lines[index].strip()
        index += 1
        if not line or line.startswith("#"):
            continue
        if line == "0":
            break
        # The fast path: papers, distinct preferences by their plain numbers, then 0.
        tokens = line.split()
        if len(tokens) >= 2 and tokens[-1] == "0" and tokens[0].isascii() and tokens[0].isdigit():
            try:
                preferences = tuple(map(candidate_index, tokens[1:-1]))
            except KeyError:
                pass
            else:
                if len(set(preferences)) == len(preferences):
                    ballots.append((preferences, int(tokens[0])))
                    continue
        ballots.append(_ballot(index, line, n))
    else:
        raise BltError(total, "the ballots do not end with a line holding only 0")

    end_of_ballots = index
    rest = [(i, text) for i, text in ((i, lines[i - 1].strip()) for i in range(index + 1, total + 1)) if text]
    plain = [(i, line) for i, line in rest if not line.startswith("#")]
    alternative: dict[int, str] = {}
    for _i, line in rest:
        match = _ALTERNATIVE_NAME.match(line)
        if match:
            alternative[int(match.group(1))] = match.group(2)

    if len(plain) >= n:
        names, after = plain[:n], plain[n:]
    elif not plain[1:] and sorted(alternative) == list(range(1, n + 1)):
        # Glasgow 2007: the names only in '# ALTERNATIVE NAME n:' comments, then the title.
        names, after = [(end_of_ballots, alternative[k]) for k in range(1, n + 1)], plain
    else:
        last = rest[-1][0] if rest else end_of_ballots
        raise BltError(last, f"expected {n} candidate names after the ballots, found {len(plain)}")
    if len(after) > 1:
        raise BltError(after[1][0], "unexpected text after the title")
    candidates: list[str] = []
    for i, raw in names:
        name = clean_text(raw)
        if not name:
            raise BltError(i, "a candidate's name is empty")
        if name in candidates:
            raise BltError(i, f"two candidates are called {name!r}")
        candidates.append(name)
    title = clean_text(after[0][1]) if after else ""
    return BltElection(
        candidates=tuple(candidates),
        seats=seats,
        ballots=tuple(ballots),
        title=title,
        withdrawn=tuple(sorted(set(withdrawn))),
    )


def write_blt(election: BltElection) -> str:
    """An anonymised BLT file: identical ballots merged and sorted, names and title quoted."""
    e = election.anonymised()
    lines = [f"{len(e.candidates)} {e.seats}"]
    if e.withdrawn:
        lines.append(" ".join(f"-{c + 1}" for c in e.withdrawn))
    for preferences, papers in e.ballots:
        lines.append(" ".join([str(papers), *(str(p + 1) for p in preferences), "0"]))
    lines.append("0")
    lines.extend(_quote(name) for name in e.candidates)
    lines.append(_quote(e.title))
    return "\n".join(lines) + "\n"
