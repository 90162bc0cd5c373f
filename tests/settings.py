"""Test settings: the real settings, with a throw-away data dir and fast hashing."""

import atexit
import os
import shutil
import tempfile

if "FOLLOWTHROUGH_DATA_DIR" not in os.environ:
    # One throw-away data dir per test process (each xdist worker), removed at its exit;
    # processes the tests start (`serve`) inherit it through the environment.
    os.environ["FOLLOWTHROUGH_DATA_DIR"] = tempfile.mkdtemp(prefix="followthrough-tests-")
    atexit.register(shutil.rmtree, os.environ["FOLLOWTHROUGH_DATA_DIR"], ignore_errors=True)

# Each xdist worker its own folder inside it (CI names one data dir for the whole run, and
# the controller's is inherited): files kept there by one test process — a restore's
# marker, a prepared backup, an upload — are never another's.
_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and not os.environ["FOLLOWTHROUGH_DATA_DIR"].endswith(f"-{_worker}"):
    os.environ["FOLLOWTHROUGH_DATA_DIR"] = os.path.join(
        os.environ["FOLLOWTHROUGH_DATA_DIR"], f"worker-{_worker}"
    )

from followthrough.config import make_data_dir  # noqa: E402

make_data_dir()  # the settings only name it (as the `followthrough` command, we make it)

from followthrough.settings import *  # noqa: E402, F403
from followthrough.settings import DATA_DIR, DATABASES  # noqa: E402

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# A real SQLite file (not Django's in-memory default), like the app uses.
if DATABASES["default"]["ENGINE"] == "followthrough.sqlite":
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

# No collectstatic in tests: serve static files straight from the package.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
