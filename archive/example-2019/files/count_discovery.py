"""Counts discovery commands per minute in a Sysmon XML export (example)."""
import collections
import re
import sys

PATTERN = re.compile(r"net (group|user|view)")

def main(path):
    per_minute = collections.Counter()
    for line in open(path, encoding="utf-8"):
        if "CommandLine" in line and PATTERN.search(line):
            per_minute[line[:16]] += 1
    for minute, count in sorted(per_minute.items()):
        print(minute, count)

if __name__ == "__main__":
    main(sys.argv[1])
