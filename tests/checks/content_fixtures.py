"""Real files for the content-check tests, and a small PackageView over a directory.

Every builder returns bytes made by the real libraries (reportlab, pypdf, pyHanko,
Pillow, samples.*); nothing here imitates a result.
"""
from __future__ import annotations

import hashlib
import io
import os
import random
import struct
import wave
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Mapping

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from checks.api import CheckContext, PackageFile, Stage
from metadata.model import (CaseFile, Digest, Document, OriginalForm, Procedure, RetentionPeriod,
                            SecurityLevel, Volume)

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)


# ---------------------------------------------------------------- package view

@dataclass
class DirPackage:
    """A PackageView over a bag-like directory: payload under data/, digests from manifest-sha256.txt."""

    root: Path
    kind: str = "sip"
    identifier: str = "test"
    casefile_value: CaseFile | None = None
    opened: dict[str, int] = field(default_factory=dict)

    @property
    def casefile(self) -> CaseFile | None:
        return self.casefile_value

    @property
    def bag_info(self) -> Mapping[str, str]:
        return {}

    @property
    def recorded(self) -> Mapping[str, Any]:
        return {}

    def _manifest(self) -> dict[str, str]:
        path = self.root / "manifest-sha256.txt"
        if not path.exists():
            return {}
        lines = (line.split(None, 1) for line in path.read_text("utf-8").splitlines() if line.strip())
        return {p.strip(): d for d, p in lines}

    def files(self) -> Iterable[PackageFile]:
        manifest = self._manifest()
        for path in sorted(self.root.joinpath("data").rglob("*")):
            if path.is_file():
                rel = path.relative_to(self.root).as_posix()
                digests = {"sha256": manifest[rel]} if rel in manifest else {}
                yield PackageFile(rel, path.stat().st_size, digests)

    def open(self, path: str) -> BinaryIO:
        self.opened[path] = self.opened.get(path, 0) + 1
        fd = os.open(self.root / path, os.O_RDONLY | os.O_NOFOLLOW)
        return os.fdopen(fd, "rb")


def bag_package(root: Path, kind: str = "sip") -> DirPackage:
    """A DirPackage over a real bag (SIP or AIP), its casefile.xml parsed by the real parser."""
    from metadata.xml import parse_casefile

    casefile, _findings = parse_casefile((root / "data" / "metadata" / "casefile.xml").read_bytes())
    return DirPackage(root, kind=kind, identifier=root.name, casefile_value=casefile)


def make_package(root: Path, files: Mapping[str, bytes], *, manifest: bool = True,
                 pages: Mapping[str, int] | None = None, kind: str = "sip") -> DirPackage:
    """Write ``files`` (paths relative to data/) and a manifest; ``pages`` declares page counts."""
    for rel, data in files.items():
        target = root / "data" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if manifest:
        lines = "".join(f"{hashlib.sha256(d).hexdigest()}  data/{p}\n" for p, d in sorted(files.items()))
        (root / "manifest-sha256.txt").write_text(lines, "utf-8")
    casefile = casefile_for(files, pages) if pages is not None else None
    return DirPackage(root, kind=kind, casefile_value=casefile)


def casefile_for(files: Mapping[str, bytes], pages: Mapping[str, int]) -> CaseFile:
    docs = tuple(Document(sequence=n, title=f"文件{n}", creator="某法院", date=date(2024, 1, 2), volume=Volume.MAIN,
                          path=p, page_count=pages[p], start_page=1, original_form=OriginalForm.BORN_DIGITAL,
                          format=p.rsplit(".", 1)[-1].upper(), size=len(files[p]),
                          digest=Digest("sha256", hashlib.sha256(files[p]).hexdigest()))
                 for n, p in enumerate(sorted(pages), start=1))
    return CaseFile(case_number="（2024）京0105民初1号", cause="合同纠纷", parties=(), procedure=Procedure.FIRST_INSTANCE,
                    result="判决", court="北京市朝阳区人民法院", department="民一庭", judge="张三", clerk="李四", panel=(),
                    filing_date=date(2024, 1, 1), closing_date=date(2024, 3, 1), security_level=SecurityLevel.PUBLIC,
                    retention=RetentionPeriod.YEARS_30, main_volumes=1, secondary_volumes=0,
                    document_count=len(docs), page_count=sum(d.page_count for d in docs), documents=docs)


