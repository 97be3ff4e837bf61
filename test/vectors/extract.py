"""Reads `forge script test/vectors/GenerateTicketVectors.s.sol` output on stdin, prints the JSON between the markers."""
import json
import sys

text = sys.stdin.read()
body = text.split("VECTORS_JSON_BEGIN", 1)[1].split("VECTORS_JSON_END", 1)[0]
lines = body.strip("\n").splitlines()
# forge indents script logs by two spaces
lines = [l[2:] if l.startswith("  ") else l for l in lines]
doc = json.loads("\n".join(lines))
print(json.dumps(doc, indent=2))
