"""Writes tr34_vectors.json: TR-34 2012 key blocks made by Tests/acceptance/tr34_builder.py, an
implementation independent of paycrypt's Swift code that follows AWS's public TR-34 samples.

Everything is fixed, so running this again gives the same file byte for byte: the RSA keys come
from a seeded generator below, certificate serials and dates are constants, PKCS#1 v1.5
signatures are deterministic, and the ephemeral keys, IVs and OAEP seeds are derived from the
vector name.

    python3 Tests/PayCryptServiceTests/TR34/make_tr34_vectors.py

Needs `cryptography` (Tests/requirements.txt). Test keys only; none of them protects anything.
"""
from __future__ import annotations

import hashlib
import json
import random
import sys
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "acceptance"))

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

import tr34_builder as tr34  # noqa: E402

NOT_BEFORE = datetime(2025, 1, 1, tzinfo=timezone.utc)
NOT_AFTER = datetime(2035, 1, 1, tzinfo=timezone.utc)
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _is_probable_prime(n: int, rng: random.Random) -> bool:
    if n < 2:
        return False
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(40):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def seeded_rsa(bits: int, seed: str) -> rsa.RSAPrivateKey:
    """An RSA key (e = 65537) from a seeded generator: reproducible test keys, never real ones."""
    rng = random.Random(hashlib.sha256(seed.encode()).digest())
    e = 65537

    def prime() -> int:
        while True:
            candidate = rng.getrandbits(bits // 2) | (3 << (bits // 2 - 2)) | 1
            if (candidate - 1) % e != 0 and _is_probable_prime(candidate, rng):
                return candidate

    p = prime()
    q = prime()
    while q == p:
        q = prime()
    if p < q:
        p, q = q, p
    d = pow(e, -1, (p - 1) * (q - 1))
    numbers = rsa.RSAPrivateNumbers(
        p=p, q=q, d=d,
        dmp1=rsa.rsa_crt_dmp1(d, p), dmq1=rsa.rsa_crt_dmq1(d, q), iqmp=rsa.rsa_crt_iqmp(p, q),
        public_numbers=rsa.RSAPublicNumbers(e, p * q),
    )
    return numbers.private_key()


def name(common_name: str, organization: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
    ])


def certificate(subject: x509.Name, key: rsa.RSAPrivateKey, issuer: x509.Name, issuer_key: rsa.RSAPrivateKey,
                serial: int, ca: bool) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(issuer)
        .not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
        .serial_number(serial).public_key(key.public_key())
    )
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    return builder.sign(private_key=issuer_key, algorithm=hashes.SHA256())


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()


def derived(label: str, count: int) -> bytes:
    return hashlib.sha256(label.encode()).digest()[:count]


