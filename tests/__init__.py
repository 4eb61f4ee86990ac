"""The test suite. Imported before any test module or conftest (so before scamnet).

Password hashes in the suite use argon2's cheapest parameters: hundreds of users are
created and logged in, at about 0.2 s a hash with the product's profile. The variable
must be set before `scamnet.store.users` is imported, and child processes (servers, the
demo) inherit it (set it to rfc9106-low-memory to time the difference).
tests/store/test_password_profile.py pins the product's own profile.
"""

import os

os.environ.setdefault("SCAMNET_PASSWORD_HASH", "cheapest-for-tests")
