"""PyInstaller hook for spaCy, replacing the contributed one: the same data files
and submodules, without spaCy's own test suite (which would pull pytest in)."""

from PyInstaller.utils.hooks import collect_data_files, collect_submodules

datas = collect_data_files("spacy", excludes=["tests/**"])
hiddenimports = collect_submodules("spacy", filter=lambda name: not name.startswith("spacy.tests"))
