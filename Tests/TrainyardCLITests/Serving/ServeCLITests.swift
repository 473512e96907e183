import Foundation
import Testing
import TrainyardTestSupport

/// `trainyard serve` against real clients: Triton's Python client, malformed and mutated
/// requests, alias moves under load, Prometheus parsing and drift alerts to a webhook.
@Suite(.serialized) struct ServeCLITests {
    static let tritonClient = """
        import json, sys, csv
        import numpy as np
        import tritonclient.http as http
        url, data_csv = sys.argv[1].replace("http://", ""), sys.argv[2]
        c = http.InferenceServerClient(url=url)
        meta = c.get_model_metadata("demo")
        names = meta["parameters"]["feature_names"]
        rows = list(csv.DictReader(open(data_csv)))
        x = np.array([[float(r[n]) for n in names] for r in rows], dtype=np.float32)
        binary = http.InferInput("input", list(x.shape), "FP32"); binary.set_data_from_numpy(x)
        r1 = c.infer("demo", [binary], request_id="req-1")
        plain = http.InferInput("input", list(x.shape), "FP32"); plain.set_data_from_numpy(x, binary_data=False)
        r2 = c.infer("demo", [plain], outputs=[http.InferRequestedOutput("probabilities", binary_data=False),
                                               http.InferRequestedOutput("label", binary_data=False)])
        f64 = http.InferInput("input", list(x.shape), "FP64"); f64.set_data_from_numpy(x.astype(np.float64))
        r3 = c.infer("demo", [f64], model_version=meta["versions"][0])
        print(json.dumps({
            "live": c.is_server_live(), "ready": c.is_server_ready(), "model_ready": c.is_model_ready("demo"),
            "server": c.get_server_metadata()["name"], "versions": meta["versions"], "inputs": meta["inputs"],
            "id": r1.get_response().get("id"),
            "labels_binary": [v.decode() for v in r1.as_numpy("label").tolist()],
            "labels_json": [str(v.decode() if isinstance(v, bytes) else v) for v in r2.as_numpy("label").tolist()],
            "p_binary": r1.as_numpy("probabilities").tolist(), "p_json": r2.as_numpy("probabilities").tolist(),
            "p_fp64": r3.as_numpy("probabilities").tolist()}))
        """

    @Test func tritonsClientGetsTheSamePredictionsAsPredictBinaryAndJSON() throws {
        let fixture = try ServeFixture("serve-triton")
        defer { fixture.remove() }
        let data = fixture.home.file("rows.csv")
        #expect(
            try runTrainyard(["data", "export", "demo", "--output", data.path, "--limit", "40"], home: fixture.home)
                .status == 0)
        let predict = try runTrainyard(["predict", "demo@staging", "--input", data.path], home: fixture.home)
        try #require(predict.status == 0, "\(predict.stderr)")
        let expected = predict.stdout.split(separator: "\n").dropFirst().map {
            $0.split(separator: ",").map(String.init)
        }

