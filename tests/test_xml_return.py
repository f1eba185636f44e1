"""The 903 return as the DfE's XML (``inputs.xml_return``): the same tables, findings and
accounting as the same data in CSV files; rows numbered by the element's line; personal
elements never read; elements not used noted; mixed XML and CSV years combined as two CSV
years; a DfE schema beside the return checked, element by element; hostile or broken files
refused in one sentence. Return texts are written out here by hand, so the reader is not only
checked against the kit's own writer."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest

from diagnostic_kit.inputs import xml_return
from diagnostic_kit.inputs.reading import InputError, load_inputs
from diagnostic_kit.run.prepare import check_inputs
from tests.la_builder import ep, hdr, write_la

YEAR = "2024-25"
XML = f"903/{YEAR}/ssda903.xml"

#: K1: a boy (letter sex code of 2024-25) adopted from an A4 placement, AD1 and a decision;
#: K2: a girl, an unaccompanied asylum-seeking child, open in an other placement (Z1, which
#: 2025-26 splits into Z11-Z14: the code of this return's year). The return also holds what
#: the kit does not read: OC3 fields, a missing episode,
#: a social-worker element, the mother's details, UPN and postcodes.
RETURN = """<?xml version="1.0" encoding="UTF-8"?>
<EXPSSDA903>
  <CHILD>
    <HEADER>
      <CHILDID>K1</CHILDID>
      <UPN>A123456789012</UPN>
      <SEX>M</SEX>
      <DOB>01/01/2020</DOB>
      <ETHNIC>WBRI</ETHNIC>
      <UASC>0</UASC>
      <DATE_INT>01/07/2024</DATE_INT>
      <DATE_MATCH>01/09/2024</DATE_MATCH>
      <FOSTER_CARE>0</FOSTER_CARE>
      <NB_ADOPTR>2</NB_ADOPTR>
      <SEX_ADOPTR>MF</SEX_ADOPTR>
      <LS_ADOPTR>L11</LS_ADOPTR>
      <AREVIEW>
        <REVIEW>01/11/2023</REVIEW>
        <REVIEW_CODE>PN0</REVIEW_CODE>
      </AREVIEW>
      <MOTHER/>
      <MC_DOB/>
      <AD_PLACED>
        <DATE_PLACED>01/07/2024</DATE_PLACED>
        <DATE_PLACED_CEASED/>
        <REASON_PLACED_CEASED/>
      </AD_PLACED>
    </HEADER>
    <EPISODE>
      <DECOM>01/05/2023</DECOM>
      <RNE>S</RNE>
      <LS>C2</LS>
      <CIN>N1</CIN>
      <PL>U4</PL>
      <PL_POST>ZZ9 8</PL_POST>
      <HOME_POST>ZZ1 2</HOME_POST>
      <URN>SC000000</URN>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER>
      <DEC>01/10/2024</DEC>
      <REC>X1</REC>
      <REASON_PLACE_CHANGE/>
    </EPISODE>
    <EPISODE>
      <DECOM>01/10/2024</DECOM>
      <RNE>P</RNE>
      <LS>E1</LS>
      <CIN>N1</CIN>
      <PL>A4</PL>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER>
      <DEC>01/02/2025</DEC>
      <REC>E11</REC>
    </EPISODE>
  </CHILD>
  <CHILD>
    <HEADER>
      <CHILDID>K2</CHILDID>
      <UPN>A123456789013</UPN>
      <SEX>F</SEX>
      <DOB>05/05/2012</DOB>
      <ETHNIC>BAFR</ETHNIC>
      <UASC>1</UASC>
      <DUC/>
      <IN_TOUCH>YES</IN_TOUCH>
      <AMISSING>
        <MISSING>M</MISSING>
        <MIS_START>01/08/2024</MIS_START>
      </AMISSING>
      <OC2>
        <SDQ_SCORE>12</SDQ_SCORE>
        <HEALTH_CHECK>1</HEALTH_CHECK>
      </OC2>
    </HEADER>
    <EPISODE>
      <DECOM>01/06/2024</DECOM>
      <RNE>S</RNE>
      <LS>V2</LS>
      <CIN>N1</CIN>
      <PL>Z1</PL>
      <PLACE_PROVIDER>PR4</PLACE_PROVIDER>
    </EPISODE>
    <SW_EPISODE>
      <SW_ID>S1</SW_ID>
    </SW_EPISODE>
  </CHILD>