def context(now: datetime = NOW, **settings: Any) -> CheckContext:
    services = settings.pop("services", {})
    return CheckContext(now=now, stage=Stage.RECEIVE, settings=settings, services=services)


# ---------------------------------------------------------------- PDF

def plain_pdf(pages: int = 2) -> bytes:
    """A born-digital Chinese PDF from the sample generator (STSong-Light: not embedded)."""
    from samples.pdf import render_pdf

    text = ["本院经审理查明，原告与被告于二〇二三年签订买卖合同，约定货款及交付期限。" * 6] * (pages * 4)
    data, count = render_pdf("民事判决书", text, author="测试法院", max_pages=pages)
    assert count == pages
    return data


def embedded_font_pdf() -> bytes:
    """A PDF whose only font is a TrueType embedded by reportlab (Vera, bundled with it)."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("VeraTest", str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.setFont("VeraTest", 14)
    c.drawString(72, 720, "Embedded font page")
    c.showPage()
    c.save()
    return buf.getvalue()


def _writer_from(data: bytes) -> Any:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(data)))
    return writer


def _out(writer: Any) -> bytes:
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


XMP_PDFA = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part="{part}" pdfaid:conformance="{conf}"/>
</rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""


def pdfa_claiming_pdf(base: bytes | None = None, part: str = "2", conf: str = "B") -> bytes:
    """``base`` (default: the embedded-font PDF) with a catalogue XMP packet claiming PDF/A."""
    from pypdf.generic import NameObject, StreamObject

    writer = _writer_from(base if base is not None else embedded_font_pdf())
    stream = StreamObject()
    stream.set_data(XMP_PDFA.format(part=part, conf=conf).encode("utf-8"))
    stream[NameObject("/Type")] = NameObject("/Metadata")
    stream[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(stream)
    return _out(writer)


def javascript_pdf() -> bytes:
    writer = _writer_from(embedded_font_pdf())
    from pypdf.actions import JavaScript

    writer.add_open_action(JavaScript("app.alert('hello');"))
    return _out(writer)


def launch_pdf() -> bytes:
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = _writer_from(embedded_font_pdf())
    action = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _out(writer)


def encrypted_pdf(user_password: str = "secret") -> bytes:
    writer = _writer_from(embedded_font_pdf())
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
    return _out(writer)


def attachment_pdf(size_lie: bool = False) -> bytes:
    """A PDF with an embedded file; ``size_lie`` makes /Params /Size disagree with the data."""
    from pypdf.generic import DictionaryObject, NameObject, NumberObject

    writer = _writer_from(embedded_font_pdf())
    writer.add_attachment("evidence.txt", "证据清单".encode("utf-8") * 10)
    if size_lie:
        for ref in list(writer._objects):
            if isinstance(ref, DictionaryObject) and ref.get("/Type") == "/EmbeddedFile":
                ref[NameObject("/Params")] = DictionaryObject({NameObject("/Size"): NumberObject(9999)})
    return _out(writer)


def truncated(data: bytes, keep: float = 0.6) -> bytes:
    return data[: int(len(data) * keep)]


# ---------------------------------------------------------------- signatures

@dataclass(frozen=True)
class TestSigner:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def make_signer(name: str = "测试法院电子签名") -> TestSigner:
    """A self-signed P-256 certificate fit for signing documents (valid 2020–2040)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(datetime(2020, 1, 1, tzinfo=timezone.utc))
            .not_valid_after(datetime(2040, 1, 1, tzinfo=timezone.utc))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    return TestSigner(cert, key)


def sign_pdf(data: bytes, signer: TestSigner, field_name: str = "Signature1") -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key_der = signer.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
    simple = signers.SimpleSigner(signing_cert=asn1_x509.Certificate.load(signer.cert.public_bytes(serialization.Encoding.DER)),
                                  signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
                                  cert_registry=SimpleCertificateStore())
    out = io.BytesIO()
    signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data), strict=False),
                     signers.PdfSignatureMetadata(field_name=field_name), signer=simple, output=out)
    return out.getvalue()


