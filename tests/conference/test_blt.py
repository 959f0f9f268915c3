"""BLT files (conference/blt.py): the real files' quirks read, bad structure rejected naming the
line, and an anonymised writer whose output reads back to the same election."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conference.elections.counting.blt import BltElection, BltError, clean_text, read_blt, write_blt
from tests.conference.elections_data import MALFORMED, elections_dir

EXAMPLE = """4 3
423 1 0
55 1 2 0
9 1 2 3 0
11 2 4 3 1 0
0
Douglas LUMSDEN (Con)
Angela TAYLOR (Lab)
Ian YUILL (LD)
Jennifer STEWART (SNP)
Airyhall/Broomhill/Garthdee Ward
"""


def test_the_plain_layout_of_the_scottish_files() -> None:
    election = read_blt(EXAMPLE)
    assert election.candidates == (
        "Douglas LUMSDEN (Con)",
        "Angela TAYLOR (Lab)",
        "Ian YUILL (LD)",
        "Jennifer STEWART (SNP)",
    )
    assert election.seats == 3
    assert election.ballots == (((0,), 423), ((0, 1), 55), ((0, 1, 2), 9), ((1, 3, 2, 0), 11))
    assert election.title == "Airyhall/Broomhill/Garthdee Ward"
    assert election.withdrawn == ()


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ('"Brian ALLAN ""Alba Party for independence"""', 'Brian ALLAN "Alba Party for independence"'),
        ('"Jamie COLE-HAMILTON" "Scottish Green Party"', 'Jamie COLE-HAMILTON "Scottish Green Party"'),
        (
            '"""Kate CAMPBELL"" ""Scottish Conservative and Unionist"""',
            'Kate CAMPBELL "Scottish Conservative and Unionist"',
        ),
        ('"Lab ""George ADAM"" "', 'Lab "George ADAM"'),
        ('"Plain Quoted"', "Plain Quoted"),
        ("Douglas   LUMSDEN  (Con) ", "Douglas LUMSDEN (Con)"),
        ("Gary O\ufffdRORKE (Lab)", "Gary O\ufffdRORKE (Lab)"),
        ("Pat O'NEIL (Ind)", "Pat O'NEIL (Ind)"),
    ],
)
def test_quote_styles_spacing_and_replacement_characters(line: str, name: str) -> None:
    election = read_blt(f'2 1\n1 1 0\n0\n{line}\nOther CANDIDATE\n"Ward 1"\n')
    assert election.candidates[0] == name
    assert election.title == "Ward 1"


def test_glasgow_2007_names_in_alternative_name_comments() -> None:
    text = (
        "3 1\n5 1 2 0\n3 3 0\n0\n"
        "# ALTERNATIVE NAME 1: Gary Barton (Ind)\n"
        "# ALTERNATIVE NAME 2: Alasdair Duke - Wardrop (Grn)\n"
        "# ALTERNATIVE NAME 3: Alison E Thewliss (SNP)\n"
        "Calton ward\n"
    )
    election = read_blt(text)
    assert election.candidates == (
        "Gary Barton (Ind)",
        "Alasdair Duke - Wardrop (Grn)",
        "Alison E Thewliss (SNP)",
    )
    assert election.title == "Calton ward"


def test_comments_blank_lines_withdrawn_and_no_title() -> None:
    text = '# exported\n3 2\n\n-2\n4 1 2 3 0\n# a comment\n2 2 0\n0\n"A"\n"B"\n"C"\n'
    election = read_blt(text)
    assert election.withdrawn == (1,)
    assert election.ballots == (((0, 1, 2), 4), ((1,), 2))
    assert election.candidates == ("A", "B", "C")
    assert election.title == ""


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", None, "empty"),
        ("3\n0\nA\nB\nC\n", 1, "two numbers"),
        ("3 x\n0\nA\nB\nC\n", 1, "'x' is not a whole number"),
        ("3 0\n0\nA\nB\nC\n", 1, "at least one seat"),
        ("0 1\n0\n", 1, "at least one candidate"),
        ("3 1\n-4\n0\nA\nB\nC\n", 2, "withdrawn candidate 4"),
        ("3 1\n1 1 0\n2 1 4 0\n0\nA\nB\nC\n", 3, "preference 4 is not one of the 3 candidates"),
        ("3 1\n1 1 0\n2 1 2\n0\nA\nB\nC\n", 3, "does not end with 0"),
        ("3 1\n5\n0\nA\nB\nC\n", 2, "does not end with 0"),
        ("3 1\n2 1 0 2 0\n0\nA\nB\nC\n", 2, "goes on after its terminating 0"),
        ("3 1\n2 1 2 1 0\n0\nA\nB\nC\n", 2, "candidate 1 is ranked more than once"),
        ("3 1\n2 1=2 3 0\n0\nA\nB\nC\n", 2, "equal rankings"),
        ("3 1\n-2 1 0\n0\nA\nB\nC\n", 2, "withdrawn candidate"),
        ("3 1\n1 1 0\n-2 1 0\n0\nA\nB\nC\n", 3, "cannot be negative"),
        ("3 1\n1 1 0,\n0\nA\nB\nC\n", 2, "'0,' is not a whole number"),
        ("3 1\n1 1 0\n2 2 0\n", 3, "do not end with a line holding only 0"),
        ("3 1\n1 1 0\n0\nA\nB\n", 5, "expected 3 candidate names after the ballots, found 2"),
        ("3 1\n1 1 0\n0\nA\nB\nC\nTitle\nMore\n", 8, "unexpected text after the title"),
        ('3 1\n1 1 0\n0\nA\n"A"\nC\n', 5, "two candidates are called 'A'"),
        ('3 1\n1 1 0\n0\nA\n""\nC\n', 5, "name is empty"),
    ],
)
def test_bad_structure_is_rejected_naming_the_line(text: str, line: int | None, message: str) -> None:
    with pytest.raises(BltError) as caught:
        read_blt(text)
    assert caught.value.line == line
    assert message in caught.value.message
    assert str(caught.value) == (f"line {line}: {caught.value.message}" if line else caught.value.message)