</EXPSSDA903>
"""

#: The same data as the year's CSV files.
CSV_TABLES = {
    "header": [hdr("K1", "01/01/2020", "M"), hdr("K2", "05/05/2012", "F", "BAFR")],
    "episodes": [
        ep("K1", "01/05/2023", "S", "C2", "U4", "01/10/2024", "X1"),
        ep("K1", "01/10/2024", "P", "E1", "A4", "01/02/2025", "E11"),
        {**ep("K2", "01/06/2024", "S", "V2", "Z1"), "PLACE_PROVIDER": "PR4"},
    ],
    "ad1": [{"CHILD": "K1", "DOB": "01/01/2020", "DATE_INT": "01/07/2024",
             "DATE_MATCH": "01/09/2024", "FOSTER_CARE": "0", "NB_ADOPTR": "2",
             "SEX_ADOPTR": "MF", "LS_ADOPTR": "L11"}],
    "placed_for_adoption": [{"CHILD": "K1", "DOB": "01/01/2020", "DATE_PLACED": "01/07/2024"}],
    "reviews": [{"CHILD": "K1", "DOB": "01/01/2020", "REVIEW": "01/11/2023",
                 "REVIEW_CODE": "PN0"}],
    "oc2": [{"CHILD": "K2", "DOB": "05/05/2012", "SDQ_SCORE": "12", "HEALTH_CHECK": "1"}],
    "uasc": [{"CHILD": "K2", "SEX": "F", "DOB": "05/05/2012"}],
}


def line_of(text: str, tag: str, nth: int = 1) -> int:
    """The line (from 1) on which the ``nth`` occurrence of ``tag`` starts in ``text``."""
    at = -1
    for _ in range(nth):
        at = text.index(tag, at + 1)
    return text.count("\n", 0, at) + 1


def xml_la(root: Path, text: str = RETURN, year: str = YEAR, extra: dict | None = None):
    """An LA whose ``year`` is the return ``text`` (other years, CSV, in ``extra``)."""
    params = write_la(root, extra or {})
    path = root / "data" / "903" / year / "ssda903.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return params


def without_place(df: pd.DataFrame) -> pd.DataFrame:
    """A table without where its rows were read from, in key order."""
    # ad1_row points at the AD1 row a journey was read from: where, like _file and _row.
    out = df.drop(columns=[c for c in ("_file", "_row", "ad1_row") if c in df])
    keys = [c for c in ("CHILD", "DECOM", "REVIEW", "DATE_PLACED", "_year") if c in out]
    return out.sort_values(keys, kind="stable").reset_index(drop=True) if keys else out


def findings_without_place(inputs) -> pd.DataFrame:
    f = inputs.dq.findings.drop(columns=["file", "row"]).astype(str)
    return f.sort_values(list(f.columns)).reset_index(drop=True)


# -- the same tables as the CSV files ----------------------------------------------------------


def test_the_return_gives_the_tables_findings_and_accounting_of_its_csv_files(tmp_path):
    from_xml = check_inputs(xml_la(tmp_path / "xml"))
    from_csv = check_inputs(write_la(tmp_path / "csv", {YEAR: CSV_TABLES}))
    for name, table in from_csv.tables.items():
        pd.testing.assert_frame_equal(without_place(from_xml.tables[name]), without_place(table),
                                      obj=name)
    pd.testing.assert_frame_equal(findings_without_place(from_xml),
                                  findings_without_place(from_csv))
    acc = from_xml.dq.accounting.set_index("table")
    assert acc.loc["episodes", ["rows_read", "rows_used", "rows_excluded"]].tolist() == [3, 3, 0]
    assert acc.loc["header", "file"] == f"{XML} [header]"
    # The values themselves, as written in the return.
    t = from_xml.tables
    assert t["header"]["SEX"].tolist() == ["M", "F"]
    assert t["episodes"]["PLACE"].tolist() == ["U4", "A4", "Z1"]
    assert t["ad1"]["DATE_MATCH"].tolist() == [pd.Timestamp("2024-09-01")]
    assert t["placed_for_adoption"]["DATE_PLACED"].tolist() == [pd.Timestamp("2024-07-01")]
    assert t["uasc"]["CHILD"].tolist() == ["K2"] and t["uasc"]["DUC"].isna().all()
    assert t["oc2"]["SDQ_SCORE"].tolist() == [12] and t["previous_permanence"].empty
    assert t["periods"]["end_reason"].tolist() == ["E11", pd.NA] or \
        t["periods"]["end_reason"].fillna("").tolist() == ["E11", ""]


def test_rows_are_numbered_by_the_line_of_their_element(tmp_path):
    t = load_inputs(xml_la(tmp_path)).tables
    assert t["header"]["_row"].tolist() == [line_of(RETURN, "<HEADER>"),
                                            line_of(RETURN, "<HEADER>", 2)]
    assert t["episodes"]["_row"].tolist() == [line_of(RETURN, "<EPISODE>", n) for n in (1, 2, 3)]
    assert t["ad1"]["_row"].tolist() == [line_of(RETURN, "<DATE_INT>")]
    assert t["uasc"]["_row"].tolist() == [line_of(RETURN, "<UASC>1")]
    assert t["reviews"]["_row"].tolist() == [line_of(RETURN, "<AREVIEW>")]
    assert t["placed_for_adoption"]["_row"].tolist() == [line_of(RETURN, "<AD_PLACED>")]
    assert set(t["episodes"]["_file"]) == {f"{XML} [episodes]"}


def test_a_bad_row_is_a_finding_on_its_line_and_excluded_from_its_table_only(tmp_path):
    text = RETURN.replace("<DECOM>01/06/2024</DECOM>", "<DECOM/>")
    inputs = load_inputs(xml_la(tmp_path, text))
    f = inputs.dq.findings
    bad = f[f["rule"] == "required_missing"]
    assert bad[["file", "row", "column"]].values.tolist() == [
        [f"{XML} [episodes]", line_of(text, "<EPISODE>", 3), "DECOM"]]
    acc = inputs.dq.accounting.set_index("file")
    assert acc.loc[f"{XML} [episodes]", ["rows_read", "rows_used", "rows_excluded"]].tolist() \
        == [3, 2, 1]
    assert acc.loc[f"{XML} [header]", ["rows_read", "rows_excluded"]].tolist() == [2, 0]


def test_personal_elements_are_never_read_and_are_recorded_as_dropped(tmp_path):
    inputs = load_inputs(xml_la(tmp_path))
    held = "\n".join(df.astype(str).to_csv() for df in inputs.tables.values())
    for personal in ("A123456789012", "A123456789013", "ZZ9 8", "ZZ1 2", "SC000000"):
        assert personal not in held
    dropped = inputs.dq.dropped_columns
    assert sorted(map(tuple, dropped[["file", "column"]].values.tolist())) == [
        (f"{XML} [episodes]", "HOME_POST"), (f"{XML} [episodes]", "PL_POST"),
        (f"{XML} [episodes]", "URN"), (f"{XML} [header]", "MC_DOB"),
        (f"{XML} [header]", "MOTHER"), (f"{XML} [header]", "UPN")]
    assert set(dropped["reason"]) == {"personal data the kit does not need"}


def test_elements_the_kit_does_not_use_are_one_note_not_a_finding(tmp_path):
    inputs = load_inputs(xml_la(tmp_path))
    notes = inputs.dq.notes
    mine = notes[notes["file"] == XML]
    assert mine["topic"].tolist() == ["elements not read"]
    detail = mine["detail"].iloc[0]
    for part in ("AMISSING ×1 (missing episodes", "IN_TOUCH ×1 (care leavers (OC3)",
                 "CHILD/SW_EPISODE ×1 (not part of the return"):
        assert part in detail
    assert inputs.dq.findings.empty


def test_a_namespaced_return_and_one_with_unknown_uasc_flag(tmp_path):
    text = RETURN.replace("<EXPSSDA903>", '<EXPSSDA903 xmlns="urn:example:903">') \
        .replace("<UASC>0</UASC>", "<UASC>X</UASC>")
    inputs = load_inputs(xml_la(tmp_path, text))
    assert inputs.tables["episodes"]["PLACE"].tolist() == ["U4", "A4", "Z1"]
    f = inputs.dq.findings
    assert f[["file", "row", "column", "value", "rule"]].values.tolist() == [
        [f"{XML} [header]", line_of(text, "<UASC>X"), "UASC", "X", "code_unknown"]]
    assert inputs.tables["uasc"]["CHILD"].tolist() == ["K2"]


def test_a_return_on_one_line_numbers_each_tables_rows_in_order(tmp_path):
    # Two rows excluded from one line must stay two rows in the accounting.
    text = "".join(line.strip() for line in RETURN.splitlines())
    text = text.replace("<DECOM>01/06/2024</DECOM>", "<DECOM/>") \
        .replace("<DECOM>01/10/2024</DECOM>", "<DECOM/>")
    inputs = load_inputs(xml_la(tmp_path, text))
    assert inputs.tables["header"]["_row"].tolist() == [1, 2]
    acc = inputs.dq.accounting.set_index("file")
    assert acc.loc[f"{XML} [episodes]", ["rows_read", "rows_used", "rows_excluded"]].tolist() \
        == [3, 1, 2]
    assert inputs.dq.findings["row"].tolist() == [2, 3]
    assert "numbered in the order they come" in " ".join(inputs.dq.notes["detail"])


# -- years ------------------------------------------------------------------------------------

#: Two years: K1's first episode is open at 31 March 2024 (2023-24) and ends in 2024-25; K2's
#: episode is open in both, written the same.
TWO_YEARS = {
    "2023-24": {
        "header": [hdr("K1", "01/01/2020", "1"), hdr("K2", "05/05/2012", "2")],
        "episodes": [ep("K1", "01/05/2023", "S", "C2", "U4"), ep("K2", "01/06/2023", "S", "V2",
                                                                 "U6")],
        "reviews": [{"CHILD": "K1", "REVIEW": "01/11/2023", "REVIEW_CODE": "PN0"}],
    },
    "2024-25": {
        "header": [hdr("K1", "01/01/2020", "M"), hdr("K2", "05/05/2012", "F")],
        "episodes": [ep("K1", "01/05/2023", "S", "C2", "U4", "01/10/2024", "X1"),
                     ep("K1", "01/10/2024", "P", "E1", "A4", "01/02/2025", "E11"),
                     ep("K2", "01/06/2023", "S", "V2", "U6")],
        "ad1": CSV_TABLES["ad1"],
        "placed_for_adoption": CSV_TABLES["placed_for_adoption"],
    },
}


@pytest.mark.parametrize("as_xml", [("2023-24",), ("2024-25",), ("2023-24", "2024-25")])
def test_mixed_years_combine_exactly_as_two_csv_years(tmp_path, as_xml):
    mixed = check_inputs(write_la(tmp_path / "mixed", TWO_YEARS, xml=as_xml))
    csv = check_inputs(write_la(tmp_path / "csv", TWO_YEARS))
    assert mixed.years == csv.years == ["2024", "2025"]
    for name, table in csv.tables.items():
        pd.testing.assert_frame_equal(without_place(mixed.tables[name]), without_place(table),
                                      obj=name)
    pd.testing.assert_frame_equal(findings_without_place(mixed), findings_without_place(csv))
    # 2023-24's rows give way to 2024-25's, as between two CSV years: K1's episode (ended
    # since) and both headers (sex 1/2, then M/F) are superseded; K2's episode is the same.
    reasons = mixed.dq.exclusions["reason"].value_counts().to_dict()
    assert reasons == csv.dq.exclusions["reason"].value_counts().to_dict() == {
        "superseded by the same record in a later year's return": 3,
        "exact duplicate of a row in a later year's return": 1}
    assert mixed.dq.exclusions.groupby("reason")["table"].apply(sorted).to_dict() == {
        "superseded by the same record in a later year's return": ["episodes", "header",
                                                                   "header"],
        "exact duplicate of a row in a later year's return": ["episodes"]}
    # Every row accounted for; per table the same rows read and used (an XML return also
    # accounts for its tables with no rows, where no CSV file was given).
    acc = mixed.dq.accounting
    assert (acc["rows_read"] == acc["rows_used"] + acc["rows_excluded"]).all()

    def per_table(a: pd.DataFrame) -> pd.DataFrame:
        return a[a["rows_read"] > 0].groupby("table")[["rows_read", "rows_used"]].sum()

    assert per_table(acc).equals(per_table(csv.dq.accounting))
    eps = mixed.tables["episodes"]
    assert eps["DEC"].notna().sum() == 2 and len(eps) == 3


# -- one sentence, never a traceback ----------------------------------------------------------


def test_a_year_with_both_an_xml_return_and_csv_files_is_one_sentence(tmp_path):
    params = write_la(tmp_path, {YEAR: {"header": CSV_TABLES["header"]}})
    (tmp_path / "data" / "903" / YEAR / "ssda903.xml").write_text(RETURN, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_inputs(params)
    msg = str(exc.value)
    assert msg == (f"903/{YEAR}/ holds both an XML return (ssda903.xml) and 903 CSV files "
                   "(header.csv): keep one form of that year's return, the XML file or the CSV "
                   "files.")


def test_two_returns_in_one_year_folder_are_one_sentence(tmp_path):
    params = xml_la(tmp_path)
    (tmp_path / "data" / "903" / YEAR / "zz_copy.xml").write_text(RETURN, encoding="utf-8")
    with pytest.raises(InputError, match=r"^903/2024-25/ holds two 903 XML returns "
                                         r"\(ssda903.xml and zz_copy.xml\)"):
        load_inputs(params)


@pytest.mark.parametrize("text, where", [
    (RETURN.replace("</DOB>", "</DOBB>", 1), "line 8"),
    (RETURN[: RETURN.index("<EPISODE>", RETURN.index("K2"))], "line"),
    ("", "empty"),
    ("PK\x03\x04 a spreadsheet saved as .xml", "line 1"),
])
def test_a_file_that_is_not_well_formed_is_one_sentence(tmp_path, text, where):
    with pytest.raises(InputError) as exc:
        load_inputs(xml_la(tmp_path, text))
    msg = str(exc.value)
    assert msg.startswith(f"{XML} is ") and where in msg and "\n" not in msg


def test_a_document_type_is_refused_before_any_entity_is_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-VALUE", encoding="utf-8")
    lol = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (f'<?xml version="1.0"?>\n<!DOCTYPE EXPSSDA903 [<!ENTITY l0 "lol">{lol}'
            f'<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
            "<EXPSSDA903><CHILD><HEADER><CHILDID>&l9;</CHILDID><UPN>&xxe;</UPN>"
            "</HEADER></CHILD></EXPSSDA903>\n")
    start = time.perf_counter()
    with pytest.raises(InputError) as exc:
        load_inputs(xml_la(tmp_path, bomb))
    assert time.perf_counter() - start < 5
    assert "declares a document type" in str(exc.value)
    assert "SECRET" not in str(exc.value)
    # Past the first 64 KB (comments before it) the parser refuses it as well.
    padded = bomb.replace("<!DOCTYPE", "<!--" + "x" * 70_000 + "-->\n<!DOCTYPE")
    with pytest.raises(InputError):
        load_inputs(xml_la(tmp_path / "padded", padded))


def test_an_xml_file_that_is_not_a_return_is_listed_and_not_read(tmp_path):
    params = write_la(tmp_path, {YEAR: CSV_TABLES})
    (tmp_path / "data" / "903" / YEAR / "sw.xml").write_text(
        "<SWEpisodes><SWE><SW_ID>1</SW_ID></SWE></SWEpisodes>", encoding="utf-8")
    inputs = load_inputs(params)
    assert inputs.dq.unused_files == [
        f"903/{YEAR}/sw.xml (XML whose root element is SWEpisodes, not EXPSSDA903: not a 903 "
        "return)"]
    assert len(inputs.tables["episodes"]) == 3


def test_children_are_dropped_from_the_tree_as_they_are_read(tmp_path):
    # Memory stays bounded: no CHILD is left in the document once it has been read.
    child = RETURN[RETURN.index("  <CHILD>"): RETURN.index("</EXPSSDA903>")]
    many = RETURN[: RETURN.index("  <CHILD>")] + child * 1500 + "</EXPSSDA903>\n"
    path = tmp_path / "big.xml"
    path.write_text(many, encoding="utf-8")
    reader = xml_return._Reader("big.xml", None)
    with open(path, "rb") as fh:
        reader.read(fh)
    assert len(reader.rows["episodes"].lines) == 4500
    assert reader.left == 0


# -- the DfE schema ---------------------------------------------------------------------------

_DATES = {"DOB", "DUC", "DATE_INT", "DATE_MATCH", "MIS_START", "MIS_END", "REVIEW",
          "DATE_PLACED", "DATE_PLACED_CEASED", "DECOM", "DEC", "MC_DOB"}


def schema_text(sex: tuple[str, ...] = ("1", "2", "M", "F", "U")) -> str:
    """An XSD of the return's shape (the element order of ``xml_return``; dates dd/mm/yyyy;
    SEX one of ``sex``), standing for the DfE's."""

    def leaf(name: str, required: bool = False) -> str:
        kind = "date" if name in _DATES else "sex" if name == "SEX" else "xs:string"
        return f'<xs:element name="{name}" type="{kind}" minOccurs="{int(required)}"/>'

    def group(name: str) -> str:
        return (f'<xs:element name="{name}" minOccurs="0" maxOccurs="unbounded"><xs:complexType>'
                f'<xs:sequence>{"".join(leaf(f) for f in xml_return.GROUPS[name])}</xs:sequence>'
                "</xs:complexType></xs:element>")

    header = "".join(group(n) if n in xml_return.GROUPS
                     else leaf(n, n in ("CHILDID", "SEX", "DOB", "ETHNIC"))
                     for n in xml_return.HEADER_ORDER)
    episode = "".join(leaf(n, n in ("DECOM", "RNE", "LS", "CIN", "PL"))
                      for n in xml_return.EPISODE_FIELDS)
    values = "".join(f'<xs:enumeration value="{v}"/>' for v in sex)
    return f"""<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
<xs:simpleType name="date"><xs:restriction base="xs:string">
<xs:pattern value="(\\d{{2}}/\\d{{2}}/\\d{{4}})?"/></xs:restriction></xs:simpleType>
<xs:simpleType name="sex"><xs:restriction base="xs:string">{values}</xs:restriction>
</xs:simpleType>
<xs:element name="EXPSSDA903"><xs:complexType><xs:sequence maxOccurs="unbounded">
<xs:element name="CHILD"><xs:complexType><xs:sequence>
<xs:element name="HEADER"><xs:complexType><xs:sequence>{header}</xs:sequence></xs:complexType>
</xs:element>
<xs:element name="EPISODE" minOccurs="0" maxOccurs="unbounded"><xs:complexType>
<xs:sequence>{episode}</xs:sequence></xs:complexType></xs:element>
</xs:sequence></xs:complexType></xs:element>
</xs:sequence></xs:complexType></xs:element>
</xs:schema>
"""


