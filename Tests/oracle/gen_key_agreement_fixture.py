#!/usr/bin/env python3
"""Generate the ECDH differential-test fixture for paycrypt's Swift library.

    python3 Tests/oracle/gen_key_agreement_fixture.py --seed 20261203 [--out PATH]

The oracle is pyca cryptography, independent of paycrypt: EC key pairs on P-256, P-384 and P-521
(private scalars drawn with random.Random(seed), public points by cryptography), the shared
secret Z by `exchange(ec.ECDH())` (SP 800-56A ECC CDH, as AWS's samples compute it), and the two
key derivation functions of AWS's `KeyDerivationFunction`: `ConcatKDFHash` (NIST_SP800, SP 800-56C
one-step) and `X963KDF` (ANSI_X963), with SHA-256, SHA-384 and SHA-512, random SharedInformation
(empty included) and every derived-key length of `DeriveKeyAlgorithm` plus random ones. The
published KDF vectors are first recomputed (exit non-zero on a mismatch). One JSON file (sorted
keys, one case per line; the same seed gives the same bytes).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from importlib import metadata

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash
from cryptography.hazmat.primitives.kdf.x963kdf import X963KDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

CURVES = {"ECC_NIST_P256": (ec.SECP256R1(), 32), "ECC_NIST_P384": (ec.SECP384R1(), 48), "ECC_NIST_P521": (ec.SECP521R1(), 66)}
BITS = {"ECC_NIST_P256": 256, "ECC_NIST_P384": 384, "ECC_NIST_P521": 521}  # every scalar below 2^(bits-1) is below the order
HASHES = {"SHA_256": hashes.SHA256, "SHA_384": hashes.SHA384, "SHA_512": hashes.SHA512}
LENGTHS = [16, 24, 32]  # TDES_2KEY / AES_128, TDES_3KEY / AES_192, AES_256


def kdf(function: str, hash_name: str, z: bytes, info: bytes, length: int) -> bytes:
    if function == "NIST_SP800":
        return ConcatKDFHash(algorithm=HASHES[hash_name](), length=length, otherinfo=info or None).derive(z)
    return X963KDF(algorithm=HASHES[hash_name](), length=length, sharedinfo=info or None).derive(z)


def check_published() -> None:
    vectors = [
        ("NIST_SP800", "SHA_256", "52169af5c485dcc2321eb8d26d5efa21fb9b93c98e38412ee2484cf14f0d0d23",
         "a1b2c3d4e53728157e634612c12d6d5223e204aeea4341565369647bd184bcd246f72971f292badaa2fe4124612cba",
         "1c3bc9e7c4547c5191c0d478cccaed55"),
        ("NIST_SP800", "SHA_384", "31959754B0F25A059CB5DC822BF2C50D4EA35A6A2C6B5195",
         "5CF8056657ACA01CCCBEA17896F29AD012C80AE667566F3CF45553087F36C3C0",
         "392948A8F8C534E3ACFA99FB840F68336A3D55836675B61C1EB6C1853C7D4D92AC0D"),
        ("ANSI_X963", "SHA_256", "96c05619d56c328ab95fe84b18264b08725b85e33fd34f08", "", "443024c3dae66b95e6f5670601558f71"),
    ]
    for function, hash_name, z, info, expected in vectors:
        got = kdf(function, hash_name, bytes.fromhex(z), bytes.fromhex(info), len(expected) // 2)
        if got.hex().upper() != expected.upper():
            sys.exit(f"oracle disagrees with the published {function} {hash_name} vector")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", default="Tests/PaymentCryptographyTests/Fixtures/key_agreement.json")
    parser.add_argument("--count", type=int, default=240)
    args = parser.parse_args()
    check_published()
    rng = random.Random(args.seed)
    cases = []
    for i in range(args.count):
        curve = list(CURVES)[i % 3]
        function = ["NIST_SP800", "ANSI_X963"][(i // 3) % 2]
        hash_name = list(HASHES)[(i // 6) % 3]
        ec_curve, size = CURVES[curve]
        d = rng.randrange(1, 2 ** (BITS[curve] - 1))
        peer = rng.randrange(1, 2 ** (BITS[curve] - 1))
        ours = ec.derive_private_key(d, ec_curve)
        theirs = ec.derive_private_key(peer, ec_curve)
        public = theirs.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        z = ours.exchange(ec.ECDH(), theirs.public_key())
        assert z == theirs.exchange(ec.ECDH(), ours.public_key())
        info = bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 16, 32, rng.randrange(1, 200)])))
        length = LENGTHS[i % 3] if i % 4 else rng.randrange(1, 300)
        cases.append({
            "curve": curve, "privateKey": d.to_bytes(size, "big").hex().upper(), "publicKey": public.hex().upper(),
            "z": z.hex().upper(), "kdf": function, "hash": hash_name, "sharedInfo": info.hex().upper(),
            "length": length, "derived": kdf(function, hash_name, z, info, length).hex().upper(),
        })
    lines = [json.dumps(c, sort_keys=True) for c in cases]
    with open(args.out, "w") as f:
        f.write('{"cryptography": %s, "seed": %d, "cases": [\n' % (json.dumps(metadata.version("cryptography")), args.seed))
        f.write(",\n".join(lines))
        f.write("\n]}\n")
    print(f"{args.out}: {len(cases)} ECDH cases, seed {args.seed}")


if __name__ == "__main__":
    main()
