"""The setup finds Python 3.10 by itself, or stops and says what to install."""
import os
import shutil
import subprocess

from bot.knowledge.loader import PROJECT_ROOT

SCRIPT = str(PROJECT_ROOT / "scripts" / "find-python310.sh")
BASH = shutil.which("bash")


def run(env):
    return subprocess.run([BASH, SCRIPT], env=env, capture_output=True, text=True, timeout=60)


def test_finds_python_3_10_on_this_machine():
    done = run(dict(os.environ))
    assert done.returncode == 0, done.stderr
    version = subprocess.run([done.stdout.strip(), "-c", "import sys; print(sys.version_info[:2])"],
                             capture_output=True, text=True).stdout
    assert version.strip() == "(3, 10)"


def test_without_python_3_10_it_stops_and_says_what_to_install(tmp_path):
    bare_path = str(tmp_path)  # an empty PATH folder: only the shell's builtins are left
    done = run({"PATH": bare_path, "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path / "pyenv")})
    assert done.returncode == 1
    assert "Python 3.10 was not found" in done.stderr
    assert "pyenv install 3.10" in done.stderr and "apt-get install python3.10" in done.stderr


def test_a_python_given_explicitly_that_is_not_3_10_is_refused(tmp_path):
    other = shutil.which("python3")
    done = run({"PATH": str(tmp_path), "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path), "PYTHON": other})
    assert done.returncode == 1