def modify_after_signing(signed: bytes) -> bytes:
    """An incremental update that replaces page 1's content: what a forger appends."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 100 Td (TAMPERED) Tj ET")
    page["/Contents"] = writer.add_object(stream)
    writer.update_container(page)
    buf = io.BytesIO()  # pyHanko writes the original bytes, then the update
    writer.write(buf)
    return buf.getvalue()


def flip_in_signed_range(signed: bytes, marker: bytes = b"Embedded font page") -> bytes:
    """Change one byte inside the range the signature covers."""
    pos = signed.find(marker)
    if pos < 0:
        pos = 200
    data = bytearray(signed)
    data[pos] ^= 0x01
    return bytes(data)


# ---------------------------------------------------------------- images

def jpeg_scan(seed: int = 1) -> bytes:
    from samples.scan import render_scan

    return render_scan(random.Random(seed), 1, "JPEG")


def tiff_scan(pages: int = 2, seed: int = 2) -> bytes:
    from samples.scan import render_scan

    return render_scan(random.Random(seed), pages, "TIFF")


def png_image() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 32, 36)).save(buf, "PNG")
    return buf.getvalue()


# ---------------------------------------------------------------- OFD

def valid_ofd(seal: bool = False) -> tuple[bytes, int]:
    from samples.ofd import render_ofd

    return render_ofd("民事判决书", ["本院认为，原告的诉讼请求有事实和法律依据，应予支持。" * 20] * 6, doc_id="0" * 32,
                      author="测试法院", created=date(2024, 3, 1), seal=seal, max_pages=3)


def rezip(data: bytes, *, drop: Iterable[str] = (), replace: Mapping[str, bytes] | None = None,
          add: Mapping[str, bytes] | None = None) -> bytes:
    """A copy of the zip ``data`` with members dropped, replaced or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in set(drop):
                continue
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info)))
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def ofd_with_signature() -> bytes:
    data, _ = valid_ofd()
    ns = "http://www.ofdspec.org/2016"
    signatures = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Signatures xmlns:ofd="{ns}">'
                  '<ofd:Signature ID="1" BaseLoc="Sign_0/Signature.xml"/></ofd:Signatures>').encode()
    signature = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Signature xmlns:ofd="{ns}"><ofd:SignedInfo>'
                 '<ofd:Provider ProviderName="test"/></ofd:SignedInfo>'
                 '<ofd:SignedValue>Sign_0/SignedValue.dat</ofd:SignedValue></ofd:Signature>').encode()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        entry = zf.read("OFD.xml")
    entry = entry.replace(b"</ofd:DocRoot>", b"</ofd:DocRoot><ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>")
    return rezip(data, replace={"OFD.xml": entry}, add={"Doc_0/Signs/Signatures.xml": signatures,
                                                       "Doc_0/Signs/Sign_0/Signature.xml": signature,
                                                       "Doc_0/Signs/Sign_0/SignedValue.dat": b"\x30\x03\x02\x01\x01"})


def ofd_with_attachment(missing: bool = False) -> bytes:
    data, _ = valid_ofd()
    ns = "http://www.ofdspec.org/2016"
    listing = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Attachments xmlns:ofd="{ns}">'
               '<ofd:Attachment ID="9" Name="证据.txt"><ofd:FileLoc>evidence.txt</ofd:FileLoc></ofd:Attachment>'
               '</ofd:Attachments>').encode()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        doc = zf.read("Doc_0/Document.xml")
    doc = doc.replace(b"</ofd:Pages>", b"</ofd:Pages><ofd:Attachments>Attachs/Attachments.xml</ofd:Attachments>")
    add = {"Doc_0/Attachs/Attachments.xml": listing}
    if not missing:
        add["Doc_0/Attachs/evidence.txt"] = "证据".encode()
    return rezip(data, replace={"Doc_0/Document.xml": doc}, add=add)


# ---------------------------------------------------------------- audio / video

def wav_audio(seconds: float = 0.1) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x01" * int(8000 * seconds))
    return buf.getvalue()


def mp3_audio(frames: int = 5) -> bytes:
    """MPEG-1 Layer III frames, 128 kbit/s, 44.1 kHz: 417 bytes each (header + silence)."""
    header = bytes([0xFF, 0xFB, 0x90, 0x64])
    return b"ID3\x03\x00\x00\x00\x00\x00\x00" + (header + b"\x00" * 413) * frames


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4_video() -> bytes:
    ftyp = _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")
    moov = _box(b"moov", _box(b"mvhd", b"\x00" * 100))
    return ftyp + moov + _box(b"mdat", b"\x00" * 64)


def time_after(days: int) -> datetime:
    return NOW + timedelta(days=days)
