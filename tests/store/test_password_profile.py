"""The product hashes passwords with RFC 9106's argon2id profile; only the suite (see
tests/__init__.py) asks for the cheapest one, and nothing else is accepted."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from argon2 import Type

from scamnet.store.users import password_hasher


def test_an_instance_hashes_with_rfc_9106s_low_memory_profile() -> None:
    hasher = password_hasher({})
    assert (hasher.type, hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (
        Type.ID, 3, 64 * 1024, 4,
    )  # fmt: skip
    assert hasher.hash("a-long-passphrase").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_the_module_reads_the_profile_from_the_environment() -> None:
    # A fresh interpreter without the suite's variable: what `scamnet serve` would use.
    code = "from scamnet.store.users import _hasher; print(_hasher.memory_cost, _hasher.time_cost)"
    env = {k: v for k, v in os.environ.items() if k != "SCAMNET_PASSWORD_HASH"}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)  # this scamnet, as the suite imports it
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["65536", "3"], out.stderr


def test_an_unknown_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="SCAMNET_PASSWORD_HASH"):
        password_hasher({"SCAMNET_PASSWORD_HASH": "weak"})


def test_a_process_with_an_unknown_profile_stops_saying_why() -> None:
    env = {**os.environ, "SCAMNET_PASSWORD_HASH": "weak", "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", "import scamnet.store.users"], env=env,
                         capture_output=True, text=True)  # fmt: skip
    assert out.returncode == 1
    assert "SCAMNET_PASSWORD_HASH='weak' is not one of" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_login_under_a_weaker_profile_never_rewrites_a_strong_hash() -> None:
    from argon2 import PasswordHasher, profiles

    from scamnet.store.users import _stronger_than

    strong = password_hasher({}).hash("a-long-passphrase")
    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)
    assert cheap.check_needs_rehash(strong)  # argon2 alone would rewrite it
    assert not _stronger_than(cheap, strong)
    assert _stronger_than(password_hasher({}), cheap.hash("a-long-passphrase"))  # upwards
    assert not _stronger_than(password_hasher({}), strong)  # the same: nothing to do
