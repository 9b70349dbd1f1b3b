import pytest
from cryptography.fernet import Fernet

from core import crypto


def test_it_decrypts_what_it_encrypts():
    token = crypto.encrypt("sk-secret-value")
    assert token != "sk-secret-value"
    assert crypto.decrypt(token) == "sk-secret-value"


def test_it_raises_on_a_token_no_key_opens_and_never_returns_the_ciphertext(settings):
    token = crypto.encrypt("sk-secret-value")
    settings.FERNET_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.DecryptionError) as info:
        crypto.decrypt(token)
    assert token not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_it_raises_on_garbage():
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt("not-a-fernet-token")


def test_it_encrypts_with_the_first_key_and_decrypts_with_any(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FERNET_KEYS = [old]
    token = crypto.encrypt("sk-x")
    settings.FERNET_KEYS = [new, old]
    assert crypto.decrypt(token) == "sk-x"
    rotated = crypto.rotate(token)
    settings.FERNET_KEYS = [new]
    assert crypto.decrypt(rotated) == "sk-x"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)
