"""GetCertificateSigningRequest (README, "Certificate signing requests (bring your own CA)"), judged with pyca/cryptography.

The CSR must be base64 of PEM `CERTIFICATE REQUEST`, signed with the key pair's private key by the requested
hash (RSA PKCS#1 v1.5 or ECDSA), carry the same public key GetPublicKeyCertificate certifies, and list the
subject as C, ST, L, O, OU, CN, emailAddress (AWS's BYOCA guide: `subject=C=US, ST=Virginia, L=Arlington,
O=Amazon, OU=PaymentCryptography, CN=MyCertificateAWSUSEAST`).
"""
from __future__ import annotations

import base64

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from conftest import error_of, key_attributes

GUIDE_SUBJECT = {"CommonName": "MyCertificateAWSUSEAST", "Organization": "Amazon", "OrganizationUnit": "PaymentCryptography",
                 "Country": "US", "StateOrProvince": "Virginia", "City": "Arlington"}
HASHES = {"SHA224": hashes.SHA224, "SHA256": hashes.SHA256, "SHA384": hashes.SHA384, "SHA512": hashes.SHA512}


def key_pair(cp, algorithm: str, enabled: bool = True) -> dict:
    if algorithm.startswith("ECC"):
        attributes = key_attributes("TR31_K3_ASYMMETRIC_KEY_FOR_KEY_AGREEMENT", algorithm, ["DeriveKey"], key_class="ASYMMETRIC_KEY_PAIR")
    else:
        attributes = key_attributes("TR31_S0_ASYMMETRIC_KEY_FOR_DIGITAL_SIGNATURE", algorithm, ["Sign"], key_class="ASYMMETRIC_KEY_PAIR")
    return cp.create_key(KeyAttributes=attributes, Exportable=True, Enabled=enabled)["Key"]


def csr_of(cp, arn: str, algorithm: str, subject: dict) -> x509.CertificateSigningRequest:
    out = cp.get_certificate_signing_request(KeyIdentifier=arn, SigningAlgorithm=algorithm, CertificateSubject=subject)
    text = out["CertificateSigningRequest"]
    assert text.startswith("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0"), text[:60]
    pem = base64.b64decode(text)
    lines = pem.decode().strip().split("\n")
    assert lines[0] == "-----BEGIN CERTIFICATE REQUEST-----" and lines[-1] == "-----END CERTIFICATE REQUEST-----"
    assert all(len(line) <= 64 for line in lines[1:-1])
    return x509.load_pem_x509_csr(pem)


def certified_public_key(cp, arn: str) -> bytes:
    cert = x509.load_pem_x509_certificate(base64.b64decode(cp.get_public_key_certificate(KeyIdentifier=arn)["KeyCertificate"]))
    return cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.mark.parametrize("algorithm", ["SHA224", "SHA256", "SHA384", "SHA512"])
def test_rsa_csr_verifies_with_cryptography_and_lists_the_guide_subject_in_order(cp, algorithm):
    key = key_pair(cp, "RSA_2048")
    csr = csr_of(cp, key["KeyArn"], algorithm, GUIDE_SUBJECT)
    assert csr.is_signature_valid
    assert isinstance(csr.signature_hash_algorithm, HASHES[algorithm])
    public = csr.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(csr.signature, csr.tbs_certrequest_bytes, padding.PKCS1v15(), HASHES[algorithm]())
    assert csr.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) \
        == certified_public_key(cp, key["KeyArn"])
    assert csr.subject.rfc4514_string() == "CN=MyCertificateAWSUSEAST,OU=PaymentCryptography,O=Amazon,L=Arlington,ST=Virginia,C=US"
    assert [a.oid for a in csr.subject] == [NameOID.COUNTRY_NAME, NameOID.STATE_OR_PROVINCE_NAME, NameOID.LOCALITY_NAME,
                                           NameOID.ORGANIZATION_NAME, NameOID.ORGANIZATIONAL_UNIT_NAME, NameOID.COMMON_NAME]
    assert len(csr.attributes) == 0 and len(csr.extensions) == 0


@pytest.mark.parametrize("curve,size", [("ECC_NIST_P256", 256), ("ECC_NIST_P384", 384), ("ECC_NIST_P521", 521)])
def test_ecc_csr_is_ecdsa_signed_with_email_last(cp, curve, size):
    key = key_pair(cp, curve)
    for algorithm in ("SHA224", "SHA512"):
        csr = csr_of(cp, key["KeyArn"], algorithm, {"CommonName": "  Keep Spaces ", "Country": "us", "EmailAddress": "ops@example.com"})
        assert csr.is_signature_valid
        public = csr.public_key()
        assert isinstance(public, ec.EllipticCurvePublicKey) and public.curve.key_size == size
        public.verify(csr.signature, csr.tbs_certrequest_bytes, ec.ECDSA(HASHES[algorithm]()))
        attrs = list(csr.subject)
        assert [a.oid for a in attrs] == [NameOID.COUNTRY_NAME, NameOID.COMMON_NAME, NameOID.EMAIL_ADDRESS]
        assert [a.value for a in attrs] == ["us", "  Keep Spaces ", "ops@example.com"]  # as given: no trimming, no case change
        assert attrs[0]._type.name == "PrintableString" and attrs[1]._type.name == "UTF8String" and attrs[2]._type.name == "IA5String"
        assert public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) \
            == certified_public_key(cp, key["KeyArn"])


def refused(call, code: str, status: int):
    with pytest.raises(ClientError) as e:
        call()
    got = error_of(e)
    assert (got[0], got[1]) == (code, status), got[2]
    return got[2]


def test_refusals(cp, cp_raw):
    req = lambda arn, **kw: cp.get_certificate_signing_request(  # noqa: E731
        KeyIdentifier=arn, SigningAlgorithm=kw.get("algorithm", "SHA256"), CertificateSubject=kw.get("subject", GUIDE_SUBJECT))
    symmetric = cp.create_key(KeyAttributes=key_attributes("TR31_M3_ISO_9797_3_MAC_KEY", "TDES_2KEY", ["Generate", "Verify"]),
                              Exportable=True)["Key"]
    refused(lambda: req(symmetric["KeyArn"]), "ValidationException", 400)
    disabled = key_pair(cp, "RSA_2048", enabled=False)
    refused(lambda: req(disabled["KeyArn"]), "ValidationException", 400)
    deleted = key_pair(cp, "ECC_NIST_P256")
    cp.delete_key(KeyIdentifier=deleted["KeyArn"])
    refused(lambda: req(deleted["KeyArn"]), "ValidationException", 400)
    unknown = "arn:aws:payment-cryptography:us-east-1:111122223333:key/aaaaaaaaaaaaaaaa"
    refused(lambda: req(unknown), "ResourceNotFoundException", 404)
    pair = key_pair(cp, "RSA_3072")
    # Model violations: a country of 3 letters, a `<` in the common name, an unknown algorithm.
    refused(lambda: cp_raw.get_certificate_signing_request(KeyIdentifier=pair["KeyArn"], SigningAlgorithm="SHA256",
                                                           CertificateSubject={"CommonName": "x", "Country": "USA"}),
            "ValidationException", 400)
    refused(lambda: cp_raw.get_certificate_signing_request(KeyIdentifier=pair["KeyArn"], SigningAlgorithm="SHA256",
                                                           CertificateSubject={"CommonName": "<x>"}),
            "ValidationException", 400)
    refused(lambda: cp_raw.get_certificate_signing_request(KeyIdentifier=pair["KeyArn"], SigningAlgorithm="MD5",
                                                           CertificateSubject={"CommonName": "x"}),
            "ValidationException", 400)