        let (server, url) = try fixture.serve(["demo@staging"])
        defer { server.stop() }
        let result = try fixture.json(try fixture.python(Self.tritonClient, [url, data.path]))
        #expect(
            result["live"] as? Bool == true && result["ready"] as? Bool == true
                && result["model_ready"] as? Bool == true)
        #expect(result["server"] as? String == "trainyard")
        #expect(result["versions"] as? [String] == ["2"])
        #expect(result["id"] as? String == "req-1")
        #expect(result["labels_binary"] as? [String] == expected.map { $0[0] })
        #expect(result["labels_json"] as? [String] == expected.map { $0[0] })
        for key in ["p_binary", "p_json", "p_fp64"] {
            let p = try #require(result[key] as? [[Double]])
            #expect(p.count == expected.count)
            for (row, want) in zip(p, expected) {
                for (c, value) in row.enumerated() { #expect(abs(value - Double(want[c + 1])!) < 1e-6, "\(key)") }
            }
        }
    }

    /// Every documented error case, then thousands of randomly mutated bodies and headers:
    /// each answered (never 5xx, never a dropped connection) and the server stays healthy.
    static let malformed = """
        import http.client, json, random, sys
        host, port = sys.argv[1].replace("http://", "").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        def call(method, path, body=None, headers={}):
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse(); data = r.read()
            return r.status, data
        row = [0.5, -1.0, 2.0, 0.25]
        good = {"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 4], "data": row}]}
        cases = {
          "unknown model": ("/v2/models/nope/infer", json.dumps(good), {}, 404),
          "unknown version": ("/v2/models/demo/versions/9/infer", json.dumps(good), {}, 404),
          "missing input": ("/v2/models/demo/infer", json.dumps({"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 4], "data": row}]}), {}, 400),
          "extra input": ("/v2/models/demo/infer", json.dumps({"inputs": good["inputs"] + [{"name": "extra", "datatype": "FP32", "shape": [1], "data": [1]}]}), {}, 400),
          "wrong shape": ("/v2/models/demo/infer", json.dumps({"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 3], "data": row[:3]}]}), {}, 400),
          "count mismatch": ("/v2/models/demo/infer", json.dumps({"inputs": [{"name": "input", "datatype": "FP32", "shape": [2, 4], "data": row}]}), {}, 400),
          "wrong datatype": ("/v2/models/demo/infer", json.dumps({"inputs": [{"name": "input", "datatype": "BF16", "shape": [1, 4], "data": row}]}), {}, 400),
          "non-finite": ("/v2/models/demo/infer", '{"inputs":[{"name":"input","datatype":"FP64","shape":[1,4],"data":[1e999,0,0,0]}]}', {}, 400),
          "malformed json": ("/v2/models/demo/infer", '{"inputs": [', {}, 400),
          "not an object": ("/v2/models/demo/infer", '[1,2]', {}, 400),
          "too large": ("/v2/models/demo/infer", json.dumps(good) + " " * 70000, {}, 413),
          "bad header length": ("/v2/models/demo/infer", json.dumps(good), {"Inference-Header-Content-Length": "99999"}, 400),
          "binary size mismatch": ("/v2/models/demo/infer", json.dumps({"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 4], "parameters": {"binary_data_size": 8}}]}), {}, 400),
          "huge shape": ("/v2/models/demo/infer", json.dumps({"inputs": [{"name": "input", "datatype": "FP32", "shape": [100000000, 4], "data": row}]}), {}, 413),
          "unknown output": ("/v2/models/demo/infer", json.dumps(dict(good, outputs=[{"name": "nope"}])), {}, 400),
        }
        results = {}
        for name, (path, body, headers, want) in cases.items():
            status, data = call("POST", path, body.encode(), headers)
            results[name] = [status, want, "error" in json.loads(data)]
        random.seed(7)
        base = json.dumps(good).encode()
        statuses = {}
        for i in range(3000):
            b = bytearray(base)
            for _ in range(random.randint(1, 4)):
                op = random.random()
                pos = random.randrange(len(b) + 1)
                if op < 0.4 and len(b) > 0: b[min(pos, len(b) - 1)] = random.randrange(256)
                elif op < 0.7: b[pos:pos] = bytes([random.randrange(256)])
                elif op < 0.9: del b[pos:pos + random.randint(1, 8)]
                else: b = b[:pos]
            headers = {}
            if random.random() < 0.3:
                headers["Inference-Header-Content-Length"] = random.choice(["0", "-1", "abc", str(len(b)), str(random.randrange(2 * len(b) + 2))])
            try:
                status, _ = call("POST", "/v2/models/demo/infer", bytes(b), headers)
            except Exception as e:
                conn.close(); conn = http.client.HTTPConnection(host, int(port), timeout=10); status = "error: %s" % e
            statuses[str(status)] = statuses.get(str(status), 0) + 1
        live, _ = call("GET", "/v2/health/live")
        ok, _ = call("POST", "/v2/models/demo/infer", base)
        print(json.dumps({"cases": results, "statuses": statuses, "live": live, "ok": ok}))
        """

    /// Raw HTTP/1.1 on one socket: requests pipelined in one write (inference answered on the
    /// event loop between router requests), a chunked body, bodies over the limit with and without
    /// a length, `Expect: 100-continue`; prints the status and a body excerpt of every answer.
    static let rawConnection = """
        import json, select, socket, sys
        host, port = sys.argv[1].replace("http://", "").split(":")
        s = socket.create_connection((host, int(port)), timeout=20)
        f = s.makefile("rb")
        good = json.dumps({"id": "p1", "inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 4], "data": [0.5, -1.0, 2.0, 0.25]}]}).encode()
        def post(body, extra=b""):
            return b"POST /v2/models/demo/infer HTTP/1.1\\r\\nHost: x\\r\\n" + extra + b"Content-Length: %d\\r\\n\\r\\n" % len(body) + body
        def read_answer():
            status = int(f.readline().split()[1]); length = 0
            while True:
                line = f.readline()
                if line in (b"\\r\\n", b""): break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length": length = int(value)
            return [status, f.read(length).decode()[:80]]
        out = {}
        half = len(good) // 2
        chunked = (b"POST /v2/models/demo/infer HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n"
                   + b"%x\\r\\n" % half + good[:half] + b"\\r\\n" + b"%x\\r\\n" % (len(good) - half) + good[half:] + b"\\r\\n0\\r\\n\\r\\n")
        s.sendall(b"GET /v2/health/live HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n" + post(good) + post(b"{") + b"GET /v2/models/demo HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n" + chunked + post(good))
        out["pipelined"] = [read_answer() for _ in range(6)]
        big = good + b" " * 70000
        s.sendall(post(big) + post(good))
        out["over the limit"] = [read_answer() for _ in range(2)]
        chunks = b"".join(b"%x\\r\\n" % 10000 + b" " * 10000 + b"\\r\\n" for _ in range(8))
        s.sendall(b"POST /v2/models/demo/infer HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n" + chunks + b"0\\r\\n\\r\\n" + post(good))
        out["chunked over the limit"] = [read_answer() for _ in range(2)]
        s.sendall(b"POST /v2/models/demo/infer HTTP/1.1\\r\\nHost: x\\r\\nExpect: 100-continue\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(good))
        ready, _, _ = select.select([s], [], [], 2)  # a server may answer 100 Continue first
        if ready and f.peek(12)[:12].startswith(b"HTTP/1.1 100"):
            f.readline(); f.readline()
        s.sendall(good)
        out["expect"] = [read_answer()]
        print(json.dumps(out))
        """

    @Test func malformedAndMutatedRequestsGet4xxAndTheServerStaysHealthy() throws {
        let fixture = try ServeFixture("serve-malformed")
        defer { fixture.remove() }
        let (server, url) = try fixture.serve(["demo@staging", "--max-body-bytes", "65536"])
        defer { server.stop() }
        let result = try fixture.json(try fixture.python(Self.malformed, [url]))
        let cases = try #require(result["cases"] as? [String: [Any]])
        #expect(cases.count == 15)
        for (name, outcome) in cases {
            #expect(outcome[0] as? Int == outcome[1] as? Int, "\(name): got \(outcome[0]), want \(outcome[1])")
            #expect(outcome[2] as? Bool == true, "\(name): no {\"error\": ...} body")
        }
        let statuses = try #require(result["statuses"] as? [String: Int])
        #expect(statuses.values.reduce(0, +) == 3000)
        for (status, count) in statuses {
            let code = Int(status) ?? 0
            #expect(code == 200 || (400..<500).contains(code), "\(count) mutated requests answered \(status)")
        }
        #expect(result["live"] as? Int == 200 && result["ok"] as? Int == 200)

        let raw = try fixture.json(try fixture.python(Self.rawConnection, [url]))
        func rawStatuses(_ key: String) -> [Int] { (raw[key] as? [[Any]] ?? []).compactMap { $0.first as? Int } }
        func rawBodies(_ key: String) -> [String] { (raw[key] as? [[Any]] ?? []).compactMap { $0.last as? String } }
        #expect(rawStatuses("pipelined") == [200, 200, 400, 200, 200, 200], "\(raw)")
        let pipelined = rawBodies("pipelined")
        #expect(
            pipelined.count == 6 && pipelined[0].contains("live") && pipelined[1].contains("\"id\":\"p1\"")
                && pipelined[2].contains("error") && pipelined[3].contains("\"name\":\"demo\"")
                && pipelined[4].contains("\"id\":\"p1\"") && pipelined[5].contains("\"id\":\"p1\""), "\(pipelined)")
        #expect(rawStatuses("over the limit") == [413, 200], "\(raw)")
        #expect(rawStatuses("chunked over the limit") == [413, 200], "\(raw)")
        #expect(rawStatuses("expect") == [200], "\(raw)")
        #expect(server.isRunning)
    }

    /// A client loop runs while the alias moves back and forth: no request fails, and the
    /// answers switch version each time.
    static let loadLoop = """
        import http.client, json, sys, threading, time
        host, port = sys.argv[1].replace("http://", "").split(":")
        flag, out = sys.argv[2], sys.argv[3]
        body = json.dumps({"inputs": [{"name": "input", "datatype": "FP32", "shape": [1, 4], "data": [0.5, -1, 2, 0.25]}]}).encode()
        seen, failures, total = [], [], 0
        def worker():
            global total
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            import os
            while not os.path.exists(flag):
                try:
                    conn.request("POST", "/v2/models/demo/infer", body); r = conn.getresponse(); data = r.read()
                    total += 1
                    if r.status != 200: failures.append(r.status); continue
                    v = json.loads(data)["model_version"]
                    if not seen or seen[-1] != v:
                        seen.append(v)
                        open(out + ".versions", "w").write(",".join(seen))
                except Exception as e:
                    failures.append(str(e)); conn = http.client.HTTPConnection(host, int(port), timeout=10)
        threads = [threading.Thread(target=worker) for _ in range(3)]
        [t.start() for t in threads]; [t.join() for t in threads]
        json.dump({"total": total, "failures": failures[:20], "failed": len(failures), "seen": seen}, open(out, "w"))
        """

    @Test func aliasMovesUnderLoadFailNoRequest() throws {
        let fixture = try ServeFixture("serve-reload")
        defer { fixture.remove() }
        let (server, url) = try fixture.serve(["demo@staging", "--reload-interval", "0.1"])
        defer { server.stop() }
        let flag = fixture.home.file("stop"), out = fixture.home.file("load.json")
        let script = fixture.home.file("load.py")
        try Self.loadLoop.write(to: script, atomically: true, encoding: .utf8)
        let client = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, url, flag.path, out.path])
        defer { client.stop() }
        func versions() -> String {
            (try? String(contentsOf: URL(fileURLWithPath: out.path + ".versions"), encoding: .utf8)) ?? ""
        }
        func waitFor(_ pattern: String) -> Bool {
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline { if versions().hasSuffix(pattern) { return true }; usleep(20_000) }
            return false
        }
        try #require(waitFor("2"), "no answers from version 2: \(server.stderr)")
        var expectedSequence = "2"
        for target in [1, 2, 1, 2] {
            let moved = try runTrainyard(["models", "alias", "demo", "\(target)", "staging"], home: fixture.home)
            try #require(moved.status == 0, "\(moved.stderr)")
            expectedSequence += ",\(target)"
            #expect(waitFor(expectedSequence), "answers did not switch to version \(target): \(versions())")
        }
        let rollback = try runTrainyard(["models", "rollback", "demo", "staging"], home: fixture.home)
        #expect(rollback.status == 0)
        #expect(waitFor(expectedSequence + ",1"), "rollback did not switch: \(versions())")
        _ = FileManager.default.createFile(atPath: flag.path, contents: nil)
        _ = try client.wait(timeout: 60)
        let load = try fixture.json(try String(contentsOf: out, encoding: .utf8))
        #expect(load["failed"] as? Int == 0, "\(load["failures"] ?? "")")
        #expect((load["total"] as? Int ?? 0) > 100)
        #expect(server.stderr.contains("now serving version 1 (was 2)"))
    }

    /// /metrics parses with Prometheus' own parser (prometheus_client) and names what it should.
    static let metricsParse = """
        import sys, urllib.request, json, subprocess
        from prometheus_client.parser import text_string_to_metric_families
        text = urllib.request.urlopen(sys.argv[1] + "/metrics").read().decode()
        families = {f.name: [(s.name, s.labels, s.value) for s in f.samples] for f in text_string_to_metric_families(text)}
        lint = subprocess.run(["promtool", "check", "metrics"], input=text.encode(), capture_output=True)
        families["promtool"] = [lint.returncode, (lint.stdout + lint.stderr).decode()]
        print(json.dumps(families))
        """

    static let webhookListener = """
        import http.server, sys, os
        out = sys.argv[1]
        received = []
        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                received.append(self.rfile.read(int(self.headers["Content-Length"])))
                with open(out + ".tmp", "wb") as f: f.write(b"\\n".join(received))
                os.replace(out + ".tmp", out)
                self.send_response(200); self.end_headers()
            def log_message(self, *a): pass
        s = http.server.HTTPServer(("127.0.0.1", 0), H)
        print(s.server_address[1], flush=True)
        s.serve_forever()
        """

    static let sendRows = """
        import csv, http.client, json, sys
        host, port = sys.argv[1].replace("http://", "").split(":")
        rows = list(csv.DictReader(open(sys.argv[2])))
        names = json.loads(sys.argv[3])
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        for start in range(0, len(rows), 50):
            batch = [[float(r[n]) for n in names] for r in rows[start:start + 50]]
            body = json.dumps({"inputs": [{"name": "input", "datatype": "FP32", "shape": [len(batch), len(names)], "data": batch}]})
            conn.request("POST", "/v2/models/demo/infer", body); r = conn.getresponse(); r.read()
            assert r.status == 200, r.status
        conn.request("GET", "/v2/models/demo/drift"); r = conn.getresponse()
        print(r.read().decode())
        """

    @Test func shiftedInputsRaiseTheDriftAlertAndUnshiftedOnesDoNot() throws {
        let fixture = try ServeFixture("serve-drift")
        defer { fixture.remove() }
        let hook = fixture.home.file("hook.jsonl")
        let listenerScript = fixture.home.file("hook.py")
        try Self.webhookListener.write(to: listenerScript, atomically: true, encoding: .utf8)
        let listener = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", listenerScript.path, hook.path])
        defer { listener.stop() }
        try #require(listener.waitForOutput(timeout: 30) { out, _ in out.contains("\n") }, "\(listener.stderr)")
        let hookPort = listener.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let (server, url) = try fixture.serve([
            "demo@staging", "--drift-window", "300", "--drift-every", "100",
            "--drift-min-rows", "200", "--webhook", "http://127.0.0.1:\(hookPort)/hook",
        ])
        defer { server.stop() }
        let names = "[\"x0\",\"x1\",\"x2\",\"x3\"]"
        let plain = fixture.home.file("plain.csv"), shifted = fixture.home.file("shifted.csv")
        #expect(
            try runTrainyard(["data", "export", "demo", "--output", plain.path, "--limit", "600"], home: fixture.home)
                .status == 0)
        #expect(
            try runTrainyard(
                ["data", "export", "demo", "--output", shifted.path, "--limit", "400", "--shift", "3"],
                home: fixture.home
            ).status == 0)

        let calm = try fixture.json(try fixture.python(Self.sendRows, [url, plain.path, names]))
        #expect(calm["alerting"] as? Bool == false, "\(calm)")
        #expect(calm["window_rows"] as? Int == 300)
        #expect(!FileManager.default.fileExists(atPath: hook.path), "an unshifted stream raised an alert")

        let drifted = try fixture.json(try fixture.python(Self.sendRows, [url, shifted.path, names]))
        #expect(drifted["alerting"] as? Bool == true, "\(drifted)")
        #expect((drifted["drifted_columns"] as? [String])?.count == 4)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !FileManager.default.fileExists(atPath: hook.path) { usleep(20_000) }
        let received = (try? String(contentsOf: hook, encoding: .utf8)) ?? ""
        #expect(
            received.contains("\"status\":\"firing\"") && received.contains("\"model\":\"demo\""),
            "webhook got: \(received)")
        #expect(server.stderr.contains("drift alert: demo/2"))
        let stored = try runTrainyard(["models", "drift", "demo", "--json"], home: fixture.home)
        let reports = try #require(
            try JSONSerialization.jsonObject(with: Data(stored.stdout.utf8)) as? [[String: Any]], "\(stored.stderr)")
        #expect(reports.contains { $0["alert"] as? Bool == true && $0["version"] as? Int == 2 }, "\(reports)")

        let families = try fixture.json(try fixture.python(Self.metricsParse, [url]))
        #expect(families["trainyard_inference_requests"] != nil, "\(families.keys.sorted())")
        #expect(families["trainyard_inference_request_duration_seconds"] != nil)
        #expect(families["trainyard_drift_psi"] != nil && families["trainyard_drift_alert"] != nil)
        let lint = try #require(families["promtool"] as? [Any])
        #expect(lint.first as? Int == 0, "promtool check metrics: \(lint)")
        let alert = try #require(families["trainyard_drift_alert"] as? [[Any]])
        #expect((alert.first?[2] as? Double) == 1)
    }
}
