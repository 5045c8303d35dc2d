"""Every relative link in README.md and docs/ points at a file that exists in the repository.
    python3 tests/docs_links_test.py REPO_ROOT"""
import glob
import os
import re
import sys

root = sys.argv[1]
pages = [os.path.join(root, "README.md")] + glob.glob(os.path.join(root, "docs", "**", "*.md"),
                                                      recursive=True)
broken = []
for page in pages:
    for m in re.finditer(r"\]\(([^)#\s]+)(#[^)]*)?\)", open(page, encoding="utf-8").read()):
        target = m.group(1)
        if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
            continue
        if not os.path.exists(os.path.join(os.path.dirname(page), target)):
            broken.append("%s: %s" % (os.path.relpath(page, root), target))
for b in broken:
    print("broken link", b)
bad_pages = len({b.split(":")[0] for b in broken})
print("%d passed, %d failed" % (len(pages) - bad_pages, bad_pages))
sys.exit(1 if broken else 0)
