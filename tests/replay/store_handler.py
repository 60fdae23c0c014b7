#!/usr/bin/python3
"""A webhook handler with a real SQLite store, standing in for "the team's handler" when replay
proves what a handler stored. Four behaviours, three of them classic mistakes:

  correct       verify the signature over the raw body, then upsert the call by call_id; the
                delayed phase adds corrected_transcript and citations, the post-call phase never
                removes them (whichever arrives first)
  overwrite     verify, then keep the latest body per call: the delayed phase's fields are lost
                when the post-call phase arrives second
  insert        verify, then insert a row per delivery: a retry stores the call twice
  store-first   store (as correct does), then verify: a forged request is refused, but stored

POST any path: the webhook. GET /calls/{call_id}: the call's rows as a JSON array, 404 when none:
the same shape `sqlite3 -json DB "select … from calls where call_id = '…' order by id"` prints.

Usage: store_handler.py --secret S --db FILE [--mode MODE] [--port-file FILE] [--port N]
"""
import argparse
import datetime
import hashlib
import hmac
import json
import sqlite3
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler

from handler import answer_json, serve

COLUMNS = "id, call_id, status, corrected_transcript, citations, updated_at"


def open_db(path):
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.execute("pragma busy_timeout = 30000")
    return db


def create(path, mode):
    db = open_db(path)
    db.execute("pragma journal_mode = wal")
    unique = "" if mode == "insert" else " unique"
    db.execute("create table if not exists calls (id integer primary key autoincrement, "
               "call_id text%s not null, status text, corrected_transcript text, citations text, "
               "updated_at text)" % unique)
    db.close()


def column(value):
    """A body field as an SQLite value: text as it is, anything else as JSON text with sorted
    keys (the same value is stored the same way whatever the key order it arrived in)."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def store(db, mode, body):
    call_id = body.get("call_id")
    if not isinstance(call_id, str):
        return
    row = (call_id, column(body.get("status")), column(body.get("corrected_transcript")),
           column(body.get("citations")), datetime.datetime.now(datetime.timezone.utc).isoformat())
    if mode == "overwrite":
        db.execute("insert or replace into calls (call_id, status, corrected_transcript, "
                   "citations, updated_at) values (?, ?, ?, ?, ?)", row)
    elif mode == "insert":
        db.execute("insert into calls (call_id, status, corrected_transcript, citations, "
                   "updated_at) values (?, ?, ?, ?, ?)", row)
    else:
        db.execute("insert into calls (call_id, status, corrected_transcript, citations, "
                   "updated_at) values (?, ?, ?, ?, ?) on conflict(call_id) do update set "
                   "status = coalesce(excluded.status, status), "
                   "corrected_transcript = coalesce(excluded.corrected_transcript, "
                   "corrected_transcript), citations = coalesce(excluded.citations, citations), "
                   "updated_at = excluded.updated_at", row)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--secret", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--mode", default="correct",
                        choices=["correct", "overwrite", "insert", "store-first"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    args = parser.parse_args()
    secret = args.secret.encode()
    create(args.db, args.mode)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def answer(self, status, payload):
            answer_json(self, status, json.dumps(payload).encode())

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            given = self.headers.get("X-Webhook-Signature", "").strip().lower()
            expected = hmac.new(secret, raw, hashlib.sha256).hexdigest()
            verified = hmac.compare_digest(expected, given)
            try:
                body = json.loads(raw)
            except ValueError:
                return self.answer(400, {"error": "not JSON"})
            if not isinstance(body, dict):
                return self.answer(400, {"error": "not an object"})
            if args.mode == "store-first" or verified:
                db = open_db(args.db)
                try:
                    store(db, args.mode, body)
                finally:
                    db.close()
            if not verified:
                return self.answer(401, {"error": "bad signature"})
            self.answer(200, {"ok": True, "call_id": body.get("call_id")})

        def do_GET(self):
            path = urllib.parse.urlsplit(self.path).path
            if not path.startswith("/calls/"):
                return self.answer(404, {"error": "not found"})
            call_id = urllib.parse.unquote(path[len("/calls/"):])
            db = open_db(args.db)
            db.row_factory = sqlite3.Row
            try:
                rows = [dict(row) for row in db.execute(
                    "select %s from calls where call_id = ? order by id" % COLUMNS, (call_id,))]
            finally:
                db.close()
            if not rows:
                return self.answer(404, {"error": "no such call"})
            self.answer(200, rows)

        def log_message(self, *unused):
            pass

    serve(Handler, args.port, args.port_file)


if __name__ == "__main__":
    sys.exit(main())
