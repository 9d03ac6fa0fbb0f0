"""Calling the ansafe-rules HTTP service from Python with httpx (docs/http.md).

Start a server (``ansafe-rules serve``), then:

    python examples/http_client.py http://127.0.0.1:8000 --as-of 2026-07-31

It checks every shipped example (YAML as it is), streams a batch of two policies and one
broken line, lists one policy's next due dates, and shows an error as problem details.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("base_url", nargs="?", default="http://127.0.0.1:8000")
    p.add_argument("--as-of", default=None, help="YYYY-MM-DD (default: the server's today)")
    args = p.parse_args()
    params = {"as_of": args.as_of} if args.as_of else {}

    with httpx.Client(base_url=args.base_url, timeout=60) as client:
        # 1. one case per request: the shipped examples, sent as YAML
        for path in sorted(HERE.glob("*.yaml")):
            r = client.post(
                "/v1/check",
                params=params,
                content=path.read_bytes(),
                headers={"Content-Type": "application/yaml"},
            )
            r.raise_for_status()
            report = r.json()
            breaches = dict.fromkeys(  # breaches of a duty, each rule once
                f["rule_id"]
                for f in report["findings"]
                if f["status"] == "violation" and f["severity"] not in ("advisory", "assessment")
            )
            print(
                f"check {path.name}: {report['policy_id']} [{'+'.join(report['layers'])}] "
                f"{report['counts'].get('violation', 0)} violation(s), breaches: "
                f"{', '.join(breaches)}"
            )

        # 2. a batch, streamed: one JSON line per input line, in order, as each is evaluated
        policy = {
            "policy_id": "B-1",
            "jurisdiction": "national",
            "insurer": "某保险公司",
            "insured": "某建设集团",
            "industry": "construction",
            "term_start": "2025-07-01",
            "term_end": "2026-06-30",
        }
        lines = [
            json.dumps({"policy": policy}, ensure_ascii=False),
            '{"policy": {"policy_id": 42}}',  # broken: costs this line only
            json.dumps({"policy": {**policy, "policy_id": "B-3"}}, ensure_ascii=False),
        ]
        with client.stream(
            "POST",
            "/v1/batch",
            params={**params, "lang": "en"},
            content="\n".join(lines).encode("utf-8"),
            headers={"Content-Type": "application/x-ndjson"},
        ) as r:
            for text in r.iter_lines():
                line = json.loads(text)
                if "error" in line:
                    first = line["error"]["errors"][0]  # located: record, field, message
                    print(
                        f"batch line {line['line']}: error: {first['record']}.{first['field']}: "
                        f"{first['message']}"
                    )
                else:
                    counts = line["result"]["counts"]
                    print(f"batch line {line['line']}: {line['policy_id']} {counts}")

        # 3. obligations: what is due, by when
        path = HERE / "national-construction.yaml"
        r = client.post(
            "/v1/obligations",
            params=params,
            content=path.read_bytes(),
            headers={"Content-Type": "application/yaml"},
        )
        dated = [o for o in r.json()["obligations"] if o.get("due_date")]
        dated.sort(key=lambda o: o["due_date"])
        for o in dated[:3]:
            print(f"due {o['due_date']} {o['rule_id']} ({o['citation']['clause']})")

        # 4. errors are problem details naming the parameter, line, record and field
        r = client.post(
            "/v1/check",
            params={**params, "jurisdiction": "atlantis", "lang": "en"},
            content=path.read_bytes(),
            headers={"Content-Type": "application/yaml"},
        )
        problem = r.json()
        print(f"error {r.status_code} {r.headers['content-type']}: {problem['title']}")


if __name__ == "__main__":
    main()