def main() -> None:
    # The KDH's side, as in AWS's import sample: its CA and the KDH (signing) certificate.
    ca_key = seeded_rsa(2048, "tr34 kdh ca")
    ca_name = name("Desktop HSM CA", "The Organization")
    ca_cert = certificate(ca_name, ca_key, ca_name, ca_key, 100, ca=True)
    kdh_key = seeded_rsa(2048, "tr34 kdh")

    def kdh_cert(serial: int) -> x509.Certificate:
        return certificate(name("Desktop HSM", "The Organization"), kdh_key, ca_name, ca_key, serial, ca=False)

    # The service's side: the wrapping keys GetParametersForImport would hand out, and their CA.
    service_ca_key = seeded_rsa(2048, "tr34 service ca")
    service_ca_name = name("paycrypt wrapping CA", "paycrypt")
    wrapping = {}
    for bits, serial in ((2048, 0x2048), (3072, 0x3072)):
        key = seeded_rsa(bits, f"tr34 wrapping {bits}")
        cert = certificate(name("paycrypt import wrapping key", "paycrypt"), key, service_ca_name, service_ca_key, serial, ca=False)
        wrapping[bits] = (key, cert)

    cases = [
        # name, key, header, nonce, wrapping bits, options
        ("tdes-2key-two-pass", "8A8349794C9EE9A4C2927098F249FED6", "D9999K0TB00E0000", "0123456789ABCDEF", 2048, {}),
        ("tdes-3key-two-pass", "0123456789ABCDEFFEDCBA987654321089ABCDEF01234567", "D9999B0TX00E0000", "A1B2C3D4E5F60718", 2048, {}),
        ("aes128-two-pass", "000102030405060708090A0B0C0D0E0F", "D9999K0AB00E0000", "1122334455667788", 3072, {}),
        ("tdes-one-pass", "8A8349794C9EE9A4C2927098F249FED6", "D9999K0TB00E0000", None, 2048, {}),
        # AWS's sample pads only when the KeyBlock is not whole blocks; the serial is picked so
        # that it is, and the block carries no padding at all.
        ("tdes-aws-sample-padding", "8A8349794C9EE9A4C2927098F249FED6", "D9999K0TB00E0000", "0123456789ABCDEF", 2048,
         {"padding_style": "aws-sample", "aligned": True}),
        # Negative vectors, validly signed: the check named in "error" must fail.
        ("neg-header-mismatch", "8A8349794C9EE9A4C2927098F249FED6", "D9999K0TB00E0000", "0123456789ABCDEF", 2048,
         {"signed_header": "D9999K0TB00N0000", "error": "headerMismatch"}),
        ("neg-bad-padding", "8A8349794C9EE9A4C2927098F249FED6", "D9999K0TB00E0000", "0123456789ABCDEF", 2048,
         {"padding_style": "zeros", "error": "contentDecryptionFailed"}),
    ]

    vectors = []
    for case_name, key_hex, header, nonce_hex, bits, options in cases:
        options = dict(options)
        error = options.pop("error", None)
        serial = 200
        if options.pop("aligned", False):
            # Grow the KDH serial one octet at a time until the KeyBlock is whole blocks.
            while True:
                key_block = tr34.seq(tr34.integer(1), tr34.issuer_and_serial(kdh_cert(serial)),
                                     tr34.octets(bytes.fromhex(key_hex)),
                                     tr34.seq(tr34.oid(tr34.OID_PKCS7_DATA), tr34.set_(tr34.octets(header.encode()))))
                if len(key_block) % 8 == 0:
                    break
                serial = serial * 256 + 0x5A
        cert = kdh_cert(serial)
        cipher_key_len, block = (24, 8) if header[7] == "T" else (16, 16)
        wrapping_key, wrapping_cert = wrapping[bits]
        block_der = tr34.build_tr34(
            kdh_key=kdh_key, kdh_cert=cert, krd_cert=wrapping_cert,
            key=bytes.fromhex(key_hex), header=header,
            nonce=bytes.fromhex(nonce_hex) if nonce_hex else None,
            signing_time=NOW,
            ephemeral_key=derived(case_name + " ephemeral", cipher_key_len),
            iv=derived(case_name + " iv", block),
            oaep_seed=derived(case_name + " oaep", 32),
            **options,
        )
        if error is None:
            # The independent parser must open what the builder made.
            assert tr34.parse_tr34(block_der, krd_key=wrapping_key, krd_cert=wrapping_cert, kdh_cert=cert,
                                   nonce=bytes.fromhex(nonce_hex) if nonce_hex else None) == (header, bytes.fromhex(key_hex))
        vectors.append({
            "name": case_name,
            "kdhCertificate": pem(cert),
            "wrappingKeyBits": bits,
            "key": key_hex,
            "header": header,
            "nonce": nonce_hex,
            "error": error,
            "block": block_der.hex().upper(),
        })

    fixture = {
        "comment": "Made by make_tr34_vectors.py with Tests/acceptance/tr34_builder.py (AWS sample layout). Test keys only.",
        "now": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "caCertificate": pem(ca_cert),
        "kdhPrivateKey": key_pem(kdh_key),
        "wrappingKeys": {str(bits): {"privateKey": key_pem(k), "certificate": pem(c)} for bits, (k, c) in wrapping.items()},
        "vectors": vectors,
    }
    (HERE / "tr34_vectors.json").write_text(json.dumps(fixture, indent=2) + "\n")
    print(f"wrote {len(vectors)} vectors to {HERE / 'tr34_vectors.json'}")


if __name__ == "__main__":
    main()