def test_the_malformed_perth_and_kinross_file_is_rejected_at_its_first_line() -> None:
    path = elections_dir() / MALFORMED
    with pytest.raises(BltError) as caught:
        read_blt(path.read_text(encoding="utf-8"))
    assert caught.value.line == 1
    assert (
        str(caught.value)
        == "line 1: the first line must give the numbers of candidates and seats: '1,' is not a whole number"
    )


def test_the_real_glasgow_2007_and_2022_quoted_files() -> None:
    folder = elections_dir() / "scot-elex"
    glasgow = read_blt((folder / "10_cands/glasgow_2007_calton.blt").read_text(encoding="utf-8"))
    assert glasgow.candidates[0] == "Gary Barton (Ind)" and glasgow.title == "Calton ward"
    assert len(glasgow.candidates) == 10
    replaced = read_blt((folder / "9_cands/north_lanarkshire_2012_ward18.blt").read_text(encoding="utf-8"))
    assert "Gary O\ufffdRORKE (Lab)" in replaced.candidates
    quoted = [p for p in sorted(folder.glob("*/*_2022_*.blt"))[:20]]
    for path in quoted:
        election = read_blt(path.read_text(encoding="utf-8"))
        assert all(name and not name.startswith('"') for name in election.candidates), path


# --- writing ------------------------------------------------------------------------------------------


def test_write_blt_is_anonymised_and_quoted() -> None:
    election = BltElection(
        candidates=("Ann", 'Bo "Green"', "Cy"),
        seats=2,
        ballots=(((2, 0), 1), ((0,), 1), ((2, 0), 1), ((1,), 0), ((0,), 2)),
        title="Ward 7",
        withdrawn=(1,),
    )
    assert write_blt(election) == '3 2\n-2\n3 1 0\n2 3 1 0\n0\n"Ann"\n"Bo ""Green"""\n"Cy"\n"Ward 7"\n'
    assert read_blt(write_blt(election)) == election.anonymised()


def test_real_files_survive_a_round_trip() -> None:
    folder = elections_dir() / "scot-elex"
    for name in [
        "4_cands/aberdeen_2017_ward11.blt",
        "10_cands/glasgow_2007_calton.blt",
        "9_cands/north_lanarkshire_2012_ward18.blt",
    ]:
        election = read_blt((folder / name).read_text(encoding="utf-8"))
        assert read_blt(write_blt(election)) == election.anonymised(), name


names = (
    st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=20)
    .map(clean_text)
    .filter(lambda name: bool(name) and not name.startswith('"'))
)


@st.composite
def blt_elections(draw: st.DrawFn) -> BltElection:
    candidates = draw(st.lists(names, min_size=1, max_size=6, unique=True))
    n = len(candidates)
    ballots = []
    for _ in range(draw(st.integers(0, 10))):
        order = draw(st.permutations(range(n)))
        ballots.append((tuple(order[: draw(st.integers(0, n))]), draw(st.integers(0, 50))))
    return BltElection(
        candidates=tuple(candidates),
        seats=draw(st.integers(1, 4)),
        ballots=tuple(ballots),
        title=draw(st.one_of(st.just(""), names)),
        withdrawn=tuple(sorted(draw(st.sets(st.integers(0, n - 1), max_size=n)))),
    )


@settings(max_examples=200, deadline=None)
@given(blt_elections())
def test_write_then_read_gives_the_same_election(election: BltElection) -> None:
    text = write_blt(election)
    assert read_blt(text) == election.anonymised()
    assert write_blt(read_blt(text)) == text


@given(st.text(max_size=40))
def test_clean_text_is_idempotent_on_what_it_gives(raw: str) -> None:
    once = clean_text(raw)
    if not once.startswith('"'):
        assert clean_text(once) == once