#: The return without what the schema above does not describe (the social-worker element).
VALID = RETURN.replace("    <SW_EPISODE>\n      <SW_ID>S1</SW_ID>\n    </SW_EPISODE>\n", "")


def test_a_return_valid_against_its_schema_says_so(tmp_path):
    params = xml_la(tmp_path, VALID)
    (tmp_path / "data" / "903" / YEAR / "dfe.xsd").write_text(schema_text(), encoding="utf-8")
    inputs = load_inputs(params)
    assert inputs.dq.findings.empty
    notes = inputs.dq.notes
    assert notes.loc[notes["topic"] == "XML schema", "detail"].tolist() == [
        "checked against dfe.xsd: every element is valid"]


def test_each_element_breaking_the_schema_is_a_finding_and_the_rest_is_still_read(tmp_path):
    # RNE written before DECOM (one tool writes some elements out of order); a letter sex code
    # in a schema of the 1/2 years; a date of birth written yyyy-mm-dd.
    text = VALID.replace("      <DECOM>01/05/2023</DECOM>\n      <RNE>S</RNE>\n",
                         "      <RNE>S</RNE>\n      <DECOM>01/05/2023</DECOM>\n") \
        .replace("<DOB>05/05/2012</DOB>", "<DOB>2012-05-05</DOB>")
    params = xml_la(tmp_path, text)
    (tmp_path / "data" / "903" / "dfe.xsd").write_text(schema_text(sex=("1", "2")),
                                                        encoding="utf-8")
    inputs = load_inputs(params)
    f = inputs.dq.findings
    schema = f[f["rule"] == "xml_schema"].sort_values("row")
    assert schema[["file", "row", "column", "value"]].values.tolist() == [
        [XML, line_of(text, "<SEX>M"), "SEX", "M"],
        [XML, line_of(text, "<RNE>S"), "RNE", "S"],
        [XML, line_of(text, "<SEX>F"), "SEX", "F"],
        [XML, line_of(text, "<DOB>2012"), "DOB", "(withheld)"],
    ]
    messages = schema["message"].tolist()
    assert all(m.startswith("not valid against dfe.xsd: ") for m in messages)
    assert "This element is not expected" in messages[1]
    assert "2012-05-05" not in " ".join(messages)
    assert set(schema["action"]) == {"kept: the return is read by element name"}
    # Read by name: the out-of-order episode and the other values are all there.
    eps = inputs.tables["episodes"]
    assert eps.loc[eps["CHILD"] == "K1", "RNE"].tolist() == ["S", "P"]
    assert eps["DECOM"].iloc[0] == pd.Timestamp("2023-05-01")
    assert inputs.tables["header"]["SEX"].tolist() == ["M", "F"]
    assert "4 elements break it" in " ".join(inputs.dq.notes["detail"])


