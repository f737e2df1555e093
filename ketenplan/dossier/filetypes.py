"""What an uploaded file really is, judged by its content, never by its name or the
browser's word.

``sniff(fileobj)`` reads the file and returns one of ``KINDS`` or ``None``. The caller
compares the result with the extension of the name (``kind_for_extension``): a file is
accepted only when both agree. Anything else — executables, HTML, SVG, scripts, plain
archives, macro-enabled office files, a spreadsheet renamed to ``.docx`` — is refused.

* PDF and images: their magic numbers (through the ``filetype`` package).
* OOXML (docx, xlsx, pptx): a ZIP container whose ``[Content_Types].xml`` declares the
  main part of exactly that document type, and which holds that part.
* ODF (odt, ods): a ZIP container whose ``mimetype`` entry names that document type and
  which holds ``content.xml``.
* Legacy Word and Excel (doc, xls): an OLE2 compound file whose directory holds a
  ``WordDocument`` or a ``Workbook``/``Book`` stream, and no VBA macros.

Nothing here executes, renders or extracts the file.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass

import filetype


@dataclass(frozen=True)
class Kind:
    key: str
    mime: str
    extensions: tuple[str, ...]


KINDS: dict[str, Kind] = {
    k.key: k
    for k in [
        Kind("pdf", "application/pdf", ("pdf",)),
        Kind("png", "image/png", ("png",)),
        Kind("jpeg", "image/jpeg", ("jpg", "jpeg")),
        Kind("gif", "image/gif", ("gif",)),
        Kind("webp", "image/webp", ("webp",)),
        Kind(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ("docx",),
        ),
        Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)),
        Kind(
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            ("pptx",),
        ),
        Kind("odt", "application/vnd.oasis.opendocument.text", ("odt",)),
        Kind("ods", "application/vnd.oasis.opendocument.spreadsheet", ("ods",)),
        Kind("doc", "application/msword", ("doc",)),
        Kind("xls", "application/vnd.ms-excel", ("xls",)),
    ]
}

ALLOWED_EXTENSIONS: tuple[str, ...] = tuple(sorted(ext for kind in KINDS.values() for ext in kind.extensions))


def kind_for_extension(extension: str) -> Kind | None:
    extension = extension.lower().lstrip(".")
    return next((k for k in KINDS.values() if extension in k.extensions), None)


# --- Sniffing -----------------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SIMPLE = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpeg",
           "image/gif": "gif", "image/webp": "webp"}  # fmt: skip

# OOXML: the main part's content type in [Content_Types].xml, and the part itself.
_OOXML = {
    "docx": (
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "word/document.xml",
    ),
    "xlsx": (
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "xl/workbook.xml",
    ),
    "pptx": (
        b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        "ppt/presentation.xml",
    ),
}
_ODF = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
# A container with more entries, or a content-types part bigger than this, is not a
# document anyone wrote by hand: refuse rather than read on.
_MAX_ZIP_ENTRIES = 10_000
_MAX_MANIFEST_BYTES = 1024 * 1024


def sniff(fileobj) -> str | None:
    """The key of the kind the content is, or ``None`` when it is none we accept.

    ``fileobj`` must be seekable; it is left at position 0.
    """
    try:
        fileobj.seek(0)
        head = fileobj.read(8192)
        if head.startswith(_ZIP_MAGIC):
            return _sniff_zip(fileobj)
        if head.startswith(_OLE_MAGIC):
            return _sniff_ole(fileobj)
        guess = filetype.guess(head)
        return _SIMPLE.get(guess.mime) if guess is not None else None
    except (OSError, ValueError, EOFError, struct.error, zipfile.BadZipFile,
            zipfile.LargeZipFile, NotImplementedError, RuntimeError):  # fmt: skip
        return None
    finally:
        fileobj.seek(0)


def _sniff_zip(fileobj) -> str | None:
    fileobj.seek(0)
    with zipfile.ZipFile(fileobj) as archive:
        infos = archive.infolist()
        if len(infos) > _MAX_ZIP_ENTRIES:
            return None
        names = {info.filename for info in infos}
        if "[Content_Types].xml" in names:
            return _sniff_ooxml(archive, names)
        if "mimetype" in names:
            return _sniff_odf(archive, names)
    return None  # a plain archive, whatever its name says


def _small_entry(archive: zipfile.ZipFile, name: str) -> bytes | None:
    info = archive.getinfo(name)
    if info.file_size > _MAX_MANIFEST_BYTES:
        return None
    with archive.open(info) as entry:
        return entry.read(_MAX_MANIFEST_BYTES + 1)[:_MAX_MANIFEST_BYTES]


def _sniff_ooxml(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    manifest = _small_entry(archive, "[Content_Types].xml")
    if manifest is None:
        return None
    lowered = {n.lower() for n in names}
    if b"macroEnabled" in manifest or any(n.endswith("vbaproject.bin") for n in lowered):
        return None  # docm/xlsm/pptm: macros, whatever the extension says
    found = [
        key for key, (content_type, part) in _OOXML.items()
        if content_type in manifest and part in names
    ]  # fmt: skip
    return found[0] if len(found) == 1 else None


def _sniff_odf(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    mimetype = _small_entry(archive, "mimetype")
    if mimetype is None or "content.xml" not in names:
        return None
    if any(n.lower().startswith("basic/") for n in names):
        return None  # StarBasic macros
    return _ODF.get(mimetype.strip())


# --- OLE2 compound files (doc, xls) -------------------------------------------------------

_END_OF_CHAIN = 0xFFFFFFFE
_MAX_DIRECTORY_SECTORS = 4096


def _sniff_ole(fileobj) -> str | None:
    names = _ole_directory_names(fileobj)
    if not names:
        return None
    if {"macros", "_vba_project_cur", "vba"} & names:
        return None
    word = "worddocument" in names
    excel = bool({"workbook", "book"} & names)
    if word and not excel:
        return "doc"
    if excel and not word:
        return "xls"
    return None


def _ole_directory_names(fileobj) -> set[str]:
    """The (lower-cased) names of every storage and stream in the compound file."""
    fileobj.seek(0)
    header = fileobj.read(512)
    if len(header) < 512:
        return set()
    sector_shift = struct.unpack_from("<H", header, 30)[0]
    if sector_shift not in (9, 12):
        return set()
    sector_size = 1 << sector_shift
    fat_sector_count, first_dir_sector = struct.unpack_from("<II", header, 44)
    first_difat_sector, difat_sector_count = struct.unpack_from("<II", header, 68)

    def read_sector(number: int) -> bytes:
        fileobj.seek((number + 1) * sector_size)
        data = fileobj.read(sector_size)
        if len(data) != sector_size:
            raise ValueError("truncated compound file")
        return data

    # The sectors that hold the FAT: 109 in the header, the rest in DIFAT sectors.
    fat_sectors = [s for s in struct.unpack_from("<109I", header, 76) if s < _END_OF_CHAIN]
    difat, seen = first_difat_sector, 0
    per_difat = sector_size // 4 - 1
    while difat < _END_OF_CHAIN and seen < difat_sector_count and seen < 10_000:
        entries = struct.unpack(f"<{per_difat + 1}I", read_sector(difat))
        fat_sectors.extend(s for s in entries[:per_difat] if s < _END_OF_CHAIN)
        difat, seen = entries[per_difat], seen + 1
    if len(fat_sectors) < min(fat_sector_count, 1):
        return set()
    fat: list[int] = []
    for number in fat_sectors[:fat_sector_count]:
        fat.extend(struct.unpack(f"<{sector_size // 4}I", read_sector(number)))

    names: set[str] = set()
    sector, visited = first_dir_sector, set()
    while sector < _END_OF_CHAIN and sector not in visited:
        if len(visited) >= _MAX_DIRECTORY_SECTORS or sector >= len(fat):
            raise ValueError("malformed compound file")
        visited.add(sector)
        data = read_sector(sector)
        for offset in range(0, sector_size, 128):
            entry = data[offset : offset + 128]
            name_length = struct.unpack_from("<H", entry, 64)[0]
            object_type = entry[66]
            if object_type in (1, 2, 5) and 2 <= name_length <= 64:
                raw = entry[: name_length - 2]
                names.add(raw.decode("utf-16-le", errors="replace").lower())
        sector = fat[sector]
    return names
