"""RSA keys and signatures as Tiger's open API uses them.

Requests are signed by the client with its private key: RSA PKCS#1 v1.5 over SHA-1 of the
sorted ``k=v&...`` string of every parameter except ``sign``. Responses are signed by the
gateway over the request's ``timestamp`` string, and the client checks them with the
gateway's public key. Keys travel as the base64 body of a PEM file without its header lines:
PKCS#1 for private keys (what the SDK reads), SubjectPublicKeyInfo for public keys.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

KEY_BITS = 1024


def pem_body(pem: str) -> str:
    """Return the base64 body of a PEM text (header and footer lines dropped)."""
    return "".join(line.strip() for line in pem.splitlines() if line and "-----" not in line)


@dataclass(frozen=True)
class KeyPair:
    """One RSA key pair, with the text forms the SDK expects."""

    private: RSAPrivateKey

    @classmethod
    def generate(cls) -> KeyPair:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS))

    @property
    def public(self) -> RSAPublicKey:
        return self.private.public_key()

    def private_pem(self) -> str:
        """PKCS#1 ("BEGIN RSA PRIVATE KEY"), the form Tiger hands out."""
        return self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode()

    def public_pem(self) -> str:
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def private_body(self) -> str:
        return pem_body(self.private_pem())

    def public_body(self) -> str:
        return pem_body(self.public_pem())


def load_public_key(text: str) -> RSAPublicKey:
    """Read a public key from PEM text or from its bare base64 body."""
    body = pem_body(text)
    key = serialization.load_der_public_key(base64.b64decode(body))
    if not isinstance(key, RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


def load_private_key(text: str) -> RSAPrivateKey:
    """Read a private key (PKCS#1 or PKCS#8) from PEM text or its bare base64 body."""
    key = serialization.load_der_private_key(base64.b64decode(pem_body(text)), password=None)
    if not isinstance(key, RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


def sign_content(params: dict[str, object]) -> str:
    """Return the string a request signature covers: sorted ``k=v`` pairs joined by ``&``."""
    parts = []
    for key in sorted(params):
        value = params[key]
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        parts.append(f"{key}={text}")
    return "&".join(parts)


def sign(private: RSAPrivateKey, content: str) -> str:
    """Return the base64 RSA/SHA-1 PKCS#1 v1.5 signature of ``content``."""
    raw = private.sign(content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA1())
    return base64.b64encode(raw).decode()


def verify(public: RSAPublicKey, content: str, signature: str) -> bool:
    """Return whether ``signature`` is a valid signature of ``content``."""
    try:
        public.verify(
            base64.b64decode(signature), content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA1()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def write_key_files(directory: Path, client: KeyPair, gateway: KeyPair) -> dict[str, str]:
    """Write the client's private key and both public keys; return their paths by role."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "client_private_key_file": (directory / "client_private_key.pem", client.private_pem()),
        "client_public_key_file": (directory / "client_public_key.pem", client.public_pem()),
        "gateway_public_key_file": (directory / "gateway_public_key.pem", gateway.public_pem()),
    }
    for path, text in files.values():
        path.write_text(text)
    files["client_private_key_file"][0].chmod(0o600)
    return {role: str(path) for role, (path, _) in files.items()}