def test_in_a_namespaced_return_a_withheld_value_stays_out_of_the_message(tmp_path):
    ns = "urn:example:903"
    text = VALID.replace("<EXPSSDA903>", f'<EXPSSDA903 xmlns="{ns}">') \
        .replace("<DOB>05/05/2012</DOB>", "<DOB>2012-05-05</DOB>")
    params = xml_la(tmp_path, text)
    xsd = schema_text().replace('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">',
                                '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
                                f'targetNamespace="{ns}" xmlns="{ns}" '
                                'elementFormDefault="qualified">')
    (tmp_path / "data" / "903" / YEAR / "dfe.xsd").write_text(xsd, encoding="utf-8")
    f = load_inputs(params).dq.findings
    assert f[["row", "column", "rule"]].values.tolist() == [
        [line_of(text, "<DOB>2012"), "DOB", "xml_schema"]]
    assert "2012-05-05" not in f["message"].iloc[0] + f["value"].iloc[0]
    assert "(withheld)" in f["message"].iloc[0]


@pytest.mark.parametrize("xsds, said", [
    ({"dfe.xsd": "<not a schema"}, "not used: it could not be read as an XML schema"),
    ({"a.xsd": schema_text(), "b.xsd": schema_text()}, "not checked: 2 .xsd files in one"),
    ({"other.xsd": schema_text().replace('name="EXPSSDA903"', 'name="OTHER"')},
     "not checked: other.xsd does not describe an EXPSSDA903 return"),
])
def test_a_schema_that_cannot_be_used_is_a_note_and_the_return_is_read(tmp_path, xsds, said):
    params = xml_la(tmp_path, VALID)
    for name, text in xsds.items():
        (tmp_path / "data" / "903" / YEAR / name).write_text(text, encoding="utf-8")
    inputs = load_inputs(params)
    assert said in " ".join(inputs.dq.notes["detail"])
    assert inputs.dq.findings.empty and len(inputs.tables["episodes"]) == 3


