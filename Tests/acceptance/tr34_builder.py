"""TR-34 2012 (`X9_TR34_2012`) key blocks the way AWS Payment Cryptography accepts and produces them.

An independent implementation for tests: it follows the structure of AWS's public samples
(aws-samples/samples-for-payment-cryptography-service, key-import-export/tr34/: the import app's
`importTr34` and the export app's parser), with hand-written DER and the `cryptography` package
only. The layout and its 2012 quirks (ASC X9 TR 34-2012, RFC 5652):

- SignedData v1, SHA-256, no certificates; its encapsulated content is id-envelopedData whose
  OCTET STRING holds the EnvelopedData fields WITHOUT the EnvelopedData SEQUENCE header;
- one KeyTransRecipientInfo: recipient = issuer and serial of the wrapping certificate,
  RSAES-OAEP SHA-256 / MGF1-SHA-256 / empty label, parameters written without context tags;
- EncryptedContentInfo: id-data, des-ede3-cbc (24-byte ephemeral key) or aes128-CBC (16 bytes),
  the IV, and `[0]` ciphertext of the PKCS#7-padded KeyBlock
  { 1, KDH issuer and serial, clear key, { id-data, { header } } }; the ciphertext follows the
  algorithm SEQUENCE (`layout="cms"`, RFC 5652) or sits inside it after the IV (`layout="sample"`,
  as AWS's import app writes it and its export app reads it: README, Decisions: TR-34 EncryptedContentInfo);
- one SignerInfo v1 (KDH issuer and serial, sha256, rsaEncryption, PKCS#1 v1.5) whose signed
  attributes, signed in the order written and re-tagged as a SET, are contentType, randomNonce
  (two-pass) or signingTime (one-pass), the header as an id-data attribute, and messageDigest =
  SHA-256 of the EnvelopedData octets.

`build_tr34(...)` makes a block (importing into the service), `parse_tr34(...)` opens one the service
made (exporting from it), checking every signature, digest, nonce and identity on the way.
Randomness (ephemeral key, IV, OAEP seed) can be fixed for reproducible vectors.

Command line (for the Swift tests): `python3 tr34_builder.py unwrap REQUEST.json` where the JSON has
`block`, `krd_key_pem`, `kdh_cert_pem`, `krd_cert_pem` and optionally `nonce` (hex); it prints
`{"header": ..., "key": HEX}` or exits 1 with the failed check on stderr.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from datetime import datetime, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

try:  # cryptography >= 43 keeps TDES among the "decrepit" ciphers
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # pragma: no cover - older cryptography
    TripleDES = algorithms.TripleDES  # type: ignore[attr-defined,misc]

# OIDs as their content octets (as in AWS's sample).
OID_MGF1 = bytes.fromhex("2A864886F70D010108")
OID_SHA256 = bytes.fromhex("608648016503040201")
OID_DES_EDE3_CBC = bytes.fromhex("2A864886F70D0307")
OID_AES128_CBC = bytes.fromhex("608648016503040102")
OID_PKCS7_DATA = bytes.fromhex("2A864886F70D010701")
OID_RSAES_OAEP = bytes.fromhex("2A864886F70D010107")
OID_P_SPECIFIED = bytes.fromhex("2A864886F70D010109")
OID_CONTENT_TYPE = bytes.fromhex("2A864886F70D010903")
OID_MESSAGE_DIGEST = bytes.fromhex("2A864886F70D010904")
OID_SIGNING_TIME = bytes.fromhex("2A864886F70D010905")
OID_RSA_ENCRYPTION = bytes.fromhex("2A864886F70D010101")
OID_PKCS7_SIGNED_DATA = bytes.fromhex("2A864886F70D010702")
OID_PKCS7_ENVELOPED_DATA = bytes.fromhex("2A864886F70D010703")
OID_RANDOM_NONCE = bytes.fromhex("2A864886F70D01091903")


class TR34Failure(Exception):
    """A check of parse_tr34 failed; the message names it."""


# ---------------------------------------------------------------------------------------------
# DER, by hand
# ---------------------------------------------------------------------------------------------

def tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(octets)]) + octets
    return bytes([tag]) + length + content


def seq(*elements: bytes) -> bytes:
    return tlv(0x30, b"".join(elements))


def set_(*elements: bytes) -> bytes:
    """A SET in the order given (TR-34's signed attributes are NOT sorted)."""
    return tlv(0x31, b"".join(elements))


def oid(octets: bytes) -> bytes:
    return tlv(0x06, octets)


def octets(data: bytes) -> bytes:
    return tlv(0x04, data)


def integer(value: int) -> bytes:
    return tlv(0x02, value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big"))


NULL = b"\x05\x00"


@dataclass
class Node:
    tag: int
    content: bytes  # the content octets
    encoded: bytes  # tag, length and content

    def children(self) -> list["Node"]:
        return parse_all(self.content)


def parse_one(data: bytes, offset: int = 0) -> tuple[Node, int]:
    if len(data) < offset + 2:
        raise TR34Failure("DER: truncated header")
    tag = data[offset]
    first = data[offset + 1]
    start = offset + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4:
            raise TR34Failure("DER: unsupported length")
        length = int.from_bytes(data[start:start + count], "big")
        start += count
    end = start + length
    if end > len(data):
        raise TR34Failure("DER: truncated content")
    return Node(tag, data[start:end], data[offset:end]), end


def parse_all(data: bytes) -> list[Node]:
    nodes, offset = [], 0
    while offset < len(data):
        node, offset = parse_one(data, offset)
        nodes.append(node)
    return nodes


def issuer_and_serial(cert: x509.Certificate) -> bytes:
    """IssuerAndSerialNumber of a certificate, with the issuer's and serial's bytes as encoded in it."""
    tbs = parse_one(cert.public_bytes(serialization.Encoding.DER))[0].children()[0].children()
    if tbs[0].tag == 0xA0:  # [0] version
        tbs = tbs[1:]
    serial, issuer = tbs[0], tbs[2]
    return seq(issuer.encoded, serial.encoded)


# ---------------------------------------------------------------------------------------------
# RSA-OAEP (SHA-256, MGF1-SHA-256, empty label) with a chosen seed: RFC 8017 section 7.1.1
# ---------------------------------------------------------------------------------------------

def _mgf1(seed: bytes, length: int) -> bytes:
    out, counter = b"", 0
    while len(out) < length:
        out += hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:length]


def oaep_encrypt(public_key: rsa.RSAPublicKey, message: bytes, seed: bytes | None = None) -> bytes:
    """RSAES-OAEP-ENCRYPT; `seed` (32 bytes) fixes the randomness, None draws it."""
    if seed is None:
        return public_key.encrypt(
            message, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
        )
    numbers = public_key.public_numbers()
    k = (numbers.n.bit_length() + 7) // 8
    h_len = 32
    if len(message) > k - 2 * h_len - 2 or len(seed) != h_len:
        raise ValueError("message too long or seed not 32 bytes")
    l_hash = hashlib.sha256(b"").digest()
    db = l_hash + b"\x00" * (k - len(message) - 2 * h_len - 2) + b"\x01" + message
    masked_db = bytes(a ^ b for a, b in zip(db, _mgf1(seed, k - h_len - 1)))
    masked_seed = bytes(a ^ b for a, b in zip(seed, _mgf1(masked_db, h_len)))
    em = b"\x00" + masked_seed + masked_db
    return pow(int.from_bytes(em, "big"), numbers.e, numbers.n).to_bytes(k, "big")


# ---------------------------------------------------------------------------------------------
# Content encryption
# ---------------------------------------------------------------------------------------------

def _cipher(oid_octets: bytes, key: bytes, iv: bytes) -> Cipher:
    if oid_octets == OID_DES_EDE3_CBC:
        return Cipher(TripleDES(key), modes.CBC(iv))
    if oid_octets == OID_AES128_CBC:
        return Cipher(algorithms.AES(key), modes.CBC(iv))
    raise TR34Failure("unsupported content encryption algorithm")


def pad(data: bytes, block: int, style: str = "pkcs7") -> bytes:
    """PKCS#7; style "aws-sample" pads only when the data is not already whole blocks, as
    AWS's import sample does (AWS accepts both)."""
    n = block - len(data) % block
    if style == "aws-sample" and n == block:
        return data
    if style == "zeros":  # invalid on purpose, for negative tests
        return data + bytes(n)
    return data + bytes([n]) * n


# ---------------------------------------------------------------------------------------------
# Building (the KDH side: what a client sends to ImportKey)
# ---------------------------------------------------------------------------------------------

def utc_time(when: datetime) -> bytes:
    return tlv(0x17, when.astimezone(timezone.utc).strftime("%y%m%d%H%M%SZ").encode())


def build_tr34(
    *,
    kdh_key: rsa.RSAPrivateKey,
    kdh_cert: x509.Certificate,
    krd_cert: x509.Certificate,
    key: bytes,
    header: str,
    nonce: bytes | None,
    signing_time: datetime | None = None,
    ephemeral_key: bytes | None = None,
    iv: bytes | None = None,
    oaep_seed: bytes | None = None,
    padding_style: str = "pkcs7",
    signed_header: str | None = None,
    layout: str = "cms",
) -> bytes:
    """A TR-34 2012 key block (DER). Two-pass with `nonce` (8 bytes for AWS), one-pass with
    `signing_time`. The header's algorithm letter picks des-ede3-cbc (T) or aes128-CBC (A).
    Fixed `ephemeral_key`, `iv` and `oaep_seed` make the result reproducible. `signed_header`
    (tests only) signs a header other than the one encrypted."""
    if header[7] == "T":
        cipher_oid, block, key_len = OID_DES_EDE3_CBC, 8, 24
    elif header[7] == "A":
        cipher_oid, block, key_len = OID_AES128_CBC, 16, 16
    else:
        raise ValueError("header algorithm must be T or A")
    ephemeral_key = ephemeral_key if ephemeral_key is not None else os.urandom(key_len)
    iv = iv if iv is not None else os.urandom(block)
    kdh_id = issuer_and_serial(kdh_cert)
    krd_id = issuer_and_serial(krd_cert)

    key_block = seq(integer(1), kdh_id, octets(key), seq(oid(OID_PKCS7_DATA), set_(octets(header.encode()))))
    encryptor = _cipher(cipher_oid, ephemeral_key, iv).encryptor()
    encrypted_key_block = encryptor.update(pad(key_block, block, padding_style)) + encryptor.finalize()
    encrypted_ephemeral_key = oaep_encrypt(krd_cert.public_key(), ephemeral_key, oaep_seed)

    envelope = (
        integer(0)
        + set_(seq(
            integer(0),
            krd_id,
            seq(oid(OID_RSAES_OAEP), seq(
                seq(oid(OID_SHA256), NULL),
                seq(oid(OID_MGF1), seq(oid(OID_SHA256))),
                seq(oid(OID_P_SPECIFIED), octets(b"")),
            )),
            octets(encrypted_ephemeral_key),
        ))
        + (seq(oid(OID_PKCS7_DATA), seq(oid(cipher_oid), octets(iv)), tlv(0x80, encrypted_key_block)) if layout == "cms"
           else seq(oid(OID_PKCS7_DATA), seq(oid(cipher_oid), octets(iv), tlv(0x80, encrypted_key_block))))
    )

    if nonce is not None:
        freshness = seq(oid(OID_RANDOM_NONCE), set_(octets(nonce)))
    else:
        freshness = seq(oid(OID_SIGNING_TIME), set_(utc_time(signing_time or datetime.now(timezone.utc))))
    attributes = (
        seq(oid(OID_CONTENT_TYPE), set_(oid(OID_PKCS7_ENVELOPED_DATA)))
        + freshness
        + seq(oid(OID_PKCS7_DATA), set_(octets((signed_header or header).encode())))
        + seq(oid(OID_MESSAGE_DIGEST), set_(octets(hashlib.sha256(envelope).digest())))
    )
    signature = kdh_key.sign(tlv(0x31, attributes), padding.PKCS1v15(), hashes.SHA256())

    return seq(
        oid(OID_PKCS7_SIGNED_DATA),
        tlv(0xA0, seq(
            integer(1),
            set_(seq(oid(OID_SHA256))),
            seq(oid(OID_PKCS7_ENVELOPED_DATA), tlv(0xA0, octets(envelope))),
            set_(seq(
                integer(1),
                kdh_id,
                seq(oid(OID_SHA256)),
                tlv(0xA0, attributes),
                seq(oid(OID_RSA_ENCRYPTION), NULL),
                octets(signature),
            )),
        )),
    )


# ---------------------------------------------------------------------------------------------
# Parsing (the KRD side: what a client does with ExportKey's block)
# ---------------------------------------------------------------------------------------------

def _expect(condition: bool, check: str) -> None:
    if not condition:
        raise TR34Failure(check)


def parse_tr34(
    block: bytes,
    *,
    krd_key: rsa.RSAPrivateKey,
    krd_cert: x509.Certificate,
    kdh_cert: x509.Certificate,
    nonce: bytes | None,
) -> tuple[str, bytes]:
    """Opens a TR-34 2012 key block: (header, clear key). Raises TR34Failure naming the check."""
    root, end = parse_one(block)
    _expect(end == len(block), "trailing bytes after the ContentInfo")
    content_type, explicit = root.children()
    _expect(content_type.content == OID_PKCS7_SIGNED_DATA, "content type is id-signedData")
    signed_data = explicit.children()[0].children()
    _expect(signed_data[0].content == b"\x01", "SignedData version 1")
    _expect(signed_data[1].children()[0].children()[0].content == OID_SHA256, "digest algorithm sha256")
    encap_type, encap = signed_data[2].children()
    _expect(encap_type.content == OID_PKCS7_ENVELOPED_DATA, "encapsulated type id-envelopedData")
    envelope = encap.children()[0].content
    signer_infos = signed_data[-1].children()
    _expect(len(signer_infos) == 1, "one SignerInfo")
    signer = signer_infos[0].children()
    _expect(signer[0].content == b"\x01", "SignerInfo version 1")
    _expect(signer[1].encoded == issuer_and_serial(kdh_cert), "signer is the KDH certificate")
    _expect(signer[3].tag == 0xA0, "signed attributes present")
    try:
        kdh_cert.public_key().verify(signer[5].content, b"\x31" + signer[3].encoded[1:], padding.PKCS1v15(), hashes.SHA256())
    except Exception as error:  # noqa: BLE001 - any failure is a bad signature
        raise TR34Failure("signature verifies with the KDH certificate") from error

    attributes = {}
    for attribute in signer[3].children():
        attr_type, values = attribute.children()
        attributes[attr_type.content] = values.children()[0]
    _expect(attributes[OID_CONTENT_TYPE].content == OID_PKCS7_ENVELOPED_DATA, "contentType is id-envelopedData")
    _expect(attributes[OID_MESSAGE_DIGEST].content == hashlib.sha256(envelope).digest(), "messageDigest of the envelope")
    if nonce is not None:
        _expect(OID_RANDOM_NONCE in attributes and attributes[OID_RANDOM_NONCE].content == nonce, "random nonce matches")
    else:
        _expect(OID_SIGNING_TIME in attributes, "signing time present")
    signed_header = attributes[OID_PKCS7_DATA].content

    fields = parse_all(envelope)  # the 2012 quirk: no SEQUENCE header around these
    _expect(fields[0].content == b"\x00", "EnvelopedData version 0")
    recipients = fields[1].children()
    _expect(len(recipients) == 1, "one recipient")
    recipient = recipients[0].children()
    _expect(recipient[1].encoded == issuer_and_serial(krd_cert), "recipient is the KRD certificate")
    algorithm = recipient[2].children()
    _expect(algorithm[0].content == OID_RSAES_OAEP, "key encryption is RSAES-OAEP")
    params = [p.children()[0].content for p in algorithm[1].children()]
    _expect(params[:2] == [OID_SHA256, OID_MGF1], "OAEP with SHA-256 and MGF1")
    try:
        ephemeral_key = krd_key.decrypt(
            recipient[3].content,
            padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None),
        )
    except Exception as error:  # noqa: BLE001
        raise TR34Failure("the ephemeral key decrypts with the KRD key") from error
    # The layout AWS's export app reads, with its exact field counts (README, Decisions: TR-34 EncryptedContentInfo):
    # SEQ{ id-data, SEQ{ cipher, OCTET iv, [0] ciphertext } }.
    _expect(len(fields) == 3, "EnvelopedData has version, recipientInfos, encryptedContentInfo")
    eci = fields[2].children()
    _expect(len(eci) == 2, "EncryptedContentInfo is SEQ{ id-data, SEQ{ cipher, iv, [0] ciphertext } }")
    content_type, cipher_algorithm = eci
    algorithm_fields = cipher_algorithm.children()
    _expect(len(algorithm_fields) == 3, "the algorithm SEQUENCE holds cipher, IV and [0] ciphertext")
    cipher_oid, iv, ciphertext = algorithm_fields
    _expect(content_type.content == OID_PKCS7_DATA and ciphertext.tag == 0x80, "EncryptedContentInfo layout")
    decryptor = _cipher(cipher_oid.content, ephemeral_key, iv.content).decryptor()
    plaintext = decryptor.update(ciphertext.content) + decryptor.finalize()
    key_block, end = parse_one(plaintext)
    trailer = plaintext[end:]
    _expect(trailer == b"" or (0 < trailer[-1] <= len(iv.content) and trailer == bytes([trailer[-1]]) * trailer[-1]),
            "PKCS#7 padding")
    version, kdh_id, key, header_attribute = key_block.children()
    _expect(version.content == b"\x01", "KeyBlock version 1")
    _expect(kdh_id.encoded == issuer_and_serial(kdh_cert), "KeyBlock names the KDH")
    header_type, header_values = header_attribute.children()
    _expect(header_type.content == OID_PKCS7_DATA, "KeyBlock header attribute is id-data")
    header = header_values.children()[0].content
    _expect(header == signed_header, "encrypted header equals the signed header")
    return header.decode("ascii"), key.content


def _main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] != "unwrap":
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[2], encoding="utf-8") as handle:
        request = json.load(handle)
    krd_key = serialization.load_pem_private_key(request["krd_key_pem"].encode(), password=None)
    assert isinstance(krd_key, rsa.RSAPrivateKey)
    try:
        header, key = parse_tr34(
            bytes.fromhex(request["block"]),
            krd_key=krd_key,
            krd_cert=x509.load_pem_x509_certificate(request["krd_cert_pem"].encode()),
            kdh_cert=x509.load_pem_x509_certificate(request["kdh_cert_pem"].encode()),
            nonce=bytes.fromhex(request["nonce"]) if request.get("nonce") else None,
        )
    except TR34Failure as failure:
        print(f"check failed: {failure}", file=sys.stderr)
        return 1
    print(json.dumps({"header": header, "key": key.hex().upper()}))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
