"""The content decides what a file is; its name and the browser's word do not."""

import io

import pytest

from ketenplan.dossier.filetypes import ALLOWED_EXTENSIONS, kind_for_extension, sniff

from . import files


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (files.pdf(), "pdf"),
        (files.png(), "png"),
        (files.jpeg(), "jpeg"),
        (files.gif(), "gif"),
        (files.webp(), "webp"),
        (files.ooxml("docx"), "docx"),
        (files.ooxml("xlsx"), "xlsx"),
        (files.ooxml("pptx"), "pptx"),
        (files.odf("application/vnd.oasis.opendocument.text"), "odt"),
        (files.odf("application/vnd.oasis.opendocument.spreadsheet"), "ods"),
        (files.ole("WordDocument", "1Table"), "doc"),
        (files.ole("Workbook"), "xls"),
        (files.ole("Book"), "xls"),
    ],
)
def test_accepted_kinds_are_recognised_by_content(content, kind):
    assert sniff(io.BytesIO(content)) == kind


@pytest.mark.parametrize(
    "content",
    [
        files.pe_executable(),
        files.elf_executable(),
        files.html(),
        files.svg(),
        b"#!/bin/sh\nrm -rf /\n",
        b"alert(1);",
        b"",
        files.plain_zip(),
        # OOXML that is not what it claims, or carries macros.
        files.ooxml("docx", main_content_type="application/vnd.ms-word.document.macroEnabled.main+xml"),
        files.ooxml("docx", extra={"word/vbaProject.bin": b"\x00" * 16}),
        files.ooxml("docx", extra={"xl/workbook.xml": b"<workbook/>", "[Content_Types].xml": b"broken"}),
        # ODF with an unknown mimetype, or with macros.
        files.odf("application/vnd.oasis.opendocument.graphics"),
        files.odf("text/html"),
        # OLE files with macros, with neither or both of Word and Excel streams.
        files.ole("WordDocument", "Macros", "VBA"),
        files.ole("Workbook", "_VBA_PROJECT_CUR"),
        files.ole("Something"),
        files.ole("WordDocument", "Workbook"),
        # Truncated or corrupt containers.
        files.docx()[:200],
        files.ole("WordDocument")[:600],
        b"PK\x03\x04garbage",
    ],
)
def test_anything_else_is_refused(content):
    assert sniff(io.BytesIO(content)) is None


def test_the_file_is_left_at_its_start():
    handle = io.BytesIO(files.docx())
    handle.seek(10)
    sniff(handle)
    assert handle.tell() == 0


def test_extensions_map_to_kinds():
    assert kind_for_extension("JPG").key == "jpeg"
    assert kind_for_extension(".jpeg").key == "jpeg"
    assert kind_for_extension("docm") is None
    assert kind_for_extension("svg") is None
    assert kind_for_extension("html") is None
    assert {"pdf", "png", "docx", "xls"} <= set(ALLOWED_EXTENSIONS)