# -- the synthetic LA both ways ---------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> dict[str, object]:
    """The same synthetic LA (the demo's size) with its documented errors, as CSV, XML and
    mixed years."""
    from diagnostic_kit.inputs.params import load_params
    from diagnostic_kit.synth import generate, write_params

    out = {}
    for fmt in ("csv", "xml", "mixed"):
        root = tmp_path_factory.mktemp(fmt)
        generate(root / "data", with_errors=True, format=fmt)
        write_params(root / "la.yaml", data_dir=root / "data", la_name="S", la_code="999")
        out[fmt] = (root / "data", check_inputs(load_params(root / "la.yaml")))
    return out


@pytest.mark.parametrize("fmt", ["xml", "mixed"])
def test_synthetic_la_as_xml_prepares_the_same_tables_and_findings(synthetic, fmt):
    _, csv = synthetic["csv"]
    root, other = synthetic[fmt]
    assert any(root.glob("903/*/ssda903.xml"))
    for name, table in csv.tables.items():
        pd.testing.assert_frame_equal(without_place(other.tables[name]), without_place(table),
                                      obj=name)
    # The one finding an XML year cannot give: its extra column is an element, noted instead.
    a, b = findings_without_place(other), findings_without_place(csv)
    extra = b["rule"] == "column_not_in_template"
    if not (a["rule"] == "column_not_in_template").any():
        assert extra.sum() == 1 and "HEADER/CHILD_NAME" in " ".join(other.dq.notes["detail"])
        b = b[~extra].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("fmt", ["csv", "xml", "mixed"])
def test_synthetic_la_findings_are_exactly_its_manifest_in_any_format(synthetic, fmt):
    root, inputs = synthetic[fmt]
    f = inputs.dq.findings
    man = pd.read_csv(root / "injected_errors.csv", dtype=str, keep_default_na=False)
    got = sorted(zip(f["file"], ["" if pd.isna(r) else str(int(r)) for r in f["row"]],
                     f["column"], f["rule"], strict=True))
    assert got == sorted(zip(man["file"], man["row"], man["column"], man["rule"], strict=True))
    if fmt != "csv":
        assert any(" [" in file for file in man["file"])


def test_params_name_the_synthetic_las_format_and_a_bad_one_is_one_sentence(tmp_path):
    from diagnostic_kit.inputs.params import ParamsError, load_params
    from diagnostic_kit.run.prepare import ensure_synthetic_data

    base = ("la_name: S\nla_code: '999'\nperiod_start: 2023-04-01\nperiod_end: 2026-03-31\n"
            "data_dir: data\nsynthetic:\n  size: 30\n  years: 2\n")
    p = tmp_path / "la.yaml"
    p.write_text(base + "  format: xml\n", encoding="utf-8")
    ensure_synthetic_data(load_params(p))
    assert sorted(x.relative_to(tmp_path).as_posix() for x in tmp_path.glob("data/903/*/*")) \
        == ["data/903/2024-25/ssda903.xml", "data/903/2025-26/ssda903.xml"]
    p.write_text(base + "  format: json\n", encoding="utf-8")
    with pytest.raises(ParamsError) as exc:
        load_params(p)
    assert "'synthetic.format'" in str(exc.value) and "\n" not in str(exc.value)


@pytest.mark.slow
def test_the_whole_report_is_the_same_from_xml_and_csv_returns(tmp_path):
    """Two runs of the kit on the same synthetic LA, its returns as CSV and as XML: the same
    metrics.json, and data_quality.csv the same but for file names and row numbers (and the
    columns each file carries that the kit drops: a CSV file's own DOB and SEX)."""
    from diagnostic_kit.run import runner

    params = []
    for fmt in ("csv", "xml"):
        p = tmp_path / f"la_{fmt}.yaml"
        p.write_text("la_name: Demoshire (synthetic)\nla_code: '999'\nperiod_start: 2023-04-01\n"
                     f"period_end: 2026-03-31\ndata_dir: data_{fmt}\nsynthetic:\n  size: 150\n"
                     f"  years: 4\n  format: {fmt}\n", encoding="utf-8")
        params.append(p)
    runs = runner.run_reports(params, out_root=tmp_path / "reports", jobs=2,
                              echo=lambda line: None)
    assert [r.status for r in runs] == ["ok", "ok"], [r.error for r in runs]
    csv_dir, xml_dir = (tmp_path / "reports" / f"la_{fmt}" for fmt in ("csv", "xml"))
    metrics = [json.loads((d / "metrics.json").read_text()) for d in (csv_dir, xml_dir)]
    assert metrics[0] == metrics[1]
    dq = [pd.read_csv(d / "data_quality.csv", dtype=str, keep_default_na=False)
          .drop(columns=["file", "row"]) for d in (csv_dir, xml_dir)]
    own = (dq[0]["rule"] == "personal_data_dropped") & dq[0]["column"].isin(["DOB", "SEX"])
    assert own.sum() == 4 * 7  # DOB in six CSV files and SEX in uasc.csv, each of 4 years
    pd.testing.assert_frame_equal(
        dq[0][~own].sort_values(list(dq[0].columns)).reset_index(drop=True),
        dq[1].sort_values(list(dq[1].columns)).reset_index(drop=True))
